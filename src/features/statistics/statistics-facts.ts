import { sql, type Kysely, type Transaction } from 'kysely';
import type { Db } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';
import {
  contactsByDay,
  contactsIn,
  dayVersions,
  funnel,
  registrantsByPrevious,
  registrationCountsByEdition,
  registrationsBy,
  replaysSentByEdition,
  requestsByEdition,
  storedDayStamps,
  type EditionRow,
  type FunnelHistogramRow,
  type FunnelStayRow,
} from './statistics-queries.ts';
import { placeOf } from './departements.ts';
import type { ZoneDay, ZoneMonth } from './period.ts';
import { funnelGaps, funnelMedians, type FunnelGap, type Median } from './statistics.ts';

/**
 * The facts of one Rencontre and of one day of first contact, computed from the records by the
 * queries of statistics-queries.ts and kept as JSON beside what they were computed from
 * (docs/decisions/0014-statistics-facts-cached-under-versions.md). A database trigger bumps an
 * edition's version, or a UTC day's, in the same transaction as any write that changes what its facts
 * are made of; a day's facts are also checked against the count and last instant of the first
 * contacts in it. Facts that are not current are computed again before they are used. What they are
 * checked against is read before the records, so a stored pair is never older than its stamp: at
 * worst newer, and then computed once more.
 *
 * This process keeps the facts it read or computed, prepared for summing (typed arrays of interned
 * keys). Facts it read are used only while the stored row still says the same version or stamp (the
 * memory is a parsed copy of them); facts it computed, while the version or stamp is the one they were
 * computed at (the background refresh stores them: a view does not wait for a write).
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

/** Strings given small numbers, so that facts are summed in typed arrays (one table per kind, for the process). */
export class Interned {
  readonly keys: Array<string | null> = [];
  readonly #ids = new Map<string | null, number>();
  id(key: string | null): number {
    let i = this.#ids.get(key);
    if (i === undefined) {
      i = this.keys.length;
      this.keys.push(key);
      this.#ids.set(key, i);
    }
    return i;
  }
}
export const placeKeys = new Interned();
export const sourceKeys = new Interned();
export const projectKeys = new Interned();
export const householdKeys = new Interned();

/** An edition's facts as this process sums them. Shared between requests: never changed once made. */
export interface PreparedEdition {
  confirmed: number;
  waitlisted: number;
  cancelled: number;
  attendees: number;
  minutesSum: number;
  minutesN: number;
  requests: number;
  replaysAttended: number;
  replaysAbsent: number;
  /** Registrants who had come before (a previous Rencontre). */
  returning: number;
  /** [source id, registrations, attendees] … */
  sources: Int32Array;
  /** [project id, registrations] … */
  projects: Int32Array;
  /** [household id, registrations] … */
  households: Int32Array;
  /** Per group of registrants: the start of their previous Rencontre in minutes (-Infinity: none), their place id, how many. */
  previous: Float64Array;
  places: Int32Array;
  people: Int32Array;
  funnel: { n: FunnelFacts['n']; medians: Readonly<Record<FunnelGap, Median>>; stays: FunnelFacts['stays'] };
}

/** [key, n, (attendees)] rows as one typed array of interned ids and counts. */
function keyed(rows: ReadonlyArray<readonly [string | null, number, number?]>, keys: Interned, width: 2 | 3): Int32Array {
  const out = new Int32Array(rows.length * width);
  rows.forEach((r, i) => {
    out[i * width] = keys.id(r[0]);
    out[i * width + 1] = r[1];
    if (width === 3) out[i * width + 2] = r[2] ?? 0;
  });
  return out;
}

