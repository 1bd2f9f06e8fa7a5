import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { lockRow } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import { cancelQueuedMail, enqueueEmail } from '../../platform/email/outbox.ts';
import { NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import type { Transaction } from 'kysely';
import { findCandidateById } from '../candidates/candidates-repository.ts';
import { recordRegistrationStep } from '../candidates/journey-events.ts';
import { afterSeatFreed, afterSeatGiven } from '../video/video-jobs.ts';
import { findWebinarById } from '../webinars/webinars-repository.ts';
import { countConfirmed } from '../webinars/webinars-repository.ts';
import type { Webinar } from '../webinars/webinar.ts';
import { renderRegistrationEmail } from './registration-emails.tsx';
import { registrationToken } from './registration-token.ts';
import { findRegistrationById, firstWaitlisted } from './registrations-repository.ts';

/**
 * Cancels a registration. Keeps: cancelling twice changes nothing; a seat freed goes at once to the
 * person who has waited longest, who is told by e-mail; the person cancelling gets a confirmation.
 */
export async function cancelRegistration(s: Services, input: { registrationId: string; actor: Actor }): Promise<{ changed: boolean; promotedId: string | null }> {
  const { db, clock } = s;
  const out = await db.transaction(async (trx) => {
    const now = clock.now();
    const first = await findRegistrationById(trx, input.registrationId);
    if (!first) throw new NotFound('Inscription introuvable');
    await lockRow(db, trx, 'webinars', first.webinar_id);
    const reg = (await findRegistrationById(trx, input.registrationId))!;
    if (reg.status === 'cancelled') return { changed: false, promotedId: null };
    const webinar = (await findWebinarById(trx, reg.webinar_id))!;
    const candidate = (await findCandidateById(trx, reg.candidate_id))!;
    await trx.updateTable('registrations').set({ status: 'cancelled', cancelled_at: now.toISOString() }).where('id', '=', reg.id).execute();
    // Reminders already written but not yet sent are not for someone who cancelled.
    await cancelQueuedMail(trx, { registrationId: reg.id, kinds: ['reminder'] });
    await afterSeatFreed(trx, now, webinar, { id: reg.id, nonce: reg.token_nonce, videoRegistrantId: reg.video_registrant_id });
    const mail = await renderRegistrationEmail('cancelled', {
      territory: s.territory,
      publicUrl: s.config.publicUrl,
      webinar,
      firstName: candidate.first_name,
      token: registrationToken(s.tokenKey, reg.id, reg.token_nonce),
      wasConfirmed: reg.status === 'confirmed',
    });
    await enqueueEmail(trx, now, {
      dedupeKey: `registration:${reg.id}:${reg.token_nonce}:cancelled`,
      kind: 'registration-cancelled',
      to: candidate.email,
      ...mail,
      candidateId: candidate.id,
      webinarId: webinar.id,
      registrationId: reg.id,
    });
    await recordAudit(trx, now, input.actor, 'registration.cancelled', { type: 'registration', id: reg.id }, { webinarId: webinar.id, previousStatus: reg.status });
    await recordRegistrationStep(trx, { candidateId: candidate.id, registrationId: reg.id, nonce: reg.token_nonce, step: 'cancelled', webinar, at: now, actor: input.actor, zone: s.territory.timezone });
    const promotedId = reg.status === 'confirmed' ? await promoteFromWaitlist(s, trx, webinar, now) : null;
    return { changed: true, promotedId };
  });
  s.mailQueued();
  s.jobQueued();
  return out;
}

/** Fills free seats from the waiting list, oldest first; the caller holds the Rencontre's lock. */
export async function promoteFromWaitlist(s: Services, trx: Transaction<Database>, webinar: Webinar, now: Date): Promise<string | null> {
  if (webinar.status !== 'published' || now.getTime() >= new Date(webinar.startsAt).getTime()) return null;
  let last: string | null = null;
  for (;;) {
    const confirmed = await countConfirmed(trx, webinar.id);
    if (webinar.capacity !== null && confirmed >= webinar.capacity) return last;
    const next = await firstWaitlisted(trx, webinar.id);
    if (!next) return last;
    const nowIso = now.toISOString();
    await trx.updateTable('registrations').set({ status: 'confirmed', confirmed_at: nowIso, waitlist_rank: null }).where('id', '=', next.id).execute();
    await afterSeatGiven(trx, now, webinar, { id: next.id, nonce: next.token_nonce });
    const candidate = (await findCandidateById(trx, next.candidate_id))!;
    const mail = await renderRegistrationEmail('promoted', {
      territory: s.territory,
      publicUrl: s.config.publicUrl,
      webinar,
      firstName: candidate.first_name,
      token: registrationToken(s.tokenKey, next.id, next.token_nonce),
    });
    await enqueueEmail(trx, now, {
      dedupeKey: `registration:${next.id}:${next.token_nonce}:promoted`,
      kind: 'registration-promoted',
      to: candidate.email,
      ...mail,
      candidateId: candidate.id,
      webinarId: webinar.id,
      registrationId: next.id,
    });
    await recordAudit(trx, now, { type: 'system', id: null }, 'registration.promoted', { type: 'registration', id: next.id }, { webinarId: webinar.id });
    await recordRegistrationStep(trx, { candidateId: candidate.id, registrationId: next.id, nonce: next.token_nonce, step: 'promoted', webinar, at: now, actor: { type: 'system', id: null }, zone: s.territory.timezone });
    last = next.id;
  }
}
