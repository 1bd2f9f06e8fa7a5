import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { AgentRow, Database, TaskTable } from '../../platform/db/schema.ts';
import { DomainError, Forbidden, NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { recordTimelineEvent } from '../candidates/timeline.ts';
import { canChangeTask, formatDay, type TaskForm } from './task.ts';
import type { TaskTables } from './task-tables.ts';

type Q = Transaction<Database> | Kysely<Database>;

async function activeAgent(trx: Q, id: string): Promise<AgentRow> {
  const a = await trx.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
  if (!a || a.status !== 'active') throw new DomainError('assignee-inactive', 'Cet agent n’est pas actif : choisissez un agent actif.');
  return a;
}

async function taskTimeline(trx: Q, e: { task: Pick<TaskTable, 'id' | 'candidate_id' | 'title' | 'due_on'>; at: Date; step: string; summary: string; actor: { type: 'agent' | 'system'; id: string | null }; dedupe?: string }) {
  if (!e.task.candidate_id) return;
  await recordTimelineEvent(trx, {
    candidateId: e.task.candidate_id,
    at: e.at,
    kind: 'task',
    dedupeKey: e.dedupe ?? `task:${e.task.id}:${e.step}`,
    actor: e.actor,
    subject: { type: 'task', id: e.task.id },
    summary: e.summary,
    data: { step: e.step, title: e.task.title, dueOn: e.task.due_on },
  });
}

/**
 * An agent writes a task with a due day, for themselves or a colleague, on a household's file or on
 * its own. Keeps: only an active agent can be given a task; a form sent twice makes one task (its
 * submission key is the task's id); the file's timeline says it; audited.
 */
export async function createTask(s: Services, input: { taskId?: string; candidateId: string | null; form: TaskForm; by: AgentRow; ip?: string | null }): Promise<string> {
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const assignee = await activeAgent(trx, input.form.assigneeId);
    if (input.candidateId) {
      const exists = await trx.selectFrom('candidates').select('id').where('id', '=', input.candidateId).executeTakeFirst();
      if (!exists) throw new NotFound('Dossier introuvable');
    }
    const id = input.taskId ?? randomUUID();
    const sent = await trx.selectFrom('tasks').select('id').where('id', '=', id).executeTakeFirst();
    if (sent) return id;
    const task = { id, candidate_id: input.candidateId, title: input.form.title, due_on: input.form.dueOn };
    await trx
      .withTables<TaskTables>()
      .insertInto('tasks')
      .values({ ...task, assignee_id: assignee.id, status: 'open', source: 'agent', created_by: input.by.id, created_at: now.toISOString(), updated_at: now.toISOString(), done_at: null, reminded_at: null })
      .execute();
    await taskTimeline(trx, { task, at: now, step: 'created', actor: { type: 'agent', id: input.by.id }, summary: `Tâche pour le ${formatDay(task.due_on)} (${assignee.name}) : ${task.title}` });
    await recordAudit(trx, now, { type: 'agent', id: input.by.id, ip: input.ip ?? null }, 'task.created', { type: 'task', id }, { candidateId: input.candidateId, assigneeId: assignee.id, dueOn: task.due_on });
    return id;
  });
}

/**
 * A task the platform gives a referent (a follow-up asking for help, one left unanswered), in the
 * caller's transaction, once per cause: the same dedupe key twice makes one task.
 */
