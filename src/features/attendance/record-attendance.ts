import type { Transaction } from 'kysely';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { lockRow } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { recordAttendanceStep } from '../candidates/journey-events.ts';
import { normalizeEmail } from '../registrations/registration.ts';
import type { AttendanceEntry } from '../video/video-adapter.ts';

export type AttendanceSource = 'adapter' | 'zoom-report' | 'agent';

export interface AttendanceOutcome {
  present: number;
  absent: number;
  /** Entries that matched nobody registered (guests, people who joined with another address). */
  unmatched: AttendanceEntry[];
  /** Registrations an agent set by hand, left as the agent said. */
  keptByAgent: number;
}

/** Present from the territory's threshold (10 minutes by default); the minutes are kept either way. */
export function isPresent(minutes: number, thresholdMinutes: number): boolean {
  return minutes >= thresholdMinutes;
}

/**
 * Records who attended a Rencontre, whatever the source (the video tool, Zoom's reports). Keeps: a
 * person is matched on the tool's registrant id first, then on the e-mail; several segments of one
 * person add up; a person with a seat who is not in the list was absent; what an agent set by hand is
 * not overwritten; the same list recorded twice changes nothing.
 */
export async function recordAttendance(
  s: Services,
  input: { webinarId: string; entries: AttendanceEntry[]; source: AttendanceSource; actor: Actor },
  /** A transaction already open, for a use case that records attendance with other writes (an import). */
  outer?: Transaction<Database>,
): Promise<AttendanceOutcome> {
  const threshold = s.territory.attendanceThresholdMinutes;
  const record = async (trx: Transaction<Database>) => {
    const now = s.clock.now();
    if (!(await lockRow(s.db, trx, 'webinars', input.webinarId))) throw new NotFound('Rencontre introuvable');
    const webinar = await trx.selectFrom('webinars').select(['title', 'starts_at as startsAt', 'ends_at']).where('id', '=', input.webinarId).executeTakeFirstOrThrow();
    // The timeline dates attendance from the Rencontre, even when a report of last year is imported today.
    const attendedAt = new Date(Math.min(now.getTime(), new Date(webinar.ends_at).getTime()));
    const regs = await trx
      .selectFrom('registrations')
      .innerJoin('candidates', 'candidates.id', 'registrations.candidate_id')
      .select(['registrations.id', 'registrations.candidate_id', 'registrations.status', 'registrations.video_registrant_id', 'registrations.attendance_overridden', 'registrations.attended', 'registrations.attended_minutes', 'registrations.attendance_source', 'candidates.email_normalized'])
      .where('registrations.webinar_id', '=', input.webinarId)
      .execute();
    const byRegistrant = new Map(regs.filter((r) => r.video_registrant_id).map((r) => [r.video_registrant_id!, r]));
    const byEmail = new Map(regs.map((r) => [r.email_normalized, r]));
    const minutes = new Map<string, number>();
    const unmatched: AttendanceEntry[] = [];
    for (const e of input.entries) {
      const reg = (e.registrantId ? byRegistrant.get(e.registrantId) : undefined) ?? (e.email ? byEmail.get(normalizeEmail(e.email)) : undefined);
      if (!reg) {
        unmatched.push(e);
        continue;
      }
      minutes.set(reg.id, (minutes.get(reg.id) ?? 0) + Math.max(0, Math.round(e.minutes)));
    }
    let present = 0;
    let absent = 0;
    let keptByAgent = 0;
    for (const r of regs) {
      const m = minutes.get(r.id);
      // Someone without a seat who is not in the list is neither present nor absent: nothing to say.
      if (m === undefined && r.status !== 'confirmed') continue;
      if (r.attendance_overridden) {
        keptByAgent++;
        if (r.attended) present++;
        else absent++;
        continue;
      }
      const total = m ?? 0;
      const attended = isPresent(total, threshold) ? 1 : 0;
      if (attended) present++;
      else absent++;
      if (r.attended === attended && r.attended_minutes === total && r.attendance_source === input.source) continue;
      await trx.updateTable('registrations').set({ attended, attended_minutes: total, attendance_source: input.source }).where('id', '=', r.id).execute();
      await recordAttendanceStep(trx, { candidateId: r.candidate_id, registrationId: r.id, attended: attended === 1, minutes: total, source: input.source, webinar, at: attendedAt, actor: input.actor, zone: s.territory.timezone });
    }
    await recordAudit(trx, now, input.actor, 'attendance.recorded', { type: 'webinar', id: input.webinarId }, { source: input.source, present, absent, unmatched: unmatched.length, keptByAgent });
    return { present, absent, unmatched, keptByAgent };
  };
  return outer ? record(outer) : s.db.transaction(record);
}

/** An agent says by hand whether someone attended (or gives the decision back to the data with null). */
export async function setAttendanceByAgent(s: Services, input: { registrationId: string; attended: boolean | null; actor: Actor }): Promise<void> {
  await s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const reg = await trx.selectFrom('registrations').select(['id', 'status', 'webinar_id', 'candidate_id', 'attended_minutes']).where('id', '=', input.registrationId).executeTakeFirst();
    if (!reg) throw new NotFound('Inscription introuvable');
    if (reg.status === 'cancelled') throw new DomainError('cancelled', 'Cette inscription est annulée');
    await trx
      .updateTable('registrations')
      .set(input.attended === null ? { attendance_overridden: 0 } : { attended: input.attended ? 1 : 0, attendance_overridden: 1, attendance_source: 'agent' })
      .where('id', '=', reg.id)
      .execute();
    await recordAudit(trx, now, input.actor, 'attendance.set-by-agent', { type: 'registration', id: reg.id }, { webinarId: reg.webinar_id, attended: input.attended });
    if (input.attended !== null) {
      const webinar = await trx.selectFrom('webinars').select(['title', 'starts_at as startsAt', 'ends_at']).where('id', '=', reg.webinar_id).executeTakeFirstOrThrow();
      const at = new Date(Math.min(now.getTime(), new Date(webinar.ends_at).getTime()));
      await recordAttendanceStep(trx, { candidateId: reg.candidate_id, registrationId: reg.id, attended: input.attended, minutes: reg.attended_minutes ?? 0, source: 'agent', webinar, at, actor: input.actor, zone: s.territory.timezone });
    }
  });
}
