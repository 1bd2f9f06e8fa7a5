import { DateTime } from 'luxon';
import type { Territory } from '../territory/territory.ts';

export interface ProposedEdition {
  /** Date in the territory's zone, YYYY-MM-DD. */
  date: string;
  startsAt: Date;
  endsAt: Date;
}

/** The n-th (or last, n = -1) ISO weekday of a month, as YYYY-MM-DD. */
export function nthWeekdayOfMonth(year: number, month: number, weekday: number, n: number): string {
  const first = DateTime.fromObject({ year, month, day: 1 });
  if (n === -1) {
    let d = first.endOf('month').startOf('day');
    while (d.weekday !== weekday) d = d.minus({ days: 1 });
    return d.toISODate()!;
  }
  const offset = (weekday - first.weekday + 7) % 7;
  return first.plus({ days: offset + (n - 1) * 7 }).toISODate()!;
}

/**
 * The next editions after `after` on the territory's rule (Lozère: every two months, the third Friday,
 * 12:30–13:30 Paris time). Times are computed in the territory's zone, so daylight saving never moves them.
 */
export function proposeNextEditions(t: Territory, after: Date, count: number): ProposedEdition[] {
  const r = t.schedule;
  const out: ProposedEdition[] = [];
  let cursor = DateTime.fromJSDate(after).setZone(t.timezone).startOf('month');
  for (let guard = 0; out.length < count && guard < 240; guard++, cursor = cursor.plus({ months: 1 })) {
    if ((((cursor.month - r.firstMonth) % r.everyMonths) + r.everyMonths) % r.everyMonths !== 0) continue;
    const date = nthWeekdayOfMonth(cursor.year, cursor.month, r.weekday, r.weekOfMonth);
    const start = DateTime.fromISO(`${date}T${r.time}`, { zone: t.timezone });
    if (start.toMillis() <= after.getTime()) continue;
    out.push({ date, startsAt: start.toUTC().toJSDate(), endsAt: start.plus({ minutes: r.durationMinutes }).toUTC().toJSDate() });
  }
  return out;
}
