import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { textOf } from '../../../tests/http/html.ts';
import { seedDemoPartners } from './seed-demo-partners.ts';

describe.each(dialects())('Lozère’s demo partners and example offers, on %s', (dialect) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('seeds the directory from territories/lozere/demo-partners.json, once', async () => {
    expect(await seedDemoPartners(t.db, t.territory, 'lozere', t.clock.now())).toEqual({ partners: 12, offers: 12 });
    expect(await seedDemoPartners(t.db, t.territory, 'lozere', t.clock.now())).toEqual({ partners: 0, offers: 0 });
    const names = (await t.db.kysely.selectFrom('partners').select('name').orderBy('name').execute()).map((p) => p.name);
    for (const n of ['France Travail Lozère', 'CCI Lozère', 'Chambre de métiers et de l\'artisanat de la Lozère', 'Chambre d\'agriculture de la Lozère', 'Initiative Lozère', 'Réseau Relance Gard-Lozère', 'ADIL 48']) expect(names).toContain(n);
    const gevaudan = await t.db.kysely.selectFrom('partners').select('regions').where('slug', '=', 'petr-du-pays-du-gevaudan').executeTakeFirstOrThrow();
    expect(JSON.parse(gevaudan.regions)).toEqual(['aubrac', 'margeride']);
  });

  it('shows the example offers on the public pages, said to be examples, by natural region', async () => {
    const aubrac = textOf(await (await t.app.request('/offres?region=aubrac')).text());
    expect(aubrac).toContain('Boulangerie-pâtisserie à reprendre');
    expect(aubrac).not.toContain('Local commercial en centre-bourg');
    const bakery = await t.db.kysely.selectFrom('offers').select(['slug', 'partner_id', 'status']).where('title', '=', 'Boulangerie-pâtisserie à reprendre').executeTakeFirstOrThrow();
    expect(bakery.status).toBe('published');
    const page = textOf(await (await t.app.request(`/offres/${bakery.slug}`)).text());
    expect(page).toContain('Offre d’exemple de la démonstration.');
    expect(page).toContain('Chambre de métiers et de l\'artisanat de la Lozère');
  });

  it('refuses a demo file that names a region the territory does not have', async () => {
    const cantal = { ...t.territory, regions: [{ key: 'chataigneraie', label: 'Châtaigneraie', towns: [] }] };
    await expect(seedDemoPartners(t.db, cantal, 'lozere', t.clock.now())).rejects.toThrow(/région inconnue/);
  });
});
