import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgent, signIn } from '../../../tests/support/admin.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { textOf } from '../../../tests/http/html.ts';
import { loadDemoData, seedDemo } from '../demo/seed-demo.ts';

/** The demo's files look like a team's work: every stage, referents, people, notes, timelines; the reported figures unchanged. */
describe.each(dialects())('the demo households on %s', (dialect) => {
  let t: TestContext;
  let referents: string[];

  beforeAll(async () => {
    t = await createTestContext(dialect);
    referents = [(await makeAgent(t, 'referent', { name: 'Julien Rouvière' })).id, (await makeAgent(t, 'referent', { name: 'Nadia Vidal' })).id];
    await seedDemo(t.db, t.territory, loadDemoData('lozere')!, { now: t.clock.now(), tokenKey: t.s.tokenKey });
  });
  afterAll(async () => {
    await t.close();
  });

  it('keeps the reported figures: 236 registrations to the six Rencontres of 2023', async () => {
    const n = await t.db.kysely
      .selectFrom('registrations')
      .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('webinars.starts_at', '>=', '2023-01-01')
      .where('webinars.starts_at', '<', '2024-01-01')
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(236);
  });

  it('has households at every stage, those past the first steps followed by a referent of the team, abandonments with their reason', async () => {
    const files = await t.db.kysely.selectFrom('candidates').select(['id', 'stage', 'referent_id', 'abandon_reason', 'project_type', 'last_activity_at', 'search_text']).execute();
    const at = (stage: string) => files.filter((f) => f.stage === stage);
    for (const stage of ['contact', 'qualified', 'accompanied', 'visit', 'decision', 'abandoned', 'dormant']) expect(at(stage).length, stage).toBeGreaterThanOrEqual(3);
    // Settled households (the installations' demo), followed up or not yet.
    expect(at('installed').length + at('followed-up').length).toBeGreaterThanOrEqual(3);
    for (const stage of ['accompanied', 'visit', 'decision', 'installed', 'followed-up']) expect(at(stage).every((f) => f.referent_id !== null && referents.includes(f.referent_id)), stage).toBe(true);
    expect(new Set(files.map((f) => f.referent_id).filter(Boolean))).toEqual(new Set(referents));
    expect(at('abandoned').every((f) => f.abandon_reason !== null)).toBe(true);
    expect(at('accompanied').every((f) => f.project_type !== null)).toBe(true);
    expect(files.every((f) => f.stage !== null && f.last_activity_at !== null && f.search_text)).toBe(true);
  });

  it('each followed household has its dated stage history, its people and its referent’s notes; every registration is on a timeline', async () => {
    const followed = await t.db.kysely.selectFrom('candidates').select(['id', 'stage', 'stage_changed_at', 'referent_id']).where('stage', 'in', ['accompanied', 'visit', 'decision']).execute();
    const changes = await t.db.kysely.selectFrom('stage_changes').select(['candidate_id', 'to_stage', 'at']).orderBy('at').execute();
    for (const f of followed) {
      const own = changes.filter((c) => c.candidate_id === f.id);
      expect(own.at(-1)).toMatchObject({ to_stage: f.stage, at: f.stage_changed_at });
    }
    const members = await t.db.kysely.selectFrom('household_members').select(['candidate_id', 'kind']).where('candidate_id', 'in', followed.map((f) => f.id)).execute();
    expect(new Set(members.map((m) => m.candidate_id)).size).toBe(followed.length);
    expect(members.some((m) => m.kind === 'child')).toBe(true);
    const notes = await t.db.kysely.selectFrom('timeline_events').select(['candidate_id', 'actor_id']).where('kind', 'in', ['note', 'call', 'meeting']).execute();
    for (const f of followed) expect(notes.filter((n) => n.candidate_id === f.id).every((n) => n.actor_id === f.referent_id)).toBe(true);
    expect(notes.length).toBeGreaterThanOrEqual(followed.length);
    const registrations = Number((await t.db.kysely.selectFrom('registrations').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const registered = Number((await t.db.kysely.selectFrom('timeline_events').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', 'registration').executeTakeFirstOrThrow()).n);
    expect(registered).toBe(registrations);
    const future = await t.db.kysely.selectFrom('timeline_events').select('id').where('at', '>', t.clock.now().toISOString()).execute();
    expect(future).toEqual([]);
  });

  it('the board and the list show it', async () => {
    const agent = await signIn(t, await makeAgent(t, 'admin'));
    const board = textOf(await (await agent.get('/admin/candidats/tableau')).text());
    expect(board).toMatch(/Accompagné·e \d+/);
    expect(board).toContain('Julien Rouvière');
    const list = textOf(await (await agent.get('/admin/candidats?etape=visit')).text());
    expect(list).toMatch(/\d+ fiches? correspond/);
  });
});
