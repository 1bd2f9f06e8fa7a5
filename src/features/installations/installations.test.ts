import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAgent, signIn } from '../../../tests/support/admin.ts';
import { createWebinar, parsedForm, postForm } from '../../../tests/support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { createJobRunner } from '../../background.ts';
import type { AgentRow } from '../../platform/db/schema.ts';
import { registerCandidate } from '../registrations/register-candidate.ts';
import { followUpToken } from './follow-up-token.ts';
import type { FollowUpTables } from './follow-up-tables.ts';
import { renderFollowUpEmail } from './follow-up-emails.tsx';
import { atCommune, followUpDays, parseInstallation } from './installation.ts';
import { loadTerritory } from '../territory/territory.ts';
import { recordInstallation } from './record-installation.ts';

describe('the follow-ups’ days', () => {
  it('are 3, 6 and 12 calendar months after the installation, on the month’s last day when the day does not exist', () => {
    const days = (d: string) => followUpDays(d).map((f) => `${f.months}:${f.dueOn}`);
    expect(days('2027-03-15')).toEqual(['3:2027-06-15', '6:2027-09-15', '12:2028-03-15']);
    expect(days('2027-01-31')).toEqual(['3:2027-04-30', '6:2027-07-31', '12:2028-01-31']);
    expect(days('2027-11-30')).toEqual(['3:2028-02-29', '6:2028-05-30', '12:2028-11-30']);
    expect(days('2027-08-31')).toEqual(['3:2027-11-30', '6:2028-02-29', '12:2028-08-31']);
    expect(days('2028-02-29')).toEqual(['3:2028-05-29', '6:2028-08-29', '12:2029-02-28']);
  });

  it('says "au Malzieu-Ville" and "aux Bondons", not "à Le Malzieu-Ville", to the household it writes to', async () => {
    expect(atCommune('Mende')).toBe('à Mende');
    expect(atCommune('La Canourgue')).toBe('à La Canourgue');
    expect(atCommune('Le Malzieu-Ville')).toBe('au Malzieu-Ville');
    expect(atCommune('Les Bondons')).toBe('aux Bondons');
    const mail = await renderFollowUpEmail({ territory: loadTerritory('lozere'), publicUrl: 'http://nv.test', firstName: 'Élise', months: 3, commune: 'Le Malzieu-Ville', token: 'A'.repeat(43) });
    expect(mail.text).toContain('Cela fait 3 mois que vous vous êtes installé·e au Malzieu-Ville.');
    expect(mail.html).not.toContain('à Le ');
  });

  it('the installation form says in French what is missing', () => {
    const r = parseInstallation({ installedOn: '', adults: '', children: '-1', activity: '', regionKey: 'atlantide' }, '2027-01-04', ['aubrac'], false);
    expect(r).toEqual({
      ok: false,
      errors: {
        installedOn: 'Indiquez la date d’installation',
        regionKey: 'Choisissez une région de la liste',
        adults: 'Indiquez le nombre d’adultes, en chiffres',
        children: 'Le nombre d’enfants ne peut pas être négatif',
        activity: 'Choisissez l’activité du foyer',
        communeName: 'Indiquez la commune où le foyer s’est installé',
      },
    });
    expect(parseInstallation({ installedOn: '2027-01-02', adults: '2', children: '1', activity: 'salarie' }, '2027-01-04', [], true)).toEqual({ ok: false, errors: { communeCode: 'Choisissez la commune, ou écrivez son nom si elle n’est pas dans la liste' } });
    expect(parseInstallation({ installedOn: '2027-01-02', adults: '2', children: '', activity: 'salarie', communeName: 'Mende' }, '2027-01-04', [], true)).toMatchObject({ ok: false, errors: { children: 'Indiquez le nombre d’enfants, en chiffres' } });
  });
});

