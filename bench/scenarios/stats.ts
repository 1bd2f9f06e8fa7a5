/**
 * The statistics dashboard at a national scale: ten years, 10,000 Rencontres, 500,000 households,
 * 1,000,000 registrations (bench/scenarios/stats-data.ts), on SQLite and on PostgreSQL.
 *
 *   node --import tsx bench/scenarios/stats.ts [--runs=40] [--no-postgres] [--regenerate]
 *
 * Server time is the time the app takes to answer the request in this process (Hono's fetch, from
 * the request to the last byte of the body), signed in as an agent; the CPU this process took is given
 * beside it (the machine is shared: wall times grow with its load average, which is logged). Measured,
 * in this order: right after a migration or a restore (nothing cached), a view that comes before the
 * background refresh and how long the refresh takes to make the year and all ten years current; the
 * first view in a new Node process, after the refresh's first run (as the job runner does at start)
 * and before it; the year's dashboard and its JSON when nothing changed; the view right after a few
 * writes, and once the refresh has run; ten years at once. The data sets are kept in
 * data/bench-stats/ (SQLite) and the nv_bench_stats database (PostgreSQL) and made again only when
 * the generator changes. Writes bench/results/stats.json.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { buildApp } from '../../src/app.tsx';
import { createAgent } from '../../src/features/agents/manage-agents.ts';
import { statisticsRefresher } from '../../src/features/statistics/refresh-statistics.ts';
import { clearStatisticsCache } from '../../src/features/statistics/statistics-facts.ts';
import { loadTerritory } from '../../src/features/territory/territory.ts';
import { systemActor } from '../../src/platform/audit/audit.ts';
import { connect, type DatabaseTarget, type Db, type DialectName } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { ManualClock } from '../../src/platform/time.ts';
import type { Services } from '../../src/services.ts';
import { DATA_NOW, GENERATOR_VERSION, generateStatsData, SCALE, writePostgres, writeSqlite, type Table } from './stats-data.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const RUNS = Number(option('runs', '40'));
const withPostgres = !argv.includes('--no-postgres');
const regenerate = argv.includes('--regenerate');
const SQLITE_FILE = path.join(root, 'data/bench-stats/stats.sqlite');
const PG_ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://nouvellevie:nouvellevie@127.0.0.1:5432/postgres';
const PG_DB = 'nv_bench_stats';
const pgUrl = () => Object.assign(new URL(PG_ADMIN), { pathname: `/${PG_DB}` }).toString();
const TARGET_MS = 200;

const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const log = (msg: string) => process.stdout.write(`[stats ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const round = (x: number) => Math.round(x * 10) / 10;
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};

let tables: Table[] | null = null;
const data = () => (tables ??= (log('generating the data set…'), generateStatsData()));

async function storedVersion(db: Db): Promise<string | null> {
  try {
    const r = await db.kysely.selectFrom('meta').select('value').where('key', '=', 'bench_stats_generator').executeTakeFirst();
    return r?.value ?? null;
  } catch {
    return null;
  }
}

async function markGenerated(db: Db) {
  await db.kysely.insertInto('meta').values({ key: 'bench_stats_generator', value: GENERATOR_VERSION }).onConflict((oc) => oc.column('key').doUpdateSet({ value: GENERATOR_VERSION })).execute();
}

/**
 * The bulk load skips the statistics triggers (as a restore would): the counters start at zero and
 * nothing is cached, which is the state right after migration 0008 on an existing database.
 */
async function prepareSqlite(): Promise<Db> {
  if (!regenerate && fs.existsSync(SQLITE_FILE)) {
    const db = connect({ kind: 'sqlite', file: SQLITE_FILE });
    await migrateToLatest(db);
    if ((await storedVersion(db)) === GENERATOR_VERSION) return db;
    await db.close();
  }
  fs.mkdirSync(path.dirname(SQLITE_FILE), { recursive: true });
  for (const f of [SQLITE_FILE, `${SQLITE_FILE}-wal`, `${SQLITE_FILE}-shm`]) fs.rmSync(f, { force: true });
  const fresh = connect({ kind: 'sqlite', file: SQLITE_FILE });
  await migrateToLatest(fresh);
  await fresh.close();
  const raw = new BetterSqlite3(SQLITE_FILE);
  const triggers = raw.prepare(`select name, sql from sqlite_master where type = 'trigger' and name like 'stats_%'`).all() as Array<{ name: string; sql: string }>;
  for (const t of triggers) raw.exec(`drop trigger ${t.name}`);
  raw.close();
  log('writing SQLite…');
  const started = Date.now();
  writeSqlite(SQLITE_FILE, data());
  const again = new BetterSqlite3(SQLITE_FILE);
  for (const t of triggers) again.exec(t.sql);
  again.close();
  log(`SQLite written in ${Math.round((Date.now() - started) / 1000)} s`);
  const db = connect({ kind: 'sqlite', file: SQLITE_FILE });
  await markGenerated(db);
  return db;
}

