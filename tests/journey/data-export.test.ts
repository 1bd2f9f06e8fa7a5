import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectCandidateData, tablesAboutPeople } from '../../src/features/registrations/candidate-data.ts';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import { createWebinar, parsedForm, postForm } from '../support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';

describe.each(dialects())('a person takes away all their data (RGPD art. 15 and 20), on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect, { now: '2027-01-20T09:00:00.000Z' });
  });
  afterEach(async () => {
    await t.close();
  });

  it('exports every table that keeps something about them, found from the schema, and no secret', async () => {
    const tables = await tablesAboutPeople(t.s);
    // The schema walk finds the tables of the whole journey, not a list someone has to keep.
    for (const name of ['household_members', 'timeline_events', 'stage_changes', 'accompaniment_requests', 'appointments', 'installations', 'follow_ups', 'tasks']) expect(tables).toContain(name);

    const w = await createWebinar(t.db, { date: '2027-01-15' });
    t.clock.set('2027-01-10T09:00:00.000Z');
    const r = await registerCandidate(t.s, { webinarId: w.id, submissionKey: randomUUID(), form: parsedForm({ email: 'lea@example.org' }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } });
    t.clock.set('2027-01-20T09:00:00.000Z');
    const mail = await t.db.kysely.selectFrom('outbox_messages').select('text').where('registration_id', '=', r.registrationId).executeTakeFirstOrThrow();
    const link = /http:\/\/nv\.test(\/mon-inscription\/([A-Za-z0-9_-]{43}))/.exec(mail.text)!;
    await t.app.request(`${link[1]}/accompagnement`, postForm({ project: 'Boulangère, reprendre un commerce', horizon: '6-12-mois', movers: 'famille' }));
    await t.app.request(`${link[1]}/avis`, postForm({ usefulness: '4', recommend: 'oui' }));
    const candidate = await t.db.kysely.selectFrom('candidates').select('id').executeTakeFirstOrThrow();
    await t.db.kysely.insertInto('household_members').values({ id: randomUUID(), candidate_id: candidate.id, kind: 'child', first_name: 'Jules', age: 6, occupation: null, needs_job: 0, school_need: 'elementaire', created_at: '2027-01-20T09:00:00.000Z' }).execute();

    const data = await collectCandidateData(t.s, candidate.id);
    const raw = JSON.stringify(data);
    expect(data.person).toMatchObject({ email: 'lea@example.org' });
    expect(data.registrations).toHaveLength(1);
    expect(data.surveyAnswers).toEqual([expect.objectContaining({ usefulness: 4, recommend: 'oui' })]);
    const keyed = data as unknown as Record<string, unknown[]>;
    expect(keyed.household_members).toEqual([expect.objectContaining({ first_name: 'Jules', age: 6 })]);
    expect(keyed.accompaniment_requests).toEqual([expect.objectContaining({ project: 'Boulangère, reprendre un commerce' })]);
    expect((keyed.timeline_events ?? []).length).toBeGreaterThan(2);
    // Every table of the walk that holds a row about the person is in the file.
    for (const table of tables) {
      const n = await t.db.kysely
        .selectFrom(table as 'tasks')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('candidate_id' as 'id', '=', candidate.id)
        .executeTakeFirstOrThrow();
      if (Number(n.n) > 0) expect(Object.keys(data), table).toContain(table);
    }
    expect(raw).not.toContain(link[2]!);
    expect(raw).not.toMatch(/token_nonce|manage_token_hash|answer_token_hash|token_hash/);
  });
});
