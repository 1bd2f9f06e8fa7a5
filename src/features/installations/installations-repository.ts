import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { TaskTables } from '../tasks/task-tables.ts';
import type { FollowUpTables } from './follow-up-tables.ts';

type Q = Kysely<Database> | Transaction<Database>;

/** A household's installations, the latest first. */
export function installationsOf(db: Q, candidateId: string) {
  return db.selectFrom('installations').selectAll().where('candidate_id', '=', candidateId).orderBy('created_at', 'desc').execute();
}

export function followUpsOf(db: Q, installationId: string) {
  return db.withTables<FollowUpTables>().selectFrom('follow_ups').selectAll().where('installation_id', '=', installationId).orderBy('months').execute();
}

export function findFollowUpByTokenHash(db: Q, hash: string) {
  return db
    .selectFrom('follow_ups')
    .innerJoin('candidates', 'candidates.id', 'follow_ups.candidate_id')
    .innerJoin('installations', 'installations.id', 'follow_ups.installation_id')
    .select(['follow_ups.id', 'follow_ups.status', 'follow_ups.months', 'follow_ups.candidate_id', 'candidates.first_name', 'installations.commune_name', 'installations.left_on'])
    .where('follow_ups.answer_token_hash', '=', hash)
    .executeTakeFirst();
}

/** The communes of the territory's list, by name (empty when the list was not loaded). */
export function communeChoices(db: Q) {
  return db.selectFrom('communes').select(['code', 'name']).orderBy('name_search').execute();
}

export interface HelpAnswerView {
  taskId: string;
  followUpId: string;
  candidateId: string;
  name: string;
  months: number;
  wellbeing: number | null;
  help: string[];
  message: string | null;
  answeredAt: string | null;
}

/**
 * Follow-up answers asking for help whose task, given to this agent, is still open: what the "à
 * faire" list shows until the agent marks the task done.
 */
export async function openHelpAnswersFor(db: Q, agentId: string): Promise<HelpAnswerView[]> {
  const tasks = await db
    .withTables<TaskTables>()
    .selectFrom('tasks')
    .select(['id', 'dedupe_key'])
    .where('assignee_id', '=', agentId)
    .where('status', '=', 'open')
    .where('dedupe_key', 'like', 'follow-up-help:%')
    .execute();
  const byFollowUp = new Map<string, string>();
  for (const t of tasks) byFollowUp.set(t.dedupe_key!.slice('follow-up-help:'.length), t.id);
  if (byFollowUp.size === 0) return [];
  const rows = await db
    .withTables<FollowUpTables>()
    .selectFrom('follow_ups')
    .innerJoin('candidates', 'candidates.id', 'follow_ups.candidate_id')
    .select(['follow_ups.id', 'follow_ups.candidate_id', 'follow_ups.months', 'follow_ups.wellbeing', 'follow_ups.help_topics', 'follow_ups.message', 'follow_ups.answered_at', 'candidates.first_name', 'candidates.last_name'])
    .where('follow_ups.id', 'in', [...byFollowUp.keys()])
    .orderBy('follow_ups.answered_at')
    .execute();
  return rows.map((r) => ({
    taskId: byFollowUp.get(r.id)!,
    followUpId: r.id,
    candidateId: r.candidate_id,
    name: `${r.first_name} ${r.last_name}`,
    months: r.months,
    wellbeing: r.wellbeing,
    help: JSON.parse(r.help_topics) as string[],
    message: r.message,
    answeredAt: r.answered_at,
  }));
}