export function prepareEdition(f: EditionFacts): PreparedEdition {
  const k = f.registrants.length;
  const previous = new Float64Array(k);
  const places = new Int32Array(k);
  const people = new Int32Array(k);
  let returning = 0;
  for (let i = 0; i < k; i++) {
    const [prev, place, n] = f.registrants[i]!;
    previous[i] = prev === null ? -Infinity : prev;
    places[i] = placeKeys.id(place);
    people[i] = n;
    if (prev !== null) returning += n;
  }
  return {
    confirmed: f.confirmed,
    waitlisted: f.waitlisted,
    cancelled: f.cancelled,
    attendees: f.attendees,
    minutesSum: f.minutesSum,
    minutesN: f.minutesN,
    requests: f.requests,
    replaysAttended: f.replays.attended,
    replaysAbsent: f.replays.absent,
    returning,
    sources: keyed(f.sources, sourceKeys, 3),
    projects: keyed(f.projects, projectKeys, 2),
    households: keyed(f.households, householdKeys, 2),
    previous,
    places,
    people,
    funnel: Object.freeze({ n: Object.freeze({ ...f.funnel.n }), medians: Object.freeze(funnelMedians([f.funnel.hist])), stays: f.funnel.stays }),
  };
}

/** The tables of migrations 0008, 0011 and 0012, known here only (the schema of the other features does not need them). */
export interface StatisticsTables extends Database {
  stats_edition_cache: { webinar_id: string; version: number; data: string; computed_at: string };
  stats_day_cache: { zone: string; day: string; stamp: string; data: string; computed_at: string };
  stats_period_cache: { zone: string; period: string; fingerprint: string; data: string; computed_at: string };
}
export const statsDb = (db: Db) => db.kysely as unknown as Kysely<StatisticsTables>;

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

/**
 * A transaction that writes only what can be computed again (cached facts, stored figures): on
 * PostgreSQL its commit does not wait for the disk (a crash may lose it, and then it is computed
 * again); on SQLite the connection's durability is shared with the registrations and left as it is.
 */
export async function cacheTransaction(db: Db, f: (trx: Transaction<Database>) => Promise<void>): Promise<void> {
  await db.transaction(async (trx) => {
    if (db.dialect === 'postgres') await sql`set local synchronous_commit to off`.execute(trx);
    await f(trx);
  });
}

