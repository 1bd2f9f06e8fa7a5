import { newId } from '../ids.ts';
import type { Kysely, Transaction } from 'kysely';
import { preparedQuery } from '../db/database.ts';
import type { AuditLogTable, Database, NewAuditLogRow } from '../db/schema.ts';

export interface Actor {
  type: AuditLogTable['actor_type'];
  id: string | null;
  ip?: string | null;
}

export const systemActor: Actor = { type: 'system', id: null };

const secretKeys = /pass|token|secret|html|text|body/i;

const insertAudit = preparedQuery((db, row: Required<NewAuditLogRow>) => db.insertInto('audit_log').values(row));

/** Appends who did what to the audit log, in the caller's transaction. Secret-looking keys are dropped. */
export async function recordAudit(
  trx: Transaction<Database> | Kysely<Database>,
  now: Date,
  actor: Actor,
  action: string,
  subject: { type: string; id: string } | null,
  details: Record<string, unknown> = {},
): Promise<void> {
  const clean = Object.fromEntries(Object.entries(details).filter(([k]) => !secretKeys.test(k)));
  await insertAudit(trx, {
    id: newId(),
    at: now.toISOString(),
    actor_type: actor.type,
    actor_id: actor.id,
    action,
    subject_type: subject?.type ?? null,
    subject_id: subject?.id ?? null,
    ip: actor.ip ?? null,
    details: JSON.stringify(clean),
  });
}
