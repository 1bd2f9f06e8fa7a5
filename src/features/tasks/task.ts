import { DateTime } from 'luxon';
import { z } from 'zod';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';

/** Domain rules of a referent's task: its due day in the territory's zone, its form, who may change it. */

export type TaskStatus = 'open' | 'done' | 'cancelled';
export const taskStatusLabels: Record<TaskStatus, string> = { open: 'À faire', done: 'Faite', cancelled: 'Annulée' };

/** "2027-01-12": the day it is in the territory, which is what a due date is compared with. */
export function localToday(now: Date, zone: string): string {
  return DateTime.fromJSDate(now).setZone(zone).toISODate()!;
}

/** The instant the territory's day of `now` began, in UTC ISO (for "not reminded today"). */
export function localDayStart(now: Date, zone: string): string {
  return DateTime.fromJSDate(now).setZone(zone).startOf('day').toUTC().toISO()!;
}

/** A day given as 2027-01-12 (the date field) or 12/01/2027 (typed by hand), as YYYY-MM-DD; null if it is no real day. */
export function parseDay(raw: string): string | null {
  const v = raw.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const fr = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : fr ? [fr[3], fr[2], fr[1]] : [];
  if (!y || !m || !d) return null;
  const dt = DateTime.fromObject({ year: Number(y), month: Number(m), day: Number(d) });
  return dt.isValid ? dt.toISODate() : null;
}

export const TITLE_MAX = 200;

/** The task form; `today` and `keptDueOn` (the date an edited task already had) bound the due date. */
export function taskFormSchema(today: string, keptDueOn: string | null = null) {
  return z.object({
    title: z.string({ error: 'Décrivez la tâche, par exemple « Rappeler Mme Martin »' }).trim().min(1, 'Décrivez la tâche, par exemple « Rappeler Mme Martin »').max(TITLE_MAX, `La tâche doit faire ${TITLE_MAX} caractères au plus`),
    dueOn: z
      .string({ error: 'Indiquez la date à laquelle la tâche est à faire' })
      .trim()
      .min(1, 'Indiquez la date à laquelle la tâche est à faire')
      .transform((v, ctx) => {
        const day = parseDay(v);
        if (!day) {
          ctx.addIssue({ code: 'custom', message: 'Indiquez une date réelle, comme 12/01/2027' });
          return z.NEVER;
        }
        if (day < today && day !== keptDueOn) {
          ctx.addIssue({ code: 'custom', message: 'La date doit être aujourd’hui ou plus tard' });
          return z.NEVER;
        }
        return day;
      }),
    assigneeId: z.string({ error: 'Choisissez qui fera la tâche' }).trim().min(1, 'Choisissez qui fera la tâche'),
  });
}
export type TaskForm = z.output<ReturnType<typeof taskFormSchema>>;
export const taskFieldOrder = ['title', 'dueOn', 'assigneeId'];

export function taskErrors(e: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const i of e.issues) out[String(i.path[0] ?? 'title')] ??= i.message;
  return out;
}

/** Who may change a task: an admin, the agent it is for, or the agent who wrote it. */
export function canChangeTask(agent: { id: string; role: string }, task: { assignee_id: string; created_by: string | null }): boolean {
  return agent.role === 'admin' || task.assignee_id === agent.id || task.created_by === agent.id;
}

const dayFormats = {
  long: new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }),
  short: new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }),
};

/** A calendar day ("2027-01-12") in French: "mardi 12 janvier 2027" or "12 janv. 2027"; no zone can shift it. */
export function formatDay(day: string, style: 'long' | 'short' = 'short'): string {
  return dayFormats[style].format(new Date(`${day}T12:00:00Z`));
}
