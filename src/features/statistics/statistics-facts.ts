import { sql, type Kysely } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import {
  contactsByMonth,
  funnel,
  monthVersions,
  registrantsByPrevious,
  registrationCountsByEdition,
  registrationsBy,
  replaysSentByEdition,
  requestsByEdition,
  type FunnelHistogramRow,
  type FunnelStayRow,
} from './statistics-queries.ts';
import { placeOf } from './departements.ts';
import { funnelGaps } from './statistics.ts';

/**
 * The facts of one Rencontre and of one month of first contact, computed from the records by the
 * queries of statistics-queries.ts and kept as JSON beside a version (docs/decisions/0014-statistics-facts-cached-under-versions.md). A
 * database trigger bumps an edition's version, or a month's, in the same transaction as any write
 * that changes what its facts are made of; facts whose version is not the current one are computed
 * again before they are used. The version is read before the records, so a stored pair is never
 * older than its version: at worst newer, and then recomputed once more.
 */

export interface FunnelFacts {
  format?: number;
  n: { registered: number; attended: number; asked: number; accompanied: number; installed: number };
  /** [gap (its index in funnelGaps), days, households] */
  hist: Array<[number, number, number]>;
  /** [installed on, left on, households]: the first installation of each household that settled. */
  stays: Array<[string, string | null, number]>;
}

/** Bumped when the shape of the facts changes: facts stored in another shape are computed again. */
export const FACTS_FORMAT = 2;

export interface EditionFacts {
  format: number;
  confirmed: number;
  waitlisted: number;
  cancelled: number;
  attendees: number;
  minutesSum: number;
  minutesN: number;
  /** [utm_source, registrations, attendees] */
  sources: Array<[string | null, number, number]>;
  projects: Array<[string | null, number]>;
  households: Array<[string | null, number]>;
  /**
   * [start of the person's previous Rencontre in minutes since 1970 or null, where they live (a
   * département, "pays:…" or "inconnu"), people]: enough to count each person once in any period.
   */
  registrants: Array<[number | null, string, number]>;
  requests: number;
  replays: { attended: number; absent: number };
  funnel: FunnelFacts;
}

/** The tables of migration 0008, known here only (the schema of the other features does not need them). */
interface StatisticsTables extends Database {
  stats_edition_cache: { webinar_id: string; version: number; data: string; computed_at: string };
  stats_month_cache: { zone: string; month: string; stamp: string; data: string; computed_at: string };
}
const statsDb = (db: Db) => db.kysely as unknown as Kysely<StatisticsTables>;

const GAPS = funnelGaps.map(([a, b]) => `${a}-${b}`);

/** Rows grouped by the edition they belong to, once (not a scan of all rows for each edition). */
function byEdition<T extends { id: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const list = out.get(r.id);
    if (list) list.push(r);
    else out.set(r.id, [r]);
  }
  return out;
}

const emptyFunnel = (): FunnelFacts => ({ n: { registered: 0, attended: 0, asked: 0, accompanied: 0, installed: 0 }, hist: [], stays: [] });

function addFunnel(into: Map<string, FunnelFacts>, aggregates: Awaited<ReturnType<typeof funnel>>) {
  const get = (k: string) => {
    let f = into.get(k);
    if (!f) into.set(k, (f = emptyFunnel()));
    return f;
  };
  for (const a of aggregates.aggregates) get(a.cohort).n = a.counts;
  for (const h of aggregates.histograms as FunnelHistogramRow[]) get(h.cohort).hist.push([GAPS.indexOf(h.gap), h.days, h.count]);
  for (const st of aggregates.stays as FunnelStayRow[]) get(st.cohort).stays.push([st.installedOn, st.leftOn, st.count]);
}