export async function createSystemTask(trx: Transaction<Database>, now: Date, t: { dedupeKey: string; candidateId: string | null; assigneeId: string; title: string; dueOn: string }): Promise<string | null> {
  const id = randomUUID();
  const r = await trx
    .withTables<TaskTables>()
    .insertInto('tasks')
    .values({ id, candidate_id: t.candidateId, assignee_id: t.assigneeId, title: t.title.slice(0, 200), due_on: t.dueOn, status: 'open', source: 'system', created_by: null, created_at: now.toISOString(), updated_at: now.toISOString(), done_at: null, reminded_at: null, dedupe_key: t.dedupeKey })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 0) return null;
  const assignee = await trx.selectFrom('agents').select('name').where('id', '=', t.assigneeId).executeTakeFirst();
  await taskTimeline(trx, { task: { id, candidate_id: t.candidateId, title: t.title, due_on: t.dueOn }, at: now, step: 'created', actor: { type: 'system', id: null }, summary: `Tâche pour le ${formatDay(t.dueOn)} (${assignee?.name ?? 'référent'}) : ${t.title}` });
  return id;
}

async function loadForChange(trx: Q, taskId: string, by: AgentRow) {
  const task = await trx.selectFrom('tasks').selectAll().where('id', '=', taskId).executeTakeFirst();
  if (!task) throw new NotFound('Tâche introuvable');
  if (!canChangeTask(by, task)) throw new Forbidden('Cette tâche est celle d’un autre agent : seul·e cet agent, son auteur ou un administrateur peut la changer.');
  return task;
}

/** An open task gets a new wording, day or agent; a task done or cancelled stays as it was. */
export async function updateTask(s: Services, input: { taskId: string; form: TaskForm; by: AgentRow; ip?: string | null }): Promise<void> {
  await s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const task = await loadForChange(trx, input.taskId, input.by);
    if (task.status !== 'open') throw new DomainError('task-closed', 'Cette tâche est déjà faite ou annulée : elle ne peut plus être modifiée.');
    const assignee = await activeAgent(trx, input.form.assigneeId);
    const f = input.form;
    if (f.title === task.title && f.dueOn === task.due_on && assignee.id === task.assignee_id) return;
    await trx
      .withTables<TaskTables>()
      .updateTable('tasks')
      // A new day or a new agent deserves its own reminder.
      .set({ title: f.title, due_on: f.dueOn, assignee_id: assignee.id, updated_at: now.toISOString(), ...(f.dueOn !== task.due_on || assignee.id !== task.assignee_id ? { reminded_at: null } : {}) })
      .where('id', '=', task.id)
      .where('status', '=', 'open')
      .execute();
    await taskTimeline(trx, { task: { ...task, title: f.title, due_on: f.dueOn }, at: now, step: 'updated', dedupe: `task:${task.id}:updated:${now.toISOString()}`, actor: { type: 'agent', id: input.by.id }, summary: `Tâche modifiée, pour le ${formatDay(f.dueOn)} (${assignee.name}) : ${f.title}` });
    await recordAudit(trx, now, { type: 'agent', id: input.by.id, ip: input.ip ?? null }, 'task.updated', { type: 'task', id: task.id }, { assigneeId: assignee.id, dueOn: f.dueOn });
  });
}

/** Marks an open task done or cancelled, once: doing it twice (a double click) changes nothing more. */
export async function closeTask(s: Services, input: { taskId: string; to: 'done' | 'cancelled'; by: AgentRow; ip?: string | null }): Promise<boolean> {
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const task = await loadForChange(trx, input.taskId, input.by);
    const r = await trx
      .withTables<TaskTables>()
      .updateTable('tasks')
      .set(input.to === 'done' ? { status: 'done', done_at: now.toISOString(), updated_at: now.toISOString() } : { status: 'cancelled', cancelled_at: now.toISOString(), updated_at: now.toISOString() })
      .where('id', '=', task.id)
      .where('status', '=', 'open')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await taskTimeline(trx, { task, at: now, step: input.to, actor: { type: 'agent', id: input.by.id }, summary: `${input.to === 'done' ? 'Tâche faite' : 'Tâche annulée'} : ${task.title}` });
    await recordAudit(trx, now, { type: 'agent', id: input.by.id, ip: input.ip ?? null }, input.to === 'done' ? 'task.done' : 'task.cancelled', { type: 'task', id: task.id }, { candidateId: task.candidate_id });
    return true;
  });
}
