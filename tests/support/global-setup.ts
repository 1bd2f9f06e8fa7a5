import fs from 'node:fs';
import pg from 'pg';
import { connect } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';


/**
 * Migrates once per run: a SQLite template file and a PostgreSQL template database, which each test
 * copies instead of running the migrations again.
 */
export default async function setup({ provide }: { provide: (key: string, value: unknown) => void }) {
  // Set before the workers start, so that they inherit it (see env.ts).
  process.env.NV_TEST_RUN = String(process.pid);
  const { CHROMIUM_PATH, isCI, PG_TEMPLATE_DB, pgAdminUrl, pgUrlFor, SQLITE_TEMPLATE, TEST_ROOT, TEST_TMP } = await import('./env.ts');
  removeStaleRuns(TEST_ROOT);
  fs.mkdirSync(TEST_TMP, { recursive: true });
  const sqlite = connect({ kind: 'sqlite', file: SQLITE_TEMPLATE });
  await migrateToLatest(sqlite);
  await sqlite.close();
  // Fold the WAL into the main file so that a plain copy of it is complete.
  const { default: Database } = await import('better-sqlite3');
  const raw = new Database(SQLITE_TEMPLATE);
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.pragma('journal_mode = DELETE');
  raw.close();

  let pgReason: string | null = null;
  const admin = new pg.Client({ connectionString: pgAdminUrl, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
    // Databases left by runs whose process is gone (killed, crashed); live runs are left alone.
    const all = await admin.query(`select datname from pg_database where datname ~ '^nv_[0-9]+_'`);
    for (const r of all.rows) {
      const pid = Number(/^nv_(\d+)_/.exec(r.datname)![1]);
      if (!isAlive(pid)) await admin.query(`drop database if exists "${r.datname}" with (force)`);
    }
    await admin.query(`create database "${PG_TEMPLATE_DB}"`);
    const db = connect({ kind: 'postgres', url: pgUrlFor(PG_TEMPLATE_DB), poolSize: 1 });
    await migrateToLatest(db);
    await db.close();
  } catch (e) {
    pgReason = `PostgreSQL unreachable at ${pgAdminUrl.replace(/:[^:@/]+@/, ':***@')}: ${(e as Error).message}`;
  } finally {
    await admin.end().catch(() => undefined);
  }
  if (pgReason && isCI) throw new Error(`CI=true but ${pgReason}`);
  const chromiumReason = fs.existsSync(CHROMIUM_PATH) ? null : `Chromium not found at ${CHROMIUM_PATH}`;
  if (chromiumReason && isCI) throw new Error(`CI=true but ${chromiumReason}`);
  if (pgReason) process.stdout.write(`\n[skipped: ${pgReason}] PostgreSQL suites will be skipped.\n`);
  if (chromiumReason) process.stdout.write(`\n[skipped: ${chromiumReason}] browser suites will be skipped.\n`);
  provide('pgAvailable', pgReason === null);
  provide('chromiumAvailable', chromiumReason === null);

  return async function teardown() {
    fs.rmSync(TEST_TMP, { recursive: true, force: true });
    if (pgReason) return;
    const a = new pg.Client({ connectionString: pgAdminUrl });
    try {
      await a.connect();
      const mine = await a.query(`select datname from pg_database where datname like $1`, [`nv_${process.pid}_%`]);
      for (const r of mine.rows) await a.query(`drop database if exists "${r.datname}" with (force)`);
    } finally {
      await a.end().catch(() => undefined);
    }
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeStaleRuns(root: string) {
  if (!fs.existsSync(root)) return;
  for (const entry of fs.readdirSync(root)) {
    const m = /^run-(\d+)$/.exec(entry);
    if (m && !isAlive(Number(m[1]))) fs.rmSync(`${root}${entry}`, { recursive: true, force: true });
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAvailable: boolean;
    chromiumAvailable: boolean;
  }
}
