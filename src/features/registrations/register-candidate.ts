import { randomUUID } from 'node:crypto';
import { newId } from '../../platform/ids.ts';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { groupTransaction, lockRow } from '../../platform/db/database.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import type { Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { Services } from '../../services.ts';
import { upsertCandidate } from '../candidates/candidates-repository.ts';
import { recordRegistrationStep } from '../candidates/journey-events.ts';
import { afterSeatGiven } from '../video/video-jobs.ts';
import { registrationWindow, type Webinar } from '../webinars/webinar.ts';
import { countConfirmed, findWebinarById, findWebinarBySlug } from '../webinars/webinars-repository.ts';
import { normalizeEmail, type RegistrationStatus } from './registration.ts';
import { renderRegistrationEmailFast } from './registration-email-templates.ts';
import { newRegistrationToken } from './registration-token.ts';
import type { RegistrationForm, Source } from './registration-schemas.ts';
import { findRegistration, findSubmission, insertRegistration, insertSubmission, nextWaitlistRank, waitlistPosition } from './registrations-repository.ts';

export type RegistrationClosedCode = 'not-published' | 'cancelled' | 'started';

/** The Rencontre registered to: by id (the back-office), or by the slug of its public page. */
export type WebinarRef = { webinarId: string; webinarSlug?: never } | { webinarSlug: string; webinarId?: never };

export interface RegisterResult {
  outcome: 'created' | 'existing';
  registrationId: string;
  status: RegistrationStatus;
  webinar: Webinar;
  email: string;
  /**
   * The submission key the registration is kept under: the form's, unless the form had already been
   * sent for someone else (a page brought back with the browser's Back button and filled in for
   * another person), in which case the registration gets a key of its own.
   */
  submissionKey: string;
}

/**
 * Registers a person to a Rencontre. Keeps: one candidate per e-mail; one registration per person and
 * Rencontre (registering again returns the existing one and sends nothing); one registration per form
 * submission (the idempotency key); never more confirmed seats than the capacity, the others waiting;
 * no registration once the Rencontre has started. The registration, its e-mail and the audit entry
 * are committed together, and the result is returned only once they are (with group commit on SQLite,
 * ADR 0008: registrations arriving together share one durable COMMIT). By the public page's slug, a
 * Rencontre that does not exist or is not published is not found.
 */
