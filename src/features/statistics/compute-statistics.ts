import { DateTime } from 'luxon';
import type { Db } from '../../platform/db/database.ts';
import { regionLabel, themeLabel, type Territory } from '../territory/territory.ts';
import { abandonReasons } from '../candidates/change-stage.ts';
import { households as householdList, labelOf, projects as projectList } from '../registrations/registration.ts';
import { placeLabel, placeOf } from './departements.ts';
import { monthLabel, periodBounds, periodMonths, type Period } from './period.ts';
import {
  abandonmentsIn,
  distinctPeople,
  editionRows,
  followUpsAnsweredIn,
  funnel,
  installationsIn,
  peopleByPostcodePrefix,
  registrationCountsByEdition,
  registrationsBy,
  replaysSent,
  requestsByEdition,
  requestsMadeIn,
  returningByEdition,
  type FunnelAggregate,
  type FunnelHistogramRow,
  type Scope,
} from './statistics-queries.ts';
import {
  activityLabels,
  costPer,
  emptyFunnelCounts,
  followUpLabels,
  funnelGaps,
  medianOfHistogram,
  ratio,
  type CountBy,
  type EditionStats,
  type FunnelGap,
  type FunnelRow,
  type Median,
  type MonthStats,
  type PeriodStatistics,
} from './statistics.ts';

export const NO_SOURCE = '(aucune)';
const NOT_SAID = 'Non renseigné';

const byCountDesc = (a: CountBy, b: CountBy) => b.count - a.count || a.label.localeCompare(b.label, 'fr');

function merge(into: Map<string, number>, key: string, n: number) {
  into.set(key, (into.get(key) ?? 0) + n);
}

function funnelRows(aggregates: FunnelAggregate[], histograms: FunnelHistogramRow[], keys: string[], label: (k: string) => string): { rows: FunnelRow[]; hist: Map<string, Map<FunnelGap, Map<number, number>>> } {
  const hist = new Map<string, Map<FunnelGap, Map<number, number>>>();
  for (const h of histograms) {
    let byGap = hist.get(h.cohort);
    if (!byGap) hist.set(h.cohort, (byGap = new Map()));
    let days = byGap.get(h.gap as FunnelGap);
    if (!days) byGap.set(h.gap as FunnelGap, (days = new Map()));
    days.set(h.days, (days.get(h.days) ?? 0) + h.count);
  }
  const agg = new Map(aggregates.map((a) => [a.cohort, a.counts]));
  const rows = keys.map((k) => ({
    key: k,
    label: label(k),
    counts: agg.get(k) ?? emptyFunnelCounts(),
    medians: mediansOf(hist.get(k)),
  }));
  return { rows, hist };
}

function mediansOf(byGap: Map<FunnelGap, Map<number, number>> | undefined): Record<FunnelGap, Median> {
  const out = {} as Record<FunnelGap, Median>;
  for (const [a, b] of funnelGaps) {
    const g = `${a}-${b}` as FunnelGap;
    out[g] = medianOfHistogram(byGap?.get(g) ?? new Map());
  }
  return out;
}

/**
 * The statistics of a period (or of one Rencontre, with `webinarId`), computed from the records
 * every time: nothing is stored, so a correction (an attendance fixed by an agent, an import of an
 * old report) shows at once. Rule kept: every figure follows the definitions of statistics.ts.
 */
