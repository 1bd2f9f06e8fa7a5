import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { CommuneTable, Database } from '../../platform/db/schema.ts';
import type { Territory } from './territory.ts';

/**
 * The territory's communes, from the official administrative data (@etalab/decoupage-administratif:
 * the current communes with their population and postcodes, and the intercommunalities with their
 * members), each attached to a natural region by the territory's configuration. Loaded into the
 * `communes` table at start when it is empty or when the data or the configuration changed, and by
 * `nouvelle-vie communes load`; read by the features that need a commune (search, region pages).
 */

type Q = Kysely<Database> | Transaction<Database>;

export interface Commune {
  /** INSEE code, e.g. 48095 for Mende. */
  code: string;
  name: string;
  postcodes: string[];
  population: number | null;
  /** SIREN of the intercommunality (EPCI) the commune belongs to. */
  epciCode: string | null;
  epciName: string | null;
  regionKey: string | null;
  /**
   * The former communes merged into it (communes déléguées or associées): people still say "Sainte-
   * Enimie" for what is now "Gorges du Tarn Causses", so a search finds it by them too.
   */
  formerNames?: string[];
}

interface EtalabCommune {
  code: string;
  nom: string;
  type: string;
  chefLieu?: string;
  departement?: string;
  codesPostaux?: string[];
  population?: number;
}

interface EtalabEpci {
  code: string;
  nom: string;
  membres: Array<{ code: string }>;
}

const require = createRequire(import.meta.url);
const PACKAGE = '@etalab/decoupage-administratif';
const META_KEY = 'communes_version';
/** How the rows are written (name_search holds the former communes' names since f2): a change reloads them. */
const TABLE_FORMAT = 'f2';

/** The package's own version: it changes when the official data does. */
function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(require.resolve(`${PACKAGE}/package.json`), 'utf8')) as { version: string }).version;
}

/**
 * What the loaded table was made from: the data's version and the territory's mapping. A change of
 * either reloads the table at the next start; the same pair never does (start stays fast).
 */
export function communesDataVersion(t: Territory): string {
  const mapping = createHash('sha256')
    .update(JSON.stringify([t.id, t.communes ?? null, t.regions.map((r) => r.key)]))
    .digest('hex')
    .slice(0, 16);
  return `${PACKAGE}@${packageVersion()}:${TABLE_FORMAT}:${mapping}`;
}

/**
 * "Saint-Étienne-du-Valdonnez" → "saint etienne du valdonnez": lower case, no accents, hyphens and
 * apostrophes as spaces. What `name_search` holds and what a search compares.
 */
export function searchForm(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** What people type: "st chely" means "saint chely", "ste enimie" "sainte enimie". */
function queryForm(text: string): string {
  return searchForm(text)
    .split(' ')
    .map((w) => (w === 'st' ? 'saint' : w === 'ste' ? 'sainte' : w))
    .join(' ');
}

/** The territory's current communes from the package's JSON files (read only when a load is needed). */
export function territoryCommunes(t: Territory): Commune[] {
  const config = t.communes;
  if (!config) return [];
  const departements = new Set(config.departements);
  const all = JSON.parse(fs.readFileSync(require.resolve(`${PACKAGE}/data/communes.json`), 'utf8')) as EtalabCommune[];
  const mine = all.filter((c) => c.type === 'commune-actuelle' && c.departement !== undefined && departements.has(c.departement));
  const codes = new Set(mine.map((c) => c.code));
  const former = new Map<string, string[]>();
  for (const c of all) {
    if (c.type === 'commune-actuelle' || !c.chefLieu || !codes.has(c.chefLieu)) continue;
    const current = mine.find((m) => m.code === c.chefLieu);
    if (!current || searchForm(current.nom) === searchForm(c.nom)) continue;
    former.set(c.chefLieu, [...(former.get(c.chefLieu) ?? []), c.nom]);
  }
  const epciOf = new Map<string, { code: string; name: string }>();
  const epcis = JSON.parse(fs.readFileSync(require.resolve(`${PACKAGE}/data/epci.json`), 'utf8')) as EtalabEpci[];
  for (const e of epcis) for (const m of e.membres) if (codes.has(m.code)) epciOf.set(m.code, { code: e.code, name: e.nom });
  return mine
    .map((c) => {
      const epci = epciOf.get(c.code) ?? null;
      return {
        code: c.code,
        name: c.nom,
        postcodes: [...(c.codesPostaux ?? [])].sort(),
        population: typeof c.population === 'number' ? c.population : null,
        epciCode: epci?.code ?? null,
        epciName: epci?.name ?? null,
        regionKey: config.regionByCommune[c.code] ?? (epci ? config.regionByEpci[epci.code] : undefined) ?? null,
        formerNames: former.get(c.code) ?? [],
      };
    })
    .sort((a, b) => a.code.localeCompare(b.code));
}

export interface CommunesLoad {
  /** False when the table was already made from the same data and configuration. */
  loaded: boolean;
  count: number;
  /** Communes no configuration line attaches to a region (to complete the territory's configuration). */
  withoutRegion: Commune[];
  version: string;
}

/**
 * Fills the `communes` table with the territory's communes, replacing what was there, in one
 * transaction: readers see the old set or the new one, never half. Does nothing when the table was
 * made from the same data version and configuration, unless `force`. Safe to run from two processes
 * at once: the second one writes the same rows over the first's (an upsert, not a duplicate key).
 */
export async function loadCommunes(db: { transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>; kysely: Kysely<Database> }, t: Territory, opts: { force?: boolean } = {}): Promise<CommunesLoad> {
  const version = communesDataVersion(t);
  if (!opts.force) {
    const [meta, count] = await Promise.all([
      db.kysely.selectFrom('meta').select('value').where('key', '=', META_KEY).executeTakeFirst(),
      db.kysely.selectFrom('communes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    // An emptied table (a wiped database) is filled again even when the version was already noted.
    if (meta?.value === version && (Number(count.n) > 0 || !t.communes)) return { loaded: false, count: Number(count.n), withoutRegion: [], version };
  }
  const communes = territoryCommunes(t);
  await db.transaction(async (trx) => {
    await trx.deleteFrom('communes').execute();
    for (let i = 0; i < communes.length; i += 200) {
      await trx
        .insertInto('communes')
        .values(
          communes.slice(i, i + 200).map((c) => ({
            code: c.code,
            name: c.name,
            name_search: [c.name, ...(c.formerNames ?? [])].map(searchForm).join(FORMER_SEPARATOR),
            postcodes: JSON.stringify(c.postcodes),
            population: c.population,
            epci_code: c.epciCode,
            epci_name: c.epciName,
            region_key: c.regionKey,
          })),
        )
        // Two processes starting together (PostgreSQL, several web processes): the second writes the same rows over the first's.
        .onConflict((oc) =>
          oc.column('code').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            name_search: eb.ref('excluded.name_search'),
            postcodes: eb.ref('excluded.postcodes'),
            population: eb.ref('excluded.population'),
            epci_code: eb.ref('excluded.epci_code'),
            epci_name: eb.ref('excluded.epci_name'),
            region_key: eb.ref('excluded.region_key'),
          })),
        )
        .execute();
    }
    await trx
      .insertInto('meta')
      .values({ key: META_KEY, value: version })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: version }))
      .execute();
  });
  return { loaded: true, count: communes.length, withoutRegion: communes.filter((c) => c.regionKey === null), version };
}

