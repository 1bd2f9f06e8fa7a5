/**
 * The candidates list with 100,000 households: how long the server takes to answer the list, filtered
 * and paginated, and the board by stage, on SQLite and on PostgreSQL. The target is 100 ms of server
 * time per page (issue 5).
 *
 *   node --import tsx bench/scenarios/candidates-list.ts [--households=100000] [--samples=30] [--no-postgres]
 *     [--sqlite-file=path]   keep the SQLite database there, and reuse it when it is already filled
 *
 * Server time is measured in the process, around the app's own handling of the request (Hono's
 * app.request: the guard, the session read, the queries, the rendering), on a database filled by a
 * seeded generator, migrated first so the indexes are the real ones. Writes
 * bench/results/candidates-list.json.
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
import { createSession, sessionCookieName } from '../../src/features/agents/sessions.ts';
import { candidateKeys } from '../../src/features/candidates/candidate-file.ts';
import { loadTerritory } from '../../src/features/territory/territory.ts';
import { connect, type Db, type DialectName } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import type { CandidateStage, NewCandidateRow } from '../../src/platform/db/schema.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { systemClock } from '../../src/platform/time.ts';
import type { Services } from '../../src/services.ts';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const HOUSEHOLDS = Number(option('households', '100000'));
const SAMPLES = Number(option('samples', '30'));
const WARMUP = 3;
const TARGET_MS = 100;
const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://nouvellevie:nouvellevie@127.0.0.1:5432/postgres';
const resultsFile = fileURLToPath(new URL('../results/candidates-list.json', import.meta.url));
const log = (msg: string) => process.stdout.write(`[candidates-list ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);

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

const FIRST = ['Camille', 'Léa', 'Manon', 'Chloé', 'Hélène', 'Inès', 'Élodie', 'Thomas', 'Nicolas', 'Julien', 'Maxime', 'Antoine', 'Sébastien', 'Karim', 'François', 'Loïc', 'Mehdi', 'Zoé', 'Anaïs', 'Benoît'];
const LAST = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'Roux', 'Fournier', 'Girard', 'Mercier', 'Benali', 'Nguyen', 'Da Silva', 'Haddad', 'Guérin', 'Rouvière'];
const TOWNS = ['Lyon', 'Paris', 'Montpellier', 'Toulouse', 'Marseille', 'Nantes', 'Lille', 'Clermont-Ferrand', 'Bordeaux', 'Grenoble'];
const SOURCES = ['facebook', 'facebook', 'facebook', 'newsletter', 'linkedin', 'partenaire', null, null, null];
const PROJECTS = ['salarie', 'creation-reprise', 'teletravail', 'reconversion', 'autre', null];
const TYPES = [null, null, null, 'salarie', 'creation', 'reprise', 'agriculture', 'teletravail', 'reconversion', 'plusieurs'];
const HORIZONS = ['moins-6-mois', '6-12-mois', 'plus-1-an', 'ne-sait-pas', null];
const REGIONS = ['aubrac', 'margeride', 'vallee-du-lot', 'causses-et-gorges', 'cevennes-mont-lozere', 'unknown', null];
// Most files stay at first contact; fewer at each step further.
const STAGES: Array<[CandidateStage, number]> = [
  ['contact', 55],
  ['qualified', 12],
  ['accompanied', 8],
  ['visit', 3],
  ['decision', 2],
  ['installed', 3],
  ['followed-up', 2],
  ['abandoned', 10],
  ['dormant', 5],
];

async function seed(db: Db, agentIds: string[]): Promise<void> {
  const rnd = prng(100_000);
  const now = Date.parse('2027-01-04T09:00:00.000Z');
  const total = STAGES.reduce((a, [, w]) => a + w, 0);
  const stageOf = () => {
    let r = rnd.next() * total;
    for (const [s, w] of STAGES) if ((r -= w) < 0) return s;
    return 'contact' as const;
  };
  const webinars = Array.from({ length: 40 }, (_, i) => {
    const start = new Date(now - (40 - i) * 60 * 86_400_000).toISOString();
    return { id: randomUUID(), slug: `rencontre-${i}`, title: `Rencontre ${i}`, kind: 'generic' as const, theme: null, status: 'published' as const, starts_at: start, ends_at: start, capacity: null, video_tool: 'link' as const, join_url: null, replay_url: null, summary: '', description: '', programme: '[]', speakers: '[]', partners: '[]', promotion_cost_cents: null, created_at: start, updated_at: start };
  });
  const batch = db.dialect === 'sqlite' ? 200 : 1000;
  await db.transaction(async (trx) => {
    await trx.insertInto('webinars').values(webinars).execute();
    let rows: NewCandidateRow[] = [];
    for (let i = 0; i < HOUSEHOLDS; i++) {
      const first = rnd.pick(FIRST);
      const last = rnd.pick(LAST);
      const email = `${first}.${last}.${i}@example.org`.toLowerCase().normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ /g, '');
      const created = now - rnd.int(0, 3 * 365) * 86_400_000 - rnd.int(0, 86_399) * 1000;
      const activity = Math.min(now, created + rnd.int(0, 400) * 86_400_000);
      const stage = stageOf();
      const phone = rnd.next() < 0.6 ? `06 ${rnd.int(10, 99)} ${rnd.int(10, 99)} ${rnd.int(10, 99)} ${rnd.int(10, 99)}` : null;
      const town = rnd.pick(TOWNS);
      const row = {
        id: randomUUID(),
        email,
        email_normalized: email,
        first_name: first,
        last_name: last,
        phone,
        postcode: null,
        town,
        country: 'France',
        project: rnd.pick(PROJECTS),
        household: null,
        horizon: rnd.pick(HORIZONS),
        desired_region: rnd.pick(REGIONS),
        news_opt_in: 0,
        news_opt_in_at: null,
        first_source: rnd.pick(SOURCES),
        first_webinar_id: rnd.pick(webinars).id,
        created_at: new Date(created).toISOString(),
        updated_at: new Date(activity).toISOString(),
        last_contact_at: new Date(created).toISOString(),
        stage,
        stage_changed_at: new Date(activity).toISOString(),
        abandon_reason: stage === 'abandoned' ? 'emploi' : null,
        referent_id: stage === 'contact' && rnd.next() < 0.8 ? null : rnd.pick(agentIds),
        project_type: rnd.pick(TYPES),
        last_activity_at: new Date(activity).toISOString(),
      };
      rows.push({ ...row, ...candidateKeys(row) });
      if (rows.length === batch) {
        await trx.insertInto('candidates').values(rows).execute();
        rows = [];
      }
    }
    if (rows.length) await trx.insertInto('candidates').values(rows).execute();
  });
}

interface Scenario {
  label: string;
  path: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!;
const round = (x: number) => Math.round(x * 10) / 10;

async function measure(dialect: DialectName, db: Db) {
  const territory = loadTerritory('lozere');
  const s: Services = {
    config: { publicUrl: 'http://bench.local', isHttps: false, trustProxy: false, env: 'test' },
    db,
    clock: systemClock,
    territory,
    logger: createLogger('silent'),
    tokenKey: Buffer.alloc(32, 7),
    mailQueued: () => undefined,
    jobQueued: () => undefined,
    video: {},
  };
  const now = new Date().toISOString();
  const agents = ['Claire Bonnet', 'Julien Rouvière', 'Nadia Vidal', 'Marc Pagès'].map((name, i) => ({
    id: randomUUID() as string,
    email: `agent${i}@bench.local`,
    email_normalized: `agent${i}@bench.local`,
    name,
    role: (i === 0 ? 'admin' : 'referent') as 'admin' | 'referent',
    status: 'active' as const,
    password_hash: null,
    created_at: now,
    updated_at: now,
    last_sign_in_at: null,
  }));
  const existing = await db.kysely.selectFrom('agents').select(['id', 'role']).orderBy('email').execute();
  const t0 = performance.now();
  if (existing.length === 0) {
    await db.kysely.insertInto('agents').values(agents).execute();
    log(`${dialect}: writing ${HOUSEHOLDS.toLocaleString('en')} households`);
    await seed(
      db,
      agents.map((a) => a.id),
    );
  } else {
    agents.forEach((a, i) => (a.id = existing[i]!.id));
  }
  // PostgreSQL's autovacuum, once a table has grown, gives the planner its statistics and marks the
  // pages all-visible (what index-only scans need): done here at once, as a lived database has it.
  // SQLite has no statistics unless asked, and the application never asks: it is measured as it runs.
  if (db.dialect === 'postgres') await sql`vacuum analyze`.execute(db.kysely);
  const seedSeconds = round((performance.now() - t0) / 1000);
  log(`${dialect}: written in ${seedSeconds} s`);

  const app = buildApp(s);
  const { token } = await createSession(db.kysely, agents[0]!.id, new Date(), { ip: null, userAgent: 'bench' });
  const cookie = `${sessionCookieName(false)}=${token}`;
  const referent = agents[1]!.id;
  const scenarios: Scenario[] = [
    { label: 'the list, no filter', path: '/admin/candidats' },
    { label: 'page 2', path: '/admin/candidats?page=2' },
    { label: 'page 1,000 (deep)', path: '/admin/candidats?page=1000' },
    { label: 'stage: accompanied', path: '/admin/candidats?etape=accompanied' },
    { label: 'one referent', path: `/admin/candidats?referent=${referent}` },
    { label: 'unassigned, first contact', path: '/admin/candidats?referent=aucun&etape=contact' },
    { label: 'project: takeover', path: '/admin/candidats?projet=reprise' },
    { label: 'region: Margeride', path: '/admin/candidats?region=margeride' },
    { label: 'source: facebook', path: '/admin/candidats?source=facebook' },
    { label: 'horizon: within 6 months', path: '/admin/candidats?horizon=moins-6-mois' },
    { label: 'no contact for 90 days', path: '/admin/candidats?calme=90' },
    { label: 'search a name', path: '/admin/candidats?q=helene%20lefevre' },
    { label: 'search a phone', path: '/admin/candidats?q=06%2012%2034' },
    { label: 'stage + region + horizon, by name', path: '/admin/candidats?etape=qualified&region=aubrac&horizon=6-12-mois&tri=nom' },
    { label: 'all by name, page 3', path: '/admin/candidats?tri=nom&page=3' },
    { label: 'last activity oldest first, page 50', path: '/admin/candidats?ordre=asc&page=50' },
    { label: 'the board by stage', path: '/admin/candidats/tableau' },
    { label: 'the board, one referent', path: '/admin/candidats/tableau?referent=moi' },
  ];
  const results = [];
  for (const sc of scenarios) {
    const times: number[] = [];
    const cpu: number[] = [];
    let status = 0;
    let bytes = 0;
    for (let i = 0; i < WARMUP + SAMPLES; i++) {
      const start = performance.now();
      const cpu0 = process.cpuUsage();
      const res = await app.request(sc.path, { headers: { Cookie: cookie } });
      const body = await res.text();
      const ms = performance.now() - start;
      const used = process.cpuUsage(cpu0);
      status = res.status;
      bytes = body.length;
      if (i >= WARMUP) {
        times.push(ms);
        cpu.push((used.user + used.system) / 1000);
      }
    }
    // CPU of this process (on SQLite, the whole work; on PostgreSQL, all but the database server's):
    // what the request costs whatever else the machine is doing, where wall time also counts the waits.
    const r = { label: sc.label, path: sc.path, status, bytes, p50: round(median(times)), p95: round(quantile(times, 0.95)), max: round(Math.max(...times)), cpuP50: round(median(cpu)), underTarget: quantile(times, 0.95) < TARGET_MS };
    log(`${dialect}: ${sc.label}: p50 ${r.p50} ms, p95 ${r.p95} ms, max ${r.max} ms, process CPU p50 ${r.cpuP50} ms (${status}, ${bytes} bytes)`);
    if (status !== 200) throw new Error(`${sc.path} answered ${status}`);
    results.push(r);
  }
  return { seedSeconds, scenarios: results, allUnderTarget: results.every((r) => r.underTarget) };
}

async function onSqlite() {
  const kept = option('sqlite-file', '');
  const file = kept || path.join(os.tmpdir(), `nv-bench-candidates-${process.pid}.sqlite`);
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
  const name = `nv_bench_candidates_${process.pid}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    await admin.query(`create database ${name}`);
  } catch (e) {
    await admin.end().catch(() => undefined);
    return { skipped: `PostgreSQL unreachable: ${(e as Error).message}` };
  }
  await admin.end();
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  const db = connect({ kind: 'postgres', url: url.toString() });
  try {
    await migrateToLatest(db);
    return await measure('postgres', db);
  } finally {
    await db.close();
    if (!argv.includes('--keep-postgres')) {
      const a = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`).finally(() => a.end());
    } else log(`kept ${url}`);
  }
}

const report = {
  generatedAt: new Date().toISOString(),
  households: HOUSEHOLDS,
  samplesPerScenario: SAMPLES,
  targetMs: TARGET_MS,
  measure: 'server time per request, in process (app.request), p50 and p95 of sequential requests after a warm-up; cpuP50: CPU of the process per request',
  machine: { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? 'unknown', loadAverageAtStart: os.loadavg().map((x) => round(x)) },
  sqlite: await onSqlite(),
  postgres: argv.includes('--no-postgres') ? { skipped: 'not asked (--no-postgres)' } : await onPostgres(),
};
Object.assign(report.machine, { loadAverageAtEnd: os.loadavg().map((x) => round(x)) });
fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
fs.writeFileSync(resultsFile, JSON.stringify(report, null, 2) + '\n');
log(`written ${path.relative(process.cwd(), resultsFile)}`);
