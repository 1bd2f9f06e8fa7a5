import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { DateTime } from 'luxon';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import type { Database, OfferRow, OfferStatus } from '../../platform/db/schema.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { slugify } from '../partners/partner.ts';
import { searchCommunes, searchForm } from '../territory/communes.ts';
import { canChangeStatus, offerStatusLabels, searchable } from './offer.ts';
import type { OfferForm } from './offer-schemas.ts';
import { findOfferById } from './offers-repository.ts';

type Q = Kysely<Database> | Transaction<Database>;

/** Who acts on an offer: an agent (any offer) or a partner user (their organisation's offers only). */
export type OfferOwner = { kind: 'agent'; agentId: string } | { kind: 'partner'; partnerId: string; userId: string };

export function ownerActor(o: OfferOwner, ip?: string | null): Actor {
  return o.kind === 'agent' ? { type: 'agent', id: o.agentId, ip } : { type: 'partner', id: o.userId, ip };
}

/** Object-level rule (ASVS 8.2.2): a partner manages the offers of its own organisation, nothing else. */
export function canManageOffer(o: OfferOwner, offer: Pick<OfferRow, 'partner_id'>): boolean {
  return o.kind === 'agent' || (offer.partner_id !== null && offer.partner_id === o.partnerId);
}

/** Today's date in the territory's zone, as offers' validity dates are written. */
export function todayIn(zone: string, now: Date): string {
  return DateTime.fromJSDate(now).setZone(zone).toISODate()!;
}

export interface ResolvedCommune {
  code: string | null;
  name: string;
  regionKey: string | null;
}

/**
 * The commune of an offer: one of the territory's communes when they are loaded (found by name or
 * INSEE code, whatever the accents; its natural region then comes with it), else the name as typed
 * with the region chosen. Returns the French message when the territory knows its communes and this
 * is none of them.
 */
export async function resolveCommune(db: Q, typed: string, region: string | null): Promise<ResolvedCommune | { problem: string }> {
  const known = await db.selectFrom('communes').select('code').limit(1).executeTakeFirst();
  if (!known) return { code: null, name: typed.trim(), regionKey: region };
  const wanted = searchForm(typed).replace(/\bst\b/g, 'saint').replace(/\bste\b/g, 'sainte');
  const found = await searchCommunes(db, typed, { limit: 10 });
  const exact = found.find((c) => searchForm(c.name) === wanted || c.code === typed.trim().toUpperCase());
  if (!exact) {
    const hint = found.length ? ` Vouliez-vous dire ${found.slice(0, 3).map((c) => c.name).join(', ')} ?` : '';
    return { problem: `La commune « ${typed.trim()} » n’est pas une commune du territoire.${hint}` };
  }
  return { code: exact.code, name: exact.name, regionKey: exact.regionKey ?? region };
}

/** The slug of a new offer: its title, then a random part so that two offers of one title never collide. */
export function newOfferSlug(title: string): string {
  return `${slugify(title, 50)}-${randomBytes(4).toString('hex').slice(0, 6)}`;
}

function columns(form: OfferForm, commune: ResolvedCommune) {
  return {
    title: form.title,
    type: form.type,
    sector: form.sector,
    commune_code: commune.code,
    commune_name: commune.name,
    region_key: commune.regionKey,
    description: form.description,
    conditions: form.conditions,
    contact_name: form.contactName,
    contact_email: form.contactEmail,
    contact_phone: form.contactPhone,
    valid_from: form.validFrom,
    valid_until: form.validUntil,
    // Title and commune only: short enough for a keyword search over tens of thousands of offers.
    search_text: searchable(form.title, commune.name),
  };
}

export interface NewOffer {
  form: OfferForm;
  commune: ResolvedCommune;
  partnerId: string | null;
  publish: boolean;
}

/** Inserts one offer in the caller's transaction (the form and the import share it). */
export async function insertOffer(trx: Q, now: Date, today: string, input: NewOffer & { owner: OfferOwner; importBatch?: string | null }): Promise<OfferRow> {
  if (input.publish && input.form.validUntil && input.form.validUntil < today) throw new DomainError('offer-past', 'La date de fin est passée : une offre publiée doit être encore valable');
  const nowIso = now.toISOString();
  const row: OfferRow = {
    id: randomUUID(),
    slug: newOfferSlug(input.form.title),
    ...columns(input.form, input.commune),
    partner_id: input.owner.kind === 'partner' ? input.owner.partnerId : input.partnerId,
    status: input.publish ? 'published' : 'draft',
    created_by_type: input.owner.kind,
    created_by_id: input.owner.kind === 'agent' ? input.owner.agentId : input.owner.userId,
    published_at: input.publish ? nowIso : null,
    confirmed_at: input.publish ? nowIso : null,
    confirm_requested_at: null,
    confirm_token_hash: null,
    filled_at: null,
    expired_at: null,
    import_batch: input.importBatch ?? null,
    created_at: nowIso,
    updated_at: nowIso,
  };
  await trx.insertInto('offers').values(row).execute();
  return row;
}

