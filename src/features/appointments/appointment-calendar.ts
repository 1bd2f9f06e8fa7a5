import { ICalAlarmType, ICalCalendar, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { tzlib_get_ical_block } from 'timezones-ical-library';
import type { Attachment } from '../../platform/email/outbox.ts';

export interface AppointmentCalendarInput {
  appointmentId: string;
  startsAt: string;
  endsAt: string;
  zone: string;
  summary: string;
  description: string;
  /** The visio link, or how the call happens. */
  location: string;
  url: string | null;
  organizerName: string;
  organizerEmail: string;
  host: string;
  prodId: string;
  cancelled?: boolean;
  stamp: Date;
}

/**
 * The calendar file of one appointment, in the territory's zone with its VTIMEZONE (as the
 * Rencontres' files, see webinar-calendar.ts), an alarm 15 minutes before; a cancellation is the
 * same event (same UID, next SEQUENCE) with METHOD:CANCEL, so that calendars remove it.
 */
export function appointmentCalendar(a: AppointmentCalendarInput): Attachment {
  const cal = new ICalCalendar({ prodId: a.prodId, method: a.cancelled ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.PUBLISH });
  cal.timezone({ name: null, generator: (tz) => tzlib_get_ical_block(tz)[0] ?? null });
  const event = cal.createEvent({
    id: `appointment-${a.appointmentId}@${a.host}`,
    sequence: a.cancelled ? 1 : 0,
    stamp: a.stamp,
    start: DateTime.fromISO(a.startsAt, { zone: a.zone }),
    end: DateTime.fromISO(a.endsAt, { zone: a.zone }),
    timezone: a.zone,
    summary: a.summary,
    description: a.description,
    location: a.location,
    url: a.url,
    organizer: { name: a.organizerName, email: a.organizerEmail },
    status: a.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  if (!a.cancelled) event.createAlarm({ type: ICalAlarmType.display, trigger: 15 * 60, description: `${a.summary} dans 15 minutes` });
  return { filename: 'rendez-vous.ics', contentType: `text/calendar; charset=utf-8; method=${a.cancelled ? 'CANCEL' : 'PUBLISH'}`, content: cal.toString() };
}