async function storeRows(db: Db, table: 'stats_edition_cache' | 'stats_day_cache', rows: Array<Record<string, string | number>>) {
  if (rows.length === 0) return;
  const k = db.kysely as unknown as Kysely<Record<string, Record<string, string | number>>>;
  const conflict = table === 'stats_edition_cache' ? ['webinar_id'] : ['zone', 'day'];
  const set = table === 'stats_edition_cache' ? ['version', 'data', 'computed_at'] : ['stamp', 'data', 'computed_at'];
  await cacheTransaction(db, async (trx) => {
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
 * What this process remembers of a database: prepared facts under the version or stamp they were
 * stored with, least recently used first out; and the one recomputation running (a view and the
 * background refresh needing the same facts compute them once).
 */
interface Memory {
  /** The figures of periods (compute-statistics.ts), under the fingerprint of what they were computed from. */
  figures: Map<string, { fingerprint: string; figures: unknown }>;
  /** `pending`: computed by this process and not stored yet (the row to store), see storePendingFacts. */
  editions: Map<string, { version: number; facts: PreparedEdition; seq: number; pending?: Record<string, string | number> }>;
  days: Map<string, { stamp: string; facts: FunnelFacts; seq: number; pending?: Record<string, string | number> }>;
  /** The recomputation running, one for editions and one for days (they touch different facts). */
  queues: { editions: Promise<void>; days: Promise<void> };
  /** Counts what was remembered: an entry newer than a decision to compute was stored after it. */
  seq: number;
}
/** Ten years of a national deployment (10,000 Rencontres, 3,650 days) fit, at about a kilobyte each. */
const MEMORY_LIMIT = 20_000;
const memories = new WeakMap<Db, Memory>();
function memoryOf(db: Db): Memory {
  let m = memories.get(db);
  if (!m) memories.set(db, (m = { figures: new Map(), editions: new Map(), days: new Map(), queues: { editions: Promise.resolve(), days: Promise.resolve() }, seq: 0 }));
  return m;
}
function recall<V>(m: Map<string, V>, key: string): V | undefined {
  const v = m.get(key);
  if (v !== undefined) {
    m.delete(key);
    m.set(key, v);
  }
  return v;
}
function keep<V>(m: Map<string, V>, key: string, v: V) {
  m.delete(key);
  m.set(key, v);
  if (m.size > MEMORY_LIMIT) m.delete(m.keys().next().value!);
}

/** The figures this process last computed for a period, if they were computed from what `fingerprint` names. */
export function rememberedFigures<T>(db: Db, period: string, fingerprint: string): T | null {
  const m = recall(memoryOf(db).figures, period);
  return m && m.fingerprint === fingerprint ? (m.figures as T) : null;
}

const FIGURES_LIMIT = 32;
export function rememberFigures(db: Db, period: string, fingerprint: string, figures: unknown) {
  const m = memoryOf(db).figures;
  m.delete(period);
  m.set(period, { fingerprint, figures });
  if (m.size > FIGURES_LIMIT) m.delete(m.keys().next().value!);
}

/** Runs recomputations of this process one at a time. */
async function exclusively<T>(db: Db, kind: 'editions' | 'days', f: () => Promise<T>): Promise<T> {
  const m = memoryOf(db);
  const before = m.queues[kind];
  let release!: () => void;
  m.queues[kind] = new Promise<void>((r) => (release = r));
  await before;
  try {
    return await f();
  } finally {
    release();
  }
}

export interface LoadOptions {
  /** Editions (or days) computed together. */
  chunk?: number;
  /** For the background refresh: stop computing after this instant (performance.now()); what is left is left out. */
  deadline?: number;
  /**
   * For the background refresh: store what is computed at once. A view does not: it keeps what it
   * computed for this process and the refresh stores it (storePendingFacts), so that a view never
   * waits for a write of its own (on SQLite, an fsync behind the registrations' writes).
   */
  store?: boolean;
}

/**
 * Stores the facts this process computed for its views and has not stored yet: what another process
 * (or this one after a restart) will read. Facts computed at a version stay right for that version
 * whenever they are stored; stored late, at worst they are older than the current version and are
 * then not used.
 */
export async function storePendingFacts(db: Db): Promise<void> {
  const m = memoryOf(db);
  for (const [table, memory] of [
    ['stats_edition_cache', m.editions],
    ['stats_day_cache', m.days],
  ] as const) {
    const pending = [...memory.values()].filter((e) => e.pending);
    if (pending.length === 0) continue;
    await storeRows(db, table, pending.map((e) => e.pending!));
    for (const e of pending) delete e.pending;
  }
}

/**
 * The facts of the editions given (with the version each was read at and the version of its stored
 * facts), from memory or the stored facts where they are current, computed again where they are not
 * (and stored, with `store`).
 */
export async function loadEditionFacts(db: Db, editions: readonly EditionRow[], now: Date, opts: LoadOptions = {}): Promise<Map<string, PreparedEdition>> {
  const out = new Map<string, PreparedEdition>();
  const mem = memoryOf(db);
  const memory = mem.editions;
  const decided = mem.seq;
  const toRead: EditionRow[] = [];
  const stale: EditionRow[] = [];
  for (const e of editions) {
    const m = recall(memory, e.id);
    // Facts this process computed at this version are right whether stored yet or not; facts it read
    // are used only while the stored row still says that version.
    if (m && m.version === e.version && (m.pending || e.cachedVersion === e.version)) out.set(e.id, m.facts);
    else if (e.cachedVersion === e.version) toRead.push(e);
    else stale.push(e);
  }
  const k = statsDb(db);
  for (const part of chunks(toRead, 500)) {
    const rows = await k.selectFrom('stats_edition_cache').select(['webinar_id', 'version', 'data']).where('webinar_id', 'in', part.map((e) => e.id)).execute();
    const stored = new Map(rows.map((r) => [r.webinar_id, r]));
    for (const e of part) {
      const c = stored.get(e.id);
      const facts = c && Number(c.version) === e.version ? (JSON.parse(c.data) as EditionFacts) : null;
      if (!facts || facts.format !== FACTS_FORMAT) {
        stale.push(e);
        continue;
      }
      const p = prepareEdition(facts);
      keep(memory, e.id, { version: e.version, facts: p, seq: ++mem.seq });
      out.set(e.id, p);
    }
  }
  if (stale.length === 0) return out;
  await exclusively(db, 'editions', async () => {
    // Another computation of this process may have stored them meanwhile, at the same version.
    const left = stale.filter((e) => {
      const m = memory.get(e.id);
      if (m && m.version === e.version && m.seq > decided) out.set(e.id, m.facts);
      return !out.has(e.id);
    });
    const at = now.toISOString();
    for (const part of chunks(left, opts.chunk ?? CHUNK)) {
      if (opts.deadline !== undefined && performance.now() > opts.deadline) break;
      const facts = await computeEditionFacts(
        db,
        part.map((e) => e.id),
      );
      const rows = part.map((e) => ({ webinar_id: e.id, version: e.version, data: JSON.stringify(facts.get(e.id)!), computed_at: at }));
      if (opts.store) await storeRows(db, 'stats_edition_cache', rows);
      part.forEach((e, i) => {
        const p = prepareEdition(facts.get(e.id)!);
        keep(memory, e.id, { version: e.version, facts: p, seq: ++mem.seq, ...(opts.store ? {} : { pending: rows[i]! }) });
        out.set(e.id, p);
      });
    }
  });
  return out;
}

const frozenFunnel = (f: FunnelFacts): FunnelFacts => Object.freeze({ ...f, n: Object.freeze(f.n) });

/** Each day's current stamp (what its facts must have been computed from), and the stamps of the stored facts. */
export interface DayStamps {
  current: Map<string, string>;
  stored: Map<string, string>;
}

/**
 * What the facts of the days of the months given must have been computed from: the counters of the
 * UTC days their instants fall on, and their first contacts. The first contacts are counted by month
 * (a walk of the index); only a month whose count or last contact differs from its days' stamps is
 * counted day by day.
 */
export async function dayStamps(db: Db, zone: string, months: readonly ZoneMonth[]): Promise<DayStamps> {
  const current = new Map<string, string>();
  if (months.length === 0) return { current, stored: new Map() };
  const k = db.kysely;
  const firstDay = months[0]!.days[0]!;
  const lastDay = months[months.length - 1]!.days[months[months.length - 1]!.days.length - 1]!;
  const [versions, monthly, stored] = await Promise.all([
    dayVersions(k, firstDay.utcDays[0]!, lastDay.utcDays[lastDay.utcDays.length - 1]!),
    contactsIn(
      k,
      months.map((m) => ({ key: m.month, startUtc: m.startUtc, endUtc: m.endUtc })),
    ),
    storedDayStamps(k, zone, firstDay.day, lastDay.day),
  ]);
  for (const m of months) {
    const versionsOf = m.days.map((d) => d.utcDays.map((u) => `${u}:${versions.get(u) ?? 0}`).join(','));
    let same = true;
    let count = 0;
    let last = '';
    m.days.forEach((d, i) => {
      const s = stored.get(d.day);
      const [v, n, l] = s ? s.split('|') : [];
      if (!s || v !== versionsOf[i]) same = false;
      count += Number(n ?? 0);
      if (l && l > last) last = l;
    });
    const c = monthly.get(m.month) ?? { count: 0, last: null };
    if (same && count === c.count && last === (c.last ?? '')) {
      for (const d of m.days) current.set(d.day, stored.get(d.day)!);
      continue;
    }
    const contacts = await contactsByDay(k, m.days);
    m.days.forEach((d, i) => {
      const x = contacts.get(d.day) ?? { count: 0, last: null };
      current.set(d.day, `${versionsOf[i]}|${x.count}|${x.last ?? ''}`);
    });
  }
  return { current, stored };
}

/**
 * The funnel facts of the days of first contact of the months given, in a zone. A day's facts are
 * current while the counters of the UTC days its instants fall on are unchanged (bumped by the
 * triggers on any later change of its households) and while it has the same first contacts (a new
 * household is counted here rather than by a counter, so that registering never waits on a shared
 * counter). `known`: the stamps, when the caller read them already (before anything else).
 */
export async function loadDayFacts(db: Db, zone: string, months: readonly ZoneMonth[], now: Date, opts: LoadOptions = {}, known?: DayStamps): Promise<Map<string, FunnelFacts>> {
  const out = new Map<string, FunnelFacts>();
  if (months.length === 0) return out;
  const k = db.kysely;
  const { current: stamps, stored } = known ?? (await dayStamps(db, zone, months));

  const mem = memoryOf(db);
  const memory = mem.days;
  const decided = mem.seq;
  const days = months.flatMap((m) => m.days);
  const toRead: ZoneDay[] = [];
  const stale = new Set<string>();
  for (const d of days) {
    const stamp = stamps.get(d.day)!;
    const m = recall(memory, `${zone}|${d.day}`);
    if (m && m.stamp === stamp && (m.pending || stored.get(d.day) === stamp)) out.set(d.day, m.facts);
    else if (stored.get(d.day) === stamp) toRead.push(d);
    else stale.add(d.day);
  }
  const sk = statsDb(db);
  for (const part of chunks(toRead, 500)) {
    const rows = await sk.selectFrom('stats_day_cache').select(['day', 'stamp', 'data']).where('zone', '=', zone).where('day', 'in', part.map((d) => d.day)).execute();
    const found = new Map(rows.map((r) => [r.day, r]));
    for (const d of part) {
      const r = found.get(d.day);
      const facts = r && r.stamp === stamps.get(d.day) ? (JSON.parse(r.data) as FunnelFacts) : null;
      if (!facts || facts.format !== FACTS_FORMAT) {
        stale.add(d.day);
        continue;
      }
      const f = frozenFunnel(facts);
      keep(memory, `${zone}|${d.day}`, { stamp: r!.stamp, facts: f, seq: ++mem.seq });
      out.set(d.day, f);
    }
  }
  if (stale.size === 0) return out;
  await exclusively(db, 'days', async () => {
    // The days left are computed together, a few hundred at a time: one pass over their households.
    const left = days.filter((d) => {
      if (!stale.has(d.day)) return false;
      const m = memory.get(`${zone}|${d.day}`);
      if (m && m.stamp === stamps.get(d.day) && m.seq > decided) {
        out.set(d.day, m.facts);
        return false;
      }
      return true;
    });
    const at = now.toISOString();
    for (const part of chunks(left, opts.chunk ?? CHUNK)) {
      if (opts.deadline !== undefined && performance.now() > opts.deadline) break;
      const facts = new Map<string, FunnelFacts>();
      addFunnel(facts, await funnel(k, db.dialect, { kind: 'contact', cohorts: part.map((d) => ({ key: d.day, startUtc: d.startUtc, endUtc: d.endUtc })) }));
      const made = part.map((d) => {
        const f = frozenFunnel({ ...(facts.get(d.day) ?? emptyFunnel()), format: FACTS_FORMAT });
        return { d, f, row: { zone, day: d.day, stamp: stamps.get(d.day)!, data: JSON.stringify(f), computed_at: at } };
      });
      if (opts.store) await storeRows(db, 'stats_day_cache', made.map((x) => x.row));
      for (const { d, f, row } of made) {
        keep(memory, `${zone}|${d.day}`, { stamp: stamps.get(d.day)!, facts: f, seq: ++mem.seq, ...(opts.store ? {} : { pending: row }) });
        out.set(d.day, f);
      }
    }
  });
  return out;
}

/** Forgets every cached fact and figure (they are computed again on the next read): for a test or an operator. */
export async function clearStatisticsCache(db: Db): Promise<void> {
  const m = memoryOf(db);
  m.figures.clear();
  m.editions.clear();
  m.days.clear();
  await sql`delete from stats_edition_cache`.execute(db.kysely);
  await sql`delete from stats_day_cache`.execute(db.kysely);
  await sql`delete from stats_period_cache`.execute(db.kysely);
}
