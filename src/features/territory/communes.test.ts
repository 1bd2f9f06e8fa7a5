import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { loadTerritory } from './territory.ts';
import { communesDataVersion, communesOfRegion, countCommunesByRegion, loadCommunes, searchCommunes, searchForm } from './communes.ts';

describe('searchForm', () => {
  it('drops accents, case, hyphens and apostrophes', () => {
    expect(searchForm("Saint-Chély-d'Apcher")).toBe('saint chely d apcher');
    expect(searchForm('Sainte-Énimie')).toBe('sainte enimie');
    expect(searchForm('  Œuilly ')).toBe('oeuilly');
  });
});

describe.each(dialects())('communes of the territory on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect);
  });
  afterEach(async () => {
    await t.close();
  });

  it('loads the 152 communes of Lozère, every one in a natural region of the configuration, once', async () => {
    const first = await loadCommunes(t.db, t.territory);
    expect(first).toMatchObject({ loaded: true, count: 152, withoutRegion: [] });
    const byRegion = await countCommunesByRegion(t.db.kysely);
    expect([...byRegion.keys()].sort()).toEqual(t.territory.regions.map((r) => r.key).sort());
    expect([...byRegion.values()].reduce((n, r) => n + r.communes, 0)).toBe(152);

    // Same data, same configuration: nothing is read or written again.
    expect(await loadCommunes(t.db, t.territory)).toMatchObject({ loaded: false, count: 152 });
    // An emptied table (a wiped database) is filled again at the next start.
    await t.db.kysely.deleteFrom('communes').execute();
    expect(await loadCommunes(t.db, t.territory)).toMatchObject({ loaded: true, count: 152 });
  });

  it('reloads when the configuration changes, and a commune can be sent to another region than its intercommunality', async () => {
    await loadCommunes(t.db, t.territory);
    const mende = (await searchCommunes(t.db.kysely, 'Mende'))[0]!;
    expect(mende).toMatchObject({ code: '48095', regionKey: 'vallee-du-lot', epciName: 'CC Coeur de Lozère', postcodes: ['48000'] });
    expect(mende.population).toBeGreaterThan(10_000);
    // Florac is in a Causses intercommunality, but the configuration places it in the Cévennes.
    expect((await searchCommunes(t.db.kysely, 'Florac'))[0]).toMatchObject({ regionKey: 'cevennes-mont-lozere', epciCode: '200069151' });

    const changed = { ...t.territory, communes: { ...t.territory.communes!, regionByCommune: { ...t.territory.communes!.regionByCommune, '48095': 'margeride' } } };
    expect(communesDataVersion(changed)).not.toBe(communesDataVersion(t.territory));
    expect(await loadCommunes(t.db, changed)).toMatchObject({ loaded: true, count: 152 });
    expect((await searchCommunes(t.db.kysely, 'Mende'))[0]!.regionKey).toBe('margeride');
  });

  it('finds a commune by its name with or without accents, by "St" for "Saint", and by postcode', async () => {
    await loadCommunes(t.db, t.territory);
    const names = async (q: string) => (await searchCommunes(t.db.kysely, q)).map((c) => c.name);
    expect((await names('Saint-Étienne-du-Valdonnez'))[0]).toBe('Saint-Étienne-du-Valdonnez');
    expect((await names('saint etienne du valdonnez'))[0]).toBe('Saint-Étienne-du-Valdonnez');
    expect((await names('SAINT ETIENNE DU VALDONNEZ'))[0]).toBe('Saint-Étienne-du-Valdonnez');
    expect(await names('st chely')).toEqual(["Saint-Chély-d'Apcher", 'Mas-Saint-Chély']);
    expect(await names('chély')).toEqual(await names('chely'));
    // The exact name comes first, then names that start with it.
    expect((await names('mende'))[0]).toBe('Mende');
    // A postcode, whole or its beginning; an INSEE code.
    expect(await names('48200')).toContain("Saint-Chély-d'Apcher");
    expect((await names('48000')).slice(0, 1)).toEqual(['Mende']);
    expect((await searchCommunes(t.db.kysely, '482', { limit: 200 })).every((c) => c.postcodes.some((p) => p.startsWith('482')))).toBe(true);
    expect(await names('48095')).toEqual(['Mende']);
    // What LIKE would take as a wildcard is only a character here.
    expect(await names('%')).toEqual([]);
    expect(await names('_')).toEqual([]);
    expect(await names('   ')).toEqual([]);
    expect(await names('Paris')).toEqual([]);
    // A former commune, now part of a new one, is found by its old name, first.
    expect((await names('Sainte-Énimie'))[0]).toBe('Gorges du Tarn Causses');
    expect((await names('le pont de montvert'))[0]).toBe('Pont de Montvert - Sud Mont Lozère');
  });

  it('lists a region’s communes, the most populated first', async () => {
    await loadCommunes(t.db, t.territory);
    const aubrac = await communesOfRegion(t.db.kysely, 'aubrac');
    expect(aubrac.length).toBeGreaterThan(10);
    expect(aubrac[0]!.name).toBe('Marvejols');
    const populations = aubrac.map((c) => c.population ?? 0);
    expect(populations).toEqual([...populations].sort((a, b) => b - a));
  });

  it('loads another territory from its own configuration (Cantal fixture)', async () => {
    const cantal = loadTerritory('tests/fixtures/territories/cantal');
    const result = await loadCommunes(t.db, cantal);
    expect(result).toMatchObject({ loaded: true, withoutRegion: [] });
    expect(result.count).toBeGreaterThan(200);
    expect((await searchCommunes(t.db.kysely, 'aurillac'))[0]).toMatchObject({ name: 'Aurillac', regionKey: 'aurillac-chataigneraie' });
    expect(await searchCommunes(t.db.kysely, 'mende')).toEqual([]);
  });
});
