import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Db } from '../../platform/db/database.ts';
import { regionLabel, themeLabel, type Territory } from '../territory/territory.ts';
import { abandonReasons } from '../candidates/change-stage.ts';
import { households as householdList, labelOf, projects as projectList } from '../registrations/registration.ts';
import { placeLabel } from './departements.ts';
import { monthLabel, periodBounds, periodZoneMonths, shortDayLabel, zonedDate, type Period, type ZoneMonth } from './period.ts';
import {
  cacheTransaction,
  dayStamps,
  FACTS_FORMAT,
  householdKeys,
  loadDayFacts,
  loadEditionFacts,
  placeKeys,
  prepareEdition,
  projectKeys,
  rememberedFigures,
  rememberFigures,
  sourceKeys,
  statsDb,
  type FunnelFacts,
  type PreparedEdition,
} from './statistics-facts.ts';
import { abandonmentsIn, editionRows, followUpsAnsweredIn, installationsIn, requestsMadeIn, type Scope } from './statistics-queries.ts';
import {
  activityLabels,
  costPer,
  emptyFunnelCounts,
  followUpLabels,
  funnelMedians,
  ratio,
  stayedOf,
  type CountBy,
  type EditionStats,
  type FunnelRow,
  type MonthStats,
  type PeriodStatistics,
} from './statistics.ts';

export const NO_SOURCE = '(aucune)';
const NOT_SAID = 'Non renseigné';

const collator = new Intl.Collator('fr');
/** By count, then label; the key last, so that the order never depends on the order things were met. */
const byCountDesc = (a: CountBy, b: CountBy) => b.count - a.count || collator.compare(a.label, b.label) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

const noFacts: PreparedEdition = prepareEdition({
  format: FACTS_FORMAT,
  confirmed: 0,
  waitlisted: 0,
  cancelled: 0,
  attendees: 0,
  minutesSum: 0,
  minutesN: 0,
  sources: [],
  projects: [],
  households: [],
  registrants: [],
  requests: 0,
  replays: { attended: 0, absent: 0 },
  funnel: { n: { registered: 0, attended: 0, asked: 0, accompanied: 0, installed: 0 }, hist: [], stays: [] },
});

/** The funnel of households whose first contact falls on the days given. */
function funnelOfDays(key: string, label: string, days: readonly FunnelFacts[], today: string): FunnelRow {
  const counts = { ...emptyFunnelCounts() };
  const stays: Array<FunnelFacts['stays']> = [];
  for (const f of days) {
    counts.registered += f.n.registered;
    counts.attended += f.n.attended;
    counts.asked += f.n.asked;
    counts.accompanied += f.n.accompanied;
    counts.installed += f.n.installed;
    if (f.stays.length) stays.push(f.stays);
  }
  counts.stayed = stays.reduce((a, x) => a + stayedOf(x, today), 0);
  return { key, label, counts, medians: funnelMedians(days.map((f) => f.hist)) };
}

/** Sums of counts by interned key: [id, count, (attendees)] groups of `width` numbers. */
function sumByKey(into: Float64Array[], rows: Int32Array, width: 2 | 3) {
  for (let i = 0; i < rows.length; i += width) {
    const id = rows[i]!;
    into[0]![id] = (into[0]![id] ?? 0) + rows[i + 1]!;
    if (width === 3) into[1]![id] = (into[1]![id] ?? 0) + rows[i + 2]!;
  }
}
const sums = (n: number, arrays = 1) => Array.from({ length: arrays }, () => new Float64Array(n));

function deepFreeze<T>(x: T): T {
  if (x && typeof x === 'object' && !Object.isFrozen(x)) {
    Object.freeze(x);
    for (const v of Object.values(x)) deepFreeze(v);
  }
  return x;
}

/**
 * Which code computes the figures: a digest of the sources that compute them and of the labels they
 * use, so that figures stored by another version of the code are never taken for these. Null where
 * the sources cannot be read (a bundle): figures are then never stored.
 */
let code: string | null | undefined;
function figuresCode(): string | null {
  if (code !== undefined) return code;
  try {
    const h = createHash('sha256');
    for (const f of ['./compute-statistics.ts', './statistics.ts', './statistics-facts.ts', './statistics-queries.ts', './period.ts', './departements.ts', '../territory/territory.ts']) h.update(fs.readFileSync(new URL(f, import.meta.url)));
    h.update(JSON.stringify([FACTS_FORMAT, projectList, householdList, abandonReasons, activityLabels, followUpLabels]));
    code = h.digest('hex');
  } catch {
    code = null;
  }
  return code;
}
const territoryDigests = new WeakMap<Territory, string>();
function territoryDigest(t: Territory): string {
  let d = territoryDigests.get(t);
  if (!d) territoryDigests.set(t, (d = createHash('sha256').update(JSON.stringify(t)).digest('hex')));
  return d;
}