export async function computeStatistics(deps: { db: Db; territory: Territory; now: Date }, period: Period, opts: { webinarId?: string | null } = {}): Promise<PeriodStatistics> {
  const { db, territory: t, now } = deps;
  const k = db.kysely;
  const bounds = periodBounds(period);
  const scope: Scope = { ...bounds, fromDate: period.from, toDate: period.to, webinarId: opts.webinarId ?? null };
  const months = periodMonths(period);
  const today = DateTime.fromJSDate(now).setZone(period.zone).toFormat('yyyy-LL-dd');
  const single = Boolean(opts.webinarId);

  // PostgreSQL runs these side by side on the pool; SQLite's one connection takes them in turn.
  const [editions, counts, returning, requestsPerEdition, people, sources, projects, households, places, replays, requests, installations, abandons, followUps, byEdition, byMonth] = await Promise.all([
    editionRows(k, scope),
    registrationCountsByEdition(k, scope),
    returningByEdition(k, scope),
    requestsByEdition(k, scope),
    distinctPeople(k, scope),
    registrationsBy(k, scope, 'utm_source'),
    registrationsBy(k, scope, 'project'),
    registrationsBy(k, scope, 'household'),
    peopleByPostcodePrefix(k, scope),
    replaysSent(k, scope),
    single ? Promise.resolve(0) : requestsMadeIn(k, scope),
    single ? Promise.resolve({ households: 0, adults: 0, children: 0, byActivity: [], byRegion: [] }) : installationsIn(k, scope),
    single ? Promise.resolve([]) : abandonmentsIn(k, scope),
    single ? Promise.resolve([]) : followUpsAnsweredIn(k, scope),
    funnel(k, db.dialect, scope, 'edition', { today, months }),
    single ? Promise.resolve({ aggregates: [], histograms: [] }) : funnel(k, db.dialect, scope, 'month', { today, months }),
  ]);

  const nowIso = now.toISOString();
  const webinars: EditionStats[] = editions.map((e) => {
    const c = counts.get(e.id) ?? { confirmed: 0, waitlisted: 0, cancelled: 0, attendees: 0, minutesSum: 0, minutesN: 0 };
    const registrations = c.confirmed + c.waitlisted;
    const held = e.starts_at <= nowIso;
    const ret = returning.get(e.id) ?? 0;
    const req = requestsPerEdition.get(e.id) ?? 0;
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
      firstTime: registrations - ret,
      returning: ret,
      accompanimentRequests: req,
      promotionCostCents: cost,
      costPerRegistrantCents: cost === null ? null : costPer(cost, registrations),
      costPerAttendeeCents: cost === null || !held ? null : costPer(cost, c.attendees),
      costPerRequestCents: cost === null ? null : costPer(cost, req),
    };
  });

  const sum = (f: (e: EditionStats) => number, list = webinars) => list.reduce((a, e) => a + f(e), 0);
  const held = webinars.filter((e) => e.held);
  const rates = held.map((e) => e.attendanceRate).filter((r): r is number => r !== null);
  const minutes = [...counts.values()].reduce((a, c) => ({ s: a.s + c.minutesSum, n: a.n + c.minutesN }), { s: 0, n: 0 });
  const paid = webinars.filter((e) => e.promotionCostCents !== null);
  const totalCents = sum((e) => e.promotionCostCents ?? 0, paid);

  const monthsStats: MonthStats[] = months.map((m) => ({ month: m.month, editions: 0, registrations: 0, attendees: 0 }));
  for (const e of webinars) {
    const m = DateTime.fromISO(e.startsAt, { zone: 'utc' }).setZone(period.zone).toFormat('yyyy-LL');
    const row = monthsStats.find((x) => x.month === m);
    if (row) {
      row.editions++;
      row.registrations += e.registrations;
      row.attendees += e.attendees;
    }
  }

  const placeCounts = new Map<string, number>();
  for (const p of places) merge(placeCounts, placeOf(p.prefix, p.country), p.count);

  const editionFunnel = funnelRows(byEdition.aggregates, byEdition.histograms, webinars.map((e) => e.id), (id) => {
    const e = webinars.find((x) => x.id === id)!;
    return DateTime.fromISO(e.startsAt, { zone: 'utc' }).setZone(period.zone).setLocale('fr').toFormat('d LLL yyyy') + (e.themeLabel ? ` (${e.themeLabel})` : '');
  });
  const monthFunnel = funnelRows(byMonth.aggregates, byMonth.histograms, single ? [] : months.map((m) => m.month), monthLabel);
  const overallHist = new Map<FunnelGap, Map<number, number>>();
  for (const byGap of monthFunnel.hist.values()) {
    for (const [g, days] of byGap) {
      let into = overallHist.get(g);
      if (!into) overallHist.set(g, (into = new Map()));
      for (const [d, n] of days) into.set(d, (into.get(d) ?? 0) + n);
    }
  }
  const overallCounts = emptyFunnelCounts();
  for (const r of monthFunnel.rows) for (const step of Object.keys(overallCounts) as Array<keyof typeof overallCounts>) overallCounts[step] += r.counts[step];

  const registrations = sum((e) => e.registrations);
  const attendees = sum((e) => e.attendees);
  const heldRegistrations = sum((e) => e.registrations, held);
  const paidRequests = sum((e) => e.accompanimentRequests, paid);
  const labelled = (rows: Array<{ key: string | null; count: number }>, label: (k: string) => string | null): CountBy[] =>
    rows.map((r) => ({ key: r.key ?? '', label: r.key === null || r.key === '' ? NOT_SAID : (label(r.key) ?? r.key), count: r.count })).sort(byCountDesc);

  return {
    from: period.from,
    to: period.to,
    zone: period.zone,
    generatedAt: nowIso,
    editions: { total: webinars.length, generic: webinars.filter((e) => e.kind === 'generic').length, thematic: webinars.filter((e) => e.kind === 'thematic').length, held: held.length },
    registrations,
    confirmed: sum((e) => e.confirmed),
    waitlisted: sum((e) => e.waitlisted),
    cancelled: sum((e) => e.cancelled),
    distinctPeople: people,
    attendees,
    attendanceRate: ratio(sum((e) => e.attendees, held), heldRegistrations),
    attendanceRange: rates.length ? { min: Math.min(...rates), max: Math.max(...rates) } : null,
    averageMinutes: minutes.n > 0 ? Math.round((minutes.s / minutes.n) * 10) / 10 : null,
    replaysSent: { ...replays, total: replays.attended + replays.absent },
    accompanimentRequests: single ? sum((e) => e.accompanimentRequests) : requests,
    installations: {
      households: installations.households,
      adults: installations.adults,
      children: installations.children,
      byActivity: installations.byActivity.map((a) => ({ key: a.key, label: activityLabels[a.key] ?? a.key, count: a.count })).sort(byCountDesc),
      byRegion: labelled(installations.byRegion, (k) => regionLabel(t, k)),
    },
    abandonments: { total: abandons.reduce((a, x) => a + x.count, 0), byReason: labelled(abandons, (k) => abandonReasons.find((r) => r.value === k)?.label ?? null) },
    followUpsDone: {
      total: followUps.reduce((a, x) => a + x.count, 0),
      byMonths: followUps.sort((a, b) => a.months - b.months).map((f) => ({ key: String(f.months), label: followUpLabels[String(f.months)] ?? `Suivi à ${f.months} mois`, count: f.count })),
    },
    cost: {
      totalCents,
      perRegistrantCents: costPer(totalCents, sum((e) => e.registrations, paid)),
      perAttendeeCents: costPer(totalCents, sum((e) => (e.held ? e.attendees : 0), paid)),
      perRequestCents: costPer(totalCents, paidRequests),
      perInstallationCents: single ? null : costPer(totalCents, installations.households),
    },
    sources: sources
      .map((s) => ({ key: s.key ?? NO_SOURCE, label: s.key ?? NO_SOURCE, count: s.count, attendees: s.attendees }))
      .sort(byCountDesc),
    places: [...placeCounts].map(([key, count]) => ({ key, label: placeLabel(key), count })).sort(byCountDesc),
    projects: labelled(projects, (k) => labelOf(projectList, k)),
    households: labelled(households, (k) => labelOf(householdList, k)),
    webinars,
    months: monthsStats,
    funnel: {
      overall: { key: 'periode', label: 'Premiers contacts de la période', counts: overallCounts, medians: mediansOf(overallHist) },
      byMonth: monthFunnel.rows,
      byEdition: editionFunnel.rows,
    },
  };
}
