import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { computeStatistics } from '../../src/features/statistics/compute-statistics.ts';
import { yearPeriod } from '../../src/features/statistics/period.ts';
import { statisticsJson } from '../../src/features/statistics/statistics-json.ts';
import { loadTerritory } from '../../src/features/territory/territory.ts';
import { connect } from '../../src/platform/db/database.ts';
import { dialects } from '../support/harness.ts';
import { childEnv, emptyPostgresDatabase, runCli, tempDir } from './processes.ts';

// Each test starts Node processes; on a loaded two-core machine that can take a while.
vi.setConfig({ testTimeout: 120_000 });

describe.each(dialects())('nouvelle-vie stats on %s', (dialect) => {
  let tmp: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  let url: string;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    tmp = tempDir('stats');
    if (dialect === 'sqlite') {
      url = `sqlite:${path.join(tmp.dir, 'nv.sqlite')}`;
      drop = async () => undefined;
    } else {
      const pgDb = await emptyPostgresDatabase();
      url = pgDb.url;
      drop = pgDb.drop;
    }
    env = childEnv({ DATABASE_URL: url, DATA_DIR: tmp.dir });
  });
  afterEach(async () => {
    await drop();
    tmp.dispose();
  });

  it('gives the demo’s 2023 as the programme reported it, as JSON with offsets, and as a French summary', async () => {
    const seeded = await runCli(['seed', '--demo'], { env, cwd: tmp.dir });
    expect(seeded.code, seeded.stderr).toBe(0);
    const res = await runCli(['stats', '--from', '2023-01-01', '--to', '2023-12-31', '--json'], { env, cwd: tmp.dir });
    expect(res.code, res.stderr).toBe(0);
    const body = JSON.parse(res.stdout);
    expect(body).toMatchObject({ from: '2023-01-01', to: '2023-12-31', editions: { total: 6, generic: 2, thematic: 4 }, registrations: 236, attendees: 116 });
    // Every other figure is the one the statistics code computes from the same database.
    const db = connect(dialect === 'sqlite' ? { kind: 'sqlite', file: url.slice('sqlite:'.length) } : { kind: 'postgres', url, poolSize: 2 });
    try {
      const expected = statisticsJson(await computeStatistics({ db, territory: loadTerritory('lozere'), now: new Date() }, yearPeriod(2023, 'Europe/Paris')));
      expect({ ...body, generatedAt: null }).toEqual(JSON.parse(JSON.stringify({ ...expected, generatedAt: null })));
    } finally {
      await db.close();
    }
    expect(body.distinctPeople).toBeLessThan(236);
    expect(body.attendanceRate).toBeCloseTo(116 / 236, 10);
    expect(body.webinars.map((w: { startsAt: string }) => w.startsAt)).toEqual([
      '2023-01-20T12:30:00+01:00',
      '2023-03-17T12:30:00+01:00',
      '2023-05-19T12:30:00+02:00',
      '2023-07-21T12:30:00+02:00',
      '2023-09-15T12:30:00+02:00',
      '2023-11-17T12:30:00+01:00',
    ]);
    for (const w of body.webinars) {
      expect(w.attendanceRate).toBeGreaterThanOrEqual(0.4);
      expect(w.attendanceRate).toBeLessThanOrEqual(0.6);
      expect(w.attendanceRate).toBeCloseTo(w.attendees / w.registrations, 10);
    }
    expect(body.webinars.map((w: { theme: string | null }) => w.theme)).toEqual([null, 'reconversion-professionnelle', 'systeme-educatif', null, 'reprise-activite', 'focus-emploi']);

    const text = await runCli(['stats', '--year', '2023'], { env, cwd: tmp.dir });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('Rencontres Lozère Nouvelle Vie, année 2023 :');
    expect(text.stdout).toContain('6 Rencontres (2 généralistes, 4 thématiques)');
    expect(text.stdout).toContain('236 inscriptions');
    expect(text.stdout).toContain('2023-01-20  Rencontre Lozère Nouvelle Vie : 52 inscriptions, 26 participants (50 %)');
  });

  it('refuses a period that is not one with exit code 2 and a French message', async () => {
    const bad = await runCli(['stats', '--from', '2023-02-30', '--to', '2023-12-31', '--json'], { env, cwd: tmp.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('La date de début doit être une date réelle');
    const both = await runCli(['stats', '--year', '2023', '--from', '2023-01-01'], { env, cwd: tmp.dir });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('Donnez soit --year, soit --from et --to.');
    const help = await runCli(['help'], { env, cwd: tmp.dir });
    expect(help.stdout).toContain('stats [--from AAAA-MM-JJ --to AAAA-MM-JJ | --year AAAA] [--json]');
  });
});
