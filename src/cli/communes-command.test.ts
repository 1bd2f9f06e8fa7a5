import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { childEnv, ROOT, runCli, tempDir } from '../../tests/cli/processes.ts';

/** `nouvelle-vie communes load` as an operator runs it, against a SQLite file of its own. */
describe('nouvelle-vie communes load', () => {
  let tmp: ReturnType<typeof tempDir>;
  let env: Record<string, string>;
  beforeEach(() => {
    tmp = tempDir('communes');
    env = childEnv({ DATABASE_URL: `sqlite:${path.join(tmp.dir, 'nv.sqlite')}`, DATA_DIR: tmp.dir });
  });
  afterEach(() => tmp.dispose());

  const count = (regionKey?: string) => {
    const db = new BetterSqlite3(path.join(tmp.dir, 'nv.sqlite'), { readonly: true });
    try {
      const row = (regionKey ? db.prepare('select count(*) as n from communes where region_key = ?').get(regionKey) : db.prepare('select count(*) as n from communes').get()) as { n: number };
      return row.n;
    } finally {
      db.close();
    }
  };

  it('loads the 152 communes of Lozère, then finds nothing to do, and reloads with --force', async () => {
    const first = await runCli(['communes', 'load'], { env, cwd: tmp.dir });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('152 communes en Lozère chargées');
    expect(first.stdout).toContain('Toutes sont rattachées à une région naturelle');
    expect(count()).toBe(152);
    expect(count('vallee-du-lot')).toBeGreaterThan(10);

    const again = await runCli(['communes', 'load'], { env, cwd: tmp.dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Communes déjà à jour');
    const forced = await runCli(['communes', 'load', '--force'], { env, cwd: tmp.dir });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('152 communes en Lozère chargées');
    expect(count()).toBe(152);
  });

  it('loads another territory’s communes from its configuration', async () => {
    const cantal = await runCli(['communes', 'load'], { env: { ...env, TERRITORY: path.join(ROOT, 'tests/fixtures/territories/cantal') }, cwd: tmp.dir });
    expect(cantal.code).toBe(0);
    expect(cantal.stdout).toMatch(/\d{3} communes dans le Cantal chargées/);
    expect(count('aurillac-chataigneraie')).toBeGreaterThan(10);
  });

  it('answers a mistyped command with its usage, exit code 2', async () => {
    const wrong = await runCli(['communes', 'charger'], { env, cwd: tmp.dir });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('Commande inconnue : communes charger');
    expect(wrong.stderr).toContain('Usage : nouvelle-vie communes load [--force]');
    const option = await runCli(['communes', 'load', '--vite'], { env, cwd: tmp.dir });
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('Option inconnue : --vite');
    const help = await runCli(['help'], { env, cwd: tmp.dir });
    expect(help.stdout).toContain('communes load [--force]');
  });
});
