import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadDemoData, seedDemo } from '../demo/seed-demo.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { seedStatisticsHistory } from '../../../tests/support/statistics-data.ts';
import { computeStatistics } from './compute-statistics.ts';
import { yearPeriod } from './period.ts';
import { statisticsJson } from './statistics-json.ts';

const NOW = new Date('2025-06-01T10:00:00.000Z');
const zone = 'Europe/Paris';
const median = (days: number | null, n: number) => ({ days, n });
const none = median(null, 0);

describe.each(dialects())('statistics computed from the records on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect, { now: NOW.toISOString() });
  });
  afterEach(async () => {
    await t.close();
  });
  const compute = (year: number, opts: { webinarId?: string } = {}) => computeStatistics({ db: t.db, territory: t.territory, now: NOW }, yearPeriod(year, zone), opts);

  it('counts a year by hand: editions on both sides of New Year in Paris, cancellations, waiting list, people at several Rencontres, a Rencontre nobody attended', async () => {
    const d = await seedStatisticsHistory(t.db);
    const s = await compute(2024);
    // W1 (1 Jan 00:30 Paris), W2, W3, W4 (31 Dec 23:30 Paris); not W0 (2023), W5 (1 Jan 2025 Paris), the draft or the cancelled one.
    expect(s.webinars.map((w) => w.id)).toEqual([d.W1.id, d.W2.id, d.W3.id, d.W4.id]);
    expect(s.editions).toEqual({ total: 4, generic: 2, thematic: 2, held: 4 });
    expect({ registrations: s.registrations, confirmed: s.confirmed, waitlisted: s.waitlisted, cancelled: s.cancelled }).toEqual({ registrations: 7, confirmed: 6, waitlisted: 1, cancelled: 2 });
    // Anne, Bruno, Chloé, Driss, Fanny; Emma only cancelled.
    expect(s.distinctPeople).toBe(5);
    expect(s.attendees).toBe(3);
    expect(s.attendanceRate).toBeCloseTo(3 / 7, 10);
    expect(s.attendanceRange).toEqual({ min: 0, max: 2 / 3 });
    expect(s.averageMinutes).toBe(40);
    expect(s.replaysSent).toEqual({ attended: 2, absent: 1, total: 3 });
    expect(s.accompanimentRequests).toBe(3);
    expect(s.installations).toEqual({
      households: 2,
      adults: 3,
      children: 1,
      byActivity: [
        { key: 'job', label: 'Emploi salarié', count: 1 },
        { key: 'takeover', label: 'Reprise d’entreprise', count: 1 },
      ],
      byRegion: [
        { key: 'aubrac', label: 'Aubrac', count: 1 },
        { key: 'margeride', label: 'Margeride', count: 1 },
      ],
    });
    expect(s.abandonments).toEqual({
      total: 2,
      byReason: [
        { key: 'emploi', label: 'Pas d’emploi trouvé', count: 1 },
        { key: 'logement', label: 'Pas de logement adapté', count: 1 },
      ],
    });
    expect(s.followUpsDone).toEqual({ total: 1, byMonths: [{ key: '3', label: 'Suivi à 3 mois', count: 1 }] });
    // 100 € + 60 € on W1 and W2, which brought 5 registrations, 3 attendees and 2 requests; 2 installations in the year.
    expect(s.cost).toEqual({ totalCents: 16000, perRegistrantCents: 3200, perAttendeeCents: 5333, perRequestCents: 8000, perInstallationCents: 8000 });
    expect(s.sources).toEqual([
      { key: '(aucune)', label: '(aucune)', count: 3, attendees: 0 },
      { key: 'facebook', label: 'facebook', count: 3, attendees: 2 },
      { key: 'newsletter', label: 'newsletter', count: 1, attendees: 1 },
    ]);
    expect(s.places.map((p) => [p.key, p.count]).sort()).toEqual([
      ['2A', 1],
      ['2B', 1],
      ['48', 1],
      ['75', 1],
      ['974', 1],
    ]);
    expect(s.places.find((p) => p.key === '2A')?.label).toBe('Corse-du-Sud (2A)');
    expect(s.projects.map((p) => [p.key, p.count])).toEqual([
      ['salarie', 3],
      ['teletravail', 2],
      ['creation-reprise', 1],
      ['', 1],
    ]);
    expect(s.households.map((p) => [p.key, p.count])).toEqual([
      ['couple', 6],
      ['enfants', 1],
    ]);
    expect(s.months.filter((m) => m.editions > 0)).toEqual([
      { month: '2024-01', editions: 1, registrations: 2, attendees: 1 },
      { month: '2024-03', editions: 1, registrations: 3, attendees: 2 },
      { month: '2024-06', editions: 1, registrations: 2, attendees: 0 },
      { month: '2024-12', editions: 1, registrations: 0, attendees: 0 },
    ]);
    expect(s.months).toHaveLength(12);
  });

  it('gives each Rencontre its own figures, costs and first-time versus returning people', async () => {
    const d = await seedStatisticsHistory(t.db);
    const s = await compute(2024);
    const pick = (id: unknown) => {
      const w = s.webinars.find((x) => x.id === id)!;
      return {
        confirmed: w.confirmed,
        waitlisted: w.waitlisted,
        cancelled: w.cancelled,
        registrations: w.registrations,
        attendees: w.attendees,
        attendanceRate: w.attendanceRate,
        averageMinutes: w.averageMinutes,
        firstTime: w.firstTime,
        returning: w.returning,
        accompanimentRequests: w.accompanimentRequests,
        cost: [w.promotionCostCents, w.costPerRegistrantCents, w.costPerAttendeeCents, w.costPerRequestCents],
      };
    };
    // Anne came in 2023 (returning); Bruno's first.
    expect(pick(d.W1.id)).toEqual({ confirmed: 2, waitlisted: 0, cancelled: 0, registrations: 2, attendees: 1, attendanceRate: 0.5, averageMinutes: 30, firstTime: 1, returning: 1, accompanimentRequests: 1, cost: [10000, 5000, 10000, 10000] });
    // Anne returning; Chloé and Driss (waiting list) first-time; Emma cancelled and not counted, even marked present.
    expect(pick(d.W2.id)).toEqual({ confirmed: 2, waitlisted: 1, cancelled: 1, registrations: 3, attendees: 2, attendanceRate: 2 / 3, averageMinutes: 45, firstTime: 2, returning: 1, accompanimentRequests: 1, cost: [6000, 2000, 3000, 6000] });
    // Nobody attended: a rate of 0, no average; Bruno returning, Fanny first-time; Chloé cancelled.
    expect(pick(d.W3.id)).toEqual({ confirmed: 2, waitlisted: 0, cancelled: 1, registrations: 2, attendees: 0, attendanceRate: 0, averageMinutes: null, firstTime: 1, returning: 1, accompanimentRequests: 0, cost: [null, null, null, null] });
    // Nobody registered: no rate at all.
    expect(pick(d.W4.id)).toEqual({ confirmed: 0, waitlisted: 0, cancelled: 0, registrations: 0, attendees: 0, attendanceRate: null, averageMinutes: null, firstTime: 0, returning: 0, accompanimentRequests: 0, cost: [null, null, null, null] });
    expect(s.webinars.find((w) => w.id === d.W2.id)?.themeLabel).toBe('Se loger');
  });

  it('follows each cohort through the funnel with the median days between steps', async () => {
    const d = await seedStatisticsHistory(t.db);
    const s = await compute(2024);
    const row = (rows: typeof s.funnel.byEdition, key: unknown) => {
      const r = rows.find((x) => x.key === key)!;
      return { counts: r.counts, medians: r.medians };
    };
    // W1: Anne registered 20 Dec 10:00 UTC, came 31 Dec 23:30 UTC (11.6 days), asked 10 Jan (9.4),
    // accompanied 20 Jan (9.96), installed 1 Apr (71.6), still there a year on; Bruno never came.
    expect(row(s.funnel.byEdition, d.W1.id)).toEqual({
      counts: { registered: 2, attended: 1, asked: 1, accompanied: 1, installed: 1, stayed: 1 },
      medians: { 'registered-attended': median(11, 1), 'attended-asked': median(9, 1), 'asked-accompanied': median(9, 1), 'accompanied-installed': median(71, 1) },
    });
    // W2: Anne's request came before this registration and does not count for it; her move to
    // "installed" (a stage past "accompanied") does. Chloé: 10 and Anne: 14 days to come (median 12).
    expect(row(s.funnel.byEdition, d.W2.id)).toEqual({
      counts: { registered: 3, attended: 2, asked: 1, accompanied: 2, installed: 1, stayed: 1 },
      medians: { 'registered-attended': median(12, 2), 'attended-asked': median(4, 1), 'asked-accompanied': median(21, 1), 'accompanied-installed': none },
    });
    expect(row(s.funnel.byEdition, d.W3.id)).toEqual({
      counts: { registered: 2, attended: 0, asked: 1, accompanied: 0, installed: 0, stayed: 0 },
      medians: { 'registered-attended': none, 'attended-asked': none, 'asked-accompanied': none, 'accompanied-installed': none },
    });
    expect(row(s.funnel.byEdition, d.W4.id).counts).toEqual({ registered: 0, attended: 0, asked: 0, accompanied: 0, installed: 0, stayed: 0 });

    // By month of first contact in Paris: Bruno (00:15 on 1 January) in January; Chloé and Driss in
    // February (not the merged file, nor Emma who only cancelled); Fanny in May; Gaël is 2025.
    expect(s.funnel.byMonth.map((m) => [m.key, m.counts.registered])).toEqual([
      ['2024-01', 1],
      ['2024-02', 2],
      ['2024-03', 0],
      ['2024-04', 0],
      ['2024-05', 1],
      ['2024-06', 0],
      ['2024-07', 0],
      ['2024-08', 0],
      ['2024-09', 0],
      ['2024-10', 0],
      ['2024-11', 0],
      ['2024-12', 0],
    ]);
    expect(row(s.funnel.byMonth, '2024-02')).toEqual({
      counts: { registered: 2, attended: 1, asked: 1, accompanied: 1, installed: 0, stayed: 0 },
      medians: { 'registered-attended': median(43, 1), 'attended-asked': median(4, 1), 'asked-accompanied': median(21, 1), 'accompanied-installed': none },
    });
    expect(row(s.funnel.byMonth, '2024-05').counts).toEqual({ registered: 1, attended: 0, asked: 1, accompanied: 0, installed: 0, stayed: 0 });
    expect(s.funnel.overall).toMatchObject({
      counts: { registered: 4, attended: 1, asked: 2, accompanied: 1, installed: 0, stayed: 0 },
      medians: { 'registered-attended': median(43, 1), 'attended-asked': median(4, 1), 'asked-accompanied': median(21, 1), 'accompanied-installed': none },
    });
  });

  it('puts each edition in its year in Paris time, and gives one Rencontre its own page', async () => {
    const d = await seedStatisticsHistory(t.db);
    const y2023 = await compute(2023);
    expect(y2023.webinars.map((w) => w.id)).toEqual([d.W0.id]);
    expect([y2023.registrations, y2023.attendees, y2023.attendanceRate, y2023.accompanimentRequests]).toEqual([1, 1, 1, 1]);
    const y2025 = await compute(2025);
    expect(y2025.webinars.map((w) => w.id)).toEqual([d.W5.id]);
    expect(y2025.registrations).toBe(3);
    expect(y2025.funnel.byMonth.find((m) => m.key === '2025-01')?.counts.registered).toBe(1);

    const one = await compute(2024, { webinarId: d.W2.id });
    expect(one.webinars.map((w) => w.id)).toEqual([d.W2.id]);
    expect([one.registrations, one.distinctPeople, one.attendees, one.accompanimentRequests]).toEqual([3, 3, 2, 1]);
    expect(one.places.map((p) => p.key).sort()).toEqual(['2B', '75', '974']);
  });

  it('gives machines the figures in the documented shape', async () => {
    const d = await seedStatisticsHistory(t.db);
    const json = statisticsJson(await compute(2024));
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['from', 'to', 'editions', 'registrations', 'distinctPeople', 'attendees', 'attendanceRate', 'accompanimentRequests', 'installations', 'webinars']));
    expect(json).toMatchObject({ from: '2024-01-01', to: '2024-12-31', editions: { total: 4, generic: 2, thematic: 2 }, registrations: 7, cancelledRegistrations: 2, distinctPeople: 5, attendees: 3, accompanimentRequests: 3, installations: 2 });
    expect(json.webinars[0]).toEqual({
      id: d.W1.id,
      title: 'Rencontre du Nouvel An',
      startsAt: '2024-01-01T00:30:00+01:00',
      kind: 'generic',
      theme: null,
      registrations: 2,
      cancelledRegistrations: 0,
      attendees: 1,
      attendanceRate: 0.5,
      accompanimentRequests: 1,
      promotionCostCents: 10000,
    });
    expect(json.webinars[1]).toMatchObject({ startsAt: '2024-03-15T12:30:00+01:00', theme: 'logement', attendanceRate: 2 / 3 });
    expect(json.webinars[3]).toMatchObject({ startsAt: '2024-12-31T23:30:00+01:00', registrations: 0, attendanceRate: null });
  });

  it('reproduces what the programme reported for 2023 from the demo: six editions, two generic, four thematic, 236 registrations, each between 40 and 60 %', async () => {
    const demo = loadDemoData('lozere')!;
    await seedDemo(t.db, t.territory, demo, { now: new Date('2026-11-29T10:00:00.000Z'), tokenKey: Buffer.alloc(32, 7) });
    const s = await computeStatistics({ db: t.db, territory: t.territory, now: new Date('2026-11-29T10:00:00.000Z') }, yearPeriod(2023, zone));
    expect(s.editions).toMatchObject({ total: 6, generic: 2, thematic: 4 });
    expect(s.registrations).toBe(236);
    expect(s.webinars.map((w) => w.registrations)).toEqual([52, 31, 38, 45, 29, 41]);
    expect(s.webinars.map((w) => w.attendees)).toEqual([26, 14, 21, 20, 13, 22]);
    for (const w of s.webinars) {
      expect(w.attendanceRate).toBeGreaterThanOrEqual(0.4);
      expect(w.attendanceRate).toBeLessThanOrEqual(0.6);
    }
    expect(s.attendees).toBe(116);
    expect(s.attendanceRate).toBeCloseTo(116 / 236, 10);
    // About one in eight came back: fewer people than registrations, as the demo draws them.
    expect(s.distinctPeople).toBeLessThan(236);
    // 2023 is the demo's first year: each person's first Rencontre is in it, so each is first-time exactly once.
    expect(s.webinars.reduce((a, w) => a + w.firstTime, 0)).toBe(s.distinctPeople);
    expect(s.webinars.reduce((a, w) => a + w.returning, 0)).toBe(236 - s.distinctPeople);
    expect(s.cost.totalCents).toBe(6 * 5000);
  });
});