/** Periods of more editions than this (several years) are not stored: megabytes each, and rarely asked for. */
const STORED_EDITIONS_LIMIT = 3000;

/**
 * The statistics of a period (or of one Rencontre, with `webinarId`), always from the records: each
 * edition's and each day's facts come from the cache only while the triggers say nothing they are
 * made of has changed (statistics-facts.ts), so a correction (an attendance fixed by an agent, an old
 * report imported) shows at once.
 *
 * The figures are a function of what is read first (the editions as they are now with their versions,
 * the days' stamps, the small tables, today, the territory, the code): its fingerprint. Figures
 * computed from the same fingerprint are given again (with the time of this request) from this
 * process's memory or from the stored ones (stats_period_cache, written with `store` by the background
 * refresh), which a process that has just started reads in one row instead of summing a thousand
 * Rencontres' facts. Rule kept: every figure follows the definitions of statistics.ts.
 */
export async function computeStatistics(deps: { db: Db; territory: Territory; now: Date }, period: Period, opts: { webinarId?: string | null; store?: boolean } = {}): Promise<PeriodStatistics> {
  const { db, territory: t, now } = deps;
  const k = db.kysely;
  const bounds = periodBounds(period);
  const scope: Scope = { ...bounds, fromDate: period.from, toDate: period.to, webinarId: opts.webinarId ?? null };
  const single = Boolean(opts.webinarId);
  const months = single ? [] : periodZoneMonths(period);
  const today = zonedDate(now.toISOString(), period.zone);
  const nowIso = now.toISOString();

  // What the figures are made of, read before the facts (a stored pair is never older than its stamp).
  const editions = await editionRows(k, scope);
  const [stamps, requests, installations, abandons, followUps] = await Promise.all([
    dayStamps(db, period.zone, months),
    single ? Promise.resolve(0) : requestsMadeIn(k, scope),
    single ? Promise.resolve({ households: 0, adults: 0, children: 0, byActivity: [], byRegion: [] }) : installationsIn(k, scope),
    single ? Promise.resolve([]) : abandonmentsIn(k, scope),
    single ? Promise.resolve([]) : followUpsAnsweredIn(k, scope),
  ]);
  let heldCount = 0;
  for (const e of editions) if (e.starts_at <= nowIso) heldCount++;
  const key = `${period.from}..${period.to}${opts.webinarId ? `|${opts.webinarId}` : ''}`;
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify([
        figuresCode(),
        territoryDigest(t),
        period.zone,
        key,
        today,
        heldCount,
        editions.map((e) => [e.id, e.title, e.slug, e.kind, e.theme, e.starts_at, e.promotion_cost_cents, e.version]),
        months.map((m) => m.days.map((d) => stamps.current.get(d.day) ?? '')),
        requests,
        installations,
        abandons,
        followUps,
      ]),
    )
    .digest('hex');
  const again = (figures: PeriodStatistics): PeriodStatistics => ({ ...figures, generatedAt: nowIso });
  const remembered = rememberedFigures<PeriodStatistics>(db, `${period.zone}|${key}`, fingerprint);
  if (remembered) return again(remembered);
  const storable = !single && figuresCode() !== null && editions.length <= STORED_EDITIONS_LIMIT;
  if (storable) {
    const row = await statsDb(db).selectFrom('stats_period_cache').select(['fingerprint', 'data']).where('zone', '=', period.zone).where('period', '=', key).executeTakeFirst();
    if (row && row.fingerprint === fingerprint) {
      const figures = deepFreeze(JSON.parse(row.data) as PeriodStatistics);
      rememberFigures(db, `${period.zone}|${key}`, fingerprint, figures);
      return again(figures);
    }
  }

  const store = opts.store ?? false;
  const [facts, dayFacts] = await Promise.all([loadEditionFacts(db, editions, now, { store }), single ? Promise.resolve(new Map<string, FunnelFacts>()) : loadDayFacts(db, period.zone, months, now, { store }, stamps)]);
  const all = editions.map((e) => facts.get(e.id) ?? noFacts);
  const stats = deepFreeze(figures());
  rememberFigures(db, `${period.zone}|${key}`, fingerprint, stats);
  // Stored by the background refresh only: a view after a write does not wait for a write of its own.
  if (storable && store) {
    const data = JSON.stringify(stats);
    await cacheTransaction(db, async (trx) => {
      await (trx as unknown as ReturnType<typeof statsDb>)
        .insertInto('stats_period_cache')
        .values({ zone: period.zone, period: key, fingerprint, data, computed_at: nowIso })
        .onConflict((oc) => oc.columns(['zone', 'period']).doUpdateSet({ fingerprint, data, computed_at: nowIso }))
        .execute();
    });
  }
  return stats;

  function figures(): PeriodStatistics {
    const webinars: EditionStats[] = editions.map((e, i) => {
      const c = all[i]!;
      const registrations = c.confirmed + c.waitlisted;
      const held = e.starts_at <= nowIso;
      const req = c.requests;
      const cost = e.promotion_cost_cents;
      return {
        id: e.id,
        title: e.title,
        slug: e.slug,
        kind: e.kind,
        theme: e.theme,
        themeLabel: e.kind === 'thematic' ? themeLabel(t, e.theme) : null,
        startsAt: e.starts_at,
        held,
        confirmed: c.confirmed,
        waitlisted: c.waitlisted,
        cancelled: c.cancelled,
        registrations,
        attendees: c.attendees,
        attendanceRate: held ? ratio(c.attendees, registrations) : null,
        averageMinutes: c.minutesN > 0 ? Math.round((c.minutesSum / c.minutesN) * 10) / 10 : null,
        firstTime: registrations - c.returning,
        returning: c.returning,
        accompanimentRequests: req,
        promotionCostCents: cost,
        costPerRegistrantCents: cost === null ? null : costPer(cost, registrations),
        costPerAttendeeCents: cost === null || !held ? null : costPer(cost, c.attendees),
        costPerRequestCents: cost === null ? null : costPer(cost, req),
      };
    });

    let confirmed = 0;
    let waitlisted = 0;
    let cancelled = 0;
    let registrations = 0;
    let attendees = 0;
    let heldRegistrations = 0;
    let heldAttendees = 0;
    let heldEditions = 0;
    let generic = 0;
    let totalCents = 0;
    let paidRegistrations = 0;
    let paidAttendees = 0;
    let paidRequests = 0;
    let editionRequests = 0;
    let minMinutes = { s: 0, n: 0 };
    let replaysAttended = 0;
    let replaysAbsent = 0;
    let minRate = Infinity;
    let maxRate = -Infinity;
    const monthsStats: MonthStats[] = months.map((m) => ({ month: m.month, editions: 0, registrations: 0, attendees: 0 }));
    const monthIndex = new Map(monthsStats.map((m, i) => [m.month, i]));
    webinars.forEach((e, i) => {
      const c = all[i]!;
      confirmed += e.confirmed;
      waitlisted += e.waitlisted;
      cancelled += e.cancelled;
      registrations += e.registrations;
      attendees += e.attendees;
      editionRequests += e.accompanimentRequests;
      if (e.kind === 'generic') generic++;
      if (e.held) {
        heldEditions++;
        heldRegistrations += e.registrations;
        heldAttendees += e.attendees;
        if (e.attendanceRate !== null) {
          if (e.attendanceRate < minRate) minRate = e.attendanceRate;
          if (e.attendanceRate > maxRate) maxRate = e.attendanceRate;
        }
      }
      if (e.promotionCostCents !== null) {
        totalCents += e.promotionCostCents;
        paidRegistrations += e.registrations;
        paidAttendees += e.held ? e.attendees : 0;
        paidRequests += e.accompanimentRequests;
      }
      minMinutes = { s: minMinutes.s + c.minutesSum, n: minMinutes.n + c.minutesN };
      replaysAttended += c.replaysAttended;
      replaysAbsent += c.replaysAbsent;
      const row = monthIndex.get(zonedDate(e.startsAt, period.zone).slice(0, 7));
      if (row !== undefined) {
        const m = monthsStats[row]!;
        m.editions++;
        m.registrations += e.registrations;
        m.attendees += e.attendees;
      }
    });

    // Each person once: at the edition of the period they came to first, whose previous Rencontre (if
    // any) is before the period. On one Rencontre's page, everyone registered to it.
    let people = 0;
    const fromMinute = single ? Infinity : Date.parse(bounds.fromUtc) / 60_000;
    const [placeCounts] = sums(placeKeys.keys.length);
    const [sourceCounts, sourceAttendees] = sums(sourceKeys.keys.length, 2);
    const [projectCounts] = sums(projectKeys.keys.length);
    const [householdCounts] = sums(householdKeys.keys.length);
    for (const c of all) {
      for (let i = 0; i < c.previous.length; i++) {
        if (c.previous[i]! >= fromMinute) continue;
        people += c.people[i]!;
        placeCounts![c.places[i]!]! += c.people[i]!;
      }
      sumByKey([sourceCounts!, sourceAttendees!], c.sources, 3);
      sumByKey([projectCounts!], c.projects, 2);
      sumByKey([householdCounts!], c.households, 2);
    }
    /** The keys counted, each label's rows merged as the tables show them (no source and "(aucune)" are one row). */
    const counted = (keys: ReadonlyArray<string | null>, counts: Float64Array, asKey: (k: string | null) => string, second?: Float64Array) => {
      const out = new Map<string, { count: number; attendees: number }>();
      keys.forEach((key, id) => {
        const n = counts[id] ?? 0;
        if (n === 0) return;
        const name = asKey(key);
        const x = out.get(name) ?? { count: 0, attendees: 0 };
        out.set(name, { count: x.count + n, attendees: x.attendees + (second?.[id] ?? 0) });
      });
      return out;
    };

    const editionLabel = (e: EditionStats) => shortDayLabel(zonedDate(e.startsAt, period.zone)) + (e.themeLabel ? ` (${e.themeLabel})` : '');
    const byEdition: FunnelRow[] = webinars.map((e, i) => {
      const f = all[i]!.funnel;
      return { key: e.id, label: editionLabel(e), counts: { ...f.n, stayed: stayedOf(f.stays, today) }, medians: f.medians };
    });
    const daysOf = (m: ZoneMonth) => m.days.map((d) => dayFacts.get(d.day)).filter((f): f is FunnelFacts => f !== undefined);
    const byMonth = months.map((m) => funnelOfDays(m.month, monthLabel(m.month), daysOf(m), today));
    const overall = funnelOfDays('periode', 'Premiers contacts de la période', months.flatMap(daysOf), today);

    const labelled = (rows: Array<{ key: string | null; count: number }>, label: (k: string) => string | null): CountBy[] =>
      rows.map((r) => ({ key: r.key ?? '', label: r.key === null || r.key === '' ? NOT_SAID : (label(r.key) ?? r.key), count: r.count })).sort(byCountDesc);
    const fromMap = (m: Map<string, { count: number }>) => [...m].map(([key, x]) => ({ key, count: x.count }));

    return {
      from: period.from,
      to: period.to,
      zone: period.zone,
      generatedAt: nowIso,
      editions: { total: webinars.length, generic, thematic: webinars.length - generic, held: heldEditions },
      registrations,
      confirmed,
      waitlisted,
      cancelled,
      distinctPeople: people,
      attendees,
      attendanceRate: ratio(heldAttendees, heldRegistrations),
      attendanceRange: minRate <= maxRate ? { min: minRate, max: maxRate } : null,
      averageMinutes: minMinutes.n > 0 ? Math.round((minMinutes.s / minMinutes.n) * 10) / 10 : null,
      replaysSent: { attended: replaysAttended, absent: replaysAbsent, total: replaysAttended + replaysAbsent },
      accompanimentRequests: single ? editionRequests : requests,
      installations: {
        households: installations.households,
        adults: installations.adults,
        children: installations.children,
        byActivity: installations.byActivity.map((a) => ({ key: a.key, label: activityLabels[a.key] ?? a.key, count: a.count })).sort(byCountDesc),
        byRegion: labelled(installations.byRegion, (key) => regionLabel(t, key)),
      },
      abandonments: { total: abandons.reduce((a, x) => a + x.count, 0), byReason: labelled(abandons, (key) => abandonReasons.find((r) => r.value === key)?.label ?? null) },
      followUpsDone: {
        total: followUps.reduce((a, x) => a + x.count, 0),
        byMonths: followUps.sort((a, b) => a.months - b.months).map((f) => ({ key: String(f.months), label: followUpLabels[String(f.months)] ?? `Suivi à ${f.months} mois`, count: f.count })),
      },
      cost: {
        totalCents,
        perRegistrantCents: costPer(totalCents, paidRegistrations),
        perAttendeeCents: costPer(totalCents, paidAttendees),
        perRequestCents: costPer(totalCents, paidRequests),
        perInstallationCents: single ? null : costPer(totalCents, installations.households),
      },
      sources: [...counted(sourceKeys.keys, sourceCounts!, (key) => key ?? NO_SOURCE, sourceAttendees)].map(([key, x]) => ({ key, label: key, count: x.count, attendees: x.attendees })).sort(byCountDesc),
      places: [...counted(placeKeys.keys, placeCounts!, (key) => key ?? '')].map(([key, x]) => ({ key, label: placeLabel(key), count: x.count })).sort(byCountDesc),
      projects: labelled(fromMap(counted(projectKeys.keys, projectCounts!, (key) => key ?? '')), (key) => labelOf(projectList, key)),
      households: labelled(fromMap(counted(householdKeys.keys, householdCounts!, (key) => key ?? '')), (key) => labelOf(householdList, key)),
      webinars,
      months: monthsStats,
      funnel: { overall, byMonth, byEdition },
    };
  }
}
