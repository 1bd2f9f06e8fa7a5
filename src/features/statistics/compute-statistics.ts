import type { Db } from '../../platform/db/database.ts';
import { regionLabel, themeLabel, type Territory } from '../territory/territory.ts';
import { abandonReasons } from '../candidates/change-stage.ts';
import { households as householdList, labelOf, projects as projectList } from '../registrations/registration.ts';
import { placeLabel } from './departements.ts';
import { monthLabel, periodBounds, periodMonths, shortDayLabel, zonedDate, type Period } from './period.ts';
import { FACTS_FORMAT, loadEditionFacts, loadMonthFacts, type EditionFacts, type FunnelFacts } from './statistics-facts.ts';
import { abandonmentsIn, editionRows, followUpsAnsweredIn, installationsIn, requestsMadeIn, type Scope } from './statistics-queries.ts';
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

/** A date one year later, 29 February giving 28 February (string arithmetic: it runs for every settled household). */
function plusTwelveMonths(date: string): string {
  const [y, m, d] = date.split('-');
  return `${Number(y) + 1}-${m}-${m === '02' && d === '29' ? '28' : d}`;
}

/** Households of a cohort still there twelve months after settling, as of `today` (YYYY-MM-DD). */
function stayedOf(f: FunnelFacts, today: string): number {
  return f.stays.reduce((a, [on, left, n]) => {
    const year = plusTwelveMonths(on);
    return year <= today && (left === null || left >= year) ? a + n : a;
  }, 0);
}

function histogramsOf(f: FunnelFacts): Map<FunnelGap, Map<number, number>> {
  const byGap = new Map<FunnelGap, Map<number, number>>();
  for (const [index, days, n] of f.hist) {
    const [a, b] = funnelGaps[index]!;
    const gap = `${a}-${b}` as FunnelGap;
    let h = byGap.get(gap);
    if (!h) byGap.set(gap, (h = new Map()));
    h.set(days, (h.get(days) ?? 0) + n);
  }
  return byGap;
}

function mediansOf(byGap: Map<FunnelGap, Map<number, number>> | undefined): Record<FunnelGap, Median> {
  const out = {} as Record<FunnelGap, Median>;
  for (const [a, b] of funnelGaps) {
    const g = `${a}-${b}` as FunnelGap;
    out[g] = medianOfHistogram(byGap?.get(g) ?? new Map());
  }
  return out;
}

function funnelRow(key: string, label: string, f: FunnelFacts, today: string): FunnelRow {
  return { key, label, counts: { ...f.n, stayed: stayedOf(f, today) }, medians: mediansOf(histogramsOf(f)) };
}

