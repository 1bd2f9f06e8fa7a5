import type { ReferralOutcome } from '../../platform/db/schema.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { recordTimelineEvent } from '../candidates/timeline.ts';
import { OUTCOME_NOTE_MAX, referralOutcomes } from './referral.ts';

/**
 * A partner records what came of a referral; it comes back into the candidate's timeline. Keeps: the
 * partner's own referral, while the person's consent stands (a withdrawn consent closes the file to
 * the partner, writes included).
 */
export async function recordReferralOutcome(s: Services, input: { referralId: string; partnerId: string; partnerUserId: string; outcome: ReferralOutcome; note: string | null; ip?: string | null }): Promise<void> {
  const o = referralOutcomes.find((x) => x.value === input.outcome);
  if (!o) throw new DomainError('outcome-unknown', 'Choisissez où en est la démarche');
  const note = input.note?.trim() || null;
  if (note && note.length > OUTCOME_NOTE_MAX) throw new DomainError('note-long', `La précision doit faire ${OUTCOME_NOTE_MAX} caractères au plus`);
  const now = s.clock.now();
  const nowIso = now.toISOString();
  await s.db.transaction(async (trx) => {
    const r = await trx
      .selectFrom('referrals as r')
      .innerJoin('partners as p', 'p.id', 'r.partner_id')
      .select(['r.id', 'r.candidate_id', 'r.status', 'p.name as partner_name'])
      .where('r.id', '=', input.referralId)
      .where('r.partner_id', '=', input.partnerId)
      .where('r.status', '=', 'consented')
      .executeTakeFirst();
    if (!r) throw new NotFound('Orientation introuvable');
    await trx.updateTable('referrals').set({ outcome: input.outcome, outcome_note: note, outcome_at: nowIso, outcome_by: input.partnerUserId, updated_at: nowIso }).where('id', '=', r.id).where('status', '=', 'consented').execute();
    await recordTimelineEvent(trx, {
      candidateId: r.candidate_id,
      at: now,
      kind: 'referral',
      dedupeKey: `referral:${r.id}:outcome:${nowIso}`,
      actor: { type: 'partner', id: input.partnerUserId },
      subject: { type: 'referral', id: r.id },
      summary: `${r.partner_name} ${o.sentence}${note ? ` : ${note}` : ''}`,
      data: { referralId: r.id, partnerId: input.partnerId, outcome: input.outcome, note },
    });
    await recordAudit(trx, now, { type: 'partner', id: input.partnerUserId, ip: input.ip }, 'referral.outcome', { type: 'referral', id: r.id }, { partnerId: input.partnerId, outcome: input.outcome });
  });
}