async function preparePostgres(): Promise<Db> {
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  try {
    const exists = (await admin.query('select 1 from pg_database where datname = $1', [PG_DB])).rowCount === 1;
    if (exists && !regenerate) {
      const db = connect({ kind: 'postgres', url: pgUrl() });
      await migrateToLatest(db);
      if ((await storedVersion(db)) === GENERATOR_VERSION) return db;
      await db.close();
    }
    await admin.query(`drop database if exists ${PG_DB} with (force)`);
    await admin.query(`create database ${PG_DB}`);
  } finally {
    await admin.end();
  }
  const db = connect({ kind: 'postgres', url: pgUrl() });
  await migrateToLatest(db);
  log('writing PostgreSQL…');
  const started = Date.now();
  const client = new pg.Client({ connectionString: pgUrl() });
  await client.connect();
  const loaded = data().map((t) => t.name);
  for (const t of loaded) await client.query(`alter table ${t} disable trigger user`);
  await client.end();
  await writePostgres(pgUrl(), data());
  const after = new pg.Client({ connectionString: pgUrl() });
  await after.connect();
  for (const t of loaded) await after.query(`alter table ${t} enable trigger user`);
  await after.end();
  log(`PostgreSQL written in ${Math.round((Date.now() - started) / 1000)} s`);
  await markGenerated(db);
  return db;
}

interface Timing {
  runs: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  /** CPU of this process per request (the app's own work; on PostgreSQL the database's is apart). */
  medianCpuMs: number;
  maxCpuMs: number;
}

const YEAR = '/admin/statistiques?annee=2025';
const JSON_URL = '/admin/statistiques.json?from=2025-01-01&to=2025-12-31';
const TEN_YEARS = '/admin/statistiques?du=2016-01-01&au=2025-12-31';

function servicesFor(db: Db): Services {
  return {
    config: { publicUrl: 'http://bench.local', isHttps: false, trustProxy: false, env: 'test' },
    db,
    clock: new ManualClock(DATA_NOW),
    territory: loadTerritory('lozere'),
    logger: createLogger('silent'),
    tokenKey: Buffer.alloc(32, 3),
    mailQueued: () => undefined,
    jobQueued: () => undefined,
    video: {},
  };
}

