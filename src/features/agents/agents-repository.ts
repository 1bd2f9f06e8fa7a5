import type { Kysely, Transaction } from 'kysely';
import type { AgentRow, Database } from '../../platform/db/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

export function findAgentByEmail(db: Q, emailNormalized: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('email_normalized', '=', emailNormalized).executeTakeFirst();
}

export function findAgentById(db: Q, id: string): Promise<AgentRow | undefined> {
  return db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listAgents(db: Q): Promise<AgentRow[]> {
  return db.selectFrom('agents').selectAll().orderBy('status').orderBy('name').execute();
}

export function listActiveReferents(db: Q): Promise<AgentRow[]> {
  return db.selectFrom('agents').selectAll().where('status', '=', 'active').orderBy('name').execute();
}
