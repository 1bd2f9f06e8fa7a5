import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { loadDemoData, seedDemo } from '../demo/seed-demo.ts';
import type { FollowUpTables } from './follow-up-tables.ts';
import { followUpToken } from './follow-up-token.ts';
import { followUpDays } from './installation.ts';

describe.each(dialects())('the demo’s settled households, on %s', (dialect) => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext(dialect);
    await seedDemo(t.db, t.territory, loadDemoData('lozere')!, { now: t.clock.now(), tokenKey: t.s.tokenKey });
  });
  afterAll(async () => {
    await t.close();
  });

  it('some who came to a past Rencontre settled months later, in a town of a region of the territory, and their files say so', async () => {
    const rows = await t.db.kysely
      .selectFrom('installations')
      .innerJoin('candidates', 'candidates.id', 'installations.candidate_id')
      .select(['installations.installed_on', 'installations.commune_name', 'installations.region_key', 'installations.activity', 'installations.adults', 'candidates.id', 'candidates.stage'])
      .execute();
    expect(rows.length).toBeGreaterThanOrEqual(5);
    const today = t.clock.now().toISOString().slice(0, 10);
    for (const r of rows) {
      expect(r.installed_on < today).toBe(true);
      const region = t.territory.regions.find((x) => x.key === r.region_key)!;
      expect(region.towns).toContain(r.commune_name);
      expect(['salarie', 'creation', 'reprise', 'teletravail', 'autre']).toContain(r.activity);
      expect(['installed', 'followed-up']).toContain(r.stage);
      const attended = await t.db.kysely.selectFrom('registrations').select('id').where('candidate_id', '=', r.id).where('attended', '=', 1).execute();
      expect(attended.length).toBeGreaterThan(0);
    }
  });

  it('their follow-ups are at 3, 6 and 12 months: sent and answered (or not) when due, scheduled otherwise, with working private links', async () => {
    const installations = await t.db.kysely.selectFrom('installations').select(['id', 'installed_on', 'candidate_id']).execute();
    const today = t.clock.now().toISOString().slice(0, 10);
    let answered = 0;
    for (const i of installations) {
      const f = await t.db.kysely.withTables<FollowUpTables>().selectFrom('follow_ups').selectAll().where('installation_id', '=', i.id).orderBy('months').execute();
      expect(f.map((x) => [x.months, x.due_on])).toEqual(followUpDays(i.installed_on).map((d) => [d.months, d.dueOn]));
      for (const x of f) {
        if (x.due_on > today) expect(x).toMatchObject({ status: 'scheduled', sent_at: null });
        else expect(['answered', 'no-answer']).toContain(x.status);
        if (x.status === 'answered') answered++;
      }
      const stage = (await t.db.kysely.selectFrom('candidates').select('stage').where('id', '=', i.candidate_id).executeTakeFirstOrThrow()).stage;
      expect(stage).toBe(f.some((x) => x.status === 'answered') ? 'followed-up' : 'installed');
    }
    expect(answered).toBeGreaterThan(0);
    const sent = await t.db.kysely.selectFrom('follow_ups').select(['id', 'token_nonce']).where('status', '=', 'answered').executeTakeFirstOrThrow();
    expect(await (await t.app.request(`/suivi/${followUpToken(t.s.tokenKey, sent.id, sent.token_nonce)}`)).text()).toContain('Merci pour vos réponses');
  });
});
