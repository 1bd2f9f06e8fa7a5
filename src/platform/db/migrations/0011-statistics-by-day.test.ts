import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Migrator, sql, type Migration } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDb, dialects, type TestDb } from '../../../../tests/support/harness.ts';
import { seedStatisticsHistory } from '../../../../tests/support/statistics-data.ts';
import { computeStatistics } from '../../../features/statistics/compute-statistics.ts';
import { clearStatisticsCache } from '../../../features/statistics/statistics-facts.ts';
import { yearPeriod } from '../../../features/statistics/period.ts';
import { loadTerritory } from '../../../features/territory/territory.ts';

/**
 * Migration 0011 on a database in use: from 0008's counters by month to counters by day, and back.
 * The statistics read through the cache after the migration equal a computation from scratch, and the
 * triggers bump what they should (a known person's registration bumps their day; a new person's does
 * not: their day sees them by its count of first contacts).
 */
const NOW = new Date('2025-06-01T10:00:00.000Z');

async function migrations(): Promise<Record<string, Migration>> {
  const dir = new URL('./', import.meta.url);
  const out: Record<string, Migration> = {};
  for (const f of fs.readdirSync(dir).filter((x) => /^\d{4}-[^.]+\.ts$/.test(x)).sort()) out[f.replace(/\.ts$/, '')] = await import(new URL(f, dir).href);
  return out;
}

const tables = async (t: TestDb) => (await t.db.kysely.introspection.getTables()).map((x) => x.name).filter((n) => n.startsWith('stats_')).sort();
const count = async (t: TestDb, table: string) => Number((await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(t.db.kysely)).rows[0]!.n);

describe.each(dialects())('migration 0011 (statistics by day) on %s', (dialect) => {
  let t: TestDb;
  afterEach(async () => {
    await t.drop();
  });

  it('goes back to 0008, and forward again on a database with a history, keeping the figures exact', async () => {
    t = await createTestDb(dialect);
    const migrator = new Migrator({ db: t.db.kysely, provider: { getMigrations: migrations }, allowUnorderedMigrations: true });
    const down = await migrator.migrateTo('0010-partners-and-offers');
    expect(down.error).toBeUndefined();
    expect(await tables(t)).toEqual(['stats_edition_cache', 'stats_edition_versions', 'stats_month_cache', 'stats_month_versions']);

    // A history written under 0008's triggers.
    const d = await seedStatisticsHistory(t.db);
    expect(await count(t, 'stats_month_versions')).toBeGreaterThan(0);
    const editionsBefore = await count(t, 'stats_edition_versions');

    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(await tables(t)).toEqual(['stats_day_cache', 'stats_day_versions', 'stats_edition_cache', 'stats_edition_versions', 'stats_period_cache']);
    expect(await count(t, 'stats_edition_versions')).toBe(editionsBefore);

    const territory = loadTerritory('lozere');
    const read = () => Promise.all([2023, 2024, 2025].map((y) => computeStatistics({ db: t.db, territory, now: NOW }, yearPeriod(y, 'Europe/Paris'))));
    const cached = await read();
    const versionOf = async (table: 'stats_day_versions' | 'stats_edition_versions', key: string) =>
      Number((await sql<{ v: number }>`select version as v from ${sql.table(table)} where ${sql.ref(table === 'stats_day_versions' ? 'day' : 'webinar_id')} = ${key}`.execute(t.db.kysely)).rows[0]?.v ?? 0);

    // A known person (Hugo, first contact 1 May 2022) registers: their day and the Rencontre are bumped.
    const hugoDay = '2022-05-01';
    const dayBefore = await versionOf('stats_day_versions', hugoDay);
    const editionBefore = await versionOf('stats_edition_versions', String(d.W5.id));
    const registration = (candidateId: string, at: string) => ({
      id: randomUUID(),
      webinar_id: String(d.W5.id),
      candidate_id: candidateId,
      status: 'confirmed' as const,
      token_nonce: 'n',
      manage_token_hash: randomUUID(),
      project: null,
      household: null,
      horizon: null,
      desired_region: null,
      heard_from: null,
      question: null,
      utm_source: null,
      utm_medium: null,
      utm_campaign: null,
      created_by: 'candidate' as const,
      created_at: at,
      confirmed_at: at,
      cancelled_at: null,
      waitlist_rank: null,
      attended: null,
      attended_minutes: null,
    });
    await t.db.kysely.insertInto('registrations').values(registration(d.H, '2024-12-20T10:00:00.000Z')).execute();
    expect(await versionOf('stats_day_versions', hugoDay)).toBe(dayBefore + 1);
    expect(await versionOf('stats_edition_versions', String(d.W5.id))).toBe(editionBefore + 1);

    // A new person registers (their file made at the same instant): no day counter is touched.
    const days = await count(t, 'stats_day_versions');
    const id = randomUUID();
    const at = '2024-12-21T10:00:00.000Z';
    await t.db.kysely.insertInto('candidates').values({ id, email: `${id}@example.org`, email_normalized: `${id}@example.org`, first_name: 'N', last_name: 'P', phone: null, postcode: '48000', town: null, country: 'France', project: null, household: null, horizon: null, desired_region: null, news_opt_in: 0, news_opt_in_at: null, first_source: null, first_webinar_id: null, created_at: at, updated_at: at, last_contact_at: at }).execute();
    await t.db.kysely.insertInto('registrations').values(registration(id, at)).execute();
    expect(await count(t, 'stats_day_versions')).toBe(days);

    const after = await read();
    expect(after).not.toEqual(cached);
    await clearStatisticsCache(t.db);
    expect(after).toEqual(await read());
  });

  it('bumps what a registration is part of, and only that: its Rencontres before and after a move, the person’s later ones', async () => {
    t = await createTestDb(dialect);
    const d = await seedStatisticsHistory(t.db);
    const versions = async () => new Map((await sql<{ id: string; v: number }>`select webinar_id as id, version as v from stats_edition_versions`.execute(t.db.kysely)).rows.map((r) => [r.id, Number(r.v)]));
    const bumped = (before: Map<string, number>, after: Map<string, number>) => [...after].filter(([id, v]) => v !== (before.get(id) ?? 0)).map(([id]) => id).sort();
    const laterOf = async (candidateId: string, after: string) =>
      (await t.db.kysely.selectFrom('registrations').innerJoin('webinars', 'webinars.id', 'registrations.webinar_id').select('webinars.id').where('candidate_id', '=', candidateId).where('webinars.starts_at', '>', after).execute()).map((r) => r.id);
    const anne = await t.db.kysely.selectFrom('registrations').innerJoin('webinars', 'webinars.id', 'registrations.webinar_id').select(['registrations.id', 'webinars.id as w', 'webinars.starts_at']).where('candidate_id', '=', d.A).orderBy('webinars.starts_at').executeTakeFirstOrThrow();

    // Attendance corrected: that Rencontre and Anne's later ones.
    let before = await versions();
    await t.db.kysely.updateTable('registrations').set({ attended_minutes: 42 }).where('id', '=', anne.id).execute();
    expect(bumped(before, await versions())).toEqual([anne.w, ...(await laterOf(d.A, anne.starts_at))].sort());

    // Moved to the last Rencontre: the one it leaves and the ones after it, the one it joins.
    before = await versions();
    await t.db.kysely.updateTable('registrations').set({ webinar_id: String(d.W5.id) }).where('id', '=', anne.id).execute();
    const expected = new Set([anne.w, String(d.W5.id), ...(await laterOf(d.A, anne.starts_at))]);
    expect(bumped(before, await versions())).toEqual([...expected].sort());
  });
});