describe.each(dialects())('installations and their follow-ups on %s', (dialect) => {
  let t: TestContext;
  let julien: AgentRow;
  beforeEach(async () => {
    // Monday 4 January 2027, 10:00 in Paris.
    t = await createTestContext(dialect, { now: '2027-01-04T09:00:00.000Z' });
    julien = await makeAgent(t, 'referent', { name: 'Julien Rouvière', email: 'julien@lozere.example' });
  });
  afterEach(async () => {
    await t.close();
  });

  async function household(email = 'elise@example.org', referentId: string | null = julien.id) {
    const w = await createWebinar(t.db, { date: '2027-01-15' });
    const r = await registerCandidate(t.s, { webinarId: w.id as string, submissionKey: randomUUID(), form: parsedForm({ email }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } });
    const { candidate_id } = await t.db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', r.registrationId).executeTakeFirstOrThrow();
    await t.db.kysely.updateTable('candidates').set({ referent_id: referentId, stage: 'decision' }).where('id', '=', candidate_id).execute();
    return candidate_id;
  }
  const followUps = (candidateId: string) => t.db.kysely.withTables<FollowUpTables>().selectFrom('follow_ups').selectAll().where('candidate_id', '=', candidateId).orderBy('months').execute();
  const linkOf = (f: { id: string; token_nonce: string }) => `/suivi/${followUpToken(t.s.tokenKey, f.id, f.token_nonce)}`;
  const tick = async () => {
    await t.jobs.runPeriodic(true);
    await t.jobs.drain();
  };

  it('recording an installation: errors at the fields, then the file moves to "installed", the timeline says it and the follow-ups are scheduled; only once; only by whom it concerns', async () => {
    const candidateId = await household();
    await t.db.kysely.insertInto('communes').values({ code: '48092', name: 'Marvejols', name_search: 'marvejols', postcodes: '["48100"]', population: 4900, epci_code: null, epci_name: null, region_key: 'aubrac' }).execute();
    const as = await signIn(t, julien);
    const form = await (await as.get(`/admin/candidats/${candidateId}/installation`)).text();
    expect(form).toContain('Installation de Élise Martin');
    expect(form).toContain('<option value="48092">Marvejols</option>');
    expect(form).toContain('N’y notez pas d’information sur la santé');

    const bad = await as.post(`/admin/candidats/${candidateId}/installation`, { installedOn: '31/02/2027', communeCode: '', communeName: '', adults: '0', children: '1', activity: '' });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('<title>Erreur : ');
    for (const m of ['<a href="#f-installedOn">Indiquez une date réelle, comme 12/01/2027</a>', '<a href="#f-communeCode">Choisissez la commune', '<a href="#f-adults">Il y a au moins un adulte dans le foyer</a>', '<a href="#f-activity">Choisissez l’activité du foyer</a>']) expect(html).toContain(m);

    // Another referent's file is not theirs to record.
    const other = await signIn(t, await makeAgent(t, 'referent'));
    expect((await other.post(`/admin/candidats/${candidateId}/installation`, { installedOn: '2027-01-02', communeCode: '48092', adults: '2', children: '1', activity: 'salarie' })).status).toBe(403);

    const ok = await as.post(`/admin/candidats/${candidateId}/installation`, { installedOn: '02/01/2027', communeCode: '48092', communeName: '', regionKey: '', adults: '2', children: '1', activity: 'salarie', employer: 'Hôpital de Marvejols', housing: 'location' });
    expect(ok.headers.get('location')).toBe(`/admin/candidats/${candidateId}/installation?ok=enregistree`);
    const inst = await t.db.kysely.selectFrom('installations').selectAll().executeTakeFirstOrThrow();
    expect(inst).toMatchObject({ candidate_id: candidateId, installed_on: '2027-01-02', commune_code: '48092', commune_name: 'Marvejols', region_key: 'aubrac', adults: 2, children: 1, activity: 'salarie', employer: 'Hôpital de Marvejols', housing: 'location', created_by: julien.id });
    expect((await followUps(candidateId)).map((f) => [f.months, f.due_on, f.status])).toEqual([
      [3, '2027-04-02', 'scheduled'],
      [6, '2027-07-02', 'scheduled'],
      [12, '2028-01-02', 'scheduled'],
    ]);
    expect((await t.db.kysely.selectFrom('candidates').select('stage').where('id', '=', candidateId).executeTakeFirstOrThrow()).stage).toBe('installed');
    const events = await t.db.kysely.selectFrom('timeline_events').select(['kind', 'summary']).where('candidate_id', '=', candidateId).where('kind', 'in', ['installation', 'stage']).orderBy('at').execute();
    expect(events.map((e) => e.summary)).toEqual(expect.arrayContaining(['Étape : Décision → Installé·e', 'Installé·e à Marvejols (Aubrac) le 2 janv. 2027 : 2 adultes, 1 enfant, un emploi salarié (Hôpital de Marvejols)']));
    const page = await (await as.get(`/admin/candidats/${candidateId}/installation`)).text();
    expect(page).toContain('À 3 mois');
    expect(page).toContain('Enregistrer un départ du territoire');

    // Recording it again is refused (the form is gone; a replayed post gets a 409).
    const again = await as.post(`/admin/candidats/${candidateId}/installation`, { installedOn: '2027-01-02', communeName: 'Mende', adults: '2', children: '1', activity: 'salarie' });
    expect(again.status).toBe(409);
    expect(await t.db.kysely.selectFrom('installations').select('id').execute()).toHaveLength(1);
  });

  it('each due follow-up is e-mailed once from 9:00, whatever restarts; an answer asking for help moves the file to "followed-up" and gives the referent a task on the "à faire" list', async () => {
    const candidateId = await household();
    await recordInstallation(t.s, { candidateId, form: { installedOn: '2027-01-02', communeCode: '', communeName: 'Nasbinals', regionKey: 'aubrac', adults: 2, children: 2, activity: 'reprise', employer: null, housing: null }, by: julien });
    const mails = () => t.db.kysely.selectFrom('outbox_messages').select(['to_address', 'subject', 'text']).where('kind', '=', 'follow-up').execute();
    t.clock.set('2027-04-01T09:00:00.000Z');
    await tick();
    expect(await mails()).toHaveLength(0);
    // 2 April, 8:59 in Paris (summer time): not yet; 9:00: sent.
    t.clock.set('2027-04-02T06:59:00.000Z');
    await tick();
    expect(await mails()).toHaveLength(0);
    t.clock.set('2027-04-02T07:00:00.000Z');
    await tick();
    await createJobRunner(t.s).runPeriodic(true);
    const sent = await mails();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to_address: 'elise@example.org', subject: 'Élise, comment se passe votre installation ?' });
    expect(sent[0]!.text).toContain('Cela fait 3 mois que vous vous êtes installé·e à Nasbinals. Comment ça se passe ? Pouvons-nous vous aider');
    const [three] = await followUps(candidateId);
    expect(three).toMatchObject({ status: 'sent', sent_at: '2027-04-02T07:00:00.000Z' });
    const link = linkOf(three!);
    expect(sent[0]!.text).toContain(`http://nv.test${link}`);

    // The two-minute form: errors in French, then the answer.
    const form = await (await t.app.request(link)).text();
    expect(form).toContain('Vivez-vous toujours en Lozère ?');
    expect(form).toContain('Vos données et vos droits');
    const bad = await t.app.request(link, postForm({}));
    expect(bad.status).toBe(422);
    const errors = await bad.text();
    expect(errors).toContain('<a href="#f-wellbeing">Dites-nous comment se passe votre installation</a>');
    expect(errors).toContain('<a href="#f-stillThere">Dites-nous si vous vivez toujours sur le territoire</a>');
    const body = new URLSearchParams({ wellbeing: '4', stillThere: 'oui', message: 'Tout va bien, mais mon conjoint cherche encore.' });
    body.append('help', 'emploi-conjoint');
    body.append('help', 'logement');
    t.clock.set('2027-04-03T15:00:00.000Z');
    const answered = await t.app.request(link, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    expect(answered.status).toBe(303);
    expect(await (await t.app.request(link)).text()).toContain('Merci pour vos réponses');
    // Sent twice (a double click): nothing more.
    await t.app.request(link, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: body.toString() });

    const [f] = await followUps(candidateId);
    expect(f).toMatchObject({ status: 'answered', wellbeing: 4, still_there: 1, needs_help: 1, help_topics: '["emploi-conjoint","logement"]', message: 'Tout va bien, mais mon conjoint cherche encore.' });
    expect((await t.db.kysely.selectFrom('candidates').select('stage').where('id', '=', candidateId).executeTakeFirstOrThrow()).stage).toBe('followed-up');
    const tasks = await t.db.kysely.selectFrom('tasks').select(['title', 'assignee_id', 'due_on', 'source']).where('candidate_id', '=', candidateId).execute();
    expect(tasks).toEqual([{ title: 'Aide demandée par Élise Martin au suivi à 3 mois : un emploi pour mon conjoint ou ma conjointe, le logement', assignee_id: julien.id, due_on: '2027-04-03', source: 'system' }]);
    const timeline = await t.db.kysely.selectFrom('timeline_events').select('summary').where('candidate_id', '=', candidateId).where('kind', '=', 'follow-up').orderBy('at').execute();
    expect(timeline.map((e) => e.summary)).toEqual([
      'Suivi à 3 mois envoyé : « comment se passe votre installation ? »',
      'Réponse au suivi à 3 mois : bien (4/5), toujours sur le territoire, aide demandée : un emploi pour mon conjoint ou ma conjointe, le logement',
    ]);
    const as = await signIn(t, julien);
    const todo = await (await as.get('/admin/a-faire')).text();
    expect(todo).toContain('Suivis qui demandent de l’aide (1)');
    expect(todo).toContain('« Tout va bien, mais mon conjoint cherche encore. »');
    // The answer's task shows with the answer, not a second time among today's tasks.
    expect(todo).toContain('Pour aujourd’hui (0)');
    expect((await as.get(`/admin/candidats/${candidateId}/installation`)).status).toBe(200);
  });

  it('without an answer fourteen days after the e-mail, the referent gets a task to call; a late answer closes it; saying “no longer here” asks to record the departure', async () => {
    const candidateId = await household();
    await recordInstallation(t.s, { candidateId, form: { installedOn: '2027-01-04', communeCode: '', communeName: 'Mende', regionKey: null, adults: 1, children: 0, activity: 'teletravail', employer: null, housing: null }, by: julien });
    t.clock.set('2027-04-04T08:00:00.000Z');
    await tick();
    t.clock.set('2027-04-18T07:59:00.000Z');
    await tick();
    expect(await t.db.kysely.selectFrom('tasks').select('id').execute()).toHaveLength(0);
    t.clock.set('2027-04-18T08:00:00.000Z');
    await tick();
    await tick();
    const relance = await t.db.kysely.selectFrom('tasks').select(['id', 'title', 'status', 'assignee_id']).execute();
    expect(relance).toEqual([{ id: relance[0]!.id, title: 'Relancer Élise Martin : pas de réponse au suivi à 3 mois', status: 'open', assignee_id: julien.id }]);
    const [f] = await followUps(candidateId);
    expect(f!.status).toBe('no-answer');

    // She answers after all: the call is no longer needed.
    t.clock.set('2027-04-20T10:00:00.000Z');
    expect((await t.app.request(linkOf(f!), postForm({ wellbeing: '2', stillThere: 'non' }))).status).toBe(303);
    const tasks = await t.db.kysely.selectFrom('tasks').select(['title', 'status']).orderBy('created_at').execute();
    expect(tasks).toEqual([
      { title: 'Relancer Élise Martin : pas de réponse au suivi à 3 mois', status: 'done' },
      { title: 'Élise Martin dit ne plus vivre sur le territoire : enregistrer son départ', status: 'open' },
    ]);

    // The departure: errors, then recorded; the follow-ups not sent are cancelled and their links closed.
    const as = await signIn(t, julien);
    const bad = await as.post(`/admin/candidats/${candidateId}/installation/depart`, { leftOn: '2026-12-01', reason: '' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Le départ ne peut pas précéder l’installation');
    expect((await as.post(`/admin/candidats/${candidateId}/installation/depart`, { leftOn: '2027-04-15', reason: 'famille' })).status).toBe(303);
    expect(await t.db.kysely.selectFrom('installations').select(['left_on', 'left_reason']).executeTakeFirstOrThrow()).toEqual({ left_on: '2027-04-15', left_reason: 'famille' });
    const after = await followUps(candidateId);
    expect(after.map((x) => x.status)).toEqual(['answered', 'cancelled', 'cancelled']);
    expect((await t.app.request(linkOf(after[1]!))).status).toBe(404);
    const left = await t.db.kysely.selectFrom('timeline_events').select('summary').where('candidate_id', '=', candidateId).where('kind', '=', 'installation').orderBy('at', 'desc').executeTakeFirstOrThrow();
    expect(left.summary).toBe('Départ du territoire (Mende) le 15 avr. 2027 : Raisons familiales');
    t.clock.set('2027-07-05T08:00:00.000Z');
    await tick();
    expect(await t.db.kysely.selectFrom('outbox_messages').select('id').where('kind', '=', 'follow-up').execute()).toHaveLength(1);
  });

  it('an installation recorded late sends only the latest follow-up due, not three at once', async () => {
    const candidateId = await household('late@example.org', null);
    await recordInstallation(t.s, { candidateId, form: { installedOn: '2026-05-20', communeCode: '', communeName: 'Florac Trois Rivières', regionKey: null, adults: 2, children: 0, activity: 'creation', employer: null, housing: null }, by: julien });
    await tick();
    expect((await followUps(candidateId)).map((f) => [f.months, f.status])).toEqual([
      [3, 'cancelled'],
      [6, 'sent'],
      [12, 'scheduled'],
    ]);
    expect(await t.db.kysely.selectFrom('outbox_messages').select('subject').where('kind', '=', 'follow-up').execute()).toHaveLength(1);
  });
});
