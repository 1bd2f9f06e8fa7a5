import { recordAudit } from '../../platform/audit/audit.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { recordTimelineEvent } from '../candidates/timeline.ts';
import { activePartnerUsers } from '../partners/partners-repository.ts';
import { referralToken } from './referral.ts';
import { renderConsentReceipt, renderPartnerReferralNotice } from './referral-emails.tsx';
import { findReferralByToken } from './referrals-repository.ts';

export type ConsentAnswer = 'give' | 'decline' | 'withdraw';

/**
 * The candidate answers through their private link: gives consent (the partner is told and sees
 * them from this instant), declines, or withdraws a consent given (the partner's access ends in the
 * same transaction: its pages read the referral's status, nothing is copied to the partner's side).
 * Each answer is dated, written to the timeline and the audit log. A consent once withdrawn stays
 * withdrawn: the referent may ask again, with a new request.
 */
export async function answerReferralConsent(s: Services, input: { token: string; answer: ConsentAnswer; ip?: string | null }): Promise<'consented' | 'declined' | 'withdrawn'> {
  const r = await findReferralByToken(s.db.kysely, input.token);
  if (!r) throw new NotFound('Ce lien n’est pas ou plus valable');
  const now = s.clock.now();
  const nowIso = now.toISOString();
  const from = r.status;
  const to: 'consented' | 'declined' | 'withdrawn' = input.answer === 'give' ? 'consented' : input.answer === 'decline' ? 'declined' : 'withdrawn';
  const allowed: string[] = input.answer === 'give' ? ['awaiting-consent', 'declined'] : input.answer === 'decline' ? ['awaiting-consent'] : ['consented'];
  if (from === to) return to;
  if (!allowed.includes(from)) {
    throw new DomainError('consent-state', from === 'withdrawn' ? 'Vous avez retiré votre accord pour cette mise en relation : demandez à votre référent·e si vous souhaitez la reprendre.' : 'Cette réponse n’est plus possible : rechargez la page.');
  }
  if (input.answer === 'give' && r.partner_status !== 'active') throw new DomainError('partner-archived', `${r.partner_name} n’est plus partenaire du programme : cette mise en relation n’est plus possible.`);
  const link = `${s.config.publicUrl}/consentement/${referralToken(s.tokenKey, r.id, r.token_nonce)}`;
  await s.db.transaction(async (trx) => {
    const patch =
      to === 'consented'
        ? { status: to, consent_given_at: nowIso, consent_declined_at: null, updated_at: nowIso }
        : to === 'declined'
          ? { status: to, consent_declined_at: nowIso, updated_at: nowIso }
          : { status: to, consent_withdrawn_at: nowIso, updated_at: nowIso };
    const done = await trx.updateTable('referrals').set(patch).where('id', '=', r.id).where('status', '=', from).executeTakeFirst();
    if (Number(done.numUpdatedRows ?? 0n) !== 1) throw new DomainError('consent-state', 'Votre réponse a déjà été enregistrée : rechargez la page.');
    const sentence =
      to === 'consented' ? `Accord donné pour être mis·e en relation avec ${r.partner_name}` : to === 'declined' ? `Accord refusé pour la mise en relation avec ${r.partner_name}` : `Accord retiré pour ${r.partner_name} : le partenaire ne voit plus la personne`;
    await recordTimelineEvent(trx, {
      candidateId: r.candidate_id,
      at: now,
      kind: 'referral',
      dedupeKey: `referral:${r.id}:${to}:${nowIso}`,
      actor: { type: 'candidate', id: r.candidate_id },
      subject: { type: 'referral', id: r.id },
      summary: sentence,
      data: { referralId: r.id, partnerId: r.partner_id, from, to },
    });
    await recordAudit(trx, now, { type: 'candidate', id: r.candidate_id, ip: input.ip }, `referral.consent-${to === 'consented' ? 'given' : to}`, { type: 'referral', id: r.id }, { partnerId: r.partner_id });
    if (to === 'consented' || to === 'withdrawn') {
      const kind = to === 'consented' ? 'new' : 'withdrawn';
      for (const u of await activePartnerUsers(trx, r.partner_id)) {
        const mail = await renderPartnerReferralNotice({ territory: s.territory, publicUrl: s.config.publicUrl, name: u.name, partnerName: r.partner_name, kind });
        await enqueueEmail(trx, now, { dedupeKey: `referral-partner:${r.id}:${to}:${nowIso}:${u.id}`, kind: `referral-partner-${kind}`, to: u.email, ...mail });
      }
      const receipt = await renderConsentReceipt({ territory: s.territory, publicUrl: s.config.publicUrl, firstName: r.first_name, partnerName: r.partner_name, kind: to === 'consented' ? 'given' : 'withdrawn', link });
      await enqueueEmail(trx, now, { dedupeKey: `referral-receipt:${r.id}:${to}:${nowIso}`, kind: 'referral-receipt', to: r.email, ...receipt, candidateId: r.candidate_id });
    }
  });
  s.mailQueued();
  return to;
}
