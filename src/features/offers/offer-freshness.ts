import { createHash, randomBytes } from 'node:crypto';
import type { Transaction, UpdateQueryBuilder, UpdateResult } from 'kysely';
import { recordAudit, systemActor, type Actor } from '../../platform/audit/audit.ts';
import type { Database, OfferRow } from '../../platform/db/schema.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import { DomainError } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { freshness, type FreshnessRule } from './offer.ts';
import { renderOfferConfirmEmail, renderOfferExpiredEmail } from './offer-emails.tsx';
import { todayIn } from './save-offer.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const BATCH = 200;

export function freshnessRule(s: Services): FreshnessRule {
  return { confirmAfterWeeks: s.territory.offers.confirmAfterWeeks, expireAfterDays: s.territory.offers.expireAfterDays };
}

/** Who answers for an offer: its organisation's active users (or its public address), else the agent who wrote it, else the team. */
async function ownerRecipients(s: Services, trx: Transaction<Database>, offer: OfferRow): Promise<Array<{ email: string; name: string | null }>> {
  if (offer.partner_id) {
    const users = await trx.selectFrom('partner_users').select(['email', 'name']).where('partner_id', '=', offer.partner_id).where('status', '=', 'active').orderBy('name').execute();
    if (users.length) return users;
    const p = await trx.selectFrom('partners').select(['email', 'contact_email', 'contact_name']).where('id', '=', offer.partner_id).executeTakeFirst();
    const address = p?.contact_email ?? p?.email;
    if (address) return [{ email: address, name: p?.contact_email ? p.contact_name : null }];
  } else if (offer.created_by_type === 'agent' && offer.created_by_id) {
    const a = await trx.selectFrom('agents').select(['email', 'name']).where('id', '=', offer.created_by_id).where('status', '=', 'active').executeTakeFirst();
    if (a) return [a];
  }
  return [{ email: s.territory.contact.email, name: null }];
}

function manageUrl(s: Services, offer: OfferRow) {
  return offer.partner_id ? `${s.config.publicUrl}/partenaires/offres/${offer.slug}` : `${s.config.publicUrl}/admin/offres/${offer.slug}`;
}

/**
 * Keeps the published offers current, run periodically by the worker: an offer nobody confirmed for
 * the territory's number of weeks asks its owner (an e-mail with a link to confirm in one click);
 * without an answer after the territory's number of days, or once its validity date is past, it
 * expires. Everything is read from the offers' dates in the database, so a restart, a missed run or
 * two workers at once change nothing: each step is a conditional update that only one run can make,
 * and the e-mail goes in the same transaction.
 */
