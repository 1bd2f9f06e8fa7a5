import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import type { Services } from '../../services.ts';

/**
 * The person gives or withdraws their consent to the news of the coming Rencontres, from their private
 * page: withdrawing must be as easy as giving (RGPD, art. 7.3), so one button does it, and another gives
 * it back. The day of a consent is kept (the file and the exports show it); a withdrawal clears it.
 * Asking for what is already so changes nothing and records nothing.
 */
export async function setNewsConsent(s: Services, input: { candidateId: string; receive: boolean; actor: Actor }): Promise<{ changed: boolean }> {
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const changed = await trx
      .updateTable('candidates')
      .set({ news_opt_in: input.receive ? 1 : 0, news_opt_in_at: input.receive ? now.toISOString() : null, updated_at: now.toISOString() })
      .where('id', '=', input.candidateId)
      .where('news_opt_in', '=', input.receive ? 0 : 1)
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 0) return { changed: false };
    await recordAudit(trx, now, input.actor, input.receive ? 'candidate.news-opt-in' : 'candidate.news-opt-out', { type: 'candidate', id: input.candidateId });
    return { changed: true };
  });
}