/** The facts of the editions given, from the records (a few grouped queries for all of them together). */
export async function computeEditionFacts(db: Db, ids: readonly string[]): Promise<Map<string, EditionFacts>> {
  const k = db.kysely;
  const [counts, sources, projects, households, registrants, requests, replays, f] = await Promise.all([
    registrationCountsByEdition(k, ids),
    registrationsBy(k, ids, 'utm_source'),
    registrationsBy(k, ids, 'project'),
    registrationsBy(k, ids, 'household'),
    registrantsByPrevious(k, ids),
    requestsByEdition(k, ids),
    replaysSentByEdition(k, ids),
    funnel(k, db.dialect, { kind: 'edition', ids }),
  ]);
  const funnels = new Map<string, FunnelFacts>();
  addFunnel(funnels, f);
  const [src, prj, hh, reg] = [byEdition(sources), byEdition(projects), byEdition(households), byEdition(registrants)];
  const out = new Map<string, EditionFacts>();
  for (const id of ids) {
    const c = counts.get(id) ?? { confirmed: 0, waitlisted: 0, cancelled: 0, attendees: 0, minutesSum: 0, minutesN: 0 };
    const people = new Map<string, [number | null, string, number]>();
    for (const x of reg.get(id) ?? []) {
      const prev = x.prev === null ? null : Math.floor(Date.parse(x.prev) / 60_000);
      const place = placeOf(x.prefix, x.country);
      const key = `${prev}|${place}`;
      const e = people.get(key);
      if (e) e[2] += x.count;
      else people.set(key, [prev, place, x.count]);
    }
    out.set(id, {
      format: FACTS_FORMAT,
      ...c,
      sources: (src.get(id) ?? []).map((x) => [x.key, x.count, x.attendees]),
      projects: (prj.get(id) ?? []).map((x) => [x.key, x.count]),
      households: (hh.get(id) ?? []).map((x) => [x.key, x.count]),
      registrants: [...people.values()],
      requests: requests.get(id) ?? 0,
      replays: replays.get(id) ?? { attended: 0, absent: 0 },
      funnel: funnels.get(id) ?? emptyFunnel(),
    });
  }
  return out;
}

/** Large recomputations go by chunks: bounded statements and parameters on both databases. */
const CHUNK = 400;

