import { recordAudit, systemActor, type Actor } from '../../platform/audit/audit.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import type { Services } from '../../services.ts';
import { recordInvitation, recordInvitationsOptOut } from '../candidates/journey-events.ts';
import { registrationToken } from '../registrations/registration-token.ts';
import { webinarFromRow } from '../webinars/webinar.ts';
import { renderNoShowInvitation } from './invitation-emails.tsx';

/** No invitation earlier than this after the missed Rencontre: the replay goes first. */
const AFTER_MISSED_MS = 2 * 86_400_000;
/** Only people who missed a recent Rencontre, and only to a Rencontre coming soon. */
const MISSED_WITHIN_MS = 150 * 86_400_000;
const NEXT_WITHIN_MS = 60 * 86_400_000;

/**
 * Invites those who registered, did not attend and did not ask to be accompanied to the next Rencontre,
 * once. Keeps: not those who cancelled or said they want no more invitations; not someone already
 * registered to the next one; one invitation per person and Rencontre even if they missed several.
 */
export async function inviteNoShows(s: Services): Promise<number> {
  const now = s.clock.now();
  const nextRow = await s.db.kysely
    .selectFrom('webinars')
    .selectAll()
    .where('status', '=', 'published')
    .where('starts_at', '>', now.toISOString())
    .where('starts_at', '<=', new Date(now.getTime() + NEXT_WITHIN_MS).toISOString())
    .orderBy('starts_at')
    .limit(1)
    .executeTakeFirst();
  if (!nextRow) return 0;
  const next = webinarFromRow(nextRow);
  const rows = await s.db.kysely
    .selectFrom('registrations as r')
    .innerJoin('webinars as w', 'w.id', 'r.webinar_id')
    .innerJoin('candidates as c', 'c.id', 'r.candidate_id')
    .select(['r.id', 'r.token_nonce', 'r.candidate_id', 'c.email', 'c.first_name'])
    .where('r.attended', '=', 0)
    .where('r.status', '!=', 'cancelled')
    .where('r.no_show_invited_at', 'is', null)
    .where('c.invitations_opt_out_at', 'is', null)
    .where('w.ends_at', '<=', new Date(now.getTime() - AFTER_MISSED_MS).toISOString())
    .where('w.ends_at', '>=', new Date(now.getTime() - MISSED_WITHIN_MS).toISOString())
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('accompaniment_requests as a').select('a.id').whereRef('a.candidate_id', '=', 'r.candidate_id'))))
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('registrations as n').select('n.id').whereRef('n.candidate_id', '=', 'r.candidate_id').where('n.webinar_id', '=', next.id))))
    .orderBy('r.candidate_id')
    .orderBy('w.ends_at', 'desc')
    .execute();
  let invited = 0;
  const seen = new Set<string>();
  for (let i = 0; i < rows.length; i += 200) {
    const batch = rows.slice(i, i + 200);
    await s.db.transaction(async (trx) => {
      for (const r of batch) {
        if (!seen.has(r.candidate_id)) {
          seen.add(r.candidate_id);
          const mail = await renderNoShowInvitation({ territory: s.territory, publicUrl: s.config.publicUrl, next, firstName: r.first_name, token: registrationToken(s.tokenKey, r.id, r.token_nonce) });
          if (await enqueueEmail(trx, now, { dedupeKey: `invitation:${r.candidate_id}:${next.id}`, kind: 'invitation-next', to: r.email, ...mail, candidateId: r.candidate_id, webinarId: next.id, registrationId: r.id, expiresAt: new Date(next.startsAt) })) {
            invited++;
            await recordInvitation(trx, { candidateId: r.candidate_id, webinarId: next.id, webinar: next, at: now, zone: s.territory.timezone });
          }
        }
        await trx.updateTable('registrations').set({ no_show_invited_at: now.toISOString() }).where('id', '=', r.id).execute();
      }
    });
  }
  if (invited) {
    await recordAudit(s.db.kysely, now, systemActor, 'invitations.no-shows', { type: 'webinar', id: next.id }, { invited });
    s.mailQueued();
  }
  return invited;
}

/** The person asks for no more invitations (the link in each one, or their mail client's one-click button). */
export async function optOutOfInvitations(s: Services, input: { candidateId: string; actor: Actor }): Promise<void> {
  const now = s.clock.now();
  await s.db.transaction(async (trx) => {
    const r = await trx.updateTable('candidates').set({ invitations_opt_out_at: now.toISOString() }).where('id', '=', input.candidateId).where('invitations_opt_out_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows ?? 0n) > 0) {
      await recordAudit(trx, now, input.actor, 'candidate.invitations-opt-out', { type: 'candidate', id: input.candidateId });
      await recordInvitationsOptOut(trx, { candidateId: input.candidateId, at: now, actor: input.actor });
    }
  });
}
