import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { parsedForm } from '../../../tests/support/fixtures.ts';
import { seedStatisticsHistory } from '../../../tests/support/statistics-data.ts';
import { changeStage } from '../candidates/change-stage.ts';
import { cancelRegistration } from '../registrations/cancel-registration.ts';
import { registerCandidate } from '../registrations/register-candidate.ts';
import { connect, type Db } from '../../platform/db/database.ts';
import { computeStatistics } from './compute-statistics.ts';
import { clearStatisticsCache, storePendingFacts } from './statistics-facts.ts';
import { yearPeriod, zonedDate, type Period } from './period.ts';
import { statisticsRefresher } from './refresh-statistics.ts';

/**
 * The facts of each edition and each day of first contact are cached (statistics-facts.ts); these
 * tests prove the cache never shows anything else than the records: after each kind of write that the
 * platform makes, the figures read through the cache are exactly those computed from scratch with an
 * empty cache; a write makes only what it touched be computed again; and the background refresh
 * leaves the views nothing to compute.
 */
const NOW = new Date('2025-06-01T10:00:00.000Z');
const periods: Period[] = [yearPeriod(2023, 'Europe/Paris'), yearPeriod(2024, 'Europe/Paris'), yearPeriod(2025, 'Europe/Paris'), { from: '2023-06-01', to: '2025-03-31', zone: 'Europe/Paris' }];

