import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DialectName } from '../../platform/db/database.ts';
import type { Database } from '../../platform/db/schema.ts';

/**
 * The counting, in SQL, on both databases: every query aggregates in the database and returns a few
 * rows (per edition, per source, per day of delay…), never the registrations themselves. Dates are the
 * ISO 8601 UTC text of ADR 0002, so a period is a range of strings that the indexes serve; what SQL
 * cannot do the same way on both dialects (days between two instants, a date plus twelve months) is
 * written once per dialect below.
 */

type Db = Kysely<Database>;

export interface Scope {
  fromUtc: string;
  toUtcExclusive: string;
  /** YYYY-MM-DD, both included: for the columns that hold a date (installed_on). */
  fromDate: string;
  toDate: string;
  /** Restricts the editions to one Rencontre (its own statistics page). */
  webinarId?: string | null;
}

/** The editions of the scope, as a condition on `w` (webinars). */
function editionsOf(s: Scope): RawBuilder<unknown> {
  const one = s.webinarId ? sql` and w.id = ${s.webinarId}` : sql``;
  return sql`w.status = 'published' and w.starts_at >= ${s.fromUtc} and w.starts_at < ${s.toUtcExclusive}${one}`;
}

function daysBetween(dialect: DialectName, a: RawBuilder<unknown>, b: RawBuilder<unknown>): RawBuilder<number> {
  return dialect === 'postgres'
    ? sql<number>`(extract(epoch from (cast(${b} as timestamptz) - cast(${a} as timestamptz))) / 86400.0)`
    : sql<number>`(julianday(${b}) - julianday(${a}))`;
}

/**
 * The cohort (a day or a month of the territory's zone) of an instant, as a balanced tree of
 * comparisons with the cohorts' first instants (computed in the zone by the caller): correct across
 * daylight saving and at the turn of the year on both databases, in a handful of comparisons per row.
 */