async function checkPartner(trx: Q, partnerId: string | null) {
  if (!partnerId) return;
  const p = await trx.selectFrom('partners').select(['id', 'status']).where('id', '=', partnerId).executeTakeFirst();
  if (!p) throw new DomainError('partner-unknown', 'Choisissez un partenaire de la liste');
  if (p.status !== 'active') throw new DomainError('partner-archived', 'Ce partenaire est archivé : il ne peut plus porter d’offre');
}

/**
 * Creates an offer, as a draft or published at once (publishing counts as its first confirmation).
 * Keeps: a partner's offer is its own organisation's; a published offer is still valid today.
 */
export async function createOffer(s: Services, input: NewOffer & { owner: OfferOwner; ip?: string | null }): Promise<OfferRow> {
  const now = s.clock.now();
  return s.db.transaction(async (trx) => {
    await checkPartner(trx, input.owner.kind === 'partner' ? input.owner.partnerId : input.partnerId);
    const row = await insertOffer(trx, now, todayIn(s.territory.timezone, now), input);
    await recordAudit(trx, now, ownerActor(input.owner, input.ip), 'offer.created', { type: 'offer', id: row.id }, { status: row.status, partnerId: row.partner_id });
    return row;
  });
}

/** Changes an offer's content. Keeps: only its owner (an agent, or its partner); its status is unchanged. */
export async function updateOffer(s: Services, input: { offerId: string; form: OfferForm; commune: ResolvedCommune; partnerId?: string | null; owner: OfferOwner; ip?: string | null }): Promise<OfferRow> {
  const now = s.clock.now();
  return s.db.transaction(async (trx) => {
    const offer = await findOfferById(trx, input.offerId);
    if (!offer || !canManageOffer(input.owner, offer)) throw new NotFound('Offre introuvable');
    if (offer.status === 'published' && input.form.validUntil && input.form.validUntil < todayIn(s.territory.timezone, now)) throw new DomainError('offer-past', 'La date de fin est passée : une offre publiée doit être encore valable');
    // Only an agent may move an offer from one partner to another.
    const partnerId = input.owner.kind === 'agent' && input.partnerId !== undefined ? input.partnerId : offer.partner_id;
    if (partnerId !== offer.partner_id) await checkPartner(trx, partnerId);
    const patch = { ...columns(input.form, input.commune), partner_id: partnerId, updated_at: now.toISOString() };
    await trx.updateTable('offers').set(patch).where('id', '=', offer.id).execute();
    await recordAudit(trx, now, ownerActor(input.owner, input.ip), 'offer.updated', { type: 'offer', id: offer.id });
    return { ...offer, ...patch };
  });
}

/**
 * Moves an offer to another status, by its owner: publish (again), filled, back to draft. Publishing
 * counts as a confirmation (the freshness clock starts again); leaving "published" voids any pending
 * confirmation link.
 */
export async function changeOfferStatus(s: Services, input: { offerId: string; to: OfferStatus; owner: OfferOwner; ip?: string | null }): Promise<OfferRow> {
  const now = s.clock.now();
  const nowIso = now.toISOString();
  return s.db.transaction(async (trx) => {
    const offer = await findOfferById(trx, input.offerId);
    if (!offer || !canManageOffer(input.owner, offer)) throw new NotFound('Offre introuvable');
    if (!canChangeStatus(offer.status, input.to)) throw new DomainError('offer-status', `Une offre « ${offerStatusLabels[offer.status].toLowerCase()} » ne peut pas passer à « ${offerStatusLabels[input.to].toLowerCase()} »`);
    if (input.to === 'published') {
      if (offer.valid_until && offer.valid_until < todayIn(s.territory.timezone, now)) throw new DomainError('offer-past', 'La date de fin de validité est passée : modifiez-la avant de publier l’offre');
      if (offer.partner_id) await checkPartner(trx, offer.partner_id);
    }
    const patch =
      input.to === 'published'
        ? { status: 'published' as const, published_at: nowIso, confirmed_at: nowIso, confirm_requested_at: null, confirm_token_hash: null, filled_at: null, expired_at: null }
        : input.to === 'filled'
          ? { status: 'filled' as const, filled_at: nowIso, confirm_token_hash: null }
          : { status: input.to, confirm_token_hash: null };
    await trx
      .updateTable('offers')
      .set({ ...patch, updated_at: nowIso })
      .where('id', '=', offer.id)
      .execute();
    await recordAudit(trx, now, ownerActor(input.owner, input.ip), 'offer.status-changed', { type: 'offer', id: offer.id }, { from: offer.status, to: input.to });
    return { ...offer, ...patch, updated_at: nowIso };
  });
}
