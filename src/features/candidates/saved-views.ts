import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Database } from '../../platform/db/schema.ts';
import { NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { candidateFiltersSchema, filtersQuery } from './candidates-query.ts';

export interface SavedView {
  id: string;
  name: string;
  query: string;
}

/** An agent's own views of the list, by name. */
export async function savedViewsOf(db: Kysely<Database>, agentId: string): Promise<SavedView[]> {
  return db.selectFrom('saved_views').select(['id', 'name', 'query']).where('agent_id', '=', agentId).orderBy('name').execute();
}

/**
 * Keeps the list as the agent sees it (filters and order, not the page) under a name of theirs; the
 * same name again replaces that view. The query is read back through the filters' schema, so a view
 * holds only what the list understands.
 */
export async function saveView(s: Services, input: { agentId: string; name: string; query: string; ip?: string | null }): Promise<SavedView> {
  const filters = candidateFiltersSchema.parse(Object.fromEntries(new URLSearchParams(input.query)));
  const query = filtersQuery(filters, { page: 1 });
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const same = await trx.selectFrom('saved_views').select('id').where('agent_id', '=', input.agentId).where('name', '=', input.name).executeTakeFirst();
    const id = same?.id ?? randomUUID();
    if (same) await trx.updateTable('saved_views').set({ query }).where('id', '=', id).execute();
    else await trx.insertInto('saved_views').values({ id, agent_id: input.agentId, name: input.name, query, created_at: now.toISOString() }).execute();
    await recordAudit(trx, now, { type: 'agent', id: input.agentId, ip: input.ip ?? null }, 'candidates.view-saved', { type: 'saved-view', id }, { name: input.name });
    return { id, name: input.name, query };
  });
}

/** An agent's view, or NotFound: another agent's views are not theirs to see or delete. */
export async function findOwnView(db: Kysely<Database>, agentId: string, viewId: string): Promise<SavedView> {
  const v = await db.selectFrom('saved_views').select(['id', 'name', 'query']).where('id', '=', viewId).where('agent_id', '=', agentId).executeTakeFirst();
  if (!v) throw new NotFound('Vue introuvable');
  return v;
}

export async function deleteView(s: Services, input: { agentId: string; viewId: string; ip?: string | null }): Promise<void> {
  await s.db.transaction(async (trx) => {
    const r = await trx.deleteFrom('saved_views').where('id', '=', input.viewId).where('agent_id', '=', input.agentId).executeTakeFirst();
    if (Number(r.numDeletedRows) > 0) await recordAudit(trx, s.clock.now(), { type: 'agent', id: input.agentId, ip: input.ip ?? null }, 'candidates.view-deleted', { type: 'saved-view', id: input.viewId });
  });
}
