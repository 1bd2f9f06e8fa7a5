import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import { makeAgent, signIn } from '../support/admin.ts';
import { createWebinar, parsedForm } from '../support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';
import { errorSummaryLinks, textOf } from '../http/html.ts';
import { randomUUID } from 'node:crypto';

describe.each(dialects())('the replay page of a Rencontre in the back-office, on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect);
  });
  afterEach(async () => {
    await t.close();
  });

  it('says when the replay can be sent while the Rencontre is to come, then sends it once it is over', async () => {
    const referent = await makeAgent(t, 'referent');
    let agent = await signIn(t, referent);
    const w = await createWebinar(t.db, { date: '2027-01-15' });
    for (const email of ['anne@example.org', 'paul@example.org']) {
      await registerCandidate(t.s, { webinarId: w.id as string, submissionKey: randomUUID(), form: parsedForm({ email }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null, ip: '127.0.0.1' } });
    }
    const before = textOf(await (await agent.get(`/admin/rencontres/${w.id}/replay`)).text());
    expect(before).toContain('Le replay pourra être envoyé une fois la Rencontre terminée, le vendredi 15 janvier 2027 à 13 h 30, et les présences vérifiées.');
    expect(before).not.toContain('Lien du replay');
    expect(before).not.toContain('0 présentes');

    t.clock.set('2027-01-15T13:00:00.000Z');
    // Eleven days later: a new session.
    agent = await signIn(t, referent);
    const after = await (await agent.get(`/admin/rencontres/${w.id}/replay`)).text();
    expect(textOf(after)).toContain('Envoyer le replay à 2 personnes');
    const empty = await agent.post(`/admin/rencontres/${w.id}/replay`, { replayUrl: '' });
    expect(empty.status).toBe(422);
    expect(errorSummaryLinks(await empty.text())).toEqual([['#f-replayUrl', 'Saisissez le lien du replay']]);
    const sent = await agent.post(`/admin/rencontres/${w.id}/replay`, { replayUrl: 'https://videos.example.org/rencontre-janvier' });
    expect(sent.status).toBe(303);
    expect((await t.db.kysely.selectFrom('webinars').select('replay_url').where('id', '=', w.id as string).executeTakeFirstOrThrow()).replay_url).toBe('https://videos.example.org/rencontre-janvier');
  });
});
