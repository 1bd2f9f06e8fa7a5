import { DateTime, Duration } from 'luxon';

export interface ReminderMoment {
  /** The ISO 8601 duration it was configured with, e.g. "P7D". */
  key: string;
  at: Date;
}

/**
 * The instants reminders are due for a Rencontre starting at `startsAt`, earliest first. Durations are
 * taken back in the territory's zone, so "P1D" before a 12:30 Rencontre is 12:30 the day before, even
 * across a change to or from summer time.
 */
export function reminderMoments(startsAt: string | Date, offsets: readonly string[], zone: string): ReminderMoment[] {
  const start = DateTime.fromJSDate(new Date(startsAt)).setZone(zone);
  return offsets
    .map((key) => ({ key, at: start.minus(Duration.fromISO(key)).toJSDate() }))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The latest moment already due at `now`, if the Rencontre has not started: earlier missed ones are not sent any more. */
export function latestDueMoment(startsAt: string | Date, offsets: readonly string[], zone: string, now: Date): ReminderMoment | null {
  if (now.getTime() >= new Date(startsAt).getTime()) return null;
  const due = reminderMoments(startsAt, offsets, zone).filter((m) => m.at.getTime() <= now.getTime());
  return due[due.length - 1] ?? null;
}

/** "dans 7 jours", "demain", "dans une heure": how the e-mail says when. */
export function reminderLead(key: string): string {
  const d = Duration.fromISO(key).shiftTo('days', 'hours', 'minutes');
  if (d.days === 1 && !d.hours && !d.minutes) return 'demain';
  if (d.days > 1 && !d.hours && !d.minutes) return `dans ${d.days} jours`;
  const minutes = Math.round(d.as('minutes'));
  if (minutes === 60) return 'dans une heure';
  if (minutes % 60 === 0) return `dans ${minutes / 60} heures`;
  return `dans ${minutes} minutes`;
}