describe.each(dialects())('cached statistics stay exactly the records on %s', (dialect) => {
  let t: TestContext;
  let d: Awaited<ReturnType<typeof seedStatisticsHistory>>;
  beforeEach(async () => {
    t = await createTestContext(dialect, { now: NOW.toISOString() });
    d = await seedStatisticsHistory(t.db);
  });
  afterEach(async () => {
    await t.close();
  });
  const read = (p: Period) => computeStatistics({ db: t.db, territory: t.territory, now: NOW }, p);
  const readAll = () => Promise.all(periods.map(read));
  const fromScratch = async () => {
    await clearStatisticsCache(t.db);
    return readAll();
  };
  const registrationOf = async (webinarId: unknown, candidateId: string) =>
    (await t.db.kysely.selectFrom('registrations').select('id').where('webinar_id', '=', webinarId as string).where('candidate_id', '=', candidateId).executeTakeFirstOrThrow()).id;

  it('reads cached facts while nothing changed', async () => {
    const first = await readAll();
    // What the views computed is stored by the background refresh (a view never waits for a write).
    expect(await statsRows('stats_edition_cache')).toBe(0);
    await storePendingFacts(t.db);
    const cached = await t.db.kysely.selectFrom('stats_edition_cache' as never).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    expect(Number((cached as { n: number }).n)).toBe(6);
    // Tamper with one cached fact: the next read shows it, which proves the cache is what is read…
    const w2 = String(d.W2.id);
    const row = await sql<{ data: string }>`select data from stats_edition_cache where webinar_id = ${w2}`.execute(t.db.kysely);
    const data = JSON.parse(row.rows[0]!.data);
    data.confirmed = 40;
    await sql`update stats_edition_cache set data = ${JSON.stringify(data)} where webinar_id = ${w2}`.execute(t.db.kysely);
    // This process still remembers the facts it read, under the same version…
    expect((await read(periods[1]!)).registrations).toBe(first[1]!.registrations);
    // …and another process (a fresh Db on the same database) reads the stored ones, once the stored
    // figures of the periods (which it would read first) are forgotten.
    await sql`delete from stats_period_cache`.execute(t.db.kysely);
    const other = connect(t.testDb.target);
    try {
      expect((await computeStatistics({ db: other, territory: t.territory, now: NOW }, periods[1]!)).registrations).toBe(45);
    } finally {
      await other.close();
    }
    // …and the next write to that Rencontre makes it computed again from the records.
    await t.db.kysely.updateTable('registrations').set({ attended_minutes: 51 }).where('id', '=', await registrationOf(d.W2.id, d.A)).execute();
    const after = await read(periods[1]!);
    expect(after.registrations).toBe(first[1]!.registrations);
    expect(after.webinars.find((w) => w.id === d.W2.id)?.averageMinutes).toBe(45.5);
  });

  /** Registrations close when a Rencontre starts: these happen back then, and the clock comes back. */
  const registerAt = async (at: string, f: () => Promise<unknown>) => {
    t.clock.set(at);
    try {
      return await f();
    } finally {
      t.clock.set(NOW);
    }
  };
  const writes: Array<[string, () => Promise<unknown>]> = [
    ['a new person registers (a new first contact)', () => registerAt('2024-06-10T10:00:00.000Z', () => registerCandidate(t.s, { webinarId: d.W3.id as string, submissionKey: randomUUID(), form: parsedForm({ email: 'nouvelle@example.org', postcode: '12000' }), source: { utmSource: 'instagram', utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } }))],
    ['someone already known registers to an earlier Rencontre', () => registerAt('2023-12-30T10:00:00.000Z', () => registerCandidate(t.s, { webinarId: d.W1.id as string, submissionKey: randomUUID(), form: parsedForm({ email: 'fanny@example.org' }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } }))],
    ['a registration is cancelled', async () => cancelRegistration(t.s, { registrationId: await registrationOf(d.W1.id, d.B), actor: { type: 'candidate', id: null } })],
    ['attendance is corrected', async () => t.db.kysely.updateTable('registrations').set({ attended: 1, attended_minutes: 20 }).where('id', '=', await registrationOf(d.W3.id, d.F)).execute()],
    ['a person moves to another département', () => t.db.kysely.updateTable('candidates').set({ postcode: '34000' }).where('id', '=', d.C).execute()],
    ['a person asks to be accompanied', () => t.db.kysely.insertInto('accompaniment_requests').values({ id: randomUUID(), candidate_id: d.B, registration_id: null, webinar_id: d.W3.id as string, project: 'p', horizon: '6-12-mois', movers: 'seul', needs: '[]', message: null, status: 'new', created_at: '2024-06-20T10:00:00.000Z' }).execute()],
    ['a household is accompanied', () => t.db.transaction((trx) => changeStage(trx, { candidateId: d.F, to: 'accompanied', at: new Date('2024-12-20T10:00:00.000Z'), actor: { type: 'agent', id: null } }))],
    ['a household settles, then leaves', async () => {
      await t.db.kysely.insertInto('installations').values({ id: randomUUID(), candidate_id: d.C, installed_on: '2024-05-02', commune_code: null, commune_name: 'Florac', region_key: 'cevennes-mont-lozere', adults: 1, children: 2, activity: 'creation', employer: null, housing: null, left_on: null, left_reason: null, created_by: null, created_at: '2024-05-02T10:00:00.000Z' }).execute();
      await t.db.kysely.updateTable('installations').set({ left_on: '2024-11-01' }).where('candidate_id', '=', d.C).execute();
    }],
    ['a replay is sent', () => t.db.kysely.updateTable('outbox_messages').set({ status: 'sent' }).where('kind', '=', 'replay-attended').where('status', '=', 'failed').execute()],
    ['a Rencontre is moved to the next year', () => t.db.kysely.updateTable('webinars').set({ starts_at: '2025-01-10T11:30:00.000Z', ends_at: '2025-01-10T12:30:00.000Z' }).where('id', '=', d.W3.id as string).execute()],
    ['a Rencontre is cancelled', () => t.db.kysely.updateTable('webinars').set({ status: 'cancelled' }).where('id', '=', d.W1.id as string).execute()],
    // No counter is bumped by these: the figures made of them are computed at each view.
    ['a promotion cost is entered', () => t.db.kysely.updateTable('webinars').set({ promotion_cost_cents: 4200 }).where('id', '=', d.W3.id as string).execute()],
    ['a Rencontre is renamed', () => t.db.kysely.updateTable('webinars').set({ title: 'Rencontre : travailler en Lozère' }).where('id', '=', d.W3.id as string).execute()],
    ['a follow-up is answered', () => t.db.kysely.updateTable('follow_ups').set({ status: 'answered', answered_at: '2024-11-20T10:00:00.000Z' }).where('status', '<>', 'answered').execute()],
    ['a file is merged into another', async () => {
      await t.db.kysely.updateTable('registrations').set({ candidate_id: d.A }).where('candidate_id', '=', d.F).where('webinar_id', '=', d.W3.id as string).execute();
      await t.db.kysely.updateTable('candidates').set({ merged_into_id: d.A }).where('id', '=', d.F).execute();
    }],
  ];

  const statsRows = async (table: string) => Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(t.db.kysely)).rows[0]!.n);
  /** When each stored fact was computed: the edition's id or the day → computed_at. */
  const computedAt = async () => {
    const editions = await sql<{ k: string; at: string }>`select webinar_id as k, computed_at as at from stats_edition_cache`.execute(t.db.kysely);
    const days = await sql<{ k: string; at: string }>`select day as k, computed_at as at from stats_day_cache`.execute(t.db.kysely);
    return { editions: new Map(editions.rows.map((r) => [r.k, r.at])), days: new Map(days.rows.map((r) => [r.k, r.at])) };
  };
  const recomputedAt = (m: Map<string, string>, at: Date) => [...m].filter(([, x]) => x === at.toISOString()).map(([key]) => key).sort();

  it('a correction makes only its household’s days and Rencontres be computed again', async () => {
    await readAll();
    await storePendingFacts(t.db);
    const later = new Date(NOW.getTime() + 1000);
    // Fanny's attendance at the June Rencontre is corrected: her registrations there and after, her day.
    await t.db.kysely.updateTable('registrations').set({ attended: 1, attended_minutes: 20 }).where('id', '=', await registrationOf(d.W3.id, d.F)).execute();
    const fresh = await Promise.all(periods.map((p) => computeStatistics({ db: t.db, territory: t.territory, now: later }, p)));
    await storePendingFacts(t.db);
    const after = await computedAt();
    // Her first contact's day, and the next one, which starts at 22:00 UTC the same UTC day (counters are by UTC day).
    const fannysDays = [zonedDate('2024-05-01T10:00:00.000Z', 'Europe/Paris'), zonedDate('2024-05-01T22:00:00.000Z', 'Europe/Paris')];
    const fannysEditions = (await t.db.kysely.selectFrom('registrations').select('webinar_id').where('candidate_id', '=', d.F).execute()).map((r) => r.webinar_id);
    expect(recomputedAt(after.days, later)).toEqual(fannysDays);
    expect(recomputedAt(after.editions, later)).toContain(d.W3.id);
    for (const id of recomputedAt(after.editions, later)) expect(fannysEditions).toContain(id);
    expect(after.days.size).toBeGreaterThan(700);
    expect(fresh).toEqual((await fromScratch()).map((x) => ({ ...x, generatedAt: later.toISOString() })));
  });

  it('another process emptying the cache makes this one compute again what changes (its memory of facts is only a copy of what is stored)', async () => {
    const first = await readAll();
    const other = connect(t.testDb.target);
    try {
      await clearStatisticsCache(other);
    } finally {
      await other.close();
    }
    // Nothing changed: the same figures.
    expect(await readAll()).toEqual(first);
    // A write: every fact these periods need is computed again (and stored by the refresh), not taken from memory.
    await t.db.kysely.updateTable('registrations').set({ attended_minutes: 51 }).where('id', '=', await registrationOf(d.W2.id, d.A)).execute();
    const after = await readAll();
    await storePendingFacts(t.db);
    const stored = await t.db.kysely.selectFrom('stats_edition_cache' as never).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    expect(Number((stored as { n: number }).n)).toBe(6);
    expect(after).toEqual(await fromScratch());
  });

  it('a process that has just started gives a year from the figures the refresh stored, while they are computed from what is now', async () => {
    expect(await statsRows('stats_period_cache')).toBe(0);
    await statisticsRefresher({ db: t.db, territory: t.territory, clock: { now: () => NOW } }, { budgetMs: 60_000, everyYearMs: 0 }).run();
    expect(await statsRows('stats_period_cache')).toBeGreaterThanOrEqual(3);
    const first = await readAll();
    // The stored figures of 2024 are what another process reads (tampered with, to prove it)…
    const row = await sql<{ data: string }>`select data from stats_period_cache where period = '2024-01-01..2024-12-31'`.execute(t.db.kysely);
    const data = JSON.parse(row.rows[0]!.data);
    data.registrations = 4242;
    await sql`update stats_period_cache set data = ${JSON.stringify(data)} where period = '2024-01-01..2024-12-31'`.execute(t.db.kysely);
    const readIn = async (db: Db) => computeStatistics({ db, territory: t.territory, now: NOW }, periods[1]!);
    const other = connect(t.testDb.target);
    try {
      expect((await readIn(other)).registrations).toBe(4242);
      // …while this process remembers what it computed.
      expect((await readIn(t.db)).registrations).toBe(first[1]!.registrations);
      // A promotion cost entered (no counter bumped): what the figures are made of is not the same, computed again.
      await t.db.kysely.updateTable('webinars').set({ promotion_cost_cents: 100 }).where('id', '=', d.W3.id as string).execute();
      const other2 = connect(t.testDb.target);
      try {
        const fresh = await readIn(other2);
        expect(fresh.registrations).toBe(first[1]!.registrations);
        expect(fresh.cost.totalCents).toBe(first[1]!.cost.totalCents + 100);
      } finally {
        await other2.close();
      }
      // The next day, the same figures are computed again: "held" and "still there at 12 months" depend on it.
      const tomorrow = new Date(NOW.getTime() + 86_400_000);
      expect((await computeStatistics({ db: other, territory: t.territory, now: tomorrow }, periods[1]!)).registrations).toBe(first[1]!.registrations);
    } finally {
      await other.close();
    }
  });

  it('the background refresh computes every year ahead of the views, then what writes touched', async () => {
    await clearStatisticsCache(t.db);
    let at = NOW;
    const refresher = statisticsRefresher({ db: t.db, territory: t.territory, clock: { now: () => at } }, { budgetMs: 60_000, everyYearMs: 0 });
    expect((await refresher.run()).allYearsDone).toBe(true);
    /** A view in another process (nothing in memory) computes nothing: every stored fact is current. */
    const viewComputesNothing = async (now: Date) => {
      const other = connect(t.testDb.target);
      try {
        const figures = await Promise.all(periods.map((p) => computeStatistics({ db: other, territory: t.territory, now }, p)));
        const c = await computedAt();
        expect(recomputedAt(c.editions, now)).toEqual([]);
        expect(recomputedAt(c.days, now)).toEqual([]);
        return figures;
      } finally {
        await other.close();
      }
    };
    const before = await viewComputesNothing(new Date(NOW.getTime() + 1000));
    // A day of activity: a request, an attendance corrected; the next run catches up.
    await t.db.kysely.insertInto('accompaniment_requests').values({ id: randomUUID(), candidate_id: d.B, registration_id: null, webinar_id: d.W3.id as string, project: 'p', horizon: '6-12-mois', movers: 'seul', needs: '[]', message: null, status: 'new', created_at: '2024-06-20T10:00:00.000Z' }).execute();
    await t.db.kysely.updateTable('registrations').set({ attended: 1, attended_minutes: 20 }).where('id', '=', await registrationOf(d.W3.id, d.F)).execute();
    at = new Date(NOW.getTime() + 2000);
    await refresher.run();
    const after = await viewComputesNothing(new Date(NOW.getTime() + 3000));
    expect(after).not.toEqual(before);
    expect(after).toEqual((await fromScratch()).map((x) => ({ ...x, generatedAt: new Date(NOW.getTime() + 3000).toISOString() })));
  });

  it.each(writes)('after a write (%s), the cache gives what the records give', async (_name, write) => {
    const before = await readAll();
    await write();
    const cached = await readAll();
    const truth = await fromScratch();
    expect(cached).toEqual(truth);
    // The write changed something these periods show: the proof is not vacuous.
    expect(truth).not.toEqual(before);
  });
});