function chunks<T>(xs: readonly T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

async function storeRows(db: Db, table: 'stats_edition_cache' | 'stats_month_cache', rows: Array<Record<string, string | number>>) {
  if (rows.length === 0) return;
  const k = db.kysely as unknown as Kysely<Record<string, Record<string, string | number>>>;
  const conflict = table === 'stats_edition_cache' ? ['webinar_id'] : ['zone', 'month'];
  const set = table === 'stats_edition_cache' ? ['version', 'data', 'computed_at'] : ['stamp', 'data', 'computed_at'];
  await db.transaction(async (trx) => {
    const t = trx as unknown as typeof k;
    for (const part of chunks(rows, 200)) {
      await t
        .insertInto(table)
        .values(part)
        .onConflict((oc) => oc.columns(conflict as never).doUpdateSet(Object.fromEntries(set.map((c) => [c, (eb: { ref(c: string): unknown }) => eb.ref(`excluded.${c}`)])) as never))
        .execute();
    }
  });
}

/**
 * Facts already read, kept in this process under their version, so that a warm dashboard neither
 * reads nor parses the stored JSON again: they are used only when the version read from the
 * database this time is the same, so this memory can never be staler than the stored facts. Per
 * database (tests open many), bounded, least recently used first out; never mutated by readers.
 */
const MEMORY_LIMIT = 20_000;
const memories = new WeakMap<Db, Map<string, { version: number; facts: EditionFacts }>>();
function memoryOf(db: Db) {
  let m = memories.get(db);
  if (!m) memories.set(db, (m = new Map()));
  return m;
}
function remembered(db: Db, id: string, version: number): EditionFacts | null {
  const m = memoryOf(db);
  const e = m.get(id);
  if (!e || e.version !== version) return null;
  m.delete(id);
  m.set(id, e);
  return e.facts;
}
function remember(db: Db, id: string, version: number, facts: EditionFacts) {
  const m = memoryOf(db);
  m.delete(id);
  m.set(id, { version, facts });
  if (m.size > MEMORY_LIMIT) m.delete(m.keys().next().value!);
}

/**
 * The facts of the editions given (with the version each was read at), from the cache where it is
 * current, computed again (and stored) where it is not.
 */
export async function loadEditionFacts(db: Db, editions: ReadonlyArray<{ id: string; version: number }>, now: Date): Promise<Map<string, EditionFacts>> {
  const out = new Map<string, EditionFacts>();
  if (editions.length === 0) return out;
  for (const e of editions) {
    const known = remembered(db, e.id, e.version);
    if (known) out.set(e.id, known);
  }
  const k = statsDb(db);
  for (const part of chunks(editions.filter((e) => !out.has(e.id)), 1000)) {
    const rows = await k.selectFrom('stats_edition_cache').select(['webinar_id', 'version', 'data']).where('webinar_id', 'in', part.map((e) => e.id)).execute();
    const cached = new Map(rows.map((r) => [r.webinar_id, r]));
    for (const e of part) {
      const c = cached.get(e.id);
      if (!c || Number(c.version) !== e.version) continue;
      const facts = JSON.parse(c.data) as EditionFacts;
      if (facts.format === FACTS_FORMAT) {
        out.set(e.id, facts);
        remember(db, e.id, e.version, facts);
      }
    }
  }
  const stale = editions.filter((e) => !out.has(e.id));
  const at = now.toISOString();
  for (const part of chunks(stale)) {
    const facts = await computeEditionFacts(db, part.map((e) => e.id));
    const rows: Array<Record<string, string | number>> = [];
    for (const e of part) {
      const f = facts.get(e.id)!;
      out.set(e.id, f);
      remember(db, e.id, e.version, f);
      rows.push({ webinar_id: e.id, version: e.version, data: JSON.stringify(f), computed_at: at });
    }
    await storeRows(db, 'stats_edition_cache', rows);
  }
  return out;
}

export interface CohortMonth {
  /** YYYY-MM in the zone. */
  month: string;
  startUtc: string;
  endUtc: string;
}

/** The UTC months whose counters guard a month of the zone: every UTC month its instants fall in. */
function guardingMonths(m: CohortMonth): string[] {
  const out = [m.startUtc.slice(0, 7)];
  const last = new Date(Date.parse(m.endUtc) - 1).toISOString().slice(0, 7);
  if (last !== out[0]) out.push(last);
  return out;
}

/**
 * The funnel facts of months of first contact in a zone, cached like an edition's. A month's facts
 * are current while the counters of the UTC months it spans are unchanged (bumped by the triggers on
 * any later change of its households) and while it has the same first contacts (a new household is
 * counted here rather than by a counter, so that registering never waits on a month's counter).
 */
export async function loadMonthFacts(db: Db, zone: string, months: readonly CohortMonth[], now: Date): Promise<Map<string, FunnelFacts>> {
  const out = new Map<string, FunnelFacts>();
  if (months.length === 0) return out;
  const versions = await monthVersions(db.kysely, [...new Set(months.flatMap(guardingMonths))]);
  const contacts = await contactsByMonth(db.kysely, months);
  const stampOf = (m: CohortMonth) => {
    const c = contacts.get(m.month) ?? { count: 0, last: null };
    return `${guardingMonths(m)
      .map((g) => `${g}:${versions.get(g) ?? 0}`)
      .join(',')}|${c.count}|${c.last ?? ''}`;
  };
  const k = statsDb(db);
  const rows = await k.selectFrom('stats_month_cache').select(['month', 'stamp', 'data']).where('zone', '=', zone).where('month', 'in', months.map((m) => m.month)).execute();
  const cached = new Map(rows.map((r) => [r.month, r]));
  const stale: CohortMonth[] = [];
  for (const m of months) {
    const c = cached.get(m.month);
    const facts = c && c.stamp === stampOf(m) ? (JSON.parse(c.data) as FunnelFacts) : null;
    if (facts && facts.format === FACTS_FORMAT) out.set(m.month, facts);
    else stale.push(m);
  }
  if (stale.length === 0) return out;
  // Contiguous runs of months are computed together: one pass over their households.
  const runs: CohortMonth[][] = [];
  for (const m of stale) {
    const run = runs[runs.length - 1];
    if (run && run[run.length - 1]!.endUtc === m.startUtc && run.length < 24) run.push(m);
    else runs.push([m]);
  }
  const at = now.toISOString();
  const store: Array<Record<string, string | number>> = [];
  for (const run of runs) {
    const facts = new Map<string, FunnelFacts>();
    addFunnel(facts, await funnel(db.kysely, db.dialect, { kind: 'month', months: run, endUtc: run[run.length - 1]!.endUtc }));
    for (const m of run) {
      const f = { ...(facts.get(m.month) ?? emptyFunnel()), format: FACTS_FORMAT };
      out.set(m.month, f);
      store.push({ zone, month: m.month, stamp: stampOf(m), data: JSON.stringify(f), computed_at: at });
    }
  }
  await storeRows(db, 'stats_month_cache', store);
  return out;
}

/** Forgets every cached fact (they are computed again on the next read): for a test or an operator. */
export async function clearStatisticsCache(db: Db): Promise<void> {
  memoryOf(db).clear();
  await sql`delete from stats_edition_cache`.execute(db.kysely);
  await sql`delete from stats_month_cache`.execute(db.kysely);
}
