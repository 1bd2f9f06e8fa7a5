import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebinar, parsedForm } from '../../../tests/support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { registerCandidate } from './register-candidate.ts';
import { allRegistrants, findRegistrants, REGISTRANTS_PAGE_SIZE, registrantFiltersSchema } from './registrants-query.ts';

const candidateActor = { type: 'candidate' as const, id: null };
const noSource = { utmSource: null, utmMedium: null, utmCampaign: null };

describe.each(dialects())('the registrants of a Rencontre, queried on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect);
  });
  afterEach(async () => {
    await t.close();
  });

  const register = (webinarId: string, over: Parameters<typeof parsedForm>[0]) =>
    registerCandidate(t.s, { webinarId, submissionKey: randomUUID(), form: parsedForm(over), source: noSource, actor: candidateActor });

  it('searches "_" and "%" as the characters they are', async () => {
    const w = await createWebinar(t.db, { capacity: null });
    await register(w.id, { email: 'jean_dupont@example.org', firstName: 'Jean', lastName: 'Dupont' });
    await register(w.id, { email: 'jeanxdupont@example.org', firstName: 'Jean', lastName: 'Xavier' });
    await register(w.id, { email: 'remise@example.org', firstName: 'Zoé', lastName: '100%' });
    const search = async (q: string) => (await findRegistrants(t.db.kysely, w.id, registrantFiltersSchema.parse({ q }))).rows.map((r) => r.email);
    expect(await search('jean_d')).toEqual(['jean_dupont@example.org']);
    expect(await search('100%')).toEqual(['remise@example.org']);
    expect((await search('jean')).sort()).toEqual(['jean_dupont@example.org', 'jeanxdupont@example.org']);
  });

  it('pages in the order of the export, whatever the sort, with the total of the filters', async () => {
    const w = await createWebinar(t.db, { capacity: 40 });
    const last = ['Martin', 'Bernard', 'Dubois', 'Petit', 'Durand', 'Leroy', 'Moreau'];
    for (let i = 0; i < 60; i++) await register(w.id, { email: `p${i}@example.org`, firstName: `P${i % 5}`, lastName: last[i % last.length]! });
    for (const query of [{}, { tri: 'nom' }, { tri: 'nom', ordre: 'desc' }, { tri: 'statut' }, { tri: 'date', ordre: 'desc' }, { statut: 'waitlisted', tri: 'nom' }, { q: 'martin' }]) {
      const everyone = (await allRegistrants(t.db.kysely, w.id, registrantFiltersSchema.parse(query))).map((r) => r.id);
      const pages: string[] = [];
      for (let page = 1; page <= Math.max(1, Math.ceil(everyone.length / REGISTRANTS_PAGE_SIZE)); page++) {
        const { rows, total } = await findRegistrants(t.db.kysely, w.id, registrantFiltersSchema.parse({ ...query, page: String(page) }));
        expect(total).toBe(everyone.length);
        pages.push(...rows.map((r) => r.id));
      }
      expect(pages, JSON.stringify(query)).toEqual(everyone);
    }
  });
});