export async function keepOffersFresh(s: Services): Promise<{ asked: number; expired: number }> {
  const now = s.clock.now();
  const nowIso = now.toISOString();
  const today = todayIn(s.territory.timezone, now);
  const rule = freshnessRule(s);
  const askBefore = new Date(now.getTime() - rule.confirmAfterWeeks * 7 * 86_400_000).toISOString();
  const expireBefore = new Date(now.getTime() - rule.expireAfterDays * 86_400_000).toISOString();
  const due = await s.db.kysely
    .selectFrom('offers')
    .selectAll()
    .where('status', '=', 'published')
    .where((eb) =>
      eb.or([
        eb.and([eb('confirmed_at', '<=', askBefore), eb.or([eb('confirm_requested_at', 'is', null), eb('confirm_requested_at', '<', eb.ref('confirmed_at'))])]),
        eb.and([eb('confirm_requested_at', 'is not', null), eb('confirm_requested_at', '>=', eb.ref('confirmed_at')), eb('confirm_requested_at', '<=', expireBefore)]),
        eb.and([eb('valid_until', 'is not', null), eb('valid_until', '<', today)]),
      ]),
    )
    .orderBy('confirmed_at')
    .limit(5000)
    .execute();
  let asked = 0;
  let expired = 0;
  for (let i = 0; i < due.length; i += BATCH) {
    await s.db.transaction(async (trx) => {
      for (const offer of due.slice(i, i + BATCH)) {
        const state = freshness({ status: offer.status, confirmedAt: offer.confirmed_at, confirmRequestedAt: offer.confirm_requested_at, validUntil: offer.valid_until }, now, today, rule);
        // The row as it was read: if anyone confirmed, filled or expired it since, nothing happens.
        const unchanged = (q: UpdateQueryBuilder<Database, 'offers', 'offers', UpdateResult>) =>
          q
            .where('id', '=', offer.id)
            .where('status', '=', 'published')
            .where((eb) => (offer.confirmed_at === null ? eb('confirmed_at', 'is', null) : eb('confirmed_at', '=', offer.confirmed_at)))
            .where((eb) => (offer.confirm_requested_at === null ? eb('confirm_requested_at', 'is', null) : eb('confirm_requested_at', '=', offer.confirm_requested_at)));
        if (state === 'expire') {
          const r = await unchanged(trx.updateTable('offers').set({ status: 'expired', expired_at: nowIso, confirm_token_hash: null, updated_at: nowIso })).executeTakeFirst();
          if (Number(r.numUpdatedRows ?? 0n) !== 1) continue;
          const reason = offer.valid_until && offer.valid_until < today ? 'past' : 'unconfirmed';
          await recordAudit(trx, now, systemActor, 'offer.expired', { type: 'offer', id: offer.id }, { reason });
          for (const to of await ownerRecipients(s, trx, offer)) {
            const mail = await renderOfferExpiredEmail({ territory: s.territory, publicUrl: s.config.publicUrl, name: to.name, title: offer.title, reason, manageUrl: manageUrl(s, offer) });
            await enqueueEmail(trx, now, { dedupeKey: `offer-expired:${offer.id}:${nowIso}:${to.email}`, kind: 'offer-expired', to: to.email, ...mail });
          }
          expired++;
        } else if (state === 'ask') {
          const token = randomBytes(32).toString('base64url');
          const r = await unchanged(trx.updateTable('offers').set({ confirm_requested_at: nowIso, confirm_token_hash: sha256(token), updated_at: nowIso })).executeTakeFirst();
          if (Number(r.numUpdatedRows ?? 0n) !== 1) continue;
          await recordAudit(trx, now, systemActor, 'offer.confirmation-requested', { type: 'offer', id: offer.id });
          for (const to of await ownerRecipients(s, trx, offer)) {
            const mail = await renderOfferConfirmEmail({ territory: s.territory, publicUrl: s.config.publicUrl, name: to.name, title: offer.title, link: `${s.config.publicUrl}/offres/confirmer/${token}`, weeks: rule.confirmAfterWeeks, days: rule.expireAfterDays });
            // One request per confirmation period: the key names the confirmation it follows.
            await enqueueEmail(trx, now, { dedupeKey: `offer-confirm:${offer.id}:${offer.confirmed_at}:${to.email}`, kind: 'offer-confirm', to: to.email, ...mail });
          }
          asked++;
        }
      }
    });
  }
  if (asked || expired) s.mailQueued();
  return { asked, expired };
}

/** The published offer a confirmation link is for, if the link is the current one. */
export async function offerForConfirmToken(s: Services, token: string): Promise<OfferRow | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const offer = await s.db.kysely.selectFrom('offers').selectAll().where('confirm_token_hash', '=', sha256(token)).executeTakeFirst();
  return offer && offer.status === 'published' ? offer : null;
}

/**
 * The owner's answer through the link of the e-mail, without signing in: still current (the
 * freshness clock starts again) or filled. The link is the proof of ownership; it works until the
 * offer leaves the public pages or a new request replaces it.
 */
export async function answerOfferConfirmation(s: Services, input: { token: string; answer: 'current' | 'filled'; ip: string | null }): Promise<OfferRow> {
  const offer = await offerForConfirmToken(s, input.token);
  if (!offer) throw new DomainError('link-invalid', 'Ce lien n’est plus valable : l’offre a déjà été retirée ou une nouvelle demande a été envoyée.');
  const now = s.clock.now();
  const nowIso = now.toISOString();
  const actor: Actor = { type: 'anonymous', id: null, ip: input.ip };
  return s.db.transaction(async (trx) => {
    const patch = input.answer === 'current' ? { confirmed_at: nowIso, confirm_requested_at: null, updated_at: nowIso } : { status: 'filled' as const, filled_at: nowIso, confirm_token_hash: null, updated_at: nowIso };
    const r = await trx.updateTable('offers').set(patch).where('id', '=', offer.id).where('status', '=', 'published').where('confirm_token_hash', '=', offer.confirm_token_hash).executeTakeFirst();
    if (Number(r.numUpdatedRows ?? 0n) !== 1) throw new DomainError('link-invalid', 'Ce lien n’est plus valable.');
    await recordAudit(trx, now, actor, input.answer === 'current' ? 'offer.confirmed' : 'offer.status-changed', { type: 'offer', id: offer.id }, input.answer === 'current' ? { by: 'email-link' } : { from: 'published', to: 'filled', by: 'email-link' });
    return { ...offer, ...patch };
  });
}
