import { newId } from '../ids.ts';
import type { Kysely, Transaction } from 'kysely';
import type { AuditLogTable, Database } from '../db/schema.ts';

export interface Actor {
  type: AuditLogTable['actor_type'];
  id: string | null;
  ip?: string | null;
}

export const systemActor: Actor = { type: 'system', id: null };

const secretKeys = /pass|token|secret|html|text|body/i;

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
  await trx
    .insertInto('audit_log')
    .values({
      id: newId(),
      at: now.toISOString(),
      actor_type: actor.type,
      actor_id: actor.id,
      action,
      subject_type: subject?.type ?? null,
      subject_id: subject?.id ?? null,
      ip: actor.ip ?? null,
      details: JSON.stringify(clean),
    })
    .execute();
}
