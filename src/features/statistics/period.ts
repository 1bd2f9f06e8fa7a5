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

const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);

export function periodBounds(p: Period): PeriodBounds {
  return { fromUtc: new Date(zonedDayStartMs(p.from, p.zone)).toISOString(), toUtcExclusive: new Date(zonedDayStartMs(nextDay(p.to), p.zone)).toISOString() };
}

export function yearPeriod(year: number, zone: string): Period {
  return { from: `${year}-01-01`, to: `${year}-12-31`, zone };
}

/**
 * The months a period touches, whole, each with the UTC instants it starts and ends at in the zone
 * ("2023-01" → from 2022-12-31T23:00:00.000Z to 2023-01-31T23:00:00.000Z).
 */
export function periodMonths(p: Period): Array<{ month: string; startUtc: string; endUtc: string }> {
  return periodZoneMonths(p).map(({ month, startUtc, endUtc }) => ({ month, startUtc, endUtc }));
}

const LONG_MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** "2023-01" → "janvier 2023" */
export function monthLabel(month: string): string {
  return `${LONG_MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
}

/** "janv. 2023", for the axis of a chart. */
export function shortMonthLabel(month: string): string {
  return `${SHORT_MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
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

// Zone conversions for thousands of editions. Intl and luxon both take about 0.1 to 0.3 ms a
// conversion here, which a national dashboard would pay thousands of times: instead the zone's offset
// changes (daylight saving) are found once per year with a few Intl calls, and each instant is then
// placed by arithmetic.
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
function offsetMinutesByIntl(ms: number, zone: string): number {
  let f = offsetFormatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormatters.set(zone, f);
  }
  const name = f.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** For a zone and a UTC year: its offset on 1 January and the instants where it changes, with the new offset. */
const transitionsByZoneYear = new Map<string, { start: number; changes: Array<{ at: number; offset: number }> }>();
function transitions(zone: string, year: number): { start: number; changes: Array<{ at: number; offset: number }> } {
  const key = `${zone}|${year}`;
  const known = transitionsByZoneYear.get(key);
  if (known) return known;
  const start = offsetMinutesByIntl(Date.UTC(year, 0, 1), zone);
  const changes: Array<{ at: number; offset: number }> = [];
  let prevMs = Date.UTC(year, 0, 1);
  let prev = start;
  for (let month = 1; month <= 12; month++) {
    const ms = Date.UTC(year, month, 1);
    const off = offsetMinutesByIntl(ms, zone);
    if (off !== prev) {
      // Zones change offset on the minute: a binary search finds the first minute of the new one.
      let lo = prevMs;
      let hi = ms;
      while (hi - lo > 60_000) {
        const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
        if (offsetMinutesByIntl(mid, zone) === prev) lo = mid;
        else hi = mid;
      }
      changes.push({ at: hi, offset: off });
    }
    prevMs = ms;
    prev = off;
  }
  const found = { start, changes };
  transitionsByZoneYear.set(key, found);
  return found;
}

/** The zone's offset from UTC, in minutes, at an instant given in milliseconds since 1970. */
export function zoneOffsetAt(ms: number, zone: string): number {
  const { start, changes } = transitions(zone, new Date(ms).getUTCFullYear());
  let offset = start;
  for (const c of changes) if (ms >= c.at) offset = c.offset;
  return offset;
}

/** The zone's offset from UTC, in minutes, at an instant. */
export function zoneOffsetMinutes(iso: string, zone: string): number {
  return zoneOffsetAt(Date.parse(iso), zone);
}

// The same instants come back at every view (the editions of a period): their dates are remembered.
const zonedDates = new Map<string, string>();
/** The date of an instant in the zone: "2023-12-31T23:30:00.000Z" → "2024-01-01" in Paris. */
export function zonedDate(iso: string, zone: string): string {
  const key = `${zone}|${iso}`;
  let d = zonedDates.get(key);
  if (d === undefined) {
    if (zonedDates.size >= 100_000) zonedDates.clear();
    const ms = Date.parse(iso);
    d = new Date(ms + zoneOffsetAt(ms, zone) * 60_000).toISOString().slice(0, 10);
    zonedDates.set(key, d);
  }
  return d;
}

/**
 * The first instant of a day in the zone (midnight, or the first minute after a change of offset that
 * skips it), in milliseconds: luxon's rule for a wall time, by the offsets found once per year.
 */
export function zonedDayStartMs(date: string, zone: string): number {
  const local = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  const o = zoneOffsetAt(local, zone);
  let guess = local - o * 60_000;
  const o2 = zoneOffsetAt(guess, zone);
  if (o === o2) return guess;
  guess -= (o2 - o) * 60_000;
  const o3 = zoneOffsetAt(guess, zone);
  if (o2 === o3) return guess;
  // Midnight does not exist that day (the clocks jump over it): the day starts after the jump.
  return local - Math.min(o2, o3) * 60_000;
}

/** A day of the zone with the UTC instants it starts and ends at. */
export interface ZoneDay {
  /** YYYY-MM-DD in the zone. */
  day: string;
  startUtc: string;
  endUtc: string;
  /** The UTC dates its instants fall on (two, one for a zone at UTC): whose counters guard its facts. */
  utcDays: string[];
}

export interface ZoneMonth {
  month: string;
  startUtc: string;
  endUtc: string;
  days: ZoneDay[];
}

const zoneMonths = new Map<string, ZoneMonth>();
/** A month of the zone ("2024-03") and its days, each bounded by its first instant and the next day's. */
export function zoneMonth(month: string, zone: string): ZoneMonth {
  const key = `${zone}|${month}`;
  const known = zoneMonths.get(key);
  if (known) return known;
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const length = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  const dates = Array.from({ length }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
  const starts = [...dates, next].map((d) => new Date(zonedDayStartMs(d, zone)).toISOString());
  const days = dates.map((day, i) => {
    const utcDays = [starts[i]!.slice(0, 10)];
    const last = new Date(Date.parse(starts[i + 1]!) - 1).toISOString().slice(0, 10);
    while (utcDays[utcDays.length - 1]! < last) utcDays.push(new Date(Date.parse(utcDays[utcDays.length - 1]!) + 86_400_000).toISOString().slice(0, 10));
    return { day, startUtc: starts[i]!, endUtc: starts[i + 1]!, utcDays };
  });
  const found = { month, startUtc: starts[0]!, endUtc: starts[length]!, days };
  if (zoneMonths.size >= 10_000) zoneMonths.clear();
  zoneMonths.set(key, found);
  return found;
}

/** The months a period touches, whole, with their days (see periodMonths). */
export function periodZoneMonths(p: Period): ZoneMonth[] {
  const out: ZoneMonth[] = [];
  let y = Number(p.from.slice(0, 4));
  let m = Number(p.from.slice(5, 7));
  const last = p.to.slice(0, 7);
  for (;;) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    if (month > last) break;
    out.push(zoneMonth(month, p.zone));
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/** ISO 8601 with the zone's offset, without milliseconds: "2024-01-01T00:30:00+01:00". */
export function zonedIsoWithOffset(iso: string, zone: string): string {
  const offset = zoneOffsetMinutes(iso, zone);
  const wall = new Date(Date.parse(iso) + offset * 60_000).toISOString().slice(0, 19);
  const abs = Math.abs(offset);
  return `${wall}${offset < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const SHORT_MONTHS = ['janv.', 'févr.', 'mars', 'avr.', 'mai', 'juin', 'juil.', 'août', 'sept.', 'oct.', 'nov.', 'déc.'];
/** "2023-01-20" → "20 janv. 2023" */
export function shortDayLabel(date: string): string {
  const [y, m, d] = date.split('-');
  return `${Number(d)} ${SHORT_MONTHS[Number(m) - 1]} ${y}`;
}
