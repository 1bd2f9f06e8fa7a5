/**
 * The public offer search over 50,000 offers: how long the server takes to answer /offres, filtered by
 * type, sector and natural region, by keywords, and paged, on SQLite and on PostgreSQL. The target is
 * 50 ms of server time per page (issue 8). Also measured, for the record: an offer's page and the
 * offers behind a registration's private link (the matching, ranked in the process).
 *
 *   node --import tsx bench/scenarios/offers.ts [--offers=50000] [--samples=30] [--no-postgres]
 *     [--sqlite-file=path]   keep the SQLite database there afterwards (written anew at each run)
 *     [--keep-postgres]      keep the PostgreSQL database afterwards (its name is printed)
 *     [--random-page-cost=1.1]  PostgreSQL's planner setting for this database (default: the server's,
 *                            4.0 unless changed; 1.1 is the usual value on SSDs, where PostgreSQL then
 *                            reads keyword searches from the narrow index instead of the table)
 *
 * Server time is measured in the process, around the app's own handling of the request (Hono's
 * app.request: the route, the queries, the rendering), on a database migrated first (the indexes are
 * the real ones) and filled by a seeded generator: about four offers in five published, the rest
 * drafts, filled or expired, spread over the types, the territory's sectors and its natural regions.
 * Writes bench/results/offers.json.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import { buildApp } from '../../src/app.tsx';
import { searchable } from '../../src/features/offers/offer.ts';
import { MAX_PAGES } from '../../src/features/offers/public-routes.tsx';
import { registrationToken } from '../../src/features/registrations/registration-token.ts';
import { loadTerritory } from '../../src/features/territory/territory.ts';
import { connect, type Db, type DialectName } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import type { OfferRow, OfferStatus, OfferType } from '../../src/platform/db/schema.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { systemClock } from '../../src/platform/time.ts';
import type { Services } from '../../src/services.ts';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const OFFERS = Number(option('offers', '50000'));
const SAMPLES = Number(option('samples', '30'));
const WARMUP = 5;
const TARGET_MS = 50;
const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://nouvellevie:nouvellevie@127.0.0.1:5432/postgres';
const resultsFile = fileURLToPath(new URL('../results/offers.json', import.meta.url));
const log = (msg: string) => process.stdout.write(`[offers ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const territory = loadTerritory('lozere');
const TOKEN_KEY = Buffer.alloc(32, 7);

function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}

const TYPES: Array<[OfferType, number]> = [
  ['job', 60],
  ['takeover', 15],
  ['premises', 10],
  ['farm', 5],
  ['housing', 10],
];
const STATUSES: Array<[OfferStatus, number]> = [
  ['published', 80],
  ['draft', 5],
  ['filled', 10],
  ['expired', 5],
];
const JOBS = ['Aide-soignant·e', 'Infirmier·e', 'Boulanger·ère', 'Conducteur·rice poids lourd', 'Agent·e d’accueil', 'Cuisinier·ère', 'Électricien·ne', 'Comptable', 'Professeur·e', 'Aide à domicile', 'Mécanicien·ne', 'Fromager·e'];
const BUSINESSES = ['Boulangerie', 'Boucherie', 'Épicerie', 'Bar-restaurant', 'Menuiserie', 'Garage', 'Salon de coiffure', 'Hôtel', 'Camping', 'Librairie'];
const HOMES = ['Maison de village', 'Appartement T3', 'Maison avec jardin', 'Studio meublé', 'Logement communal T4'];
const COMMUNES: Array<[string, string]> = [
  ['Mende', 'vallee-du-lot'],
  ['La Canourgue', 'vallee-du-lot'],
  ['Chanac', 'vallee-du-lot'],
  ['Marvejols', 'aubrac'],
  ['Nasbinals', 'aubrac'],
  ['Fournels', 'aubrac'],
  ['Saint-Chély-d’Apcher', 'margeride'],
  ['Langogne', 'margeride'],
  ['Le Malzieu-Ville', 'margeride'],
  ['Meyrueis', 'causses-et-gorges'],
  ['Ispagnac', 'causses-et-gorges'],
  ['Florac Trois Rivières', 'cevennes-mont-lozere'],
  ['Villefort', 'cevennes-mont-lozere'],
];

function weighted<T>(rnd: ReturnType<typeof prng>, list: Array<[T, number]>): T {
  const total = list.reduce((a, [, w]) => a + w, 0);
  let r = rnd.next() * total;
  for (const [v, w] of list) if ((r -= w) < 0) return v;
  return list[0]![0];
}

async function seed(db: Db, partnerIds: string[]): Promise<void> {
  const rnd = prng(50_000);
  const now = Date.now();
  const sectors = territory.offers.sectors.map((x) => x.key);
  const batch = db.dialect === 'sqlite' ? 200 : 1000;
  await db.transaction(async (trx) => {
    let rows: OfferRow[] = [];
    for (let i = 0; i < OFFERS; i++) {
      const type = weighted(rnd, TYPES);
      const status = weighted(rnd, STATUSES);
      const [commune, region] = rnd.pick(COMMUNES);
      const title = type === 'job' ? rnd.pick(JOBS) : type === 'housing' ? rnd.pick(HOMES) : type === 'farm' ? 'Exploitation agricole à transmettre' : type === 'premises' ? 'Local professionnel' : `${rnd.pick(BUSINESSES)} à reprendre`;
      const sector = type === 'housing' ? 'logement' : type === 'farm' ? 'agriculture' : rnd.pick(sectors);
      const description = `${title} à ${commune}. Offre n° ${i} de la mesure, écrite pour avoir la longueur d’une vraie description, avec ses conditions et son contexte.`;
      const published = new Date(now - rnd.int(0, 365) * 86_400_000 - rnd.int(0, 86_399) * 1000).toISOString();
      rows.push({
        id: randomUUID(),
        slug: `offre-${i}-${randomUUID().slice(0, 6)}`,
        title,
        type,
        sector,
        commune_code: null,
        commune_name: commune,
        region_key: region,
        description,
        conditions: 'CDI, temps plein.',
        partner_id: rnd.next() < 0.7 ? rnd.pick(partnerIds) : null,
        contact_name: null,
        contact_email: 'contact@exemple.org',
        contact_phone: null,
        valid_from: null,
        valid_until: null,
        status,
        search_text: searchable(title, commune),
        created_by_type: 'system',
        created_by_id: null,
        published_at: status === 'draft' ? null : published,
        confirmed_at: status === 'draft' ? null : published,
        confirm_requested_at: null,
        confirm_token_hash: null,
        filled_at: status === 'filled' ? published : null,
        expired_at: status === 'expired' ? published : null,
        import_batch: null,
        created_at: published,
        updated_at: published,
      });
      if (rows.length === batch) {
        await trx.insertInto('offers').values(rows).execute();
        rows = [];
      }
    }
    if (rows.length) await trx.insertInto('offers').values(rows).execute();
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!;
const round = (x: number) => Math.round(x * 10) / 10;

async function measure(dialect: DialectName, db: Db) {
  const s: Services = {
    config: { publicUrl: 'http://bench.local', isHttps: false, trustProxy: false, env: 'test' },
    db,
    clock: systemClock,
    territory,
    logger: createLogger('silent'),
    tokenKey: TOKEN_KEY,
    mailQueued: () => undefined,
    jobQueued: () => undefined,
    video: {},
  };
  const nowIso = new Date().toISOString();
  const partners = ['France Travail Lozère', 'CCI Lozère', 'Chambre de métiers et de l’artisanat', 'Chambre d’agriculture', 'ADIL 48'].map((name, i) => ({
    id: randomUUID() as string,
    slug: `partenaire-${i}`,
    name,
    role: 'Partenaire de la mesure.',
    themes: '["emploi"]',
    regions: '[]',
    email: null,
    phone: null,
    website: null,
    address: null,
    contact_name: null,
    contact_title: null,
    contact_email: null,
    contact_phone: null,
    status: 'active' as const,
    created_at: nowIso,
    updated_at: nowIso,
  }));
  await db.kysely.insertInto('partners').values(partners).execute();
  const t0 = performance.now();
  log(`${dialect}: writing ${OFFERS.toLocaleString('en')} offers`);
  await seed(
    db,
    partners.map((p) => p.id),
  );
  // A person registered with a project, for the offers behind their private link.
  const webinarId = randomUUID();
  await db.kysely
    .insertInto('webinars')
    .values({ id: webinarId, slug: 'rencontre-bench', title: 'Rencontre', kind: 'generic', theme: null, status: 'published', starts_at: nowIso, ends_at: nowIso, capacity: null, video_tool: 'link', join_url: null, replay_url: null, summary: '', description: '', programme: '[]', speakers: '[]', partners: '[]', promotion_cost_cents: null, created_at: nowIso, updated_at: nowIso })
    .execute();
  const candidateId = randomUUID();
  await db.kysely
    .insertInto('candidates')
    .values({ id: candidateId, email: 'lea@example.org', email_normalized: 'lea@example.org', first_name: 'Léa', last_name: 'Martin', phone: null, postcode: null, town: null, country: null, project: 'creation-reprise', household: null, horizon: '6-12-mois', desired_region: 'aubrac', news_opt_in: 0, news_opt_in_at: null, first_source: null, first_webinar_id: webinarId, created_at: nowIso, updated_at: nowIso, last_contact_at: nowIso, project_sector: 'commerce' })
    .execute();
  const registrationId = randomUUID();
  const nonce = 'bench-nonce';
  const token = registrationToken(TOKEN_KEY, registrationId, nonce);
  const { hashToken } = await import('../../src/features/registrations/registration-token.ts');
  await db.kysely
    .insertInto('registrations')
    .values({ id: registrationId, webinar_id: webinarId, candidate_id: candidateId, status: 'confirmed', token_nonce: nonce, manage_token_hash: hashToken(token), project: null, household: null, horizon: null, desired_region: null, heard_from: null, question: null, utm_source: null, utm_medium: null, utm_campaign: null, created_by: 'candidate', created_at: nowIso, confirmed_at: nowIso, cancelled_at: null, waitlist_rank: null, attended: null, attended_minutes: null })
    .execute();
  // After a bulk load PostgreSQL's autovacuum (its insert threshold since version 13) vacuums and
  // analyses the table within a minute: the visibility map it sets is what lets a count be read from
  // the index alone. Done here at once rather than waited for. SQLite has no statistics unless asked,
  // and the application never asks: it is measured as it runs.
  if (db.dialect === 'postgres') await sql`vacuum analyze`.execute(db.kysely);
  const seedSeconds = round((performance.now() - t0) / 1000);
  log(`${dialect}: written in ${seedSeconds} s`);
  const published = Number((await db.kysely.selectFrom('offers').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'published').executeTakeFirstOrThrow()).n);
  const anOffer = (await db.kysely.selectFrom('offers').select('slug').where('status', '=', 'published').orderBy('published_at', 'desc').limit(1).offset(1234).executeTakeFirstOrThrow()).slug;

  const app = buildApp(s);
  const deepPage = Math.min(MAX_PAGES, Math.ceil(published / 20));
  // The search: filters by type, sector and natural region, and pages. Keywords are an
  // addition of ours, measured and reported apart.
  const searches = [
    { label: 'all offers, page 1', path: '/offres' },
    { label: 'page 2', path: '/offres?page=2' },
    { label: `page ${deepPage} (the last one listed)`, path: `/offres?page=${deepPage}` },
    { label: 'type: jobs', path: '/offres?type=job' },
    { label: 'type: farms (rare)', path: '/offres?type=farm' },
    { label: 'sector: health and care', path: '/offres?secteur=sante-social' },
    { label: 'region: Aubrac', path: '/offres?region=aubrac' },
    { label: 'takeovers in commerce on the Aubrac', path: '/offres?type=takeover&secteur=commerce&region=aubrac' },
    { label: 'jobs in health in the Vallée du Lot, page 5', path: '/offres?type=job&secteur=sante-social&region=vallee-du-lot&page=5' },
  ];
  const keywordSearches = [
    { label: 'keywords: boulangerie', path: '/offres?q=boulangerie' },
    { label: 'keywords and region: infirmier, Margeride', path: '/offres?q=infirmier&region=margeride' },
    { label: 'keywords, type and sector: infirmier, jobs, health', path: '/offres?q=infirmier&type=job&secteur=sante-social' },
    { label: 'keywords found nowhere', path: '/offres?q=astronaute' },
  ];
  const others = [
    { label: 'an offer’s page', path: `/offres/${anOffer}` },
    { label: 'offers for a registrant (matching, private link)', path: `/mon-inscription/${token}/offres` },
  ];
  const run = async (sc: { label: string; path: string }) => {
    const times: number[] = [];
    let status = 0;
    let bytes = 0;
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const start = performance.now();
      const res = await app.request(sc.path);
      const body = await res.text();
      const ms = performance.now() - start;
      status = res.status;
      bytes = body.length;
      if (i >= WARMUP) times.push(ms);
    }
    const r = { label: sc.label, path: sc.path, status, bytes, p50: round(median(times)), p95: round(quantile(times, 0.95)), max: round(Math.max(...times)), underTarget: quantile(times, 0.95) < TARGET_MS };
    log(`${dialect}: ${sc.label}: p50 ${r.p50} ms, p95 ${r.p95} ms, max ${r.max} ms (${status}, ${bytes} bytes)`);
    if (status !== 200) throw new Error(`${sc.path} answered ${status}`);
    return r;
  };
  const loadBefore = fs.readFileSync('/proc/loadavg', 'utf8').trim();
  const search = [];
  for (const sc of searches) search.push(await run(sc));
  const keywords = [];
  for (const sc of keywordSearches) keywords.push(await run(sc));
  const pages = [];
  for (const sc of others) pages.push(await run(sc));
  // Other processes on this machine's two cores weigh on every figure: the load says how much.
  const loadAfter = fs.readFileSync('/proc/loadavg', 'utf8').trim();
  return { seedSeconds, publishedOffers: published, loadavg: { before: loadBefore, after: loadAfter }, search, keywords, otherPages: pages, searchUnderTarget: search.every((r) => r.underTarget), keywordsUnderTarget: keywords.every((r) => r.underTarget) };
}

async function onSqlite() {
  const kept = option('sqlite-file', '');
  const file = kept || path.join(os.tmpdir(), `nv-bench-offers-${process.pid}.sqlite`);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  const db = connect({ kind: 'sqlite', file });
  try {
    await migrateToLatest(db);
    return await measure('sqlite', db);
  } finally {
    await db.close();
    if (!kept) for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
  }
}

async function onPostgres() {
  const name = `nv_bench_offers_${process.pid}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`create database ${name}`);
  } catch (e) {
    await admin.end().catch(() => undefined);
    return { skipped: `PostgreSQL unreachable: ${(e as Error).message}` };
  }
  await admin.end();
  const randomPageCost = option('random-page-cost', '');
  if (randomPageCost) {
    const a = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await a.connect();
    await a.query(`alter database ${name} set random_page_cost = ${Number(randomPageCost)}`).finally(() => a.end());
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const db = connect({ kind: 'postgres', url: url.toString() });
  try {
    await migrateToLatest(db);
    const settings = (await sql<{ random_page_cost: string }>`show random_page_cost`.execute(db.kysely)).rows[0]!;
    return { randomPageCost: Number(settings.random_page_cost), ...(await measure('postgres', db)) };
  } finally {
    await db.close();
    if (!argv.includes('--keep-postgres')) {
      const a = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`).finally(() => a.end());
    } else log(`kept PostgreSQL database ${name}`);
  }
}

const report = {
  generatedAt: new Date().toISOString(),
  offers: OFFERS,
  samplesPerScenario: SAMPLES,
  targetMs: TARGET_MS,
  measure: 'server time per request, in process (app.request), p50 and p95 of sequential requests after a warm-up; the target applies to the search (p95)',
  machine: { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown' },
  sqlite: await onSqlite(),
  postgres: argv.includes('--no-postgres') ? { skipped: 'not asked (--no-postgres)' } : await onPostgres(),
};
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
fs.writeFileSync(resultsFile, JSON.stringify(report, null, 2) + '\n');
log(`written ${path.relative(process.cwd(), resultsFile)}`);
