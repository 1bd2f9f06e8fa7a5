import { enqueueEmail } from '../../platform/email/outbox.ts';
import type { JobHandler } from '../../platform/jobs/jobs.ts';
import type { Services } from '../../services.ts';
import { renderAgentAppointmentEmail, renderCandidateAppointmentEmail } from './appointment-emails.tsx';
import { factsOf } from './appointment-facts.ts';
import { findAppointment } from './appointments-repository.ts';

/**
 * The reminder the day before, to both: the job was made with the booking (one per appointment), and
 * sends nothing if the appointment was cancelled meanwhile or has started; the e-mails' keys make a
 * second run harmless.
 */
export function appointmentReminderJobHandler(s: Services): JobHandler {
  return async ({ payload }) => {
    const rec = await findAppointment(s.db.kysely, { id: String(payload.appointmentId) });
    const now = s.clock.now();
    if (!rec || rec.status !== 'booked' || rec.starts_at !== payload.startsAt || now.getTime() >= new Date(rec.starts_at).getTime()) return;
    const facts = factsOf(s, rec, now);
    const [toPerson, toAgent] = await Promise.all([renderCandidateAppointmentEmail('reminder', facts), renderAgentAppointmentEmail('reminder', facts)]);
    await s.db.transaction(async (trx) => {
      await enqueueEmail(trx, now, { dedupeKey: `appointment:${rec.id}:reminder:candidate`, kind: 'appointment-reminder', to: rec.email, ...toPerson, candidateId: rec.candidateId, expiresAt: new Date(rec.starts_at) });
      await enqueueEmail(trx, now, { dedupeKey: `appointment:${rec.id}:reminder:agent`, kind: 'appointment-reminder-agent', to: rec.agentEmail, ...toAgent, expiresAt: new Date(rec.starts_at) });
    });
    s.mailQueued();
  };
}
