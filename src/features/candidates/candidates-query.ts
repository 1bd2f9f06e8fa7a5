import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { DialectName } from '../../platform/db/database.ts';
import type { CandidateStage, Database } from '../../platform/db/schema.ts';
import { stages } from './change-stage.ts';
import { projectTypes, projectValuesMatching, quietPeriods, searchNeedle } from './candidate-file.ts';
import { horizons } from '../registrations/registration.ts';

/** Filters of the candidates list, read from the query string; anything unknown falls back to a default. */
export const candidateFiltersSchema = z.object({
  q: z.string().trim().max(100).catch('').default(''),
  etape: z.enum(['', ...stages.map((s) => s.value)] as [string, ...string[]]).catch('').default(''),
  /** An agent's id, "moi" or "aucun" (nobody follows the file yet). */
  referent: z.string().max(64).catch('').default(''),
  projet: z.enum(['', ...projectTypes.map((p) => p.value)] as [string, ...string[]]).catch('').default(''),
  region: z.string().max(50).catch('').default(''),
  source: z.string().max(100).catch('').default(''),
  horizon: z.enum(['', ...horizons.map((h) => h.value)] as [string, ...string[]]).catch('').default(''),
  calme: z.enum(['', ...quietPeriods.map((p) => p.value)] as [string, ...string[]]).catch('').default(''),
  /** The orders an index serves (candidates_list_activity, candidates_list_name): fast at any depth. */
  tri: z.enum(['activite', 'nom']).catch('activite').default('activite'),
  ordre: z.enum(['', 'asc', 'desc']).catch('').default(''),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});
export type CandidateFilters = z.output<typeof candidateFiltersSchema>;

export const NO_SOURCE = '(aucune)';
export const CANDIDATES_PAGE_SIZE = 50;
/** The filters that select rows (not the order or the page): what a saved view keeps, with the order. */
export const FILTER_KEYS = ['q', 'etape', 'referent', 'projet', 'region', 'source', 'horizon', 'calme'] as const;

/** The direction a sort goes when the agent has not said: the most recent first, names from A. */
export function sortDirection(f: CandidateFilters): 'asc' | 'desc' {
  if (f.ordre) return f.ordre;
  return f.tri === 'nom' ? 'asc' : 'desc';
}

export function isFiltered(f: CandidateFilters): boolean {
  return FILTER_KEYS.some((k) => f[k] !== '');
}

/** The query string of a list (defaults left out), for links, saved views and exports. */
export function filtersQuery(f: CandidateFilters, over: Partial<CandidateFilters> = {}): string {
  const merged = { ...f, ...over };
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(merged)) {
    if (v === '' || (k === 'page' && v === 1) || (k === 'tri' && v === 'activite')) continue;
    params.set(k, String(v));
  }
  return params.toString();
}

export interface CandidateListRow {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  postcode: string | null;
  town: string | null;
  country: string | null;
  stage: CandidateStage | null;
  stageChangedAt: string | null;
  abandonReason: string | null;
  referentId: string | null;
  referentName: string | null;
  project: string | null;
  projectType: string | null;
  projectSector: string | null;
  projectMaturity: string | null;
  household: string | null;
  horizon: string | null;
  desiredRegion: string | null;
  desiredCommune: string | null;
  housingPlan: string | null;
  drivingLicence: number | null;
  firstSource: string | null;
  firstWebinarTitle: string | null;
  newsOptIn: number;
  createdAt: string;
  lastActivityAt: string | null;
}

export interface ListContext {
  agentId: string;
  now: Date;
  dialect: DialectName;
}

/** Files kept only for the record after a merge are never listed. */
function filtered(db: Kysely<Database>, f: CandidateFilters, ctx: ListContext) {
  let q = db.selectFrom('candidates as c').where('c.merged_into_id', 'is', null);
  if (f.etape) q = q.where('c.stage', '=', f.etape as CandidateStage);
  if (f.referent === 'aucun') q = q.where('c.referent_id', 'is', null);
  else if (f.referent === 'moi') q = q.where('c.referent_id', '=', ctx.agentId);
  else if (f.referent) q = q.where('c.referent_id', '=', f.referent);
  if (f.projet) {
    // A file whose type nobody has set yet is found under what its registration answer may mean.
    const values = projectValuesMatching(f.projet);
    q = q.where((eb) => eb.or([eb('c.project_type', '=', f.projet), eb.and([eb('c.project_type', 'is', null), eb('c.project', 'in', values)])]));
  }
  if (f.region) q = q.where('c.desired_region', '=', f.region);
  if (f.source === NO_SOURCE) q = q.where('c.first_source', 'is', null);
  else if (f.source) q = q.where('c.first_source', '=', f.source);
  if (f.horizon) q = q.where('c.horizon', '=', f.horizon);
  if (f.calme) q = q.where('c.last_activity_at', '<', new Date(ctx.now.getTime() - Number(f.calme) * 86_400_000).toISOString());
  const needle = searchNeedle(f.q);
  if (needle) {
    const like = sql<boolean>`c.search_text like ${`%${needle.replace(/[\\%_]/g, (m) => `\\${m}`)}%`} escape '\\'`;
    // A search matches few files: told so, SQLite reads its own index (candidates_list_search) and
    // sorts the few, instead of walking the whole list in order; PostgreSQL estimates it by itself.
    q = q.where(ctx.dialect === 'sqlite' ? sql<boolean>`unlikely(${like})` : like);
  }
  return q;
}