export async function registerCandidate(
  s: Services,
  input: WebinarRef & { submissionKey: string; form: RegistrationForm; source: Source; actor: Actor; createdBy?: 'candidate' | 'agent' },
): Promise<RegisterResult> {
  const { db, clock, territory } = s;
  const result = await groupTransaction(db, async (trx) => {
    const now = clock.now();
    const nowIso = now.toISOString();
    const webinar = await lockedWebinar(s, trx, input);

    let submissionKey = input.submissionKey;
    const previous = await findSubmission(trx, submissionKey);
    if (previous) {
      if (previous.webinar_id !== webinar.id) throw new DomainError('submission-mismatch', 'Ce formulaire a déjà servi pour une autre Rencontre.');
      const reg = await trx
        .selectFrom('registrations')
        .innerJoin('candidates', 'candidates.id', 'registrations.candidate_id')
        .select(['registrations.status', 'candidates.email', 'candidates.email_normalized'])
        .where('registrations.id', '=', previous.registration_id)
        .executeTakeFirstOrThrow();
      // The same form sent again (a double click, a retry) gives what the first sending gave. Sent
      // again for another address, it is another person's registration, under a key of its own.
      if (reg.email_normalized === normalizeEmail(input.form.email)) {
        return { outcome: previous.outcome, registrationId: previous.registration_id, status: reg.status, webinar, email: reg.email, submissionKey, queued: false };
      }
      submissionKey = randomUUID();
    }

    const window = registrationWindow(webinar, now);
    if (window !== 'open' && input.createdBy !== 'agent') {
      throw new DomainError<RegistrationClosedCode>(window, closedMessage(window));
    }

    const f = input.form;
    const { candidate, isNew } = await upsertCandidate(
      trx,
      now,
      {
        email: f.email,
        emailNormalized: normalizeEmail(f.email),
        firstName: f.firstName,
        lastName: f.lastName,
        phone: f.phone,
        postcode: f.postcode,
        town: f.town,
        country: f.country,
        project: f.project,
        household: f.household,
        horizon: f.horizon,
        desiredRegion: f.desiredRegion,
      },
      { source: input.source.utmSource, webinarId: webinar.id, newsOptIn: f.newsOptIn },
    );

    // A person created a moment ago, in this transaction, has no registration yet.
    const existing = isNew ? undefined : await findRegistration(trx, webinar.id, candidate.id);
    if (existing && existing.status !== 'cancelled') {
      await insertSubmission(trx, { key: submissionKey, webinar_id: webinar.id, registration_id: existing.id, outcome: 'existing', created_at: nowIso });
      return { outcome: 'existing' as const, registrationId: existing.id, status: existing.status, webinar, email: candidate.email, submissionKey, queued: false };
    }

    // Without a capacity there is nothing to count (and counting grows with the registrations).
    const status: RegistrationStatus = webinar.capacity === null || (await countConfirmed(trx, webinar.id)) < webinar.capacity ? 'confirmed' : 'waitlisted';
    const registrationId = existing?.id ?? newId();
    const { token, hash, nonce } = newRegistrationToken(s.tokenKey, registrationId);
    const answers = {
      status,
      token_nonce: nonce,
      manage_token_hash: hash,
      project: f.project,
      household: f.household,
      horizon: f.horizon,
      desired_region: f.desiredRegion,
      heard_from: f.heardFrom,
      question: f.question,
      utm_source: input.source.utmSource,
      utm_medium: input.source.utmMedium,
      utm_campaign: input.source.utmCampaign,
      created_at: nowIso,
      confirmed_at: status === 'confirmed' ? nowIso : null,
      cancelled_at: null,
      waitlist_rank: status === 'waitlisted' ? await nextWaitlistRank(trx, webinar.id) : null,
    };
    if (existing) {
      // Coming back after cancelling: the same row comes back to life with a new private link.
      await trx.updateTable('registrations').set(answers).where('id', '=', existing.id).execute();
    } else {
      await insertRegistration(trx, { id: registrationId, webinar_id: webinar.id, candidate_id: candidate.id, created_by: input.createdBy ?? 'candidate', ...answers });
    }
    await insertSubmission(trx, { key: submissionKey, webinar_id: webinar.id, registration_id: registrationId, outcome: 'created', created_at: nowIso });
    // With Zoom, a seat means a registrant on Zoom too (a personal link); a job does it after the commit.
    if (status === 'confirmed') await afterSeatGiven(trx, now, webinar, { id: registrationId, nonce });

    const position = status === 'waitlisted' ? await waitlistPosition(trx, { webinar_id: webinar.id, waitlist_rank: answers.waitlist_rank }) : undefined;
    // From the Rencontre's template: a full render costs ~1 ms, mostly the .ics, inside the transaction.
    const mail = await renderRegistrationEmailFast(status === 'confirmed' ? 'confirmed' : 'waitlisted', {
      territory,
      publicUrl: s.config.publicUrl,
      webinar,
      firstName: candidate.first_name,
      token,
      waitlistPosition: position,
    });
    await enqueueEmail(trx, now, {
      dedupeKey: `registration:${registrationId}:${nonce}:${status}`,
      kind: status === 'confirmed' ? 'registration-confirmed' : 'registration-waitlisted',
      to: candidate.email,
      ...mail,
      candidateId: candidate.id,
      webinarId: webinar.id,
      registrationId,
    });
    await recordAudit(trx, now, input.actor, status === 'confirmed' ? 'registration.confirmed' : 'registration.waitlisted', { type: 'registration', id: registrationId }, {
      webinarId: webinar.id,
      candidateId: candidate.id,
      createdBy: input.createdBy ?? 'candidate',
    });
    await recordRegistrationStep(trx, { candidateId: candidate.id, registrationId, nonce, step: status, webinar, at: now, actor: input.actor, zone: territory.timezone, createdBy: input.createdBy });
    return { outcome: 'created' as const, registrationId, status, webinar, email: candidate.email, submissionKey, queued: true };
  });
  if (result.queued) {
    s.mailQueued();
    if (result.webinar.videoTool !== 'link') s.jobQueued();
  }
  const { queued: _queued, ...rest } = result;
  return rest;
}

/**
 * The Rencontre, read in the transaction that registers to it. PostgreSQL: its row locked first, which
 * serialises the registrations to it. SQLite: the IMMEDIATE transaction already makes writers one at
 * a time, reading the row is enough.
 */
async function lockedWebinar(s: Services, trx: Transaction<Database>, ref: WebinarRef): Promise<Webinar> {
  const { db } = s;
  if (ref.webinarSlug === undefined) {
    if (db.dialect === 'postgres' && !(await lockRow(db, trx, 'webinars', ref.webinarId))) throw new NotFound('Rencontre introuvable');
    const webinar = await findWebinarById(trx, ref.webinarId);
    if (!webinar) throw new NotFound('Rencontre introuvable');
    return webinar;
  }
  let webinar: Webinar | undefined;
  if (db.dialect === 'postgres') {
    const row = await trx.selectFrom('webinars').select('id').where('slug', '=', ref.webinarSlug).forUpdate().executeTakeFirst();
    webinar = row && (await findWebinarById(trx, row.id));
  } else {
    webinar = await findWebinarBySlug(trx, ref.webinarSlug);
  }
  if (!webinar || webinar.status === 'draft') throw new NotFound(WEBINAR_NOT_FOUND);
  return webinar;
}

export const WEBINAR_NOT_FOUND = 'Cette Rencontre n’existe pas ou n’est plus en ligne';

export function closedMessage(code: RegistrationClosedCode): string {
  switch (code) {
    case 'started':
      return 'Les inscriptions sont closes : cette Rencontre a commencé.';
    case 'cancelled':
      return 'Cette Rencontre est annulée : les inscriptions sont fermées.';
    case 'not-published':
      return 'Les inscriptions à cette Rencontre ne sont pas encore ouvertes.';
  }
}
