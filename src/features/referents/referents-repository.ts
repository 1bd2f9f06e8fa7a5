import type { Kysely, Transaction } from 'kysely';
import type { CandidateStage, Database } from '../../platform/db/schema.ts';
import { OPEN_STAGES, type AssignmentMethod } from './referent.ts';
import type { ReferentTables } from './referent-tables.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface NewRequestView {
  assignmentId: string;
  candidateId: string;
  name: string;
  at: string;
  method: AssignmentMethod;
  project: string | null;
  needs: string[];
  phone: string | null;
  email: string;
}

/**
 * The households given to an agent that they have not yet said they have in hand, oldest first; a
 * file given to them twice shows once, and one handed on to a colleague no longer shows.
 */
export async function newRequestsFor(db: Q, agentId: string): Promise<NewRequestView[]> {
  const rows = await db
    .withTables<ReferentTables>()
    .selectFrom('referent_assignments as ra')
    .innerJoin('candidates as c', 'c.id', 'ra.candidate_id')
    .leftJoin('accompaniment_requests as ar', 'ar.id', 'ra.request_id')
    .select(['ra.id', 'ra.candidate_id', 'ra.at', 'ra.method', 'c.first_name', 'c.last_name', 'c.phone', 'c.email', 'ar.project', 'ar.needs'])
    .where('ra.agent_id', '=', agentId)
    .where('ra.acknowledged_at', 'is', null)
    .where('c.referent_id', '=', agentId)
    .orderBy('ra.at', 'desc')
    .execute();
  const seen = new Set<string>();
  const out: NewRequestView[] = [];
  for (const r of rows) {
    if (seen.has(r.candidate_id)) continue;
    seen.add(r.candidate_id);
    out.push({ assignmentId: r.id, candidateId: r.candidate_id, name: `${r.first_name} ${r.last_name}`, at: r.at, method: r.method, project: r.project ?? null, needs: r.needs ? (JSON.parse(r.needs) as string[]) : [], phone: r.phone, email: r.email });
  }
  return out.reverse();
}

export type MyCandidatesScope = 'en-cours' | 'installes' | 'tous';

export interface MyCandidateView {
  id: string;
  name: string;
  stage: CandidateStage | null;
  lastActivityAt: string | null;
  nextTaskOn: string | null;
  openTasks: number;
}

/** The households an agent follows, the most recently active first, with their next task. */
export async function candidatesOf(db: Q, agentId: string, scope: MyCandidatesScope, page: number, pageSize: number): Promise<{ rows: MyCandidateView[]; total: number }> {
  let q = db.selectFrom('candidates').where('referent_id', '=', agentId).where('merged_into_id', 'is', null);
  if (scope === 'en-cours') q = q.where((eb) => eb.or([eb('stage', 'in', [...OPEN_STAGES]), eb('stage', 'is', null)]));
  if (scope === 'installes') q = q.where('stage', 'in', ['installed', 'followed-up']);
  const [{ n }, rows] = await Promise.all([
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    q
      .select((eb) => [
        'candidates.id',
        'candidates.first_name',
        'candidates.last_name',
        'candidates.stage',
        'candidates.last_activity_at',
        eb.selectFrom('tasks').select((t) => t.fn.min('tasks.due_on').as('d')).whereRef('tasks.candidate_id', '=', 'candidates.id').where('tasks.status', '=', 'open').as('next_task_on'),
        eb.selectFrom('tasks').select((t) => t.fn.countAll<number>().as('k')).whereRef('tasks.candidate_id', '=', 'candidates.id').where('tasks.status', '=', 'open').as('open_tasks'),
      ])
      .orderBy('candidates.last_activity_at', 'desc')
      .orderBy('candidates.id')
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute(),
  ]);
  return {
    total: Number(n),
    rows: rows.map((r) => ({ id: r.id, name: `${r.first_name} ${r.last_name}`, stage: r.stage, lastActivityAt: r.last_activity_at, nextTaskOn: (r.next_task_on as string | null) ?? null, openTasks: Number(r.open_tasks ?? 0) })),
  };
}
