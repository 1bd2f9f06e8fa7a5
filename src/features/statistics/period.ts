import { DateTime } from 'luxon';

/**
 * A period of the statistics: whole days, both ends included, in the territory's zone. Everything
 * that is dated (a Rencontre's start, a registration, a first contact) belongs to the period when its
 * wall-clock date in that zone does: an edition on 31 December at 23:30 UTC is on 1 January in Paris.
 */
export interface Period {
  /** YYYY-MM-DD, first day included. */
  from: string;
  /** YYYY-MM-DD, last day included. */
  to: string;
  zone: string;
}

/** The instants that bound a period, as the ISO 8601 UTC text the database stores (ADR 0002). */
export interface PeriodBounds {
  /** First instant of the period. */
  fromUtc: string;
  /** First instant after the period (excluded). */
  toUtcExclusive: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD (2023-02-30 is not one). */
export function isCalendarDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  return DateTime.fromISO(s, { zone: 'UTC' }).isValid;
}

function startOfDay(date: string, zone: string): DateTime {
  const dt = DateTime.fromISO(date, { zone }).startOf('day');
  if (!dt.isValid) throw new RangeError(`Invalid date ${date}`);
  return dt;
}

export function periodBounds(p: Period): PeriodBounds {
  return {
    fromUtc: startOfDay(p.from, p.zone).toUTC().toISO()!,
    toUtcExclusive: startOfDay(p.to, p.zone).plus({ days: 1 }).toUTC().toISO()!,
  };
}

export function yearPeriod(year: number, zone: string): Period {
  return { from: `${year}-01-01`, to: `${year}-12-31`, zone };
}

/**
 * The months a period touches, whole, each with the UTC instants it starts and ends at in the zone
 * ("2023-01" → from 2022-12-31T23:00:00.000Z to 2023-01-31T23:00:00.000Z).
 */
export function periodMonths(p: Period): Array<{ month: string; startUtc: string; endUtc: string }> {
  const out: Array<{ month: string; startUtc: string; endUtc: string }> = [];
  let m = startOfDay(p.from, p.zone).startOf('month');
  const last = startOfDay(p.to, p.zone).startOf('month');
  while (m <= last) {
    const next = m.plus({ months: 1 });
    out.push({ month: m.toFormat('yyyy-LL'), startUtc: m.toUTC().toISO()!, endUtc: next.toUTC().toISO()! });
    m = next;
  }
  return out;
}

/** "2023-01" → "janvier 2023" */
export function monthLabel(month: string): string {
  const dt = DateTime.fromISO(`${month}-01`, { zone: 'UTC', locale: 'fr' });
  return dt.toFormat('LLLL yyyy');
}

/** "janv. 2023", for the axis of a chart. */
export function shortMonthLabel(month: string): string {
  return DateTime.fromISO(`${month}-01`, { zone: 'UTC', locale: 'fr' }).toFormat('LLL yyyy');
}

/** "du 1er janvier 2023 au 31 décembre 2023", or "année 2023" for a calendar year. */
export function periodLabel(p: Pick<Period, 'from' | 'to'>): string {
  const y = p.from.slice(0, 4);
  if (p.from === `${y}-01-01` && p.to === `${y}-12-31`) return `année ${y}`;
  return `du ${dayLabel(p.from)} au ${dayLabel(p.to)}`;
}

export function dayLabel(date: string): string {
  const dt = DateTime.fromISO(date, { zone: 'UTC', locale: 'fr' });
  return dt.day === 1 ? dt.toFormat("'1er' LLLL yyyy") : dt.toFormat('d LLLL yyyy');
}

export type PeriodInput = { annee?: string; du?: string; au?: string; from?: string; to?: string };
export type PeriodErrors = Partial<Record<'annee' | 'du' | 'au', string>>;

/** The longest period one request may ask for: a whole programme's history, not a runaway query. */
export const MAX_PERIOD_YEARS = 20;

/**
 * Reads the period of a page or a request: a year (`annee`), or two dates (`du`/`au`, also spelt
 * `from`/`to` for machines). Nothing asked → the current year in the zone. Messages are the French
 * the form shows next to each field.
 */
export function parsePeriod(input: PeriodInput, zone: string, now: Date): { ok: true; period: Period } | { ok: false; errors: PeriodErrors } {
  const du = (input.du ?? input.from ?? '').trim();
  const au = (input.au ?? input.to ?? '').trim();
  const annee = (input.annee ?? '').trim();
  if (!du && !au) {
    if (!annee) return { ok: true, period: yearPeriod(DateTime.fromJSDate(now).setZone(zone).year, zone) };
    if (!/^\d{4}$/.test(annee) || Number(annee) < 1900 || Number(annee) > 2999) return { ok: false, errors: { annee: 'Choisissez une année, comme 2023' } };
    return { ok: true, period: yearPeriod(Number(annee), zone) };
  }
  const errors: PeriodErrors = {};
  if (!du) errors.du = 'Saisissez la date de début de la période';
  else if (!isCalendarDate(du)) errors.du = 'La date de début doit être une date réelle, au format AAAA-MM-JJ, comme 2023-01-01';
  if (!au) errors.au = 'Saisissez la date de fin de la période';
  else if (!isCalendarDate(au)) errors.au = 'La date de fin doit être une date réelle, au format AAAA-MM-JJ, comme 2023-12-31';
  if (!errors.du && !errors.au) {
    if (au < du) errors.au = 'La date de fin doit être le même jour que la date de début ou après';
    else if (DateTime.fromISO(au).diff(DateTime.fromISO(du), 'years').years > MAX_PERIOD_YEARS) errors.au = `La période ne peut pas dépasser ${MAX_PERIOD_YEARS} ans`;
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, period: { from: du, to: au, zone } };
}
