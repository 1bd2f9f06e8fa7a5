import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../platform/audit/audit.ts';
import { isUniqueViolation, lockRow } from '../../platform/db/database.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { recordTimelineEvent } from '../candidates/timeline.ts';
import { checkMayAct } from '../offers/propose-offers.ts';
import { newReferralToken } from './referral.ts';
import { renderConsentRequestEmail } from './referral-emails.tsx';

export const SUMMARY_MAX = 1000;

/**
 * A referent proposes to refer a candidate to a partner. Nothing reaches the partner yet: the
 * candidate receives the request with a private link and decides (RGPD: consent for that partner,
 * recorded with its date). Keeps: an active partner; one open referral per person and partner; the
 * summary the partner will see is the one the person reads before agreeing.
 */
export async function requestReferral(s: Services, input: { candidateId: string; partnerId: string; summary: string; agentId: string; ip?: string | null }): Promise<{ referralId: string }> {
  const summary = input.summary.trim();
  if (!summary) throw new DomainError('summary-missing', 'Résumez le projet en quelques lignes : c’est ce que le partenaire lira');
  if (summary.length > SUMMARY_MAX) throw new DomainError('summary-long', `Le résumé doit faire ${SUMMARY_MAX.toLocaleString('fr-FR')} caractères au plus`);
  const now = s.clock.now();
  const nowIso = now.toISOString();
  const id = randomUUID();
  try {
    await s.db.transaction(async (trx) => {
      if (!(await lockRow(s.db, trx, 'candidates', input.candidateId))) throw new NotFound('Personne introuvable');
      const agent = await trx.selectFrom('agents').select(['id', 'role']).where('id', '=', input.agentId).executeTakeFirstOrThrow();
      await checkMayAct(trx, input.candidateId, agent);
      const partner = await trx.selectFrom('partners').select(['id', 'name', 'role', 'status']).where('id', '=', input.partnerId).executeTakeFirst();
      if (!partner) throw new DomainError('partner-unknown', 'Choisissez un partenaire dans la liste');
      if (partner.status !== 'active') throw new DomainError('partner-archived', 'Ce partenaire est archivé');
      const open = await trx.selectFrom('referrals').select('id').where('candidate_id', '=', input.candidateId).where('partner_id', '=', partner.id).where('status', 'in', ['awaiting-consent', 'consented']).executeTakeFirst();
      if (open) throw new DomainError('referral-open', `Une orientation vers ${partner.name} est déjà en cours pour cette personne`);
      const candidate = await trx.selectFrom('candidates').select(['first_name', 'email']).where('id', '=', input.candidateId).executeTakeFirstOrThrow();
      const referent = await trx.selectFrom('agents').select(['name']).where('id', '=', input.agentId).executeTakeFirstOrThrow();
      const { token, hash, nonce } = newReferralToken(s.tokenKey, id);
      await trx
        .insertInto('referrals')
        .values({
          id,
          candidate_id: input.candidateId,
          partner_id: partner.id,
          referent_id: input.agentId,
          summary,
          status: 'awaiting-consent',
          token_nonce: nonce,
          consent_token_hash: hash,
          requested_at: nowIso,
          consent_given_at: null,
          consent_declined_at: null,
          consent_withdrawn_at: null,
          outcome: null,
          outcome_note: null,
          outcome_at: null,
          outcome_by: null,
          created_at: nowIso,
          updated_at: nowIso,
        })
        .execute();
      const mail = await renderConsentRequestEmail({ territory: s.territory, publicUrl: s.config.publicUrl, firstName: candidate.first_name, referentName: referent.name, partnerName: partner.name, partnerRole: partner.role, link: `${s.config.publicUrl}/consentement/${token}` });
      await enqueueEmail(trx, now, { dedupeKey: `referral-consent:${id}`, kind: 'referral-consent', to: candidate.email, ...mail, candidateId: input.candidateId });
      await recordTimelineEvent(trx, {
        candidateId: input.candidateId,
        at: now,
        kind: 'referral',
        dedupeKey: `referral:${id}:requested`,
        actor: { type: 'agent', id: input.agentId },
        subject: { type: 'referral', id },
        summary: `Orientation proposée vers ${partner.name} : accord de la personne demandé par e-mail`,
        data: { referralId: id, partnerId: partner.id },
      });
      await recordAudit(trx, now, { type: 'agent', id: input.agentId, ip: input.ip }, 'referral.requested', { type: 'referral', id }, { candidateId: input.candidateId, partnerId: partner.id });
    });
  } catch (e) {
    // Two requests at once for the same pair: the partial unique index keeps one.
    if (isUniqueViolation(e)) throw new DomainError('referral-open', 'Une orientation vers ce partenaire est déjà en cours pour cette personne');
    throw e;
  }
  s.mailQueued();
  return { referralId: id };
}