export function bucketOf(column: RawBuilder<unknown>, buckets: ReadonlyArray<{ key: string; startUtc: string }>): RawBuilder<string> {
  const tree = (lo: number, hi: number): RawBuilder<string> => {
    // The labels are ours (YYYY-MM-DD), written as literals so that PostgreSQL types the CASE as text.
    if (lo === hi) return sql<string>`${sql.lit(buckets[lo]!.key)}`;
    const mid = Math.ceil((lo + hi + 1) / 2);
    return sql<string>`case when ${column} < ${buckets[mid]!.startUtc} then ${tree(lo, mid - 1)} else ${tree(mid, hi)} end`;
  };
  if (buckets.length === 0) return sql<string>`null`;
  return tree(0, buckets.length - 1);
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

export interface EditionRow {
  id: string;
  title: string;
  slug: string;
  kind: 'generic' | 'thematic';
  theme: string | null;
  starts_at: string;
  promotion_cost_cents: number | null;
  /** The edition's version counter (0 before its first change). */
  version: number;
  /** The version its stored facts were computed at, null when none are stored. */
  cachedVersion: number | null;
}

export async function editionRows(db: Db, s: Scope): Promise<EditionRow[]> {
  const r = await sql<Record<string, unknown>>`
    select w.id, w.title, w.slug, w.kind, w.theme, w.starts_at, w.promotion_cost_cents, coalesce(v.version, 0) as version, c.version as cached_version
    from webinars w left join stats_edition_versions v on v.webinar_id = w.id left join stats_edition_cache c on c.webinar_id = w.id
    where ${editionsOf(s)} order by w.starts_at, w.id`.execute(db);
  return r.rows.map((x) => ({
    id: String(x.id),
    title: String(x.title),
    slug: String(x.slug),
    kind: x.kind as EditionRow['kind'],
    theme: x.theme === null ? null : String(x.theme),
    starts_at: String(x.starts_at),
    promotion_cost_cents: x.promotion_cost_cents === null ? null : Number(x.promotion_cost_cents),
    version: num(x.version),
    cachedVersion: x.cached_version === null || x.cached_version === undefined ? null : Number(x.cached_version),
  }));
}

/** The editions given, as a condition on `w`. */
const among = (ids: readonly string[]) => sql`w.id in (${sql.join(ids.map((id) => sql`${id}`))})`;

export interface RegistrationCounts {
  confirmed: number;
  waitlisted: number;
  cancelled: number;
  attendees: number;
  minutesSum: number;
  minutesN: number;
}

export async function registrationCountsByEdition(db: Db, ids: readonly string[]): Promise<Map<string, RegistrationCounts>> {
  const r = await sql<Record<string, unknown>>`
    select r.webinar_id as id,
      sum(case when r.status = 'confirmed' then 1 else 0 end) as confirmed,
      sum(case when r.status = 'waitlisted' then 1 else 0 end) as waitlisted,
      sum(case when r.status = 'cancelled' then 1 else 0 end) as cancelled,
      sum(case when r.status <> 'cancelled' and r.attended = 1 then 1 else 0 end) as attendees,
      sum(case when r.status <> 'cancelled' and r.attended = 1 then r.attended_minutes else null end) as minutes_sum,
      sum(case when r.status <> 'cancelled' and r.attended = 1 and r.attended_minutes is not null then 1 else 0 end) as minutes_n
    from webinars w join registrations r on r.webinar_id = w.id
    where ${among(ids)}
    group by r.webinar_id`.execute(db);
  return new Map(
    r.rows.map((x) => [
      String(x.id),
      { confirmed: num(x.confirmed), waitlisted: num(x.waitlisted), cancelled: num(x.cancelled), attendees: num(x.attendees), minutesSum: num(x.minutes_sum), minutesN: num(x.minutes_n) },
    ]),
  );
}

/**
 * Each registrant (not cancelled) of the editions given, reduced to what the period needs: the start
 * of the Rencontre they had registered to just before (null for a first time) and where they live.
 * A person is "returning" when that start exists; they are counted once in a period at the edition
 * whose previous start falls before the period. Ties between two editions at the same instant are
 * broken by id, so that nobody is counted twice.
 */
export async function registrantsByPrevious(db: Db, ids: readonly string[]): Promise<Array<{ id: string; prev: string | null; prefix: string | null; country: string | null; count: number }>> {
  const prefix = sql`case when length(trim(c.postcode)) = 5 then substr(trim(c.postcode), 1, 3) else null end`;
  const prev = sql`(select max(w2.starts_at) from registrations r2 join webinars w2 on w2.id = r2.webinar_id
      where r2.candidate_id = r.candidate_id and r2.status <> 'cancelled' and w2.status = 'published'
        and (w2.starts_at < w.starts_at or (w2.starts_at = w.starts_at and w2.id < w.id)))`;
  const r = await sql<Record<string, unknown>>`
    select x.id, x.prev, x.p, x.country, count(*) as n from (
      select r.webinar_id as id, ${prev} as prev, ${prefix} as p, c.country as country
      from webinars w join registrations r on r.webinar_id = w.id join candidates c on c.id = r.candidate_id
      where ${among(ids)} and r.status <> 'cancelled') x
    group by x.id, x.prev, x.p, x.country`.execute(db);
  return r.rows.map((x) => ({ id: String(x.id), prev: x.prev === null ? null : String(x.prev), prefix: x.p === null ? null : String(x.p), country: x.country === null ? null : String(x.country), count: num(x.n) }));
}

export async function requestsByEdition(db: Db, ids: readonly string[]): Promise<Map<string, number>> {
  const r = await sql<{ id: string; n: number }>`
    select a.webinar_id as id, count(*) as n
    from webinars w join accompaniment_requests a on a.webinar_id = w.id
    where ${among(ids)}
    group by a.webinar_id`.execute(db);
  return new Map(r.rows.map((x) => [String(x.id), num(x.n)]));
}

/** Registrations not cancelled, and their attendees, per edition and value of a column of the registration. */
export async function registrationsBy(db: Db, ids: readonly string[], column: 'utm_source' | 'project' | 'household'): Promise<Array<{ id: string; key: string | null; count: number; attendees: number }>> {
  const col = sql.ref(`r.${column}`);
  const r = await sql<Record<string, unknown>>`
    select r.webinar_id as id, ${col} as k, count(*) as n, sum(case when r.attended = 1 then 1 else 0 end) as a
    from webinars w join registrations r on r.webinar_id = w.id
    where ${among(ids)} and r.status <> 'cancelled'
    group by r.webinar_id, ${col}`.execute(db);
  return r.rows.map((x) => ({ id: String(x.id), key: x.k === null ? null : String(x.k), count: num(x.n), attendees: num(x.a) }));
}

export async function replaysSentByEdition(db: Db, ids: readonly string[]): Promise<Map<string, { attended: number; absent: number }>> {
  const r = await sql<{ id: string; kind: string; n: number }>`
    select o.webinar_id as id, o.kind as kind, count(*) as n
    from webinars w join outbox_messages o on o.webinar_id = w.id
    where ${among(ids)} and o.kind in ('replay-attended', 'replay-absent') and o.status = 'sent'
    group by o.webinar_id, o.kind`.execute(db);
  const out = new Map<string, { attended: number; absent: number }>();
  for (const x of r.rows) {
    const e = out.get(String(x.id)) ?? { attended: 0, absent: 0 };
    if (x.kind === 'replay-attended') e.attended += num(x.n);
    else e.absent += num(x.n);
    out.set(String(x.id), e);
  }
  return out;
}

export async function requestsMadeIn(db: Db, s: Scope): Promise<number> {
  const r = await sql<{ n: number }>`select count(*) as n from accompaniment_requests a where a.created_at >= ${s.fromUtc} and a.created_at < ${s.toUtcExclusive}`.execute(db);
  return num(r.rows[0]?.n);
}

export interface InstallationCounts {
  households: number;
  adults: number;
  children: number;
  byActivity: Array<{ key: string; count: number }>;
  byRegion: Array<{ key: string | null; count: number }>;
}

/** Households settled during the period (installed_on, a date in the zone), with who came and what they do. */
export async function installationsIn(db: Db, s: Scope): Promise<InstallationCounts> {
  const where = sql`i.installed_on >= ${s.fromDate} and i.installed_on <= ${s.toDate}`;
  const [totals, activity, region] = await Promise.all([
    sql<Record<string, unknown>>`select count(*) as n, sum(i.adults) as adults, sum(i.children) as children from installations i where ${where}`.execute(db),
    sql<Record<string, unknown>>`select i.activity as k, count(*) as n from installations i where ${where} group by i.activity`.execute(db),
    sql<Record<string, unknown>>`select i.region_key as k, count(*) as n from installations i where ${where} group by i.region_key`.execute(db),
  ]);
  const t = totals.rows[0] ?? {};
  return {
    households: num(t.n),
    adults: num(t.adults),
    children: num(t.children),
    byActivity: activity.rows.map((x) => ({ key: String(x.k), count: num(x.n) })),
    byRegion: region.rows.map((x) => ({ key: x.k === null ? null : String(x.k), count: num(x.n) })),
  };
}

/** Households that gave up during the period, by reason (each household once per reason). */
export async function abandonmentsIn(db: Db, s: Scope): Promise<Array<{ key: string | null; count: number }>> {
  const r = await sql<Record<string, unknown>>`
    select sc.reason as k, count(distinct sc.candidate_id) as n from stage_changes sc
    where sc.to_stage = 'abandoned' and sc.at >= ${s.fromUtc} and sc.at < ${s.toUtcExclusive}
    group by sc.reason`.execute(db);
  return r.rows.map((x) => ({ key: x.k === null ? null : String(x.k), count: num(x.n) }));
}

/** Follow-ups after installation that the household answered during the period, by their month (3, 6, 12). */
export async function followUpsAnsweredIn(db: Db, s: Scope): Promise<Array<{ months: number; count: number }>> {
  const r = await sql<Record<string, unknown>>`
    select f.months as m, count(*) as n from follow_ups f
    where f.status = 'answered' and f.answered_at >= ${s.fromUtc} and f.answered_at < ${s.toUtcExclusive}
    group by f.months`.execute(db);
  return r.rows.map((x) => ({ months: num(x.m), count: num(x.n) }));
}

/** The stages that mean a referent follows the household (reached directly or through a later one). */
export const ACCOMPANIED_STAGES = ['accompanied', 'visit', 'decision', 'installed', 'followed-up'] as const;

export interface FunnelAggregate {
  cohort: string;
  counts: { registered: number; attended: number; asked: number; accompanied: number; installed: number };
}
export interface FunnelHistogramRow {
  cohort: string;
  gap: string;
  days: number;
  count: number;
}
/** First installations of the cohort's households: whether they are still there at 12 months depends on the day it is read. */
export interface FunnelStayRow {
  cohort: string;
  installedOn: string;
  leftOn: string | null;
  count: number;
}

export type FunnelCohorts =
  | { kind: 'edition'; ids: readonly string[] }
  /** Days of first contact in the zone, in order, each with its first and last (excluded) instants: not necessarily one after the other. */
  | { kind: 'contact'; cohorts: ReadonlyArray<{ key: string; startUtc: string; endUtc: string }> };

/**
 * Instants within the days given (in order), as ranges: consecutive days make one range, so that a
 * month is one index range and days here and there a few, read in one statement.
 */
function contactRanges(column: RawBuilder<unknown>, days: ReadonlyArray<{ startUtc: string; endUtc: string }>): RawBuilder<unknown> {
  const ranges: Array<{ startUtc: string; endUtc: string }> = [];
  for (const d of days) {
    const last = ranges[ranges.length - 1];
    if (last && last.endUtc === d.startUtc) last.endUtc = d.endUtc;
    else ranges.push({ startUtc: d.startUtc, endUtc: d.endUtc });
  }
  return sql.join(
    ranges.map((r) => sql`(${column} >= ${r.startUtc} and ${column} < ${r.endUtc})`),
    sql` or `,
  );
}

/**
 * The journey of each household of a cohort, reduced in SQL to counts per step, histograms of whole
 * days between steps (medians are read from those in TypeScript) and the dates of first
 * installations. A step counts when it happened on or after the household entered the cohort; each
 * step's date is the first time it did. The cohorts: the registrants of an edition (entry: their
 * registration; attended: that edition), or the households whose first contact falls in a month and
 * who registered to a Rencontre (entry: first contact; attended: the first Rencontre attended).
 */
export async function funnel(db: Db, dialect: DialectName, c: FunnelCohorts): Promise<{ aggregates: FunnelAggregate[]; histograms: FunnelHistogramRow[]; stays: FunnelStayRow[] }> {
  if ((c.kind === 'edition' && c.ids.length === 0) || (c.kind === 'contact' && c.cohorts.length === 0)) return { aggregates: [], histograms: [], stays: [] };
  const cohort =
    c.kind === 'edition'
      ? sql`select r.webinar_id as cohort, r.candidate_id as cid, r.created_at as entry_at, case when r.attended = 1 then w.starts_at else null end as attended_at
            from webinars w join registrations r on r.webinar_id = w.id
            where ${among(c.ids)} and r.status <> 'cancelled'`
      : // One pass over each household's registrations gives both "registered" (the inner join) and
        // the first Rencontre attended (a Rencontre is looked up only for an attended registration).
        sql`select ${bucketOf(sql.ref('c.created_at'), c.cohorts)} as cohort, c.id as cid, c.created_at as entry_at,
              min(case when w.status = 'published' and w.starts_at >= c.created_at then w.starts_at else null end) as attended_at
            from candidates c
              join registrations r on r.candidate_id = c.id and r.status <> 'cancelled'
              left join webinars w on r.attended = 1 and w.id = r.webinar_id
            where (${contactRanges(sql.ref('c.created_at'), c.cohorts)}) and c.merged_into_id is null
            group by c.id, c.created_at`;
  const stages = sql.join(ACCOMPANIED_STAGES.map((x) => sql`${x}`));
  const firstInstallation = sql`(select min(i.installed_on) from installations i where i.candidate_id = k.cid and i.installed_on >= substr(k.entry_at, 1, 10))`;
  const journeys = sql`
    select k.cohort, k.entry_at, k.attended_at,
      (select min(a.created_at) from accompaniment_requests a where a.candidate_id = k.cid and a.created_at >= k.entry_at) as asked_at,
      (select min(sc.at) from stage_changes sc where sc.candidate_id = k.cid and sc.to_stage in (${stages}) and sc.at >= k.entry_at) as accompanied_at,
      ${firstInstallation} as installed_on,
      (select min(i.left_on) from installations i where i.candidate_id = k.cid and i.installed_on = ${firstInstallation}) as left_on
    from (${cohort}) k`;
  const none = sql`null as attended, null as asked, null as accompanied, null as installed, null as on_date, null as left_date`;
  const gap = (name: string, a: string, b: string) => {
    const d = daysBetween(dialect, sql.ref(`j.${a}`), sql.ref(`j.${b}`));
    return sql`select j.cohort as cohort, ${sql.lit(name)} as gap, floor(${d}) as days, count(*) as n, ${none}
      from j where j.${sql.ref(a)} is not null and j.${sql.ref(b)} is not null and ${d} >= 0
      group by j.cohort, floor(${d})`;
  };
  const r = await sql<Record<string, unknown>>`
    with j as materialized (${journeys})
    select j.cohort as cohort, 'counts' as gap, null as days, count(*) as n,
      count(j.attended_at) as attended, count(j.asked_at) as asked, count(j.accompanied_at) as accompanied,
      count(j.installed_on) as installed, null as on_date, null as left_date
    from j group by j.cohort
    union all ${gap('registered-attended', 'entry_at', 'attended_at')}
    union all ${gap('attended-asked', 'attended_at', 'asked_at')}
    union all ${gap('asked-accompanied', 'asked_at', 'accompanied_at')}
    union all ${gap('accompanied-installed', 'accompanied_at', 'installed_on')}
    union all select j.cohort as cohort, 'stay' as gap, null as days, count(*) as n, null as attended, null as asked, null as accompanied, null as installed,
      j.installed_on as on_date, j.left_on as left_date
    from j where j.installed_on is not null group by j.cohort, j.installed_on, j.left_on`.execute(db);
  const aggregates: FunnelAggregate[] = [];
  const histograms: FunnelHistogramRow[] = [];
  const stays: FunnelStayRow[] = [];
  for (const x of r.rows) {
    if (x.gap === 'counts') {
      aggregates.push({ cohort: String(x.cohort), counts: { registered: num(x.n), attended: num(x.attended), asked: num(x.asked), accompanied: num(x.accompanied), installed: num(x.installed) } });
    } else if (x.gap === 'stay') {
      stays.push({ cohort: String(x.cohort), installedOn: String(x.on_date), leftOn: x.left_date === null ? null : String(x.left_date), count: num(x.n) });
    } else {
      histograms.push({ cohort: String(x.cohort), gap: String(x.gap), days: num(x.days), count: num(x.n) });
    }
  }
  return { aggregates, histograms, stays };
}

/**
 * First contacts (candidates' files) in each range given (months of the zone, bounds in UTC): how
 * many, and the last instant. A range count walks the index without sorting anything.
 */
export async function contactsIn(db: Db, ranges: ReadonlyArray<{ key: string; startUtc: string; endUtc: string }>): Promise<Map<string, { count: number; last: string | null }>> {
  if (ranges.length === 0) return new Map();
  const parts = ranges.map((m) => sql`select ${sql.lit(m.key)} as k, count(*) as n, max(created_at) as last from candidates where created_at >= ${m.startUtc} and created_at < ${m.endUtc}`);
  const r = await sql<Record<string, unknown>>`${sql.join(parts, sql` union all `)}`.execute(db);
  return new Map(r.rows.map((x) => [String(x.k), { count: num(x.n), last: x.last === null ? null : String(x.last) }]));
}

/** First contacts in each of consecutive days of the zone (the days of a month): how many, and the last instant. */
export async function contactsByDay(db: Db, days: ReadonlyArray<{ day: string; startUtc: string; endUtc: string }>): Promise<Map<string, { count: number; last: string | null }>> {
  if (days.length === 0) return new Map();
  const day = bucketOf(sql.ref('created_at'), days.map((d) => ({ key: d.day, startUtc: d.startUtc })));
  const r = await sql<Record<string, unknown>>`
    select x.d, count(*) as n, max(x.created_at) as last from (
      select ${day} as d, created_at from candidates where created_at >= ${days[0]!.startUtc} and created_at < ${days[days.length - 1]!.endUtc}) x
    group by x.d`.execute(db);
  return new Map(r.rows.map((x) => [String(x.d), { count: num(x.n), last: x.last === null ? null : String(x.last) }]));
}

/** The counters of the UTC days of first contact from `from` to `to` (YYYY-MM-DD, both included). */
export async function dayVersions(db: Db, from: string, to: string): Promise<Map<string, number>> {
  const r = await sql<{ day: string; version: number }>`select day, version from stats_day_versions where day >= ${from} and day <= ${to}`.execute(db);
  return new Map(r.rows.map((x) => [String(x.day), num(x.version)]));
}

/** The stamps of the days' stored facts (not the facts): what they were computed from. */
export async function storedDayStamps(db: Db, zone: string, from: string, to: string): Promise<Map<string, string>> {
  const r = await sql<{ day: string; stamp: string }>`select day, stamp from stats_day_cache where zone = ${zone} and day >= ${from} and day <= ${to}`.execute(db);
  return new Map(r.rows.map((x) => [String(x.day), String(x.stamp)]));
}
