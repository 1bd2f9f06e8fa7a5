import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import type { AgentRow } from '../../platform/db/schema.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import { DomainError, Forbidden, NotFound } from '../../platform/http/errors.ts';
import { formatSlot } from '../../platform/time.ts';
import type { Services } from '../../services.ts';
import { recordTimelineEvent } from '../candidates/timeline.ts';
import { renderAgentAppointmentEmail, renderCandidateAppointmentEmail } from './appointment-emails.tsx';
import { factsOf } from './appointment-facts.ts';
import type { AppointmentTables } from './appointment-tables.ts';
import { findAppointment } from './appointments-repository.ts';

/**
 * The person (from the appointment's private link) or an agent cancels an appointment still to
 * come. Keeps: once only (a second click changes nothing); the slot is open again for someone else;
 * both get the cancellation with a calendar file that removes the event; the timeline says who.
 */
export async function cancelAppointment(s: Services, input: { appointmentId: string; by: { kind: 'candidate' } | { kind: 'agent'; agent: AgentRow }; actor: Actor }): Promise<boolean> {
  const done = await s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const rec = await findAppointment(trx, { id: input.appointmentId });
    if (!rec) throw new NotFound('Rendez-vous introuvable');
    if (input.by.kind === 'agent' && input.by.agent.role !== 'admin' && input.by.agent.id !== rec.agent_id) throw new Forbidden('Ce rendez-vous est celui d’un autre agent.');
    if (rec.status !== 'booked') return false;
    if (now.getTime() >= new Date(rec.starts_at).getTime()) throw new DomainError('started', 'Ce rendez-vous a déjà commencé : il ne peut plus être annulé.');
    const by = input.by.kind;
    const r = await trx
      .withTables<AppointmentTables>()
      .updateTable('appointments')
      .set({ status: 'cancelled', cancelled_at: now.toISOString(), cancelled_by: by })
      .where('id', '=', rec.id)
      .where('status', '=', 'booked')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await trx.updateTable('appointment_slots').set({ status: 'open' }).where('id', '=', rec.slot_id).where('status', '=', 'booked').execute();
    const facts = factsOf(s, rec, now);
    const [toPerson, toAgent] = await Promise.all([renderCandidateAppointmentEmail('cancelled', facts, by), renderAgentAppointmentEmail('cancelled', facts, by)]);
    await enqueueEmail(trx, now, { dedupeKey: `appointment:${rec.id}:cancelled:candidate`, kind: 'appointment-cancelled', to: rec.email, ...toPerson, candidateId: rec.candidateId });
    await enqueueEmail(trx, now, { dedupeKey: `appointment:${rec.id}:cancelled:agent`, kind: 'appointment-cancelled-agent', to: rec.agentEmail, ...toAgent });
    const who = input.by.kind === 'agent' ? input.by.agent.name : 'la personne';
    await recordTimelineEvent(trx, {
      candidateId: rec.candidateId,
      at: now,
      kind: 'appointment',
      dedupeKey: `appointment:${rec.id}:cancelled`,
      actor: { type: input.actor.type, id: input.actor.id },
      subject: { type: 'appointment', id: rec.id },
      summary: `Rendez-vous du ${formatSlot(rec.starts_at, rec.ends_at, s.territory.timezone)} annulé par ${who}`,
      data: { cancelledBy: by, startsAt: rec.starts_at },
    });
    await recordAudit(trx, now, input.actor, 'appointment.cancelled', { type: 'appointment', id: rec.id }, { cancelledBy: by, slotId: rec.slot_id });
    return true;
  });
  if (done) s.mailQueued();
  return done;
}
