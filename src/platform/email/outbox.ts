import { newId } from '../ids.ts';
import type { Kysely, Transaction } from 'kysely';
import { preparedQuery } from '../db/database.ts';
import type { Database, NewOutboxMessageRow, OutboxMessageRow } from '../db/schema.ts';

export interface Attachment {
  filename: string;
  contentType: string;
  /** UTF-8 text (calendar files, CSV). */
  content: string;
}

export interface OutgoingEmail {
  /** One message per event: enqueuing the same key twice keeps the first (never sent twice). */
  dedupeKey: string;
  kind: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments?: Attachment[];
  headers?: Record<string, string>;
  candidateId?: string | null;
  webinarId?: string | null;
  registrationId?: string | null;
  /** Not before this instant (reminders); default now. */
  runAfter?: Date;
  /** Not after this instant: cancelled instead of sent late. */
  expiresAt?: Date;
}

export type OutboxStatus = OutboxMessageRow['status'];

const insertMessage = preparedQuery((db, row: NewOutboxMessageRow) =>
  db
    .insertInto('outbox_messages')
    .values(row)
    .onConflict((oc) => oc.column('dedupe_key').doNothing()),
);

/**
 * Writes a message to the outbox inside the caller's transaction, so that it exists if and only if
 * the change that caused it is committed. Returns false when a message with that key already exists.
 */
export async function enqueueEmail(trx: Transaction<Database> | Kysely<Database>, now: Date, m: OutgoingEmail): Promise<boolean> {
  const result = await insertMessage(trx, {
    id: newId(),
    dedupe_key: m.dedupeKey,
    kind: m.kind,
    to_address: m.to,
    subject: m.subject,
    html: m.html,
    text: m.text,
    attachments: JSON.stringify(m.attachments ?? []),
    headers: JSON.stringify(m.headers ?? {}),
    status: 'queued',
    attempts: 0,
    run_after: (m.runAfter ?? now).toISOString(),
    candidate_id: m.candidateId ?? null,
    webinar_id: m.webinarId ?? null,
    registration_id: m.registrationId ?? null,
    created_at: now.toISOString(),
    expires_at: m.expiresAt?.toISOString() ?? null,
  });
  return Number(result.numAffectedRows ?? 0n) > 0;
}

/** Cancels messages of these kinds not yet sent, for one registration or one Rencontre (they stay listed, as cancelled). */
export async function cancelQueuedMail(trx: Transaction<Database> | Kysely<Database>, where: { registrationId?: string; webinarId?: string; kinds: string[] }): Promise<number> {
  let q = trx.updateTable('outbox_messages').set({ status: 'cancelled', last_error: 'Annulé avant envoi' }).where('status', 'in', ['queued', 'retrying']).where('kind', 'in', where.kinds);
  if (where.registrationId) q = q.where('registration_id', '=', where.registrationId);
  if (where.webinarId) q = q.where('webinar_id', '=', where.webinarId);
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows ?? 0n);
}
