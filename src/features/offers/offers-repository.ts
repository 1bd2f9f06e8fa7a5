import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, OfferRow, OfferStatus, OfferType } from '../../platform/db/schema.ts';
import { searchable } from './offer.ts';

type Q = Kysely<Database> | Transaction<Database>;

export const PAGE_SIZE = 20;

export interface OfferFilters {
  type?: OfferType | null;
  sector?: string | null;
  region?: string | null;
  /** Words of the title, the commune or the description. */
  q?: string | null;
  /** Back-office only: any status; the public pages always ask for published offers. */
  status?: OfferStatus | null;
  partnerId?: string | null;
}

export interface OfferListItem {
  id: string;
  slug: string;
  title: string;
  type: OfferType;
  sector: string;
  commune_name: string;
  region_key: string | null;
  status: OfferStatus;
  partner_id: string | null;
  partner_name: string | null;
  published_at: string | null;
  confirmed_at: string | null;
  valid_until: string | null;
  updated_at: string;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

function filtered(db: Q, f: OfferFilters) {
  let q = db.selectFrom('offers as o');
  if (f.status) q = q.where('o.status', '=', f.status);
  if (f.type) q = q.where('o.type', '=', f.type);
  if (f.sector) q = q.where('o.sector', '=', f.sector);
  if (f.region) q = q.where('o.region_key', '=', f.region);
  if (f.partnerId) q = q.where('o.partner_id', '=', f.partnerId);
  const words = f.q ? searchable(f.q).split(' ').filter((w) => w.length > 0).slice(0, 6) : [];
  for (const w of words) q = q.where(sql<boolean>`o.search_text like ${`%${escapeLike(w)}%`} escape '\\'`);
  return q;
}

/**
 * One page of offers, newest publication first, and how many there are in all. The public search is
 * this with status = published: the filters each have an index that also gives the order.
 */
export async function searchOffers(db: Q, f: OfferFilters, page: number): Promise<{ items: OfferListItem[]; total: number }> {
  const [rows, count] = await Promise.all([
    filtered(db, f)
      .leftJoin('partners as p', 'p.id', 'o.partner_id')
      .select(['o.id', 'o.slug', 'o.title', 'o.type', 'o.sector', 'o.commune_name', 'o.region_key', 'o.status', 'o.partner_id', 'p.name as partner_name', 'o.published_at', 'o.confirmed_at', 'o.valid_until', 'o.updated_at'])
      .orderBy('o.published_at', 'desc')
      .orderBy('o.id', 'desc')
      .limit(PAGE_SIZE)
      .offset((Math.max(1, page) - 1) * PAGE_SIZE)
      .execute(),
    filtered(db, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows, total: Number(count.n) };
}

export function findOfferBySlug(db: Q, slug: string): Promise<OfferRow | undefined> {
  return db.selectFrom('offers').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export function findOfferById(db: Q, id: string): Promise<OfferRow | undefined> {
  return db.selectFrom('offers').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A partner's own offer: found by its address and the partner's id together, or not at all. */
export function findPartnerOffer(db: Q, partnerId: string, slug: string): Promise<OfferRow | undefined> {
  return db.selectFrom('offers').selectAll().where('slug', '=', slug).where('partner_id', '=', partnerId).executeTakeFirst();
}

/** Every published offer, for the matching of one candidate (a few thousand at most on a territory). */
export function publishedOffersForMatching(db: Q) {
  return db
    .selectFrom('offers as o')
    .leftJoin('partners as p', 'p.id', 'o.partner_id')
    .select(['o.id', 'o.slug', 'o.title', 'o.type', 'o.sector', 'o.region_key', 'o.commune_code', 'o.commune_name', 'o.valid_until', 'o.published_at', 'p.name as partner_name'])
    .where('o.status', '=', 'published')
    .orderBy('o.published_at', 'desc')
    .limit(5000)
    .execute();
}

export async function countOffersByStatus(db: Q, partnerId?: string): Promise<Record<OfferStatus, number>> {
  let q = db.selectFrom('offers').select(['status', (eb) => eb.fn.countAll<number>().as('n')]);
  if (partnerId) q = q.where('partner_id', '=', partnerId);
  const rows = await q.groupBy('status').execute();
  const out: Record<OfferStatus, number> = { draft: 0, published: 0, filled: 0, expired: 0 };
  for (const r of rows) out[r.status] = Number(r.n);
  return out;
}
