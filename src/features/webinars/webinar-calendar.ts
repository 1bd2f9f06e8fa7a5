import { ICalAlarmType, ICalCalendar, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import type { Webinar } from './webinar.ts';

export interface CalendarOptions {
  zone: string;
  /** Stable across updates, so that a calendar replaces the event instead of adding a second one. */
  uid: string;
  /** Incremented on every change of date or link. */
  sequence?: number;
  organizerName: string;
  organizerEmail: string;
  /** The link to join, shown as the location and the URL of the event. */
  joinUrl: string | null;
  pageUrl: string;
  cancelled?: boolean;
  prodId: string;
  /** When the file is written (DTSTAMP); now by default. */
  stamp?: Date;
}

/**
 * An iCalendar file for one Rencontre in the territory's zone, with its VTIMEZONE so that 12:30 in
 * Paris stays 12:30 in winter and in summer, and an alarm 15 minutes before.
 */
export function webinarCalendar(w: Pick<Webinar, 'title' | 'summary' | 'startsAt' | 'endsAt'>, o: CalendarOptions): string {
  const cal = new ICalCalendar({ prodId: o.prodId, method: o.cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.PUBLISH });
  // No calendar-wide zone name: with one, ical-generator writes DTSTAMP as the process's local wall
  // time without "Z", where RFC 5545 requires UTC. Each event carries its TZID, and the generator still
  // adds the VTIMEZONE of every zone the events use.
  cal.timezone({ name: null, generator: (tz) => tzlib_get_ical_block(tz)[0] ?? null });
  const description = [w.summary, o.joinUrl ? `Pour rejoindre la Rencontre : ${o.joinUrl}` : '', `Page de la Rencontre : ${o.pageUrl}`]
    .filter(Boolean)
    .join('\n\n');
  const event = cal.createEvent({
    id: o.uid,
    sequence: o.sequence ?? 0,
    stamp: o.stamp ?? new Date(),
    // Luxon times in the zone: ical-generator writes their wall time in that zone. A wall-time string
    // would be read in the server's own zone first, and shift by an hour when that zone skips it.
    start: DateTime.fromISO(w.startsAt, { zone: o.zone }),
    end: DateTime.fromISO(w.endsAt, { zone: o.zone }),
    timezone: o.zone,
    summary: w.title,
    description,
    location: o.joinUrl ?? 'En ligne',
    url: o.joinUrl ?? o.pageUrl,
    organizer: { name: o.organizerName, email: o.organizerEmail },
    status: o.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  if (!o.cancelled) event.createAlarm({ type: ICalAlarmType.display, trigger: 15 * 60, description: `${w.title} commence dans 15 minutes` });
  return cal.toString();
}
