import { candidateKeys } from '../candidates/candidate-file.ts';
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { lockRow } from '../../platform/db/database.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { enqueueJob } from '../../platform/jobs/jobs.ts';
import { formatSlot } from '../../platform/time.ts';
import type { Services } from '../../services.ts';
import { recordTimelineEvent } from '../candidates/timeline.ts';
import { MIN_NOTICE_MS, modeLabels, type BookingForm } from './appointment.ts';
import { renderAgentAppointmentEmail, renderCandidateAppointmentEmail } from './appointment-emails.tsx';
import { factsOf } from './appointment-facts.ts';
import { newAppointmentToken } from './appointment-token.ts';
import { findAppointment } from './appointments-repository.ts';

export const APPOINTMENT_REMINDER_JOB = 'appointments.remind';

export type BookingRefusal = 'slot-taken' | 'too-late' | 'already-booked';

/**
 * The day before, at the slot's own wall-clock time in the territory (so across a change of summer
 * time it is still "this time tomorrow").
 */
export function reminderInstant(startsAt: string, zone: string): Date {
  return DateTime.fromISO(startsAt, { zone }).minus({ days: 1 }).toJSDate();
}

/**
 * A person books an open slot with a referent. Keeps: no slot is ever booked twice, even by two
 * people at the same instant — the booking is one conditional update (open → booked, still far
 * enough ahead) whose row count decides, and the database refuses a second booked appointment on a
 * slot besides; one appointment to come per person; both get the confirmation with a calendar file,
 * a reminder the day before is scheduled, the file's timeline says it; all in one transaction.
 */
export async function bookAppointment(s: Services, input: { candidateId: string; slotId: string; form: BookingForm; actor: Actor }): Promise<{ appointmentId: string; token: string }> {
  const out = await s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const nowIso = now.toISOString();
    // The person's own bookings one at a time (PostgreSQL), so that the one-to-come rule holds.
    if (!(await lockRow(s.db, trx, 'candidates', input.candidateId))) throw new NotFound('Personne introuvable');
    const upcoming = await trx
      .selectFrom('appointments as a')
      .innerJoin('appointment_slots as sl', 'sl.id', 'a.slot_id')
      .select(['sl.starts_at', 'sl.ends_at'])
      .where('a.candidate_id', '=', input.candidateId)
      .where('a.status', '=', 'booked')
      .where('sl.starts_at', '>', nowIso)
      .executeTakeFirst();
    if (upcoming) throw new DomainError<BookingRefusal>('already-booked', `Vous avez déjà un rendez-vous le ${formatSlot(upcoming.starts_at, upcoming.ends_at, s.territory.timezone)} : annulez-le d’abord pour en choisir un autre.`);
    const taken = await trx
      .updateTable('appointment_slots')
      .set({ status: 'booked' })
      .where('id', '=', input.slotId)
      .where('status', '=', 'open')
      .where('starts_at', '>', new Date(now.getTime() + MIN_NOTICE_MS).toISOString())
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) !== 1) {
      const slot = await trx.selectFrom('appointment_slots').select(['status']).where('id', '=', input.slotId).executeTakeFirst();
      if (!slot) throw new NotFound('Ce créneau n’existe pas');
      if (slot.status === 'open') throw new DomainError<BookingRefusal>('too-late', 'Ce créneau est trop proche pour être réservé en ligne : choisissez-en un autre.');
      throw new DomainError<BookingRefusal>('slot-taken', 'Ce créneau vient d’être pris : choisissez-en un autre.');
    }
    const id = randomUUID();
    const token = newAppointmentToken(s.tokenKey, id);
    await trx
      .insertInto('appointments')
      .values({ id, slot_id: input.slotId, candidate_id: input.candidateId, status: 'booked', topic: input.form.topic, token_nonce: token.nonce, manage_token_hash: token.hash, booked_at: nowIso, cancelled_at: null })
      .execute();
    if (input.form.phone) {
      // The phone is also a search and duplicate key of the file: refresh the keys with it.
      const c = await trx.selectFrom('candidates').select(['first_name', 'last_name', 'email_normalized', 'town']).where('id', '=', input.candidateId).executeTakeFirstOrThrow();
      await trx
        .updateTable('candidates')
        .set({ phone: input.form.phone, updated_at: nowIso, ...candidateKeys({ ...c, phone: input.form.phone }) })
        .where('id', '=', input.candidateId)
        .execute();
    }
    const rec = (await findAppointment(trx, { id }))!;
    const facts = factsOf(s, rec, now);
    const [toPerson, toAgent] = await Promise.all([renderCandidateAppointmentEmail('booked', facts), renderAgentAppointmentEmail('booked', facts)]);
    await enqueueEmail(trx, now, { dedupeKey: `appointment:${id}:booked:candidate`, kind: 'appointment-booked', to: rec.email, ...toPerson, candidateId: rec.candidateId });
    await enqueueEmail(trx, now, { dedupeKey: `appointment:${id}:booked:agent`, kind: 'appointment-booked-agent', to: rec.agentEmail, ...toAgent });
    const remindAt = reminderInstant(rec.starts_at, s.territory.timezone);
    // Booked less than a day ahead: the confirmation is the reminder.
    if (remindAt.getTime() > now.getTime()) await enqueueJob(trx, now, { kind: APPOINTMENT_REMINDER_JOB, dedupeKey: `appointment-reminder:${id}`, payload: { appointmentId: id, startsAt: rec.starts_at }, runAfter: remindAt });
    await recordTimelineEvent(trx, {
      candidateId: rec.candidateId,
      at: now,
      kind: 'appointment',
      dedupeKey: `appointment:${id}:booked`,
      actor: { type: input.actor.type, id: input.actor.id },
      subject: { type: 'appointment', id },
      summary: `Rendez-vous pris avec ${rec.agentName} : ${formatSlot(rec.starts_at, rec.ends_at, s.territory.timezone)}, ${modeLabels[rec.mode].toLowerCase()}`,
      data: { slotId: input.slotId, agentId: rec.agent_id, mode: rec.mode, startsAt: rec.starts_at },
    });
    await recordAudit(trx, now, input.actor, 'appointment.booked', { type: 'appointment', id }, { slotId: input.slotId, candidateId: rec.candidateId, agentId: rec.agent_id });
    return { appointmentId: id, token: token.token };
  });
  s.mailQueued();
  s.jobQueued();
  return out;
}
