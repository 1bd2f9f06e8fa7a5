import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWebinar } from '../support/fixtures.ts';
import { createTestDb, dialects, type TestDb } from '../support/harness.ts';
import { childEnv, ROOT, runCli, tempDir } from './processes.ts';

// Each test starts Node processes; on a loaded two-core machine that can take a while.
vi.setConfig({ testTimeout: 120_000 });

const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'zoom');
const REGISTRATIONS = path.join(FIXTURES, '2026-04-24-registration-report.csv');
const ATTENDEES = path.join(FIXTURES, '2026-04-24-attendee-report.csv');

describe.each(dialects())('nouvelle-vie import zoom on %s', (dialect) => {
  let tmp: ReturnType<typeof tempDir>;
  let testDb: TestDb;
  let env: Record<string, string>;

  beforeEach(async () => {
    tmp = tempDir('import');
    // A copy of the migrated template (SQLite) or a database made from it (PostgreSQL).
    testDb = await createTestDb(dialect, { poolSize: 2 });
    const url = testDb.target.kind === 'sqlite' ? `sqlite:${testDb.target.file}` : testDb.target.url;
    env = childEnv({ DATABASE_URL: url, DATA_DIR: tmp.dir });
  });
  afterEach(async () => {
    await testDb.drop();
    tmp.dispose();
  });

  const k = () => testDb.db.kysely;
  const tables = async () => ({
    webinars: await k().selectFrom('webinars').selectAll().orderBy('id').execute(),
    candidates: await k().selectFrom('candidates').selectAll().orderBy('id').execute(),
    registrations: await k().selectFrom('registrations').selectAll().orderBy('id').execute(),
  });

  it('--dry-run prints the preview and writes nothing; then imports; then, run again, finds nothing to do', async () => {
    const dry = await runCli(['import', 'zoom', '--registrations', REGISTRATIONS, '--attendees', ATTENDEES, '--dry-run'], { env, cwd: tmp.dir });
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('Rencontre : « Rencontre Lozère Nouvelle Vie – avril 2026 », vendredi 24 avril 2026, de 12\u00a0h\u00a030 à 13\u00a0h\u00a031 (heure de Paris)');
    expect(dry.stdout).toContain('  à créer d’après le rapport, aucune Rencontre n’ayant eu lieu ce jour-là ; webinaire Zoom 845 1234 5678');
    expect(dry.stdout).toContain('Personnes : 7 à créer, 0 déjà connue');
    expect(dry.stdout).toContain('Inscriptions : 7 à créer, 0 déjà enregistrée');
    expect(dry.stdout).toContain('Participation (présent à partir de 10 minutes) : 4 présents, 3 absents');
    expect(dry.stdout).toContain('  - Zoé C. → zoe.chassagne@example.fr (rapport de participation, ligne 21)');
    expect(dry.stdout).toContain('  - iPhone de Paul, 22 minutes, pas d’adresse e-mail, invité·e (lignes 27, 28)');
    expect(dry.stdout).toContain('  - Test Robot <noreply@mailinator.com>, refusée dans Zoom (rapport d’inscription, ligne 14)');
    expect(dry.stdout).toContain('Simulation (--dry-run) : rien n’a été enregistré.');
    expect(await tables()).toEqual({ webinars: [], candidates: [], registrations: [] });

    const real = await runCli(['import', 'zoom', '--registrations', REGISTRATIONS, '--attendees', ATTENDEES], { env, cwd: tmp.dir });
    expect(real.stderr).toBe('');
    expect(real.code).toBe(0);
    expect(real.stdout).toContain('Import enregistré : 7 personnes créées, 7 inscriptions créées ; participation : 4 présents, 3 absents.');
    const after = await tables();
    expect(after.webinars).toHaveLength(1);
    expect(after.candidates).toHaveLength(7);
    expect(after.registrations.map((r) => r.attended_minutes).sort((a, b) => a! - b!)).toEqual([0, 0, 6, 30, 38, 45, 52]);
    expect(real.stdout).toContain(`/admin/rencontres/${after.webinars[0]!.id}`);

    // Relative paths, from another directory: the operator's own.
    const again = await runCli(['import', 'zoom', '--attendees', path.relative(FIXTURES, ATTENDEES), '--registrations', path.relative(FIXTURES, REGISTRATIONS)], { env, cwd: FIXTURES });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('trouvée : la Rencontre de ce jour-là liée à ce webinaire Zoom');
    expect(again.stdout).toContain('Personnes : 0 à créer, 7 déjà connues');
    expect(again.stdout).toContain('Import enregistré : 0 personne créée, 0 inscription créée ; participation : 4 présents, 3 absents.');
    expect(await tables()).toEqual(after);
  });

  it('refuses a broken file with exit code 1, naming the line, and writes nothing', async () => {
    const broken = await runCli(['import', 'zoom', '--registrations', REGISTRATIONS, '--attendees', path.join(FIXTURES, 'broken-bad-date.csv')], { env, cwd: tmp.dir });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toContain('Import refusé, rien n’a été enregistré :');
    expect(broken.stderr).toContain(`Rapport de participation (${path.join(FIXTURES, 'broken-bad-date.csv')}) :`);
    expect(broken.stderr).toContain('Ligne 18 : la date « 13/45/2026 12:28:30 PM » n’est pas lisible');
    expect(await tables()).toEqual({ webinars: [], candidates: [], registrations: [] });

    const unknown = await runCli(['import', 'zoom', '--attendees', ATTENDEES, '--webinar', 'rencontre-1999-01-01'], { env, cwd: tmp.dir });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('aucune Rencontre ne correspond à « rencontre-1999-01-01 »');
    expect(await tables()).toEqual({ webinars: [], candidates: [], registrations: [] });
  });

  it('--webinar attaches the attendee report alone to the Rencontre chosen by its address', async () => {
    const w = await createWebinar(testDb.db, { date: '2025-11-21', slug: 'rencontre-2025-11-21' });
    const run = await runCli(['import', 'zoom', '--attendees', path.join(FIXTURES, '2025-11-28-attendee-report.csv'), '--webinar', 'rencontre-2025-11-21'], { env, cwd: tmp.dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('la Rencontre choisie');
    expect(run.stdout).toContain('La Rencontre choisie a eu lieu le 21 novembre 2025, les rapports parlent d’une séance du 28 novembre 2025.');
    expect(run.stdout).toContain('Import enregistré : 5 personnes créées, 5 inscriptions créées ; participation : 3 présents, 2 absents.');
    const regs = await k().selectFrom('registrations').select('webinar_id').execute();
    expect(regs.map((r) => r.webinar_id)).toEqual(Array(5).fill(w.id));
    expect(await k().selectFrom('webinars').select('id').execute()).toHaveLength(1);
  });
});

describe('nouvelle-vie import zoom, used wrongly', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir('import-usage');
  });
  afterEach(() => tmp.dispose());

  it('says how to use it, with exit code 2, before opening any database', async () => {
    const env = childEnv({ DATABASE_URL: `sqlite:${path.join(tmp.dir, 'never.sqlite')}`, DATA_DIR: tmp.dir });
    const none = await runCli(['import', 'zoom'], { env, cwd: tmp.dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Donnez au moins un rapport : --registrations FICHIER ou --attendees FICHIER.');
    const missing = await runCli(['import', 'zoom', '--attendees', 'absent.csv'], { env, cwd: tmp.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Fichier introuvable : absent.csv (--attendees).');
    const option = await runCli(['import', 'zoom', '--attendee', ATTENDEES], { env, cwd: tmp.dir });
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('Option inconnue : --attendee');
    const help = await runCli(['help'], { env, cwd: tmp.dir });
    expect(help.stdout).toContain('import zoom [--registrations FICHIER] [--attendees FICHIER] [--webinar ID] [--dry-run]');
    expect(fs.existsSync(path.join(tmp.dir, 'never.sqlite'))).toBe(false);
  });
});
