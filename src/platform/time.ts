import { DateTime } from 'luxon';

/** Injected everywhere a rule depends on "now", so tests can move time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  #t: number;
  constructor(start: Date | string) {
    this.#t = new Date(start).getTime();
  }
  now() {
    return new Date(this.#t);
  }
  set(to: Date | string) {
    this.#t = new Date(to).getTime();
  }
  advance(ms: number) {
    this.#t += ms;
  }
}

export function toIso(d: Date): string {
  return d.toISOString();
}

/** "2027-01-15" + "12:30" in a zone → the UTC instant, whatever the daylight-saving period. */
export function zonedWallTimeToUtc(date: string, time: string, zone: string): Date {
  const dt = DateTime.fromISO(`${date}T${time}`, { zone });
  if (!dt.isValid) throw new RangeError(`Invalid wall time ${date} ${time} in ${zone}: ${dt.invalidExplanation}`);
  return dt.toUTC().toJSDate();
}

/** The wall time of an instant in a zone, as "YYYY-MM-DDTHH:mm:ss" (no offset): what calendar files want with a TZID. */
export function utcToZonedWallTime(iso: string | Date, zone: string): string {
  return DateTime.fromJSDate(new Date(iso)).setZone(zone).toFormat("yyyy-LL-dd'T'HH:mm:ss");
}

export function zonedParts(iso: string | Date, zone: string): { date: string; time: string } {
  const dt = DateTime.fromJSDate(new Date(iso)).setZone(zone);
  return { date: dt.toFormat('yyyy-LL-dd'), time: dt.toFormat('HH:mm') };
}

/** ISO 8601 with the zone's offset, e.g. 2027-01-15T12:30:00+01:00. */
export function toZonedIso(iso: string | Date, zone: string): string {
  return DateTime.fromJSDate(new Date(iso)).setZone(zone).toISO({ suppressMilliseconds: true }) ?? '';
}

const longDate = new Map<string, Intl.DateTimeFormat>();
function fmt(zone: string, kind: 'date' | 'time' | 'short') {
  const k = `${zone}|${kind}`;
  let f = longDate.get(k);
  if (!f) {
    f =
      kind === 'date'
        ? new Intl.DateTimeFormat('fr-FR', { timeZone: zone, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
        : kind === 'time'
          ? new Intl.DateTimeFormat('fr-FR', { timeZone: zone, hour: '2-digit', minute: '2-digit' })
          : new Intl.DateTimeFormat('fr-FR', { timeZone: zone, day: 'numeric', month: 'short', year: 'numeric' });
    longDate.set(k, f);
  }
  return f;
}

/** "vendredi 15 janvier 2027" */
export function formatDate(iso: string | Date, zone: string): string {
  return fmt(zone, 'date').format(new Date(iso));
}

/** "12 h 30" as French typography writes hours, with no-break spaces so that it never splits across lines. */
export function formatTime(iso: string | Date, zone: string): string {
  return fmt(zone, 'time').format(new Date(iso)).replace(':', '\u00a0h\u00a0');
}

/** "15 janv. 2027" */
export function formatShortDate(iso: string | Date, zone: string): string {
  return fmt(zone, 'short').format(new Date(iso));
}

/** How a page says which clock its times are on: "heure de Paris" for metropolitan France. */
export function zoneLabel(zone: string): string {
  const known: Record<string, string> = {
    'Europe/Paris': 'heure de Paris',
    'America/Cayenne': 'heure de Guyane',
    'America/Martinique': 'heure de Martinique',
    'America/Guadeloupe': 'heure de Guadeloupe',
    'Indian/Reunion': 'heure de La Réunion',
    'Indian/Mayotte': 'heure de Mayotte',
    'Pacific/Noumea': 'heure de Nouméa',
    'Pacific/Tahiti': 'heure de Tahiti',
  };
  return known[zone] ?? `heure locale, ${zone}`;
}

/** "vendredi 15 janvier 2027, de 12 h 30 à 13 h 30 (heure de Paris)" */
export function formatSlot(startIso: string, endIso: string, zone: string): string {
  return `${formatDate(startIso, zone)}, de ${formatTime(startIso, zone)} à ${formatTime(endIso, zone)} (${zoneLabel(zone)})`;
}
