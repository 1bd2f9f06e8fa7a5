import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Answers, StepKey } from './contact-form.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface ContactFormRecord {
  id: string;
  answers: Answers;
  submittedAt: string | null;
  candidateId: string | null;
  updatedAt: string;
}

export async function createContactForm(db: Q, now: Date, tokenHash: string, source: string | null): Promise<string> {
  const id = randomUUID();
  const nowIso = now.toISOString();
  await db.insertInto('contact_forms').values({ id, token_hash: tokenHash, data: JSON.stringify({ source }), step: 'vous', candidate_id: null, created_at: nowIso, updated_at: nowIso, submitted_at: null }).execute();
  return id;
}

export async function findContactForm(db: Q, tokenHash: string): Promise<ContactFormRecord | undefined> {
  const r = await db.selectFrom('contact_forms').select(['id', 'data', 'submitted_at', 'candidate_id', 'updated_at']).where('token_hash', '=', tokenHash).executeTakeFirst();
  return r ? { id: r.id, answers: JSON.parse(r.data) as Answers, submittedAt: r.submitted_at, candidateId: r.candidate_id, updatedAt: r.updated_at } : undefined;
}

/** Saves one step's answers, as typed; a form already sent is not changed any more. */
export async function saveStep(db: Q, now: Date, id: string, answers: Answers, step: StepKey): Promise<boolean> {
  const r = await db.updateTable('contact_forms').set({ data: JSON.stringify(answers), step, updated_at: now.toISOString() }).where('id', '=', id).where('submitted_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
