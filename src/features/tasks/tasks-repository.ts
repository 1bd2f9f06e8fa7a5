import type { ExpressionBuilder, Kysely, Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { TaskStatus } from './task.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface TaskView {
  id: string;
  title: string;
  due_on: string;
  status: TaskStatus;
  source: 'agent' | 'system';
  assignee_id: string;
  assigneeName: string;
  created_by: string | null;
  candidate_id: string | null;
  candidateName: string | null;
  done_at: string | null;
}

function base(db: Q) {
  return db
    .selectFrom('tasks')
    .innerJoin('agents', 'agents.id', 'tasks.assignee_id')
    .leftJoin('candidates', 'candidates.id', 'tasks.candidate_id')
    .select([
      'tasks.id',
      'tasks.title',
      'tasks.due_on',
      'tasks.status',
      'tasks.source',
      'tasks.assignee_id',
      'agents.name as assigneeName',
      'tasks.created_by',
      'tasks.candidate_id',
      'candidates.first_name',
      'candidates.last_name',
      'tasks.done_at',
    ]);
}

type Raw = Awaited<ReturnType<ReturnType<typeof base>['execute']>>[number];
const view = (r: Raw): TaskView => ({
  id: r.id,
  title: r.title,
  due_on: r.due_on,
  status: r.status,
  source: r.source,
  assignee_id: r.assignee_id,
  assigneeName: r.assigneeName,
  created_by: r.created_by,
  candidate_id: r.candidate_id,
  candidateName: r.first_name ? `${r.first_name} ${r.last_name}` : null,
  done_at: r.done_at,
});

export async function findTask(db: Q, id: string): Promise<TaskView | undefined> {
  const r = await base(db).where('tasks.id', '=', id).executeTakeFirst();
  return r ? view(r) : undefined;
}

/** An agent's open tasks up to a day (inclusive), the most overdue first. */
export async function openTasksDueBy(db: Q, agentId: string, lastDay: string): Promise<TaskView[]> {
  const rows = await base(db).where('tasks.assignee_id', '=', agentId).where('tasks.status', '=', 'open').where('tasks.due_on', '<=', lastDay).orderBy('tasks.due_on').orderBy('tasks.created_at').execute();
  return rows.map(view);
}

export const TASKS_PAGE_SIZE = 50;

/**
 * One page of an agent's tasks (given to them or written by them), open or closed, for the tasks list:
 * the open ones soonest first, the closed ones latest first. Closed tasks only pile up, hence pages.
 */
export async function tasksOfAgent(db: Q, agentId: string, status: 'open' | 'closed', page = 1, pageSize = TASKS_PAGE_SIZE): Promise<{ rows: TaskView[]; total: number; page: number; pages: number }> {
  const mine = (eb: ExpressionBuilder<Database, 'tasks'>) => eb.and([eb.or([eb('tasks.assignee_id', '=', agentId), eb('tasks.created_by', '=', agentId)]), status === 'open' ? eb('tasks.status', '=', 'open') : eb('tasks.status', '!=', 'open')]);
  const { n } = await db.selectFrom('tasks').select((eb) => eb.fn.countAll<number>().as('n')).where(mine).executeTakeFirstOrThrow();
  const total = Number(n);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const current = Math.min(Math.max(1, Math.trunc(page) || 1), pages);
  let q = base(db).where(mine);
  q = status === 'open' ? q.orderBy('tasks.due_on').orderBy('tasks.created_at') : q.orderBy('tasks.due_on', 'desc').orderBy('tasks.created_at', 'desc');
  const rows = (await q.orderBy('tasks.id').limit(pageSize).offset((current - 1) * pageSize).execute()).map(view);
  return { rows, total, page: current, pages };
}

/** The tasks of one household's file: every open one (the soonest first), then the latest closed ones. */
export async function tasksOfCandidate(db: Q, candidateId: string, closedLimit = 20): Promise<TaskView[]> {
  const [open, closed] = await Promise.all([
    base(db).where('tasks.candidate_id', '=', candidateId).where('tasks.status', '=', 'open').orderBy('tasks.due_on').orderBy('tasks.created_at').execute(),
    base(db).where('tasks.candidate_id', '=', candidateId).where('tasks.status', '!=', 'open').orderBy('tasks.due_on', 'desc').orderBy('tasks.created_at', 'desc').limit(closedLimit).execute(),
  ]);
  return [...open, ...closed].map(view);
}
