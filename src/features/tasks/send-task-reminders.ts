import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import type { Services } from '../../services.ts';
import { localDayStart, localToday } from './task.ts';
import { renderTaskReminderEmail } from './task-emails.tsx';
import type { TaskTables } from './task-tables.ts';

/** Reminders go out from this hour of the territory's morning, never in the night. */
export const TASK_REMINDER_HOUR = 8;

/**
 * The daily reminder of referents' tasks, computed from the database each time the worker runs it:
 * every open task due today or late that was not reminded today is claimed (reminded_at) and put in
 * one e-mail to its agent, in one transaction. A restart, a second worker or a second run the same
 * day finds nothing left to claim: once per task per day, whatever happens to the processes.
 */
export async function sendTaskReminders(s: Services): Promise<number> {
  const now = s.clock.now();
  const zone = s.territory.timezone;
  if (DateTime.fromJSDate(now).setZone(zone).hour < TASK_REMINDER_HOUR) return 0;
  const today = localToday(now, zone);
  const dayStart = localDayStart(now, zone);
  const agents = await s.db.kysely
    .selectFrom('tasks')
    .innerJoin('agents', 'agents.id', 'tasks.assignee_id')
    .select(['agents.id', 'agents.name', 'agents.email'])
    .distinct()
    .where('agents.status', '=', 'active')
    .where('tasks.status', '=', 'open')
    .where('tasks.due_on', '<=', today)
    .where((eb) => eb.or([eb('tasks.reminded_at', 'is', null), eb('tasks.reminded_at', '<', dayStart)]))
    .execute();
  let sent = 0;
  for (const agent of agents) {
    const done = await s.db.transaction(async (trx) => {
      // The claim is the conditional update itself: on PostgreSQL a concurrent run waits on these rows
      // and then finds them reminded, so it claims nothing.
      const claimed = await trx
        .withTables<TaskTables>()
        .updateTable('tasks')
        .set({ reminded_at: now.toISOString() })
        .where('assignee_id', '=', agent.id)
        .where('status', '=', 'open')
        .where('due_on', '<=', today)
        .where((eb) => eb.or([eb('reminded_at', 'is', null), eb('reminded_at', '<', dayStart)]))
        .returning(['id', 'title', 'due_on', 'candidate_id'])
        .execute();
      if (claimed.length === 0) return false;
      claimed.sort((a, b) => a.due_on.localeCompare(b.due_on) || a.title.localeCompare(b.title, 'fr') || a.id.localeCompare(b.id));
      const ids = claimed.map((c) => c.candidate_id).filter((x): x is string => x !== null);
      const people = ids.length ? await trx.selectFrom('candidates').select(['id', 'first_name', 'last_name']).where('id', 'in', ids).execute() : [];
      const tasks = claimed.map((c) => {
        const p = people.find((x) => x.id === c.candidate_id);
        return { title: c.title, due_on: c.due_on, candidateId: c.candidate_id, candidateName: p ? `${p.first_name} ${p.last_name}` : null };
      });
      const mail = await renderTaskReminderEmail({ territory: s.territory, publicUrl: s.config.publicUrl, agentName: agent.name, today, tasks });
      const key = createHash('sha256').update(claimed.map((c) => c.id).join(',')).digest('hex').slice(0, 16);
      await enqueueEmail(trx, now, { dedupeKey: `task-reminder:${agent.id}:${today}:${key}`, kind: 'task-reminder', to: agent.email, ...mail });
      return true;
    });
    if (done) sent++;
  }
  if (sent) s.mailQueued();
  return sent;
}
