import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database, OutboxMessageRow } from '../db/schema.ts';

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
}

export type OutboxStatus = OutboxMessageRow['status'];

/**
 * Writes a message to the outbox inside the caller's transaction, so that it exists if and only if
 * the change that caused it is committed. Returns false when a message with that key already exists.
 */
export async function enqueueEmail(trx: Transaction<Database> | Kysely<Database>, now: Date, m: OutgoingEmail): Promise<boolean> {
  const result = await trx
    .insertInto('outbox_messages')
    .values({
      id: randomUUID(),
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
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
}