function withColumns(db: Kysely<Database>) {
  return db
    .selectFrom('candidates as c')
    .leftJoin('agents as a', 'a.id', 'c.referent_id')
    .leftJoin('webinars as w', 'w.id', 'c.first_webinar_id')
    .select([
      'c.id as id',
      'c.first_name as firstName',
      'c.last_name as lastName',
      'c.email as email',
      'c.phone as phone',
      'c.postcode as postcode',
      'c.town as town',
      'c.country as country',
      'c.stage as stage',
      'c.stage_changed_at as stageChangedAt',
      'c.abandon_reason as abandonReason',
      'c.referent_id as referentId',
      'a.name as referentName',
      'c.project as project',
      'c.project_type as projectType',
      'c.project_sector as projectSector',
      'c.project_maturity as projectMaturity',
      'c.household as household',
      'c.horizon as horizon',
      'c.desired_region as desiredRegion',
      'c.desired_commune as desiredCommune',
      'c.housing_plan as housingPlan',
      'c.driving_licence as drivingLicence',
      'c.first_source as firstSource',
      'w.title as firstWebinarTitle',
      'c.news_opt_in as newsOptIn',
      'c.created_at as createdAt',
      'c.last_activity_at as lastActivityAt',
    ]);
}

/** The ids of the files that match, in the page's order: read from an index that holds every filter. */
function orderedIds(db: Kysely<Database>, f: CandidateFilters, ctx: ListContext) {
  const dir = sortDirection(f);
  const q = filtered(db, f, ctx).select('c.id');
  // The id breaks ties in the same direction, so that one index gives the whole order.
  if (f.tri === 'nom') return q.orderBy('c.last_name', dir).orderBy('c.first_name', dir).orderBy('c.id', dir);
  return q.orderBy('c.last_activity_at', dir).orderBy('c.id', dir);
}

async function rowsOf(db: Kysely<Database>, ids: string[]): Promise<CandidateListRow[]> {
  if (ids.length === 0) return [];
  const rows = (await withColumns(db).where('c.id', 'in', ids).execute()) as CandidateListRow[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)!);
}

/**
 * One page of files with the total that matches the filters: the ids of the page and the count from
 * the list's indexes, then the 50 rows shown.
 */
export async function findCandidates(db: Kysely<Database>, f: CandidateFilters, ctx: ListContext): Promise<{ rows: CandidateListRow[]; total: number }> {
  const count = () => filtered(db, f, ctx).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const page = <T extends { limit: (n: number) => T; offset: (n: number) => T }>(q: T) => q.limit(CANDIDATES_PAGE_SIZE).offset((f.page - 1) * CANDIDATES_PAGE_SIZE);
  if (searchNeedle(f.q)) {
    // A search matches few files, found by reading its whole index: once, counting as it goes.
    const found = await page(orderedIds(db, f, ctx).select(sql<number>`count(*) over ()`.as('n'))).execute();
    const total = found.length ? Number(found[0]!.n) : f.page > 1 ? Number((await count()).n) : 0;
    return { rows: await rowsOf(db, found.map((r) => r.id)), total };
  }
  const [ids, counted] = await Promise.all([page(orderedIds(db, f, ctx)).execute(), count()]);
  return { rows: await rowsOf(db, ids.map((r) => r.id)), total: Number(counted.n) };
}

/** Every file that matches the filters, for an export, read by pages of a thousand. */
export async function allCandidates(db: Kysely<Database>, f: CandidateFilters, ctx: ListContext): Promise<CandidateListRow[]> {
  const ids = (await orderedIds(db, f, ctx).execute()).map((r) => r.id);
  const out: CandidateListRow[] = [];
  for (let i = 0; i < ids.length; i += 1000) out.push(...(await rowsOf(db, ids.slice(i, i + 1000))));
  return out;
}

/** The campaign sources seen as first source of a file, for the source filter. */
export async function candidateSources(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('candidates').select('first_source').distinct().where('first_source', 'is not', null).where('merged_into_id', 'is', null).orderBy('first_source').execute();
  return rows.map((r) => r.first_source!);
}

export interface BoardColumn {
  stage: CandidateStage;
  count: number;
  cards: Array<{ id: string; firstName: string; lastName: string; referentName: string | null; lastActivityAt: string | null; projectType: string | null; project: string | null }>;
}

/** The board: per stage, how many files and the most recently active ones; one indexed read per stage. */
export async function boardColumns(db: Kysely<Database>, perColumn: number, referentId: string | null): Promise<BoardColumn[]> {
  // A count per stage, each from its part of candidates_list_stage (a GROUP BY would read the whole table).
  const counts = stages.map((s) => {
    let q = db.selectFrom('candidates').select((eb) => eb.fn.countAll<number>().as('n')).where('stage', '=', s.value).where('merged_into_id', 'is', null);
    if (referentId) q = q.where('referent_id', '=', referentId);
    return q.executeTakeFirstOrThrow();
  });
  const [countRows, cardLists] = await Promise.all([
    Promise.all(counts),
    Promise.all(stages.map((s) => {
      let q = db
        .selectFrom('candidates as c')
        .leftJoin('agents as a', 'a.id', 'c.referent_id')
        .select(['c.id as id', 'c.first_name as firstName', 'c.last_name as lastName', 'a.name as referentName', 'c.last_activity_at as lastActivityAt', 'c.project_type as projectType', 'c.project as project'])
        .where('c.stage', '=', s.value)
        .where('c.merged_into_id', 'is', null);
      if (referentId) q = q.where('c.referent_id', '=', referentId);
      return q.orderBy('c.last_activity_at', 'desc').orderBy('c.id', 'desc').limit(perColumn).execute();
    })),
  ]);
  return stages.map((s, i) => ({ stage: s.value, count: Number(countRows[i]!.n), cards: cardLists[i]! }));
}
