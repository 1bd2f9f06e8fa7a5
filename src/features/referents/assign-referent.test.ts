import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAgent, signIn } from '../../../tests/support/admin.ts';
import { createWebinar, parsedForm } from '../../../tests/support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { requestAccompaniment } from '../accompaniment/request-accompaniment.tsx';
import { setAgentEnabled } from '../agents/manage-agents.ts';
import { registerCandidate } from '../registrations/register-candidate.ts';
import { territorySchema, loadTerritory } from '../territory/territory.ts';
import type { Services } from '../../services.ts';
import { assignReferentToRequest, reassignReferent } from './assign-referent.ts';
import { pickByRotation } from './referent.ts';
import type { ReferentTables } from './referent-tables.ts';

const noSource = { utmSource: null, utmMedium: null, utmCampaign: null };
const form = { project: 'Reprendre une boulangerie', horizon: '6-12-mois', movers: 'couple', needs: ['reprise'], phone: null, message: null } as const;

describe('the rotation rule', () => {
  it('takes the fewest open files, then the longest since an assignment (never first), then the name', () => {
    expect(
      pickByRotation([
        { agentId: 'a', name: 'Ana', openFiles: 3, lastAssignedAt: null },
        { agentId: 'b', name: 'Bruno', openFiles: 1, lastAssignedAt: '2027-01-03T10:00:00.000Z' },
        { agentId: 'c', name: 'Chloé', openFiles: 1, lastAssignedAt: '2027-01-02T10:00:00.000Z' },
      ]),
    ).toBe('c');
    expect(
      pickByRotation([
        { agentId: 'b', name: 'Bruno', openFiles: 0, lastAssignedAt: '2027-01-03T10:00:00.000Z' },
        { agentId: 'z', name: 'Zoé', openFiles: 0, lastAssignedAt: null },
      ]),
    ).toBe('z');
    expect(
      pickByRotation([
        { agentId: '2', name: 'Marc', openFiles: 0, lastAssignedAt: null },
        { agentId: '1', name: 'Élodie', openFiles: 0, lastAssignedAt: null },
      ]),
    ).toBe('1');
    expect(pickByRotation([])).toBeNull();
  });

  it('refuses a territory mapping to a region or a theme it does not have, and an address that is not one', () => {
    const lozere = loadTerritory('lozere');
    const bad = territorySchema.safeParse({ ...lozere, referents: { byRegion: { atlantide: 'a@lozere.fr' }, byTheme: { 'focus-emploi': 'pas-une-adresse' } } });
    expect(bad.success).toBe(false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toContain('referents.byRegion.atlantide: clé inconnue : atlantide (attendu : aubrac, margeride, vallee-du-lot, causses-et-gorges, cevennes-mont-lozere)');
    expect(messages).toContain('referents.byTheme.focus-emploi: adresse e-mail d’agent attendue');
    const good = territorySchema.safeParse({ ...lozere, referents: { byRegion: { aubrac: 'julien@lozere.fr' } } });
    expect(good.success && good.data.referents).toEqual({ byRegion: { aubrac: 'julien@lozere.fr' }, byProject: {}, byTheme: {} });
    // Optional: the shipped territory has none and loads.
    expect(lozere.referents).toBeUndefined();
  });
});

describe.each(dialects())('giving requests to referents, on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect, { now: '2027-01-20T09:00:00.000Z' });
  });
  afterEach(async () => {
    await t.close();
  });

  let n = 0;
  /** Someone registers to a past Rencontre and asks to be accompanied; returns the request's id. */
  async function ask(s: Services, over: { region?: string; project?: 'salarie' | 'creation-reprise' | 'teletravail'; webinarId?: string } = {}) {
    n++;
    const webinarId = over.webinarId ?? (await createWebinar(t.db, { date: '2027-01-15' })).id as string;
    t.clock.set('2027-01-10T09:00:00.000Z');
    const r = await registerCandidate(s, { webinarId, submissionKey: randomUUID(), form: parsedForm({ email: `personne${n}@example.org`, firstName: `Personne${n}`, desiredRegion: over.region ?? 'margeride', project: over.project ?? 'salarie' }), source: noSource, actor: { type: 'candidate', id: null } });
    t.clock.set('2027-01-20T09:00:00.000Z');
    await requestAccompaniment(s, { registrationId: r.registrationId, form: { ...form, needs: [...form.needs] }, actor: { type: 'candidate', id: null } });
    const req = await t.db.kysely.selectFrom('accompaniment_requests').innerJoin('registrations', 'registrations.id', 'accompaniment_requests.registration_id').select(['accompaniment_requests.id', 'accompaniment_requests.candidate_id']).where('registrations.id', '=', r.registrationId).executeTakeFirstOrThrow();
    return req;
  }
  const referentOf = async (candidateId: string) => (await t.db.kysely.selectFrom('candidates').select('referent_id').where('id', '=', candidateId).executeTakeFirstOrThrow()).referent_id;

  it('a request is given by the job after its commit: the fewest open files first, ties to the longest without one; the file moves to "accompanied"', async () => {
    const julien = await makeAgent(t, 'referent', { name: 'Julien Rouvière' });
    const nadia = await makeAgent(t, 'referent', { name: 'Nadia Vidal' });
    const camille = await makeAgent(t, 'admin', { name: 'Camille Pagès' });
    const gone = await makeAgent(t, 'referent', { name: 'Ancien Agent' });
    await setAgentEnabled(t.s, { agentId: gone.id, enabled: false, actor: { type: 'agent', id: camille.id } });

    const first = await ask(t.s);
    // The request's transaction wrote the job; nothing is assigned until it runs.
    expect(await referentOf(first.candidate_id)).toBeNull();
    expect(await t.db.kysely.selectFrom('jobs').select(['kind', 'status']).where('dedupe_key', '=', `assign-referent:${first.id}`).executeTakeFirst()).toEqual({ kind: 'referents.assign', status: 'queued' });
    await t.jobs.drain();
    // Nobody has files or assignments yet: by name, Camille.
    expect(await referentOf(first.candidate_id)).toBe(camille.id);

    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      t.clock.advance(60_000);
      const r = await ask(t.s);
      await t.jobs.drain();
      order.push((await referentOf(r.candidate_id))!);
    }
    // Julien and Nadia have no file: Julien (by name), then Nadia; then all three have one each, and
    // the one given a file longest ago comes first: Camille, Julien, Nadia.
    expect(order).toEqual([julien.id, nadia.id, camille.id, julien.id, nadia.id]);
    expect(order).not.toContain(gone.id);

    const file = await t.db.kysely.selectFrom('candidates').select(['stage']).where('id', '=', first.candidate_id).executeTakeFirstOrThrow();
    expect(file.stage).toBe('accompanied');
    const req = await t.db.kysely.selectFrom('accompaniment_requests').select('status').where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(req.status).toBe('assigned');
    const events = await t.db.kysely.selectFrom('timeline_events').select(['kind', 'summary']).where('candidate_id', '=', first.candidate_id).where('kind', 'in', ['referent', 'stage']).orderBy('at').execute();
    expect(events.map((e) => e.summary)).toContain('Référent·e : Camille Pagès (à tour de rôle)');
    expect(events.map((e) => e.summary)).toContain('Étape : Projet qualifié → Accompagné·e');
    const mail = await t.db.kysely.selectFrom('outbox_messages').select(['to_address', 'subject', 'text']).where('kind', '=', 'referent-assigned').where('to_address', '=', camille.email).executeTakeFirstOrThrow();
    expect(mail.subject).toBe('Nouveau dossier à suivre : Personne1 Martin');
    expect(mail.text).toContain(`http://nv.test/admin/candidats/${first.candidate_id}`);
    expect(await t.db.kysely.selectFrom('audit_log').select('action').where('action', '=', 'referent.assigned').execute()).toHaveLength(6);

    // Running the assignment again (a retried job) changes nothing.
    expect((await assignReferentToRequest(t.s, first.id)).outcome).toBe('already');
    expect(await t.db.kysely.withTables<ReferentTables>().selectFrom('referent_assignments').select('id').where('candidate_id', '=', first.candidate_id).execute()).toHaveLength(1);
  });

  it('a file closed (installed, abandoned) no longer weighs on its referent', async () => {
    const ana = await makeAgent(t, 'referent', { name: 'Ana' });
    const bruno = await makeAgent(t, 'referent', { name: 'Bruno' });
    const a = await ask(t.s);
    await t.jobs.drain();
    expect(await referentOf(a.candidate_id)).toBe(ana.id);
    await t.db.kysely.updateTable('candidates').set({ stage: 'installed' }).where('id', '=', a.candidate_id).execute();
    // Ana has no open file again, Bruno none either, and Bruno was never given one: Bruno.
    const b = await ask(t.s);
    await t.jobs.drain();
    expect(await referentOf(b.candidate_id)).toBe(bruno.id);
    const c = await ask(t.s);
    await t.jobs.drain();
    expect(await referentOf(c.candidate_id)).toBe(ana.id);
  });

  it('follows the territory’s mapping by region, then project, then the Rencontre’s theme, when it names an active agent', async () => {
    const julien = await makeAgent(t, 'referent', { name: 'Julien', email: 'julien.rouviere@lozere.example' });
    const marc = await makeAgent(t, 'referent', { name: 'Marc', email: 'Marc.Reprise@lozere.example' });
    const ines = await makeAgent(t, 'referent', { name: 'Inès', email: 'ines@lozere.example' });
    const other = await makeAgent(t, 'referent', { name: 'Aa Premier' });
    const s: Services = {
      ...t.s,
      territory: {
        ...t.territory,
        referents: { byRegion: { aubrac: 'julien.rouviere@lozere.example', margeride: 'parti@lozere.example' }, byProject: { 'creation-reprise': 'marc.reprise@lozere.example' }, byTheme: { logement: 'ines@lozere.example' } },
      },
    };
    const aubrac = await ask(s, { region: 'aubrac', project: 'creation-reprise' });
    expect(await assignReferentToRequest(s, aubrac.id)).toMatchObject({ outcome: 'assigned', agentId: julien.id, method: 'region' });
    // Margeride names nobody active: the project decides.
    const reprise = await ask(s, { region: 'margeride', project: 'creation-reprise' });
    expect(await assignReferentToRequest(s, reprise.id)).toMatchObject({ outcome: 'assigned', agentId: marc.id, method: 'project' });
    const themed = await createWebinar(t.db, { date: '2027-01-15', kind: 'thematic', theme: 'logement' });
    const housing = await ask(s, { region: 'margeride', project: 'salarie', webinarId: themed.id as string });
    expect(await assignReferentToRequest(s, housing.id)).toMatchObject({ outcome: 'assigned', agentId: ines.id, method: 'theme' });
    // Nothing applies: the rotation, among everyone (the mapped agents have files already).
    const plain = await ask(s, { region: 'cevennes-mont-lozere', project: 'teletravail' });
    expect(await assignReferentToRequest(s, plain.id)).toMatchObject({ outcome: 'assigned', agentId: other.id, method: 'rotation' });
    const timeline = await t.db.kysely.selectFrom('timeline_events').select('summary').where('candidate_id', '=', aubrac.candidate_id).where('kind', '=', 'referent').executeTakeFirstOrThrow();
    expect(timeline.summary).toBe('Référent·e : Julien (selon la région envisagée)');
  });

  it('a household asking again goes back to its referent; with nobody active the job waits an hour', async () => {
    const r = await ask(t.s);
    await t.jobs.drain();
    const job = await t.db.kysely.selectFrom('jobs').select(['status', 'run_after', 'last_error']).where('dedupe_key', '=', `assign-referent:${r.id}`).executeTakeFirstOrThrow();
    expect(job).toEqual({ status: 'queued', run_after: '2027-01-20T10:00:00.000Z', last_error: 'aucun agent actif pour suivre la demande' });
    const ana = await makeAgent(t, 'referent', { name: 'Ana' });
    t.clock.set('2027-01-20T10:00:00.000Z');
    await t.jobs.drain();
    expect(await referentOf(r.candidate_id)).toBe(ana.id);

    await makeAgent(t, 'referent', { name: 'Aaron' });
    await t.db.kysely.updateTable('accompaniment_requests').set({ status: 'closed' }).where('id', '=', r.id).execute();
    await requestAccompaniment(t.s, { registrationId: (await t.db.kysely.selectFrom('registrations').select('id').where('candidate_id', '=', r.candidate_id).executeTakeFirstOrThrow()).id, form: { ...form, needs: [] }, actor: { type: 'candidate', id: null } });
    const again = await t.db.kysely.selectFrom('accompaniment_requests').select('id').where('candidate_id', '=', r.candidate_id).where('status', '=', 'new').executeTakeFirstOrThrow();
    expect(await assignReferentToRequest(t.s, again.id)).toMatchObject({ outcome: 'assigned', agentId: ana.id, method: 'same-referent' });
  });

  it('two requests given at the same instant go to two referents', async () => {
    const ana = await makeAgent(t, 'referent', { name: 'Ana' });
    const bruno = await makeAgent(t, 'referent', { name: 'Bruno' });
    const a = await ask(t.s);
    const b = await ask(t.s);
    const out = await Promise.all([assignReferentToRequest(t.s, a.id), assignReferentToRequest(t.s, b.id)]);
    expect(out.map((o) => o.outcome)).toEqual(['assigned', 'assigned']);
    expect(new Set([await referentOf(a.candidate_id), await referentOf(b.candidate_id)])).toEqual(new Set([ana.id, bruno.id]));
  });

  it('reassigning: a referent hands over only their own files, an admin any; history, timeline, audit and the new referent’s list say it', async () => {
    const ana = await makeAgent(t, 'referent', { name: 'Ana' });
    const bruno = await makeAgent(t, 'referent', { name: 'Bruno' });
    const admin = await makeAgent(t, 'admin', { name: 'Zélie Admin' });
    const r = await ask(t.s);
    await t.jobs.drain();
    expect(await referentOf(r.candidate_id)).toBe(ana.id);

    // Bruno may not take Ana's file, by the use case or over HTTP (403, audited).
    await expect(reassignReferent(t.s, { candidateId: r.candidate_id, agentId: bruno.id, by: bruno })).rejects.toThrow('Seul un administrateur ou le référent de ce dossier');
    const asBruno = await signIn(t, bruno);
    expect((await asBruno.get(`/admin/candidats/${r.candidate_id}/referent`)).status).toBe(403);
    expect((await asBruno.post(`/admin/candidats/${r.candidate_id}/referent`, { agent: bruno.id })).status).toBe(403);
    expect(await t.db.kysely.selectFrom('audit_log').select('action').where('action', '=', 'security.forbidden').where('actor_id', '=', bruno.id).execute()).toHaveLength(2);

    // Ana sees it among her new requests, takes it in hand, then hands it to Bruno.
    const asAna = await signIn(t, ana);
    expect(await (await asAna.get('/admin/a-faire')).text()).toContain('Nouvelles demandes (1)');
    const assignment = await t.db.kysely.withTables<ReferentTables>().selectFrom('referent_assignments').select('id').where('candidate_id', '=', r.candidate_id).executeTakeFirstOrThrow();
    expect((await asAna.post(`/admin/a-faire/demandes/${assignment.id}`)).status).toBe(303);
    expect(await (await asAna.get('/admin/a-faire')).text()).toContain('Nouvelles demandes (0)');
    // The file's page (candidates feature) hands it over through reassignReferent.
    expect((await asAna.post(`/admin/candidats/${r.candidate_id}/referent`, { agent: 'personne' })).status).toBe(422);
    expect(await referentOf(r.candidate_id)).toBe(ana.id);
    expect((await asAna.post(`/admin/candidats/${r.candidate_id}/referent`, { agent: bruno.id })).status).toBe(303);
    expect(await referentOf(r.candidate_id)).toBe(bruno.id);
    expect(await (await asBruno.get('/admin/a-faire')).text()).toContain('Nouvelles demandes (1)');
    expect(await (await asBruno.get('/admin/mes-candidats')).text()).toContain('Personne');

    // The admin moves it back to Ana.
    await reassignReferent(t.s, { candidateId: r.candidate_id, agentId: ana.id, by: admin });
    const history = await t.db.kysely.withTables<ReferentTables>().selectFrom('referent_assignments').select(['agent_id', 'previous_agent_id', 'method']).where('candidate_id', '=', r.candidate_id).orderBy('at').execute();
    expect(history).toEqual([
      { agent_id: ana.id, previous_agent_id: null, method: 'rotation' },
      { agent_id: bruno.id, previous_agent_id: ana.id, method: 'manual' },
      { agent_id: ana.id, previous_agent_id: bruno.id, method: 'manual' },
    ]);
    const timeline = await t.db.kysely.selectFrom('timeline_events').select('summary').where('candidate_id', '=', r.candidate_id).where('kind', '=', 'referent').orderBy('at').execute();
    expect(timeline.map((e) => e.summary)).toEqual(expect.arrayContaining(['Ana prend en charge la demande', 'Référent·e : Ana → Bruno', 'Référent·e : Bruno → Ana']));
    expect(await t.db.kysely.selectFrom('audit_log').select('action').where('action', '=', 'referent.reassigned').execute()).toHaveLength(2);
    // Bruno's list no longer shows a file that is not his.
    expect(await (await asBruno.get('/admin/a-faire')).text()).toContain('Nouvelles demandes (0)');
    // A referent may not look at a colleague's lists; an admin may.
    expect((await asBruno.get(`/admin/a-faire?agent=${ana.id}`)).status).toBe(403);
    const asAdmin = await signIn(t, admin);
    expect(await (await asAdmin.get(`/admin/mes-candidats?agent=${ana.id}`)).text()).toContain('Candidats suivis par Ana');
  });
});
