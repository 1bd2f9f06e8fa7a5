import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import type { AgentRow } from '../../platform/db/schema.ts';
import { DomainError, Forbidden, NotFound } from '../../platform/http/errors.ts';
import { formatSlot } from '../../platform/time.ts';
import type { Services } from '../../services.ts';
import { recordTimelineEvent } from '../candidates/timeline.ts';
import { modeLabels } from './appointment.ts';
import { findAppointment } from './appointments-repository.ts';

export type AppointmentOutcome = 'done' | 'missed';

/**
 * The referent says how an appointment went once its time has come: held, or the person did not come.
 * Keeps: only the appointment's referent or an admin; only a booked appointment whose start has passed;
 * once (a second click changes nothing). A held appointment is an interview on the file's timeline, so
 * the file's last contact moves; a missed one is written there too, for the next call.
 */
export async function recordAppointmentOutcome(s: Services, input: { appointmentId: string; outcome: AppointmentOutcome; agent: AgentRow; actor: Actor }): Promise<boolean> {
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const rec = await findAppointment(trx, { id: input.appointmentId });
    if (!rec) throw new NotFound('Rendez-vous introuvable');
    if (input.agent.role !== 'admin' && input.agent.id !== rec.agent_id) throw new Forbidden('Ce rendez-vous est celui d’un autre agent.');
    if (rec.status !== 'booked') return false;
    if (now.getTime() < new Date(rec.starts_at).getTime()) throw new DomainError('not-started', 'Ce rendez-vous n’a pas encore eu lieu.');
    const r = await trx.updateTable('appointments').set({ status: input.outcome }).where('id', '=', rec.id).where('status', '=', 'booked').executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    const when = formatSlot(rec.starts_at, rec.ends_at, s.territory.timezone);
    await recordTimelineEvent(trx, {
      candidateId: rec.candidateId,
      at: new Date(rec.starts_at),
      kind: input.outcome === 'done' ? 'meeting' : 'appointment',
      dedupeKey: `appointment:${rec.id}:${input.outcome}`,
      actor: { type: 'agent', id: input.agent.id },
      subject: { type: 'appointment', id: rec.id },
      summary: input.outcome === 'done' ? `Rendez-vous ${modeLabels[rec.mode].toLowerCase()} du ${when} : a eu lieu` : `Rendez-vous du ${when} : la personne n’est pas venue`,
      data: { outcome: input.outcome, startsAt: rec.starts_at },
    });
    await recordAudit(trx, now, input.actor, input.outcome === 'done' ? 'appointment.held' : 'appointment.missed', { type: 'appointment', id: rec.id });
    return true;
  });
}
