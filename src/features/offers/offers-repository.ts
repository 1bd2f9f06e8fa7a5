import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, OfferRow, OfferStatus, OfferType } from '../../platform/db/schema.ts';
import { searchable } from './offer.ts';

type Q = Kysely<Database> | Transaction<Database>;

export const PAGE_SIZE = 20;

export interface OfferFilters {
  type?: OfferType | null;
  sector?: string | null;
  region?: string | null;
  /** Words of the title or the commune. */
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

/** At most six words of two letters or more: a single letter would match nearly everything. */
const keywords = (f: OfferFilters) => (f.q ? searchable(f.q).split(' ').filter((w) => w.length > 1).slice(0, 6) : []);

function filtered(db: Q, f: OfferFilters) {
  let q = db.selectFrom('offers as o');
  if (f.status) q = q.where('o.status', '=', f.status);
  if (f.type) q = q.where('o.type', '=', f.type);
  if (f.sector) q = q.where('o.sector', '=', f.sector);
  if (f.region) q = q.where('o.region_key', '=', f.region);
  if (f.partnerId) q = q.where('o.partner_id', '=', f.partnerId);
  for (const w of keywords(f)) q = q.where(sql<boolean>`o.search_text like ${`%${escapeLike(w)}%`} escape '\\'`);
  return q;
}

const listColumns = ['o.id', 'o.slug', 'o.title', 'o.type', 'o.sector', 'o.commune_name', 'o.region_key', 'o.status', 'o.partner_id', 'p.name as partner_name', 'o.published_at', 'o.confirmed_at', 'o.valid_until', 'o.updated_at'] as const;

/** Newest publication first, then by id: the order of every list of offers. */
const newestFirst = (a: { published_at: string | null; id: string }, b: { published_at: string | null; id: string }) =>
  a.published_at === b.published_at ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.published_at === null ? 1 : b.published_at === null ? -1 : a.published_at < b.published_at ? 1 : -1;

/**
 * One page of offers, newest publication first, and how many there are in all. The public search is
 * this with status = published. With one filter or none, an index gives both the matches and their
 * order: the count, then the page, each read from it. With several filters or keywords, no single
 * index gives the order, and a database without statistics (SQLite's default) would walk the rows in
 * published order checking each: the matching ids and dates are read instead from offers_search alone
 * (the count is their number), ordered here, and only the page's rows are read.
 */
export async function searchOffers(db: Q, f: OfferFilters, page: number): Promise<{ items: OfferListItem[]; total: number }> {
  const offset = (Math.max(1, page) - 1) * PAGE_SIZE;
  const filters = [f.type, f.sector, f.region, f.partnerId].filter(Boolean).length;
  if (keywords(f).length === 0 && filters <= 1) {
    const count = await filtered(db, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const total = Number(count.n);
    if (total === 0 || offset >= total) return { items: [], total };
    const items = await filtered(db, f).leftJoin('partners as p', 'p.id', 'o.partner_id').select(listColumns).orderBy('o.published_at', 'desc').orderBy('o.id', 'desc').limit(PAGE_SIZE).offset(offset).execute();
    return { items, total };
  }
  const matches = await filtered(db, f).select(['o.id', 'o.published_at']).execute();
  const ids = matches.sort(newestFirst).slice(offset, offset + PAGE_SIZE).map((m) => m.id);
  if (ids.length === 0) return { items: [], total: matches.length };
  const rows = await db.selectFrom('offers as o').leftJoin('partners as p', 'p.id', 'o.partner_id').select(listColumns).where('o.id', 'in', ids).execute();
  return { items: rows.sort(newestFirst), total: matches.length };
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

/** How far back the matching looks: the most recent published offers that fit on at least one count. */
export const MATCHING_WINDOW = 2000;

/**
 * The published offers that may fit a profile (a type it looks for, its sector, its region or its
 * commune), the most recent {@link MATCHING_WINDOW}: the ranking itself is the matching's pure rule.
 */
export function publishedOffersForMatching(db: Q, fits: { types: OfferType[]; sector: string | null; region: string | null; commune: string | null }) {
  if (!fits.types.length && !fits.sector && !fits.region && !fits.commune) return Promise.resolve([]);
  return db
    .selectFrom('offers as o')
    .leftJoin('partners as p', 'p.id', 'o.partner_id')
    .select(['o.id', 'o.slug', 'o.title', 'o.type', 'o.sector', 'o.region_key', 'o.commune_code', 'o.commune_name', 'o.valid_until', 'o.published_at', 'p.name as partner_name'])
    .where('o.status', '=', 'published')
    .where((eb) =>
      eb.or([
        ...(fits.types.length ? [eb('o.type', 'in', fits.types)] : []),
        ...(fits.sector ? [eb('o.sector', '=', fits.sector)] : []),
        ...(fits.region ? [eb('o.region_key', '=', fits.region)] : []),
        ...(fits.commune ? [eb('o.commune_code', '=', fits.commune)] : []),
      ]),
    )
    .orderBy('o.published_at', 'desc')
    .orderBy('o.id', 'desc')
    .limit(MATCHING_WINDOW)
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
