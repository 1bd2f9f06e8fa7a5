import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import { updateIdentity } from '../../src/features/candidates/update-candidate-file.ts';
import { makeAgent, signIn, type SignedIn } from '../support/admin.ts';
import { createWebinar, parsedForm } from '../support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';
import { textOf } from '../http/html.ts';

/**
 * Who may do what with a file, tested on the routes and on the objects, not on the menus: every agent
 * reads every file; a referent edits the files they follow and the ones nobody follows, not a
 * colleague's (403, journaled, nothing written); exports, duplicates and merges are for admins.
 */
describe.each(dialects())('permissions on candidate files, on %s', (dialect) => {
  let t: TestContext;
  let admin: SignedIn;
  let julien: SignedIn;
  let nadia: SignedIn;
  let julienFile: string;
  let freeFile: string;

  beforeEach(async () => {
    t = await createTestContext(dialect);
    const w = (await createWebinar(t.db, { date: '2027-01-15' })).id as string;
    const person = async (email: string) => {
      const r = await registerCandidate(t.s, { webinarId: w, submissionKey: randomUUID(), form: parsedForm({ email }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } });
      return (await t.db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', r.registrationId).executeTakeFirstOrThrow()).candidate_id;
    };
    julienFile = await person('suivie@example.org');
    freeFile = await person('libre@example.org');
    admin = await signIn(t, await makeAgent(t, 'admin'));
    julien = await signIn(t, await makeAgent(t, 'referent', { name: 'Julien' }));
    nadia = await signIn(t, await makeAgent(t, 'referent', { name: 'Nadia' }));
    await t.db.kysely.updateTable('candidates').set({ referent_id: julien.agent.id }).where('id', '=', julienFile).execute();
  });
  afterEach(async () => {
    await t.close();
  });

  const forbidden = () => t.db.kysely.selectFrom('audit_log').select(['actor_id', 'details']).where('action', '=', 'security.forbidden').execute();
  const writes = (path: string): Array<[string, Record<string, string | string[]>]> => [
    [`${path}/identite`, { firstName: 'Pirate', lastName: 'X', email: 'x@example.org' }],
    [`${path}/projet`, { projectType: 'reprise' }],
    [`${path}/foyer/nouveau`, { membre: randomUUID(), kind: 'adult' }],
    [`${path}/notes/nouvelle`, { submission: randomUUID(), kind: 'note', date: '2027-01-04', text: 'Note' }],
    [`${path}/etape`, { stage: 'dormant' }],
    [`${path}/referent`, { agent: '' }],
  ];

  it('a referent reads a colleague’s file but cannot open its forms nor post to them: 403, journaled, nothing written', async () => {
    const page = await nadia.get(`/admin/candidats/${julienFile}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(textOf(html)).toContain('Vous pouvez lire cette fiche. Elle est suivie par Julien');
    expect(html).not.toContain(`/admin/candidats/${julienFile}/identite`);
    const before = await t.db.kysely.selectFrom('candidates').selectAll().where('id', '=', julienFile).executeTakeFirstOrThrow();
    const events = await t.db.kysely.selectFrom('timeline_events').select('id').where('candidate_id', '=', julienFile).execute();
    for (const [path, fields] of writes(`/admin/candidats/${julienFile}`)) {
      expect((await nadia.get(path)).status, `GET ${path}`).toBe(403);
      expect((await nadia.post(path, fields)).status, `POST ${path}`).toBe(403);
    }
    expect(await t.db.kysely.selectFrom('candidates').selectAll().where('id', '=', julienFile).executeTakeFirstOrThrow()).toEqual(before);
    expect(await t.db.kysely.selectFrom('timeline_events').select('id').where('candidate_id', '=', julienFile).execute()).toEqual(events);
    expect(await t.db.kysely.selectFrom('household_members').select('id').execute()).toEqual([]);
    expect((await forbidden()).filter((f) => f.actor_id === nadia.agent.id)).toHaveLength(12);
    // The use case itself refuses, whatever route would lead to it.
    await expect(updateIdentity(t.s, { candidateId: julienFile, form: { firstName: 'X', lastName: 'Y', email: 'suivie@example.org', phone: null, postcode: null, town: null, country: null }, agent: nadia.agent })).rejects.toThrow('suivie par un·e autre référent·e');
  });

  it('the referent of the file, any referent on a file nobody follows, and an admin on any file may edit', async () => {
    expect((await julien.post(`/admin/candidats/${julienFile}/etape`, { stage: 'qualified' })).status).toBe(303);
    expect((await nadia.post(`/admin/candidats/${freeFile}/etape`, { stage: 'qualified' })).status).toBe(303);
    expect((await admin.post(`/admin/candidats/${julienFile}/etape`, { stage: 'visit' })).status).toBe(303);
    const stages = await t.db.kysely.selectFrom('candidates').select(['id', 'stage']).orderBy('id').execute();
    expect(Object.fromEntries(stages.map((s) => [s.id, s.stage]))).toEqual({ [julienFile]: 'visit', [freeFile]: 'qualified' });
    // Taking a free file, then it is theirs: the colleague can no longer edit it.
    expect((await nadia.post(`/admin/candidats/${freeFile}/referent`, { agent: nadia.agent.id })).status).toBe(303);
    expect((await julien.post(`/admin/candidats/${freeFile}/etape`, { stage: 'dormant' })).status).toBe(403);
  });

  it('bulk assignment: a referent may take free files but not hand over a colleague’s; nothing changes when one row is not theirs', async () => {
    const refused = await nadia.post('/admin/candidats/attribuer', { ids: [freeFile, julienFile], agent: nadia.agent.id });
    expect(refused.status).toBe(403);
    const referents = await t.db.kysely.selectFrom('candidates').select(['id', 'referent_id']).execute();
    expect(Object.fromEntries(referents.map((r) => [r.id, r.referent_id]))).toEqual({ [julienFile]: julien.agent.id, [freeFile]: null });
    expect((await nadia.post('/admin/candidats/attribuer', { ids: [freeFile], agent: nadia.agent.id })).status).toBe(303);
    expect((await t.db.kysely.selectFrom('candidates').select('referent_id').where('id', '=', freeFile).executeTakeFirstOrThrow()).referent_id).toBe(nadia.agent.id);
    expect((await admin.post('/admin/candidats/attribuer', { ids: [freeFile, julienFile], agent: julien.agent.id })).status).toBe(303);
  });

  it('exports, duplicates and merges are for admins: 403 for a referent on the route, not only a missing link', async () => {
    const list = await (await julien.get('/admin/candidats')).text();
    expect(list).not.toContain('/admin/candidats/export.csv');
    expect(list).not.toContain('/admin/candidats/doublons');
    for (const path of ['/admin/candidats/export.csv', '/admin/candidats/export.xlsx', '/admin/candidats/doublons', `/admin/candidats/fusion?garder=${julienFile}&absorber=${freeFile}`]) {
      expect((await julien.get(path)).status, path).toBe(403);
    }
    expect((await julien.post('/admin/candidats/fusion', { a: julienFile, b: freeFile, garder: julienFile })).status).toBe(403);
    expect(await t.db.kysely.selectFrom('candidates').select('id').where('merged_into_id', 'is not', null).execute()).toEqual([]);
    expect((await admin.get('/admin/candidats/export.csv')).status).toBe(200);
    expect((await admin.get('/admin/candidats/doublons')).status).toBe(200);
  });

  it('without a session, every route of the files sends to sign-in or answers 401', async () => {
    const get = await t.app.request(`/admin/candidats/${julienFile}`);
    expect(get.status).toBe(303);
    expect(get.headers.get('location')).toContain('/connexion?retour=');
    const post = await t.app.request(`/admin/candidats/${julienFile}/etape`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'stage=dormant' });
    expect(post.status).toBe(401);
  });
});