/** The app over a database, signed in as an agent: `once(url)` is one request, timed in this process. */
async function signedInApp(s: Services) {
  const app = buildApp(s);
  const email = `bench.stats.${randomUUID().slice(0, 8)}@example.org`;
  const password = 'mesurer sans attendre les chiffres de toute une année';
  await createAgent(s, { email, name: 'Banc d’essai', role: 'referent', password, actor: systemActor });
  const signIn = await app.request('/connexion', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, password, retour: '/admin' }).toString() });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
  if (!cookie) throw new Error(`sign-in failed: ${signIn.status}`);
  return async (url: string) => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const res = await app.request(url, { headers: { Cookie: cookie } });
    const body = await res.text();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body.slice(0, 200)}`);
    return { ms, cpuMs: (cpu.user + cpu.system) / 1000, bytes: body.length, body };
  };
}

const targetOf = (dialect: DialectName): DatabaseTarget => (dialect === 'sqlite' ? { kind: 'sqlite', file: SQLITE_FILE } : { kind: 'postgres', url: pgUrl() });

/**
 * A fresh start: a new Node process opens the database, builds the app, signs in, and asks for the
 * page once, nothing in its memory and its code not yet optimised by the JIT. Its server time and CPU.
 */
async function inChild(dialect: DialectName, url: string, startRefresh: boolean): Promise<{ ms: number; cpuMs: number; refreshMs?: number }> {
  const args = [`--child=${dialect}`, `--url=${url}`, ...(startRefresh ? ['--start-refresh'] : [])];
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...args], { cwd: root, encoding: 'utf8', env: process.env });
  const line = out.trim().split('\n').pop()!;
  return JSON.parse(line) as { ms: number; cpuMs: number; refreshMs?: number };
}

/**
 * `startRefresh`: the process first runs the statistics refresh once, as its job runner does when it
 * starts (inline in the web process, the default), before the request; otherwise the request comes
 * first (a web process that runs no job runner, or a request in the first instant after the start).
 */
async function child(dialect: DialectName, url: string, startRefresh: boolean) {
  const db = connect(targetOf(dialect));
  try {
    await migrateToLatest(db);
    const s = servicesFor(db);
    let refreshMs: number | undefined;
    if (startRefresh) {
      const t0 = performance.now();
      await statisticsRefresher(s).run();
      refreshMs = performance.now() - t0;
    }
    const once = await signedInApp(s);
    const r = await once(url);
    process.stdout.write(`${JSON.stringify({ ms: r.ms, cpuMs: r.cpuMs, refreshMs })}\n`);
  } finally {
    await db.close();
  }
}

async function measure(dialect: DialectName, first: Db) {
  const summary = (xs: number[], cpus: number[]): Timing => ({ runs: xs.length, medianMs: round(quantile(xs, 0.5)), p95Ms: round(quantile(xs, 0.95)), maxMs: round(Math.max(...xs)), medianCpuMs: round(quantile(cpus, 0.5)), maxCpuMs: round(Math.max(...cpus)) });
  const cpuNow = () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1000;
  };

  // 1. Right after a migration (or a restore): nothing cached. What a view costs if it comes before
  // the background refresh has run, then how long the refresh takes to make the year and every year
  // current, in the process that runs the job runner.
  log(`${dialect}: nothing cached: a view before the refresh…`);
  await clearStatisticsCache(first);
  await first.close();
  let db = connect(targetOf(dialect));
  const beforeRefresh = await (await signedInApp(servicesFor(db)))(YEAR);
  log(`${dialect}: view before the refresh ${round(beforeRefresh.ms)} ms (CPU ${round(beforeRefresh.cpuMs)} ms); load ${loadavg()}`);
  await clearStatisticsCache(db);
  await db.close();
  db = connect(targetOf(dialect));
  const s = servicesFor(db);
  const refresher = statisticsRefresher(s);
  const t0 = performance.now();
  const c0 = cpuNow();
  let yearReadyMs: number | null = null;
  let runs = 0;
  for (;;) {
    const r = await refresher.run();
    runs++;
    if (yearReadyMs === null && r.years.includes(2025)) yearReadyMs = performance.now() - t0;
    if (r.allYearsDone) break;
  }
  const refresh = { runs, year2025ReadyMs: round(yearReadyMs ?? NaN), allYearsMs: round(performance.now() - t0), allYearsCpuMs: round(cpuNow() - c0) };
  log(`${dialect}: refresh from nothing: 2025 current after ${refresh.year2025ReadyMs} ms, all ten years after ${refresh.allYearsMs} ms (CPU ${refresh.allYearsCpuMs} ms, ${runs} runs); load ${loadavg()}`);

  // 2. A fresh start (restart, deploy, another web process): the first view in a new process, after
  // the refresh's first run (what the job runner does as the process starts), or before it.
  const fresh = async (startRefresh: boolean) => {
    const xs: number[] = [];
    const cpus: number[] = [];
    const refreshes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await inChild(dialect, YEAR, startRefresh);
      xs.push(r.ms);
      cpus.push(r.cpuMs);
      if (r.refreshMs !== undefined) refreshes.push(r.refreshMs);
    }
    return { ...summary(xs, cpus), ...(refreshes.length ? { startRefreshMedianMs: round(quantile(refreshes, 0.5)) } : {}) };
  };
  const freshStart = await fresh(true);
  log(`${dialect}: first view in a new process after its start-up refresh: median ${freshStart.medianMs} ms, max ${freshStart.maxMs} ms (CPU ${freshStart.medianCpuMs} ms; the refresh took ${freshStart.startRefreshMedianMs} ms); load ${loadavg()}`);
  const freshNoRefresh = await fresh(false);
  const freshTen = await inChild(dialect, TEN_YEARS, false);
  log(`${dialect}: first view in a new process with no refresh run yet: median ${freshNoRefresh.medianMs} ms, max ${freshNoRefresh.maxMs} ms (CPU ${freshNoRefresh.medianCpuMs} ms); ten years ${round(freshTen.ms)} ms; load ${loadavg()}`);

  // 3. The usual case: nothing changed since the last view.
  const once = await signedInApp(s);
  const timed = async (url: string, n = RUNS): Promise<Timing & { bytes: number }> => {
    const xs: number[] = [];
    const cpus: number[] = [];
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const r = await once(url);
      xs.push(r.ms);
      cpus.push(r.cpuMs);
      bytes = r.bytes;
    }
    return { ...summary(xs, cpus), bytes };
  };
  const { webinars: _perEdition, ...year2025 } = JSON.parse((await once(JSON_URL)).body) as { registrations: number; distinctPeople: number; editions: { total: number }; webinars: unknown[] };
  log(`${dialect}: ${year2025.editions.total} editions, ${year2025.registrations} registrations, ${year2025.distinctPeople} people in 2025`);
  await once(YEAR);
  const warm = await timed(YEAR);
  log(`${dialect}: year dashboard median ${warm.medianMs} ms (CPU ${warm.medianCpuMs} ms), p95 ${warm.p95Ms} ms, max ${warm.maxMs} ms (${Math.round(warm.bytes / 1024)} KB); load ${loadavg()}`);
  const warmJson = await timed(JSON_URL);
  log(`${dialect}: JSON median ${warmJson.medianMs} ms (CPU ${warmJson.medianCpuMs} ms), p95 ${warmJson.p95Ms} ms`);

  // 4. A day of activity between two views: attendance corrected at three Rencontres of the year, a
  // household asks to be accompanied, a new person's first contact. Then the dashboard at once (the
  // view computes what the writes touched), or after the refresh has run (as it does within seconds).
  const writes = async (i: number) =>
    db.transaction(async (trx) => {
      const regs = await trx
        .selectFrom('registrations')
        .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
        .select(['registrations.id', 'registrations.attended', 'registrations.candidate_id', 'registrations.webinar_id'])
        .where('webinars.starts_at', '>=', '2025-03-01T00:00:00.000Z')
        .where('registrations.status', '=', 'confirmed')
        .orderBy('registrations.id')
        .offset((i * 7919) % 40_000)
        .limit(3)
        .execute();
      for (const r of regs) await trx.updateTable('registrations').set({ attended: r.attended === 1 ? 0 : 1, attended_minutes: r.attended === 1 ? 0 : 30 }).where('id', '=', r.id).execute();
      const who = regs[0]!;
      await trx.insertInto('accompaniment_requests').values({ id: randomUUID(), candidate_id: who.candidate_id, registration_id: who.id, webinar_id: who.webinar_id, project: 'p', horizon: '6-12-mois', movers: 'couple', needs: '[]', message: null, status: 'new', created_at: '2025-12-20T10:00:00.000Z' }).execute();
      const id = randomUUID();
      const at = `2025-12-${String(10 + (i % 20)).padStart(2, '0')}T10:${String(Math.floor(i / 20) % 60).padStart(2, '0')}:00.000Z`;
      await trx.insertInto('candidates').values({ id, email: `${id}@example.org`, email_normalized: `${id}@example.org`, first_name: 'Nouvelle', last_name: 'Personne', phone: null, postcode: '48000', town: null, country: 'France', project: null, household: null, horizon: null, desired_region: null, news_opt_in: 0, news_opt_in_at: null, first_source: null, first_webinar_id: null, created_at: at, updated_at: at, last_contact_at: at }).execute();
    });
  const offset = Math.floor(Math.random() * 1000);
  const afterWrites: number[] = [];
  const afterWritesCpu: number[] = [];
  for (let i = 0; i < 20; i++) {
    await writes(offset + i);
    const r = await once(YEAR);
    afterWrites.push(r.ms);
    afterWritesCpu.push(r.cpuMs);
  }
  const afterWrite = summary(afterWrites, afterWritesCpu);
  log(`${dialect}: first view after writes median ${afterWrite.medianMs} ms (CPU ${afterWrite.medianCpuMs} ms), p95 ${afterWrite.p95Ms} ms, max ${afterWrite.maxMs} ms; load ${loadavg()}`);
  const refreshRuns: number[] = [];
  const afterRefresh: number[] = [];
  const afterRefreshCpu: number[] = [];
  for (let i = 20; i < 25; i++) {
    await writes(offset + i);
    const r0 = performance.now();
    await refresher.run();
    refreshRuns.push(performance.now() - r0);
    const r = await once(YEAR);
    afterRefresh.push(r.ms);
    afterRefreshCpu.push(r.cpuMs);
  }
  const afterWritesRefreshed = { ...summary(afterRefresh, afterRefreshCpu), refreshRunMedianMs: round(quantile(refreshRuns, 0.5)) };
  log(`${dialect}: view after writes once the refresh ran: median ${afterWritesRefreshed.medianMs} ms (the run took ${afterWritesRefreshed.refreshRunMedianMs} ms)`);

  // 5. Ten years at once.
  const tenFirst = await once(TEN_YEARS);
  const tenWarm = await timed(TEN_YEARS, Math.max(5, Math.floor(RUNS / 4)));
  log(`${dialect}: ten years: first ${round(tenFirst.ms)} ms, then median ${tenWarm.medianMs} ms (CPU ${tenWarm.medianCpuMs} ms), p95 ${tenWarm.p95Ms} ms`);
  await db.close();
  return {
    yearDashboard: warm,
    yearJson: warmJson,
    yearDashboardAfterWrites: afterWrite,
    yearDashboardAfterWritesRefreshed: afterWritesRefreshed,
    freshStart,
    freshStartBeforeRefresh: { ...freshNoRefresh, tenYearsMs: round(freshTen.ms), tenYearsCpuMs: round(freshTen.cpuMs) },
    nothingCached: { viewBeforeRefreshMs: round(beforeRefresh.ms), viewBeforeRefreshCpuMs: round(beforeRefresh.cpuMs), refresh },
    tenYearsDashboard: { ...tenWarm, firstMs: round(tenFirst.ms) },
    year2025,
    loadAverage: loadavg(),
    meetsTarget: warm.p95Ms < TARGET_MS && warmJson.p95Ms < TARGET_MS && afterWrite.p95Ms < TARGET_MS && freshStart.maxMs < TARGET_MS,
  };
}

const childArg = argv.find((a) => a.startsWith('--child='));
if (childArg) {
  await child(childArg.slice(8) as DialectName, option('url', YEAR), argv.includes('--start-refresh'));
  process.exit(0);
}

const results: Record<string, unknown> = {};
// Each measure closes the database it is given (it opens its own to start with an empty memory).
results.sqlite = await measure('sqlite', await prepareSqlite());
if (withPostgres) results.postgres = await measure('postgres', await preparePostgres());
const report = {
  scenario: 'statistics dashboard, national scale',
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? 'unknown', node: process.version },
  dataSet: { ...SCALE, generator: GENERATOR_VERSION, now: DATA_NOW },
  targetMs: TARGET_MS,
  loadAverageAtEnd: loadavg(),
  note: 'The machine has two cores; loadAverage says how busy it was with other work while measuring (wall times grow with it, CPU times much less). Server time in the process (request to last byte). yearDashboard: /admin/statistiques?annee=2025, nothing changed since the last view; yearJson: its JSON; yearDashboardAfterWrites: the view right after attendance changes at three Rencontres, a request and a new first contact (the view computes what they touched); yearDashboardAfterWritesRefreshed: the same once the background refresh has run; freshStart: the first view in a new process (restart, deploy: nothing in memory, the JIT cold) once the statistics refresh has run once, as the job runner does when the process starts; freshStartBeforeRefresh: the same before any refresh (a web process that runs no job runner), the facts being stored; nothingCached: right after a migration or a restore, a view that comes before the refresh, and how long the refresh takes to make 2025 and all ten years current; tenYearsDashboard: 2016-2025 at once.',
  results,
};
fs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
fs.writeFileSync(path.join(root, 'bench/results/stats.json'), `${JSON.stringify(report, null, 2)}\n`);
log('written bench/results/stats.json');
process.exit(0);
