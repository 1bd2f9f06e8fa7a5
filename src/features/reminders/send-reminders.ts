import { Duration } from 'luxon';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import { enqueueJob, type JobHandler } from '../../platform/jobs/jobs.ts';
import type { Services } from '../../services.ts';
import { registrationToken } from '../registrations/registration-token.ts';
import { webinarFromRow } from '../webinars/webinar.ts';
import { latestDueMoment } from './reminder-schedule.ts';
import { renderReminderEmail } from './reminder-emails.tsx';

export const REMINDER_JOB = 'reminders.send';
const BATCH = 200;

/**
 * Finds the reminder moments that are due and makes one job per Rencontre and moment. Run every minute
 * by the worker: nothing here depends on a process having been up at the right time, since what is due
 * is computed from the database each time; a moment missed while the app was down is sent when it comes
 * back, unless a later one is due or the Rencontre has started.
 */
export async function scheduleDueReminders(s: Services): Promise<number> {
  const now = s.clock.now();
  const offsets = s.territory.reminders;
  // Only Rencontres close enough for their earliest reminder to be due (a day more for daylight saving).
  const horizonMs = Math.max(0, ...offsets.map((o) => Duration.fromISO(o).as('milliseconds'))) + 86_400_000;
  const rows = await s.db.kysely
    .selectFrom('webinars')
    .select(['id', 'starts_at'])
    .where('status', '=', 'published')
    .where('starts_at', '>', now.toISOString())
    .where('starts_at', '<=', new Date(now.getTime() + horizonMs).toISOString())
    .execute();
  let created = 0;
  for (const w of rows) {
    const moment = latestDueMoment(w.starts_at, offsets, s.territory.timezone, now);
    if (!moment) continue;
    // The start is in the key: if the Rencontre moves, its reminders are scheduled again for the new date.
    const ok = await enqueueJob(s.db.kysely, now, { kind: REMINDER_JOB, dedupeKey: `reminders:${w.id}:${w.starts_at}:${moment.key}`, payload: { webinarId: w.id, momentKey: moment.key, startsAt: w.starts_at, momentAt: moment.at.toISOString() } });
    if (ok) created++;
  }
  return created;
}

/**
 * Writes the reminder of one moment to every person with a seat who had it before that moment: nobody
 * gets a reminder for a moment already past when they registered, nor two for one moment (the e-mail's
 * dedupe key), nor one after cancelling (cancelling cancels what is still queued, and only confirmed
 * registrations are read here).
 */
export function reminderJobHandler(s: Services): JobHandler {
  return async ({ payload, progress, heartbeat }) => {
    const { webinarId, momentKey, startsAt, momentAt } = payload as { webinarId: string; momentKey: string; startsAt: string; momentAt: string };
    const row = await s.db.kysely.selectFrom('webinars').selectAll().where('id', '=', webinarId).executeTakeFirst();
    const now = s.clock.now();
    if (!row || row.status !== 'published' || row.starts_at !== startsAt || now.getTime() >= new Date(startsAt).getTime()) return;
    const webinar = webinarFromRow(row);
    const people = await s.db.kysely
      .selectFrom('registrations')
      .innerJoin('candidates', 'candidates.id', 'registrations.candidate_id')
      .select(['registrations.id', 'registrations.token_nonce', 'registrations.candidate_id', 'candidates.email', 'candidates.first_name'])
      .where('registrations.webinar_id', '=', webinarId)
      .where('registrations.status', '=', 'confirmed')
      .where('registrations.confirmed_at', '<=', momentAt)
      .orderBy('registrations.id')
      .execute();
    for (let i = 0; i < people.length; i += BATCH) {
      const batch = people.slice(i, i + BATCH);
      const mails = await Promise.all(
        batch.map(async (p) => ({ p, mail: await renderReminderEmail({ territory: s.territory, publicUrl: s.config.publicUrl, webinar, firstName: p.first_name, token: registrationToken(s.tokenKey, p.id, p.token_nonce), momentKey }) })),
      );
      await s.db.transaction(async (trx) => {
        for (const { p, mail } of mails) {
          await enqueueEmail(trx, now, {
            dedupeKey: `reminder:${p.id}:${p.token_nonce}:${startsAt}:${momentKey}`,
            kind: 'reminder',
            to: p.email,
            ...mail,
            candidateId: p.candidate_id,
            webinarId,
            registrationId: p.id,
            expiresAt: new Date(startsAt),
          });
        }
      });
      await progress(Math.min(i + BATCH, people.length), people.length);
      await heartbeat();
    }
    s.mailQueued();
  };
}