const emptyFacts = (): EditionFacts => ({
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

/**
 * The statistics of a period (or of one Rencontre, with `webinarId`), always from the records: each
 * edition's and each month's facts come from the cache only while the triggers say nothing they are
 * made of has changed (statistics-facts.ts), so a correction (an attendance fixed by an agent, an old
 * report imported) shows at once. Rule kept: every figure follows the definitions of statistics.ts.
 */
export async function computeStatistics(deps: { db: Db; territory: Territory; now: Date }, period: Period, opts: { webinarId?: string | null } = {}): Promise<PeriodStatistics> {
  const { db, territory: t, now } = deps;
  const k = db.kysely;
  const bounds = periodBounds(period);
  const scope: Scope = { ...bounds, fromDate: period.from, toDate: period.to, webinarId: opts.webinarId ?? null };
  const months = periodMonths(period);
  const today = zonedDate(now.toISOString(), period.zone);
  const single = Boolean(opts.webinarId);

  const editions = await editionRows(k, scope);
  const [facts, monthFacts, requests, installations, abandons, followUps] = await Promise.all([
    loadEditionFacts(db, editions, now),
    single ? Promise.resolve(new Map<string, FunnelFacts>()) : loadMonthFacts(db, period.zone, months, now),
    single ? Promise.resolve(0) : requestsMadeIn(k, scope),
    single ? Promise.resolve({ households: 0, adults: 0, children: 0, byActivity: [], byRegion: [] }) : installationsIn(k, scope),
    single ? Promise.resolve([]) : abandonmentsIn(k, scope),
    single ? Promise.resolve([]) : followUpsAnsweredIn(k, scope),
  ]);

  const nowIso = now.toISOString();
  const factsOf = (id: string) => facts.get(id) ?? emptyFacts();
  const webinars: EditionStats[] = editions.map((e) => {
    const c = factsOf(e.id);
    const registrations = c.confirmed + c.waitlisted;
    const held = e.starts_at <= nowIso;
    const ret = c.registrants.reduce((a, [prev, , n]) => (prev === null ? a : a + n), 0);
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
  const all = editions.map((e) => factsOf(e.id));
  const minutes = all.reduce((a, c) => ({ s: a.s + c.minutesSum, n: a.n + c.minutesN }), { s: 0, n: 0 });
  const paid = webinars.filter((e) => e.promotionCostCents !== null);
  const totalCents = sum((e) => e.promotionCostCents ?? 0, paid);

  const monthsStats: MonthStats[] = months.map((m) => ({ month: m.month, editions: 0, registrations: 0, attendees: 0 }));
  for (const e of webinars) {
    const row = monthsStats.find((x) => x.month === zonedDate(e.startsAt, period.zone).slice(0, 7));
    if (row) {
      row.editions++;
      row.registrations += e.registrations;
      row.attendees += e.attendees;
    }
  }

  // Each person once: at the edition of the period they came to first, whose previous Rencontre (if
  // any) is before the period. On one Rencontre's page, everyone registered to it.
  let people = 0;
  const placeCounts = new Map<string, number>();
  const fromMinute = Date.parse(bounds.fromUtc) / 60_000;
  for (const c of all) {
    for (const [prev, place, n] of c.registrants) {
      if (!single && prev !== null && prev >= fromMinute) continue;
      people += n;
      merge(placeCounts, place, n);
    }
  }
  const sources = new Map<string, { count: number; attendees: number }>();
  const projects = new Map<string, number>();
  const households = new Map<string, number>();
  for (const c of all) {
    for (const [key, n, a] of c.sources) {
      const x = sources.get(key ?? NO_SOURCE) ?? { count: 0, attendees: 0 };
      sources.set(key ?? NO_SOURCE, { count: x.count + n, attendees: x.attendees + a });
    }
    for (const [key, n] of c.projects) merge(projects, key ?? '', n);
    for (const [key, n] of c.households) merge(households, key ?? '', n);
  }
  const replays = all.reduce((a, c) => ({ attended: a.attended + c.replays.attended, absent: a.absent + c.replays.absent }), { attended: 0, absent: 0 });

  const editionLabel = (e: EditionStats) => shortDayLabel(zonedDate(e.startsAt, period.zone)) + (e.themeLabel ? ` (${e.themeLabel})` : '');
  const byEdition = webinars.map((e) => funnelRow(e.id, editionLabel(e), factsOf(e.id).funnel, today));
  const monthFunnels = single ? [] : months.map((m) => ({ m, f: monthFacts.get(m.month) ?? emptyFacts().funnel }));
  const byMonth = monthFunnels.map(({ m, f }) => funnelRow(m.month, monthLabel(m.month), f, today));
  const overall: FunnelFacts = { n: { registered: 0, attended: 0, asked: 0, accompanied: 0, installed: 0 }, hist: [], stays: [] };
  for (const { f } of monthFunnels) {
    for (const step of Object.keys(overall.n) as Array<keyof FunnelFacts['n']>) overall.n[step] += f.n[step];
    overall.hist.push(...f.hist);
    overall.stays.push(...f.stays);
  }

  const registrations = sum((e) => e.registrations);
  const attendees = sum((e) => e.attendees);
  const heldRegistrations = sum((e) => e.registrations, held);
  const paidRequests = sum((e) => e.accompanimentRequests, paid);
  const labelled = (rows: Array<{ key: string | null; count: number }>, label: (k: string) => string | null): CountBy[] =>
    rows.map((r) => ({ key: r.key ?? '', label: r.key === null || r.key === '' ? NOT_SAID : (label(r.key) ?? r.key), count: r.count })).sort(byCountDesc);
  const fromMap = (m: Map<string, number>) => [...m].map(([key, count]) => ({ key, count }));

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
      byRegion: labelled(installations.byRegion, (key) => regionLabel(t, key)),
    },
    abandonments: { total: abandons.reduce((a, x) => a + x.count, 0), byReason: labelled(abandons, (key) => abandonReasons.find((r) => r.value === key)?.label ?? null) },
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
    sources: [...sources].map(([key, x]) => ({ key, label: key, count: x.count, attendees: x.attendees })).sort(byCountDesc),
    places: [...placeCounts].map(([key, count]) => ({ key, label: placeLabel(key), count })).sort(byCountDesc),
    projects: labelled(fromMap(projects), (key) => labelOf(projectList, key)),
    households: labelled(fromMap(households), (key) => labelOf(householdList, key)),
    webinars,
    months: monthsStats,
    funnel: {
      overall: funnelRow('periode', 'Premiers contacts de la période', overall, today),
      byMonth,
      byEdition,
    },
  };
}
