/**
 * What the statistics triggers cost a registration: the same inserts on a database migrated up to
 * 0010 (the triggers of migration 0008, by month) and on one migrated to the latest (0011, by day),
 * and on one without any statistics trigger, as the floor (the other migrations the same on all three). The inserts are those of registering: a new
 * person's file and registration, and a known person registering to a later Rencontre (their own
 * Rencontre and the later ones are bumped). CPU of the statements only: SQLite with synchronous=OFF,
 * so that the disk does not hide the difference; PostgreSQL through one connection.
 *
 *   node --import tsx bench/scenarios/stats-triggers.ts [--n=20000] [--rounds=3] [--no-postgres]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Migrator, type Migration } from 'kysely';
import pg from 'pg';
import { connect, type Db } from '../../src/platform/db/database.ts';


const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const N = Number(option('n', '20000'));
const ROUNDS = Number(option('rounds', '3'));
const PG_ADMIN = process.env.BENCH_DATABASE_URL ?? 'postgres://nouvellevie:nouvellevie@127.0.0.1:5432/postgres';


async function migrations(): Promise<Record<string, Migration>> {
  const names = fs.readdirSync(new URL('../../src/platform/db/migrations/', import.meta.url)).filter((f) => /^\d{4}-[^.]+\.ts$/.test(f));
  const out: Record<string, Migration> = {};
  for (const f of names.sort()) out[f.replace(/\.ts$/, '')] = await import(`../../src/platform/db/migrations/${f}`);
  return out;
}

type Variant = 'none' | '0008' | 'latest';
async function migrate(db: Db, variant: Variant) {
  const ms = await migrations();
  // Every migration but the statistics' later ones for 0008's triggers, so that only the triggers differ.
  const upTo = variant === 'latest' ? Object.keys(ms) : Object.keys(ms).filter((n) => !/^00(11|12)-/.test(n));
  const migrator = new Migrator({ db: db.kysely, provider: { getMigrations: async () => Object.fromEntries(upTo.map((n) => [n, ms[n]!])) }, allowUnorderedMigrations: true });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}

const WEBINARS = 200;
const at = (i: number) => new Date(Date.UTC(2027, 0, 1) + i * 60_000).toISOString();
function rows(round: number) {
  const webinars = Array.from({ length: WEBINARS }, (_, i) => ({ id: `w${round}-${i}`, starts_at: new Date(Date.UTC(2027, 1, 1) + i * 86_400_000).toISOString() }));
  return { webinars };
}

async function sqliteRun(variant: Variant, round: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nv-trig-'));
  const file = path.join(dir, 'db.sqlite');
  const db = connect({ kind: 'sqlite', file });
  await migrate(db, variant === 'none' ? '0008' : variant);
  await db.close();
  const raw = new BetterSqlite3(file);
  raw.pragma('synchronous = OFF');
  // As the app opens it (database.ts): a statement journal in memory, not in a temporary file.
  raw.pragma('temp_store = MEMORY');
  if (variant === 'none') for (const t of raw.prepare(`select name from sqlite_master where type = 'trigger' and name like 'stats_%'`).all() as Array<{ name: string }>) raw.exec(`drop trigger ${t.name}`);
  const { webinars } = rows(round);
  const w = raw.prepare(`insert into webinars (id, slug, title, kind, status, starts_at, ends_at, created_at, updated_at) values (?, ?, 't', 'generic', 'published', ?, ?, ?, ?)`);
  for (const x of webinars) w.run(x.id, x.id, x.starts_at, x.starts_at, x.starts_at, x.starts_at);
  const c = raw.prepare(`insert into candidates (id, email, email_normalized, first_name, last_name, news_opt_in, created_at, updated_at, last_contact_at) values (?, ?, ?, 'P', 'N', 0, ?, ?, ?)`);
  const r = raw.prepare(`insert into registrations (id, webinar_id, candidate_id, status, token_nonce, manage_token_hash, created_at) values (?, ?, ?, 'confirmed', 'n', ?, ?)`);
  const batch = 100;
  const newPeople = () => {
    for (let i = 0; i < N; i += batch) {
      raw.transaction(() => {
        for (let j = i; j < i + batch; j++) {
          c.run(`c${j}`, `p${j}@x`, `p${j}@x`, at(j), at(j), at(j));
          r.run(`r${j}`, webinars[j % WEBINARS]!.id, `c${j}`, `h${j}`, at(j));
        }
      })();
    }
  };
  const again = () => {
    for (let i = 0; i < N; i += batch) {
      raw.transaction(() => {
        for (let j = i; j < i + batch; j++) r.run(`s${j}`, webinars[(j + 7) % WEBINARS]!.id, `c${j}`, `k${j}`, at(N + j));
      })();
    }
  };
  const time = (f: () => void) => {
    const c0 = process.cpuUsage();
    f();
    const u = process.cpuUsage(c0);
    return (u.user + u.system) / 1000;
  };
  const out = { newPerson: time(newPeople), knownPerson: time(again) };
  raw.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

async function postgresRun(variant: Variant, round: number) {
  const name = `nv_bench_triggers_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  const url = Object.assign(new URL(PG_ADMIN), { pathname: `/${name}` }).toString();
  try {
    const db = connect({ kind: 'postgres', url });
    await migrate(db, variant === 'none' ? '0008' : variant);
    await db.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    if (variant === 'none') for (const t of ['registrations', 'candidates']) await client.query(`alter table ${t} disable trigger user`);
    const { webinars } = rows(round);
    for (const x of webinars) await client.query(`insert into webinars (id, slug, title, kind, status, starts_at, ends_at, created_at, updated_at) values ($1, $1, 't', 'generic', 'published', $2, $2, $2, $2)`, [x.id, x.starts_at]);
    const n = Math.min(N, 5000);
    const batch = 100;
    const run = async (f: (j: number) => Promise<unknown>) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i += batch) {
        await client.query('begin');
        for (let j = i; j < i + batch; j++) await f(j);
        await client.query('commit');
      }
      return performance.now() - t0;
    };
    const newPerson = await run(async (j) => {
      await client.query({ name: 'c', text: `insert into candidates (id, email, email_normalized, first_name, last_name, news_opt_in, created_at, updated_at, last_contact_at) values ($1, $2, $2, 'P', 'N', 0, $3, $3, $3)`, values: [`c${j}`, `p${j}@x`, at(j)] });
      await client.query({ name: 'r', text: `insert into registrations (id, webinar_id, candidate_id, status, token_nonce, manage_token_hash, created_at) values ($1, $2, $3, 'confirmed', 'n', $4, $5)`, values: [`r${j}`, webinars[j % WEBINARS]!.id, `c${j}`, `h${j}`, at(j)] });
    });
    const knownPerson = await run((j) => client.query({ name: 'r', text: `insert into registrations (id, webinar_id, candidate_id, status, token_nonce, manage_token_hash, created_at) values ($1, $2, $3, 'confirmed', 'n', $4, $5)`, values: [`s${j}`, webinars[(j + 7) % WEBINARS]!.id, `c${j}`, `k${j}`, at(N + j)] }));
    await client.end();
    return { newPerson: (newPerson * N) / n, knownPerson: (knownPerson * N) / n };
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

const report: Record<string, Record<Variant, { newPerson: number[]; knownPerson: number[] }>> = {};
for (const [dialect, run] of [['sqlite', sqliteRun], ...(argv.includes('--no-postgres') ? [] : [['postgres', postgresRun]])] as Array<[string, typeof sqliteRun]>) {
  const empty = () => ({ newPerson: [] as number[], knownPerson: [] as number[] });
  const r = (report[dialect] = { none: empty(), '0008': empty(), latest: empty() });
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of ['none', '0008', 'latest'] as Variant[]) {
      const x = await run(v, round);
      r[v].newPerson.push(x.newPerson);
      r[v].knownPerson.push(x.knownPerson);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  for (const v of ['none', '0008', 'latest'] as Variant[]) {
    console.log(`${dialect} ${v.padEnd(7)} µs per registration: new person ${((1000 * med(r[v].newPerson)) / N).toFixed(1)}, known person ${((1000 * med(r[v].knownPerson)) / N).toFixed(1)} (${dialect === 'sqlite' ? 'CPU' : 'wall'}; load ${os.loadavg()[0]!.toFixed(1)})`);
  }
}
process.exit(0);