function fromRow(r: CommuneTable): Commune {
  let postcodes: string[] = [];
  try {
    const v = JSON.parse(r.postcodes);
    if (Array.isArray(v)) postcodes = v.map(String);
  } catch {
    postcodes = [];
  }
  return { code: r.code, name: r.name, postcodes, population: r.population, epciCode: r.epci_code, epciName: r.epci_name, regionKey: r.region_key };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/** Between the commune's name and its former communes' names in `name_search`: never in a search form. */
const FORMER_SEPARATOR = '|';

/**
 * Communes whose name contains the words typed, with or without accents, hyphens or "St" for
 * "Saint"; or, for digits, whose postcode starts with them (or whose INSEE code is them). The exact
 * name first, then names that start with the words, then the most populated.
 */
export async function searchCommunes(db: Q, query: string, opts: { limit?: number } = {}): Promise<Commune[]> {
  const limit = Math.min(Math.max(opts.limit ?? 20, 1), 200);
  const raw = query.trim();
  if (/^\d{2,5}$/.test(raw) || /^2[ABab]\d{3}$/.test(raw)) {
    // postcodes is a JSON array of strings: a postcode starting with the digits follows a quote.
    const rows = await db
      .selectFrom('communes')
      .selectAll()
      .where((eb) => eb.or([eb('postcodes', 'like', `%"${escapeLike(raw)}%`), eb('code', '=', raw.toUpperCase())]))
      .orderBy(sql`population is null`)
      .orderBy('population', 'desc')
      .orderBy('name')
      .limit(limit)
      .execute();
    return rows.map(fromRow);
  }
  const q = queryForm(raw);
  if (q.length === 0) return [];
  const words = q.split(' ');
  let select = db.selectFrom('communes').selectAll();
  for (const w of words) select = select.where(sql<boolean>`name_search like ${`%${escapeLike(w)}%`} escape '\\'`);
  const rows = await select
    .orderBy(sql`case when name_search = ${q} or name_search like ${`${escapeLike(q)}${FORMER_SEPARATOR}%`} escape '\\' then 0 when name_search like ${`${escapeLike(q)}%`} escape '\\' then 1 else 2 end`)
    .orderBy(sql`population is null`)
    .orderBy('population', 'desc')
    .orderBy('name')
    .limit(limit)
    .execute();
  return rows.map(fromRow);
}

/** The communes of one natural region, the most populated first. */
export async function communesOfRegion(db: Q, regionKey: string): Promise<Commune[]> {
  const rows = await db.selectFrom('communes').selectAll().where('region_key', '=', regionKey).orderBy(sql`population is null`).orderBy('population', 'desc').orderBy('name').execute();
  return rows.map(fromRow);
}

export async function findCommune(db: Q, code: string): Promise<Commune | undefined> {
  const row = await db.selectFrom('communes').selectAll().where('code', '=', code).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** How many communes each region has (and how many none), for the back-office and the region pages. */
export async function countCommunesByRegion(db: Q): Promise<Map<string | null, { communes: number; population: number }>> {
  const rows = await db
    .selectFrom('communes')
    .select(['region_key', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('population').as('p')])
    .groupBy('region_key')
    .execute();
  return new Map(rows.map((r) => [r.region_key, { communes: Number(r.n), population: Number(r.p ?? 0) }]));
}
