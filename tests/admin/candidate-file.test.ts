import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordTimelineEvent } from '../../src/features/candidates/timeline.ts';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import { makeAgent, signIn, type SignedIn } from '../support/admin.ts';
import { createWebinar, parsedForm } from '../support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';
import { errorSummaryLinks, hiddenFields, inlineError, textOf, titleOf } from '../http/html.ts';

const noSource = { utmSource: 'facebook', utmMedium: null, utmCampaign: null };

/**
 * A household's file in the back-office, over HTTP: what it shows, and every edit an agent makes —
 * identity, project (with the commune from the territory's list), the people of the household, notes,
 * stages — validated in French at the field, journaled, and written to the timeline.
 */
describe.each(dialects())('the candidate file on %s', (dialect) => {
  let t: TestContext;
  let agent: SignedIn;
  let id: string;
  let webinarTitle: string;

  beforeEach(async () => {
    t = await createTestContext(dialect);
    const w = await createWebinar(t.db, { date: '2027-01-15' });
    webinarTitle = w.title;
    const r = await registerCandidate(t.s, { webinarId: w.id as string, submissionKey: randomUUID(), form: parsedForm({ email: 'elise.martin@example.org', phone: '06 12 34 56 78', newsOptIn: true }), source: noSource, actor: { type: 'candidate', id: null } });
    id = (await t.db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', r.registrationId).executeTakeFirstOrThrow()).candidate_id;
    agent = await signIn(t, await makeAgent(t, 'referent', { name: 'Camille Rouvière' }));
    await t.db.kysely
      .insertInto('communes')
      .values([
        { code: '48095', name: 'Mende', name_search: 'mende', postcodes: '["48000"]', population: 12000, epci_code: null, epci_name: null, region_key: 'vallee-du-lot' },
        { code: '48166', name: 'Saint-Chély-d’Apcher', name_search: 'saint chely d apcher', postcodes: '["48200"]', population: 4000, epci_code: null, epci_name: null, region_key: 'margeride' },
        { code: '48094', name: 'Marvejols', name_search: 'marvejols', postcodes: '["48100"]', population: 5000, epci_code: null, epci_name: null, region_key: 'aubrac' },
        { code: '48146', name: 'Saint-Alban-sur-Limagnole', name_search: 'saint alban sur limagnole', postcodes: '["48120"]', population: 1500, epci_code: null, epci_name: null, region_key: 'margeride' },
      ])
      .execute();
  });
  afterEach(async () => {
    await t.close();
  });

  const file = () => t.db.kysely.selectFrom('candidates').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const timeline = (kind?: string) => {
    let q = t.db.kysely.selectFrom('timeline_events').select(['kind', 'summary', 'actor_type', 'actor_id', 'data']).where('candidate_id', '=', id);
    if (kind) q = q.where('kind', '=', kind);
    return q.orderBy('at').execute();
  };
  const audit = (action: string) => t.db.kysely.selectFrom('audit_log').select(['actor_id', 'details']).where('action', '=', action).where('subject_id', '=', id).execute();

  it('shows who the household is, its consents with dates, its source, its stage, its Rencontres, e-mails and timeline', async () => {
    const html = await (await agent.get(`/admin/candidats/${id}`)).text();
    const text = textOf(html);
    expect(titleOf(html)).toBe('Élise Martin – Gestion Lozère Nouvelle Vie');
    for (const part of [
      'elise.martin@example.org',
      '06 12 34 56 78',
      'Premier contact',
      'Personne pour l’instant',
      'Trouver un emploi salarié (réponse à l’inscription)',
      'Nouvelles des Rencontres Oui, consentement donné le 4 janv. 2027',
      'Invitations aux Rencontres Acceptées',
      'Première source facebook',
      `Première Rencontre ${webinarTitle} (15 janv. 2027)`,
      `Inscription à « ${webinarTitle} » (15 janv. 2027)`,
      'Inscription confirmée : ',
    ]) {
      expect(text).toContain(part);
    }
    // One table (the Rencontres) and one list of facts: the page reads as a file, not as a wall of tables.
    expect(html.match(/<table/g)).toHaveLength(1);
    expect(html.match(/class="summary-list"/g)).toHaveLength(1);
    expect(html).toContain('href="/admin/candidats/' + id + '/taches/nouvelle"');
    expect(html).toContain('href="/admin/candidats/' + id + '/installation"');
    expect(html).toContain('href="/admin/rendez-vous"');
  });

  it('identity: errors in French at the fields, then the change, its audit and its timeline entry; another file’s e-mail is refused', async () => {
    const form = await (await agent.get(`/admin/candidats/${id}/identite`)).text();
    const fields = { ...hiddenFields(form), firstName: '', lastName: 'Martin', email: 'pas-une-adresse', phone: '12', postcode: '', town: '', country: '' };
    const bad = await agent.post(`/admin/candidats/${id}/identite`, fields);
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(titleOf(html)).toMatch(/^Erreur : /);
    expect(errorSummaryLinks(html)).toEqual([
      ['#f-firstName', 'Saisissez le prénom'],
      ['#f-email', 'Saisissez une adresse e-mail valide, comme nom@exemple.fr'],
      ['#f-phone', 'Saisissez un numéro de téléphone valide, comme 06 12 34 56 78'],
    ]);
    expect(inlineError(html, 'f-firstName')).toBe('Saisissez le prénom');
    expect((await file()).first_name).toBe('Élise');

    const ok = await agent.post(`/admin/candidats/${id}/identite`, { firstName: 'Élise', lastName: 'Martin-Roux', email: 'elise.martin@example.org', phone: '+33 6 12 34 56 79', postcode: '69003', town: 'Lyon', country: 'France' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(`/admin/candidats/${id}?ok=identite`);
    expect(await file()).toMatchObject({ last_name: 'Martin-Roux', phone: '+33 6 12 34 56 79', phone_key: '0612345679', search_text: 'elise martin roux elise.martin@example.org 0612345679' });
    expect((await audit('candidate.identity-updated')).map((a) => [a.actor_id, JSON.parse(a.details)])).toEqual([[agent.agent.id, { fields: ['nom', 'téléphone'] }]]);
    expect((await timeline('profile')).map((e) => [e.summary, e.actor_type, e.actor_id])).toEqual([['Identité modifiée : nom, téléphone', 'agent', agent.agent.id]]);

    await upsertOther(t, 'autre@example.org');
    const taken = await agent.post(`/admin/candidats/${id}/identite`, { firstName: 'Élise', lastName: 'Martin', email: 'Autre@example.org' });
    expect(taken.status).toBe(422);
    expect(inlineError(await taken.text(), 'f-email')).toContain('Une autre fiche a déjà cette adresse e-mail');
  });

  it('project: type, sector, maturity, horizon, commune found by name without accents or by postcode (its region follows), housing, licence', async () => {
    const bad = await agent.post(`/admin/candidats/${id}/projet`, { projectType: 'astronaute', drivingLicence: 'peut-etre', commune: '' });
    expect(bad.status).toBe(422);
    expect(errorSummaryLinks(await bad.text()).map(([, m]) => m)).toEqual(['Choisissez un type de projet dans la liste', 'Répondez oui ou non']);

    const several = await agent.post(`/admin/candidats/${id}/projet`, { projectType: 'reprise', commune: 'saint' });
    expect(several.status).toBe(422);
    const choose = await several.text();
    expect(errorSummaryLinks(choose)).toEqual([['#f-communeCode', 'Plusieurs communes correspondent à « saint » : choisissez-en une']]);
    expect(textOf(choose)).toContain('Saint-Chély-d’Apcher (48200)');
    expect(textOf(choose)).toContain('Saint-Alban-sur-Limagnole (48120)');

    const unknown = await agent.post(`/admin/candidats/${id}/projet`, { commune: 'Paris' });
    expect(inlineError(await unknown.text(), 'f-commune')).toBe('Aucune commune du territoire ne correspond à « Paris » : vérifiez l’orthographe, ou saisissez son code postal');

    const ok = await agent.post(`/admin/candidats/${id}/projet`, { projectType: 'reprise', sector: 'Boulangerie', maturity: 'construit', horizon: 'moins-6-mois', desiredRegion: '', commune: 'saint chely', housingPlan: 'achat', drivingLicence: 'oui' });
    expect(ok.status).toBe(303);
    expect(await file()).toMatchObject({ project_type: 'reprise', project_sector: 'Boulangerie', project_maturity: 'construit', horizon: 'moins-6-mois', desired_commune: '48166', desired_region: 'margeride', housing_plan: 'achat', driving_licence: 1 });
    expect((await timeline('profile')).map((e) => e.summary)).toEqual(['Projet modifié : type de projet, secteur, maturité, horizon, commune envisagée, logement, permis de conduire']);
    const page = textOf(await (await agent.get(`/admin/candidats/${id}`)).text());
    expect(page).toContain('Reprise d’entreprise');
    expect(page).toContain('Margeride, Saint-Chély-d’Apcher (48200)');

    // By postcode, or by the suggestion the list gives; the form shows it back as it was chosen.
    await agent.post(`/admin/candidats/${id}/projet`, { projectType: 'reprise', commune: '48100' });
    expect((await file()).desired_commune).toBe('48094');
    await agent.post(`/admin/candidats/${id}/projet`, { projectType: 'reprise', commune: 'Mende (48000)' });
    expect(await file()).toMatchObject({ desired_commune: '48095', desired_region: 'vallee-du-lot' });
    expect(await (await agent.get(`/admin/candidats/${id}/projet`)).text()).toContain('value="Mende (48000)"');
    // Saving without a change writes nothing more.
    const before = (await timeline()).length;
    await agent.post(`/admin/candidats/${id}/projet`, { projectType: 'reprise', commune: 'Mende (48000)', desiredRegion: 'vallee-du-lot' });
    expect((await timeline()).length).toBe(before);
  });

  it('project: without the territory’s communes loaded, the commune is kept as typed', async () => {
    await t.db.kysely.deleteFrom('communes').execute();
    const ok = await agent.post(`/admin/candidats/${id}/projet`, { commune: 'Florac' });
    expect(ok.status).toBe(303);
    expect((await file()).desired_commune).toBe('Florac');
    expect(textOf(await (await agent.get(`/admin/candidats/${id}`)).text())).toContain('Florac');
  });

  it('the household: adults with their occupation and whether they need a job, children with age and school need; edited, and removed after a confirmation', async () => {
    const form = await (await agent.get(`/admin/candidats/${id}/foyer/nouveau`)).text();
    const membre = hiddenFields(form).membre!;
    expect(form).toContain('ni santé, ni handicap');
    const bad = await agent.post(`/admin/candidats/${id}/foyer/nouveau`, { membre, kind: 'child', age: '' });
    expect(bad.status).toBe(422);
    expect(errorSummaryLinks(await bad.text())).toEqual([['#f-age', 'Saisissez l’âge de l’enfant']]);
    expect((await agent.post(`/admin/candidats/${id}/foyer/nouveau`, { membre, kind: 'child', firstName: 'Léa', age: '8', schoolNeed: 'elementaire' })).status).toBe(303);
    // The same form sent twice adds one person.
    await agent.post(`/admin/candidats/${id}/foyer/nouveau`, { membre, kind: 'child', firstName: 'Léa', age: '8', schoolNeed: 'elementaire' });
    await agent.post(`/admin/candidats/${id}/foyer/nouveau`, { membre: randomUUID(), kind: 'adult', firstName: 'Marc', age: '41', occupation: 'Menuisier', needsJob: 'oui', schoolNeed: 'creche' });
    const members = await t.db.kysely.selectFrom('household_members').select(['id', 'kind', 'first_name', 'age', 'occupation', 'needs_job', 'school_need']).where('candidate_id', '=', id).orderBy('kind').execute();
    expect(members.map(({ id: _id, ...m }) => m)).toEqual([
      { kind: 'adult', first_name: 'Marc', age: 41, occupation: 'Menuisier', needs_job: 1, school_need: null },
      { kind: 'child', first_name: 'Léa', age: 8, occupation: null, needs_job: 0, school_need: 'elementaire' },
    ]);
    const lea = members[1]!.id;
    expect((await agent.post(`/admin/candidats/${id}/foyer/${lea}`, { kind: 'child', firstName: 'Léa', age: '9', schoolNeed: 'college' })).status).toBe(303);
    const confirm = await (await agent.get(`/admin/candidats/${id}/foyer/${lea}/retirer`)).text();
    expect(textOf(confirm)).toContain('Retirer cette personne du foyer ?');
    expect(textOf(confirm)).toContain('Léa, enfant de 9 ans (collège) ne fera plus partie du foyer');
    expect(await t.db.kysely.selectFrom('household_members').select('id').where('id', '=', lea).execute()).toHaveLength(1);
    expect((await agent.post(`/admin/candidats/${id}/foyer/${lea}/retirer`)).status).toBe(303);
    expect(await t.db.kysely.selectFrom('household_members').select('id').where('id', '=', lea).execute()).toHaveLength(0);
    expect((await timeline('household')).map((e) => e.summary)).toEqual([
      'Foyer : ajout de Léa, enfant de 8 ans (école élémentaire)',
      'Foyer : ajout de Marc, adulte de 41 ans, Menuisier, cherche un emploi',
      'Foyer : Léa, enfant de 9 ans (collège) (modifié)',
      'Foyer : Léa, enfant de 9 ans (collège) ne fait plus partie du foyer',
    ]);
    expect((await audit('candidate.member-added')).length).toBe(2);
    expect((await audit('candidate.member-removed')).length).toBe(1);
    const page = textOf(await (await agent.get(`/admin/candidats/${id}`)).text());
    expect(page).toContain('Marc Adulte 41 ans · Menuisier · cherche un emploi sur place');
  });

  it('notes, calls and interviews: the reminder about sensitive data beside the text, dated, on the timeline, the audit without their text', async () => {
    const form = await (await agent.get(`/admin/candidats/${id}/notes/nouvelle`)).text();
    expect(textOf(form)).toContain('Attention : N’écrivez ici que ce qui sert au projet d’installation : ni santé, ni handicap, ni opinions politiques, religieuses ou syndicales');
    const submission = hiddenFields(form).submission!;
    const bad = await agent.post(`/admin/candidats/${id}/notes/nouvelle`, { submission, kind: '', date: '2027-02-30x', text: '' });
    expect(bad.status).toBe(422);
    expect(errorSummaryLinks(await bad.text()).map(([, m]) => m)).toEqual(['Dites s’il s’agit d’une note, d’un appel ou d’un entretien', 'Indiquez une date réelle, comme 15/01/2027', 'Écrivez ce qu’il faut retenir']);
    // A day that does not exist is refused (Date.parse would take it for 3 March), and an empty one is asked for.
    expect(inlineError(await (await agent.post(`/admin/candidats/${id}/notes/nouvelle`, { submission, kind: 'call', date: '2027-02-31', text: 'x' })).text(), 'f-date')).toBe('Indiquez une date réelle, comme 15/01/2027');
    expect(inlineError(await (await agent.post(`/admin/candidats/${id}/notes/nouvelle`, { submission, kind: 'call', date: '', text: 'x' })).text(), 'f-date')).toBe('Indiquez la date, comme 15/01/2027');
    const future = await agent.post(`/admin/candidats/${id}/notes/nouvelle`, { submission, kind: 'call', date: '2027-02-01', text: 'x' });
    expect(inlineError(await future.text(), 'f-date')).toBe('La date ne peut pas être dans le futur');

    // Typed the French way where there is no date picker.
    const ok = await agent.post(`/admin/candidats/${id}/notes/nouvelle`, { submission, kind: 'call', date: '03/01/2027', text: 'Rappelée : elle visite Mende en mars.\nEnvoyer les offres d’emploi.' });
    expect(ok.status).toBe(303);
    await agent.post(`/admin/candidats/${id}/notes/nouvelle`, { submission, kind: 'call', date: '2027-01-03', text: 'Rappelée : elle visite Mende en mars.\nEnvoyer les offres d’emploi.' });
    const calls = await t.db.kysely.selectFrom('timeline_events').select(['at', 'summary', 'data', 'actor_id']).where('candidate_id', '=', id).where('kind', '=', 'call').execute();
    expect(calls).toEqual([{ at: '2027-01-03T11:00:00.000Z', summary: 'Appel : Rappelée : elle visite Mende en mars.', data: JSON.stringify({ text: 'Rappelée : elle visite Mende en mars.\nEnvoyer les offres d’emploi.' }), actor_id: agent.agent.id }]);
    expect((await audit('candidate.entry-added')).map((a) => JSON.parse(a.details))).toEqual([{ kind: 'call', date: '2027-01-03' }]);
    const page = textOf(await (await agent.get(`/admin/candidats/${id}`)).text());
    expect(page).toContain('3 janv. 2027 à 12 h 00 · Camille Rouvière · Appel Rappelée : elle visite Mende en mars. Envoyer les offres d’emploi.');
  });

  it('stages: abandoned needs a reason from the list; each change dated in the history, on the timeline and in the audit; dormant too', async () => {
    const bad = await agent.post(`/admin/candidats/${id}/etape`, { stage: 'abandoned', reason: '' });
    expect(bad.status).toBe(422);
    expect(errorSummaryLinks(await bad.text())).toEqual([['#f-reason', 'Choisissez le motif de l’abandon']]);
    t.clock.set('2027-01-05T10:00:00.000Z');
    agent = await signIn(t, agent.agent);
    expect((await agent.post(`/admin/candidats/${id}/etape`, { stage: 'accompanied' })).status).toBe(303);
    t.clock.set('2027-02-10T10:00:00.000Z');
    agent = await signIn(t, agent.agent);
    await agent.post(`/admin/candidats/${id}/etape`, { stage: 'abandoned', reason: 'logement' });
    t.clock.set('2027-03-01T10:00:00.000Z');
    agent = await signIn(t, agent.agent);
    await agent.post(`/admin/candidats/${id}/etape`, { stage: 'dormant', reason: 'logement' });
    expect(await file()).toMatchObject({ stage: 'dormant', stage_changed_at: '2027-03-01T10:00:00.000Z', abandon_reason: null });
    const history = await t.db.kysely.selectFrom('stage_changes').select(['from_stage', 'to_stage', 'reason', 'at', 'actor_id']).where('candidate_id', '=', id).orderBy('at').execute();
    expect(history).toEqual([
      { from_stage: 'contact', to_stage: 'accompanied', reason: null, at: '2027-01-05T10:00:00.000Z', actor_id: agent.agent.id },
      { from_stage: 'accompanied', to_stage: 'abandoned', reason: 'logement', at: '2027-02-10T10:00:00.000Z', actor_id: agent.agent.id },
      { from_stage: 'abandoned', to_stage: 'dormant', reason: null, at: '2027-03-01T10:00:00.000Z', actor_id: agent.agent.id },
    ]);
    expect((await timeline('stage')).map((e) => e.summary)).toEqual(['Étape : Premier contact → Accompagné·e', 'Étape : Accompagné·e → Abandon (Pas de logement adapté)', 'Étape : Abandon → En sommeil']);
    expect((await audit('candidate.stage-changed')).length).toBe(3);
    const page = textOf(await (await agent.get(`/admin/candidats/${id}`)).text());
    expect(page).toContain('Le 10 févr. 2027 : Accompagné·e → Abandon (Pas de logement adapté) · Camille Rouvière');
    // The same stage again changes nothing.
    expect((await agent.post(`/admin/candidats/${id}/etape`, { stage: 'dormant' })).headers.get('location')).toContain('ok=inchange');
  });

  it('the file’s tasks are acted on from the file (done, changed, cancelled), each action coming back to it with its message; offers and orientations are linked from it', async () => {
    const created = await agent.post(`/admin/candidats/${id}/taches/nouvelle`, { submission: randomUUID(), title: 'Rappeler pour le logement', dueOn: '2027-01-10', assigneeId: agent.agent.id, retour: `/admin/candidats/${id}` });
    expect(created.status).toBe(303);
    const back = created.headers.get('location')!;
    const html = await (await agent.get(back)).text();
    expect(textOf(html)).toContain('La tâche est enregistrée.');
    const task = await t.db.kysely.selectFrom('tasks').select('id').where('candidate_id', '=', id).executeTakeFirstOrThrow();
    expect(html).toContain(`action="/admin/taches/${task.id}/faite"`);
    expect(html).toContain(`href="/admin/taches/${task.id}/annuler?retour=${encodeURIComponent(`/admin/candidats/${id}#suivi`)}"`);
    for (const link of ['offres', 'orientations']) expect(html).toContain(`href="/admin/candidats/${id}/${link}"`);
    const done = await agent.post(`/admin/taches/${task.id}/faite`, { retour: `/admin/candidats/${id}#suivi` });
    expect(done.headers.get('location')).toBe(`/admin/candidats/${id}?ok=faite#suivi`);
    const after = textOf(await (await agent.get(`/admin/candidats/${id}?ok=faite`)).text());
    expect(after).toContain('La tâche est marquée comme faite.');
    expect(after).toMatch(/Rappeler pour le logement .*Faite/);
  });

  it('a call or an interview with the person is their last contact on the file, a note is not', async () => {
    // The person registered a month ago.
    await t.db.kysely.updateTable('candidates').set({ last_contact_at: '2026-12-04T10:00:00.000Z' }).where('id', '=', id).execute();
    const entry = async (kind: string) => {
      const form = await (await agent.get(`/admin/candidats/${id}/notes/nouvelle`)).text();
      expect((await agent.post(`/admin/candidats/${id}/notes/nouvelle`, { submission: hiddenFields(form).submission!, kind, date: '2027-01-04', text: 'Son projet avance.' })).status).toBe(303);
    };
    await entry('note');
    expect((await file()).last_contact_at).toBe('2026-12-04T10:00:00.000Z');
    await entry('call');
    // A call of today is dated now (noon has not come yet).
    expect((await file()).last_contact_at).toBe('2027-01-04T09:00:00.000Z');
    expect(textOf(await (await agent.get(`/admin/candidats/${id}`)).text())).toContain('Dernier contact de la personne 4 janv. 2027');
  });

  it('on a colleague’s file, a task given to the agent reading it can still be marked done there', async () => {
    const colleague = await makeAgent(t, 'referent', { name: 'Sandrine Pagès' });
    await t.db.kysely.updateTable('candidates').set({ referent_id: colleague.id }).where('id', '=', id).execute();
    const asColleague = await signIn(t, colleague);
    await asColleague.post(`/admin/candidats/${id}/taches/nouvelle`, { submission: randomUUID(), title: 'Rappeler à la place de Sandrine', dueOn: '2027-01-05', assigneeId: agent.agent.id });
    const task = await t.db.kysely.selectFrom('tasks').select('id').where('candidate_id', '=', id).executeTakeFirstOrThrow();
    const html = await (await agent.get(`/admin/candidats/${id}`)).text();
    expect(textOf(html)).toContain('Vous pouvez lire cette fiche.');
    expect(html).toContain(`action="/admin/taches/${task.id}/faite"`);
  });

  it('an appointment that has taken place no longer reads as booked', async () => {
    const slot = async (startsAt: string, n: number) => {
      const slotId = randomUUID();
      await t.db.kysely.insertInto('appointment_slots').values({ id: slotId, agent_id: agent.agent.id, starts_at: startsAt, ends_at: new Date(Date.parse(startsAt) + 30 * 60_000).toISOString(), mode: 'phone', status: 'booked', video_url: null, created_at: '2026-12-20T10:00:00.000Z' }).execute();
      await t.db.kysely.insertInto('appointments').values({ id: randomUUID(), slot_id: slotId, candidate_id: id, status: 'booked', topic: null, token_nonce: `n${n}`, manage_token_hash: `h${n}`, booked_at: '2026-12-20T10:00:00.000Z', cancelled_at: null }).execute();
    };
    await slot('2027-01-03T09:00:00.000Z', 1);
    await slot('2027-01-06T09:00:00.000Z', 2);
    const text = textOf(await (await agent.get(`/admin/candidats/${id}`)).text());
    expect(text).toContain('3 janv. 2027 à 10 h 00 · par téléphone avec Camille Rouvière · passé');
    expect(text).toContain('6 janv. 2027 à 10 h 00 · par téléphone avec Camille Rouvière · réservé');
  });

  it('every kind of event on the timeline is named in French, the first contact form’s included', async () => {
    await recordTimelineEvent(t.db.kysely, { candidateId: id, at: t.clock.now(), kind: 'contact-form', dedupeKey: 'contact-form:test', actor: { type: 'candidate', id }, summary: 'Formulaire de premier contact envoyé : reprendre une boulangerie' });
    const html = await (await agent.get(`/admin/candidats/${id}`)).text();
    expect(html).toContain('<span class="tag tag--grey">Formulaire de contact</span>');
    expect(html).not.toContain('>contact-form<');
  });

  it('the timeline is paginated, newest first', async () => {
    for (let i = 0; i < 30; i++) {
      t.clock.advance(60_000);
      await agent.post(`/admin/candidats/${id}/notes/nouvelle`, { submission: randomUUID(), kind: 'note', date: '2027-01-04', text: `Note numéro ${i}` });
    }
    const first = textOf(await (await agent.get(`/admin/candidats/${id}`)).text());
    expect(first).toContain('Note numéro 29');
    expect(first).not.toContain('Note numéro 4 ');
    expect(first).toContain('Page 1 sur 2');
    const second = textOf(await (await agent.get(`/admin/candidats/${id}?historique=2`)).text());
    expect(second).toContain('Note numéro 0');
    expect(second).toContain('Inscription à');
    expect(second).not.toContain('Note numéro 29');
  });
});

async function upsertOther(t: TestContext, email: string) {
  const w = await createWebinar(t.db, { date: '2027-01-29' });
  await registerCandidate(t.s, { webinarId: w.id as string, submissionKey: randomUUID(), form: parsedForm({ email, firstName: 'Autre' }), source: noSource, actor: { type: 'candidate', id: null } });
}
