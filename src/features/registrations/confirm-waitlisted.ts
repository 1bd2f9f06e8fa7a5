import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { lockRow } from '../../platform/db/database.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { findCandidateById } from '../candidates/candidates-repository.ts';
import { recordRegistrationStep } from '../candidates/journey-events.ts';
import { afterSeatGiven } from '../video/video-jobs.ts';
import { countConfirmed, findWebinarById } from '../webinars/webinars-repository.ts';
import { renderRegistrationEmail } from './registration-emails.tsx';
import { registrationToken } from './registration-token.ts';
import { findRegistrationById } from './registrations-repository.ts';

/**
 * An agent gives a seat to someone on the waiting list, ahead of the queue if need be. Keeps: the
 * capacity, unless the agent explicitly accepts to go beyond it; the person is told by e-mail.
 */
export async function confirmWaitlisted(s: Services, input: { registrationId: string; allowOverCapacity: boolean; actor: Actor }): Promise<{ overCapacity: boolean }> {
  const out = await s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const first = await findRegistrationById(trx, input.registrationId);
    if (!first) throw new NotFound('Inscription introuvable');
    await lockRow(s.db, trx, 'webinars', first.webinar_id);
    const reg = (await findRegistrationById(trx, input.registrationId))!;
    if (reg.status !== 'waitlisted') throw new DomainError('not-waitlisted', 'Cette personne n’est pas sur la liste d’attente');
    const webinar = (await findWebinarById(trx, reg.webinar_id))!;
    const confirmed = await countConfirmed(trx, webinar.id);
    const full = webinar.capacity !== null && confirmed >= webinar.capacity;
    if (full && !input.allowOverCapacity) throw new DomainError('full', 'La Rencontre est complète : confirmez le dépassement de capacité, ou augmentez le nombre de places');
    await trx.updateTable('registrations').set({ status: 'confirmed', confirmed_at: now.toISOString(), waitlist_rank: null }).where('id', '=', reg.id).execute();
    await afterSeatGiven(trx, now, webinar, { id: reg.id, nonce: reg.token_nonce });
    const candidate = (await findCandidateById(trx, reg.candidate_id))!;
    const mail = await renderRegistrationEmail('promoted', { territory: s.territory, publicUrl: s.config.publicUrl, webinar, firstName: candidate.first_name, token: registrationToken(s.tokenKey, reg.id, reg.token_nonce) });
    await enqueueEmail(trx, now, { dedupeKey: `registration:${reg.id}:${reg.token_nonce}:promoted`, kind: 'registration-promoted', to: candidate.email, ...mail, candidateId: candidate.id, webinarId: webinar.id, registrationId: reg.id });
    await recordAudit(trx, now, input.actor, 'registration.promoted-by-agent', { type: 'registration', id: reg.id }, { webinarId: webinar.id, overCapacity: full });
    await recordRegistrationStep(trx, { candidateId: candidate.id, registrationId: reg.id, nonce: reg.token_nonce, step: 'promoted', webinar, at: now, actor: input.actor, zone: s.territory.timezone });
    return { overCapacity: full };
  });
  s.mailQueued();
  s.jobQueued();
  return out;
}
