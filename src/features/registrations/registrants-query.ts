import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { z } from 'zod';
import type { Database } from '../../platform/db/schema.ts';

/** Filters of the registrants table, read from the query string; anything unknown falls back to a default. */
export const registrantFiltersSchema = z.object({
  q: z.string().trim().max(100).catch('').default(''),
  statut: z.enum(['', 'confirmed', 'waitlisted', 'cancelled']).catch('').default(''),
  projet: z.string().max(50).catch('').default(''),
  source: z.string().max(100).catch('').default(''),
  foyer: z.string().max(50).catch('').default(''),
  region: z.string().max(50).catch('').default(''),
  tri: z.enum(['date', 'nom', 'statut']).catch('date').default('date'),
  ordre: z.enum(['asc', 'desc']).catch('asc').default('asc'),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});
export type RegistrantFilters = z.output<typeof registrantFiltersSchema>;

export const NO_SOURCE = '(aucune)';
export const REGISTRANTS_PAGE_SIZE = 50;

export interface RegistrantRow {
  id: string;
  candidateId: string;
  status: 'confirmed' | 'waitlisted' | 'cancelled';
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  postcode: string | null;
  town: string | null;
  country: string | null;
  project: string | null;
  household: string | null;
  horizon: string | null;
  desiredRegion: string | null;
  heardFrom: string | null;
  question: string | null;
  utmSource: string | null;
  utmMedium: string | null;
  utmCampaign: string | null;
  createdBy: string;
  createdAt: string;
  cancelledAt: string | null;
  waitlistRank: number | null;
  attended: number | null;
  attendedMinutes: number | null;
}

/**
 * The registrations that match the filters, without the candidates: a search reads the person's name,
 * e-mail and phone through EXISTS, so that counting and paging join the candidates only when they must.
 */
function filtered(db: Kysely<Database>, webinarId: string, f: RegistrantFilters) {
  let q = db.selectFrom('registrations as r').where('r.webinar_id', '=', webinarId);
  if (f.statut) q = q.where('r.status', '=', f.statut);
  if (f.projet) q = q.where('r.project', '=', f.projet);
  if (f.foyer) q = q.where('r.household', '=', f.foyer);
  if (f.region) q = q.where('r.desired_region', '=', f.region);
  if (f.source === NO_SOURCE) q = q.where('r.utm_source', 'is', null);
  else if (f.source) q = q.where('r.utm_source', '=', f.source);
  if (f.q) {
    const like = `%${f.q.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
    // ESCAPE is explicit: PostgreSQL takes the backslash by default, SQLite has no default and would
    // look for a literal backslash, so "jean_dupont" found nobody there.
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('candidates as c')
          .select(sql<number>`1`.as('one'))
          .whereRef('c.id', '=', 'r.candidate_id')
          .where(({ or }) =>
            or([
              sql<boolean>`lower(c.first_name || ' ' || c.last_name) like ${like} escape '\\'`,
              sql<boolean>`c.email_normalized like ${like} escape '\\'`,
              sql<boolean>`c.phone like ${like} escape '\\'`,
            ]),
          ),
      ),
    );
  }
  return q;
}

const withCandidates = (q: ReturnType<typeof filtered>) => q.innerJoin('candidates as c', 'c.id', 'r.candidate_id');

const columns = [
  'r.id as id',
  'r.candidate_id as candidateId',
  'r.status as status',
  'c.first_name as firstName',
  'c.last_name as lastName',
  'c.email as email',
  'c.phone as phone',
  'c.postcode as postcode',
  'c.town as town',
  'c.country as country',
  'r.project as project',
  'r.household as household',
  'r.horizon as horizon',
  'r.desired_region as desiredRegion',
  'r.heard_from as heardFrom',
  'r.question as question',
  'r.utm_source as utmSource',
  'r.utm_medium as utmMedium',
  'r.utm_campaign as utmCampaign',
  'r.created_by as createdBy',
  'r.created_at as createdAt',
  'r.cancelled_at as cancelledAt',
  'r.waitlist_rank as waitlistRank',
  'r.attended as attended',
  'r.attended_minutes as attendedMinutes',
] as const;

/** The sort of the table, in one place for the page and the export; ties broken by id. */
const SORTS: Record<RegistrantFilters['tri'], string[]> = {
  nom: ['c.last_name', 'c.first_name'],
  statut: ['r.status', 'r.waitlist_rank', 'r.created_at'],
  date: ['r.created_at'],
};

/** Sorting by name reads the candidates; the caller joins them (withCandidates) for that sort. */
function ordered<T extends SelectQueryBuilder<any, any, any>>(q: T, f: RegistrantFilters): T {
  let out = q;
  for (const column of SORTS[f.tri]) out = out.orderBy(sql.ref(column), f.ordre) as T;
  return out.orderBy(sql.ref('r.id')) as T;
}

/**
 * One page of the registrants of a Rencontre, with the total that matches the filters. In two steps:
 * the ids of the page first, sorted and cut alone, then the whole rows of those 50. A sort keeps
 * offset + limit rows as it goes: whole rows for page 50 of 5,000 cost SQLite four times the ids
 * alone (npm run bench, issue 3). Only a sort by name needs the candidates for the first step.
 */
export async function findRegistrants(db: Kysely<Database>, webinarId: string, f: RegistrantFilters): Promise<{ rows: RegistrantRow[]; total: number }> {
  const base = filtered(db, webinarId, f);
  const ids = f.tri === 'nom' ? withCandidates(base).select('r.id as id') : base.select('r.id as id');
  const [page, count] = await Promise.all([
    ordered(ids, f)
      .limit(REGISTRANTS_PAGE_SIZE)
      .offset((f.page - 1) * REGISTRANTS_PAGE_SIZE)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const pageIds = page.map((r) => r.id);
  const rows = pageIds.length ? ((await withCandidates(db.selectFrom('registrations as r').where('r.id', 'in', pageIds)).select([...columns]).execute()) as RegistrantRow[]) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  // In the order of the first step; a row gone in between is simply not shown.
  return { rows: pageIds.map((id) => byId.get(id)).filter((r): r is RegistrantRow => r !== undefined), total: Number(count.n) };
}

/** Every registrant that matches the filters, for an export. */
export async function allRegistrants(db: Kysely<Database>, webinarId: string, f: RegistrantFilters): Promise<RegistrantRow[]> {
  return (await ordered(withCandidates(filtered(db, webinarId, f)).select([...columns]), f).execute()) as RegistrantRow[];
}

/** The values each filter can take on this Rencontre (the campaign sources actually seen). */
export async function registrantSources(db: Kysely<Database>, webinarId: string): Promise<string[]> {
  const rows = await db.selectFrom('registrations').select('utm_source').distinct().where('webinar_id', '=', webinarId).where('utm_source', 'is not', null).orderBy('utm_source').execute();
  return rows.map((r) => r.utm_source!).filter(Boolean);
}

export async function registrationCounts(db: Kysely<Database>, webinarId: string) {
  const rows = await db
    .selectFrom('registrations')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('attended').as('present')])
    .where('webinar_id', '=', webinarId)
    .groupBy('status')
    .execute();
  const get = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return { confirmed: get('confirmed'), waitlisted: get('waitlisted'), cancelled: get('cancelled'), attended: rows.reduce((a, r) => a + Number(r.present ?? 0), 0) };
}
