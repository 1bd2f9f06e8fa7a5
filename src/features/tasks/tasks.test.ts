import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAgent, signIn } from '../../../tests/support/admin.ts';
import { createWebinar, parsedForm } from '../../../tests/support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { createJobRunner } from '../../background.ts';
import { registerCandidate } from '../registrations/register-candidate.ts';
import { closeTask, createTask } from './manage-tasks.ts';
import { formatDay, parseDay, taskFormSchema } from './task.ts';

describe('a task’s form', () => {
  it('reads a day typed either way, refuses days that do not exist or are past, in French', () => {
    expect(parseDay('2027-01-12')).toBe('2027-01-12');
    expect(parseDay('12/01/2027')).toBe('2027-01-12');
    expect(parseDay('3.2.2027')).toBe('2027-02-03');
    expect(parseDay('31/02/2027')).toBeNull();
    expect(parseDay('demain')).toBeNull();
    const schema = taskFormSchema('2027-01-10');
    const bad = schema.safeParse({ title: '  ', dueOn: '', assigneeId: '' });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.message)).toEqual(['Décrivez la tâche, par exemple « Rappeler Mme Martin »', 'Indiquez la date à laquelle la tâche est à faire', 'Choisissez qui fera la tâche']);
    expect(schema.safeParse({ title: 'Rappeler', dueOn: '09/01/2027', assigneeId: 'x' }).error!.issues[0]!.message).toBe('La date doit être aujourd’hui ou plus tard');
    expect(schema.safeParse({ title: 'Rappeler', dueOn: '30/02/2027', assigneeId: 'x' }).error!.issues[0]!.message).toBe('Indiquez une date réelle, comme 12/01/2027');
    // Editing a late task keeps its day without being refused.
    expect(taskFormSchema('2027-01-10', '2027-01-05').safeParse({ title: 'Rappeler', dueOn: '2027-01-05', assigneeId: 'x' }).success).toBe(true);
    expect(formatDay('2027-01-12', 'long')).toBe('mardi 12 janvier 2027');
  });
});

describe.each(dialects())('referents’ tasks on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    // Monday 4 January 2027, 10:00 in Paris.
    t = await createTestContext(dialect, { now: '2027-01-04T09:00:00.000Z' });
  });
  afterEach(async () => {
    await t.close();
  });

  async function household(email = 'elise@example.org') {
    const w = await createWebinar(t.db, { date: '2027-01-15' });
    const r = await registerCandidate(t.s, { webinarId: w.id as string, submissionKey: randomUUID(), form: parsedForm({ email }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } });
    return (await t.db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', r.registrationId).executeTakeFirstOrThrow()).candidate_id;
  }

  it('written from a file: errors at the fields, then the task, its timeline entry and audit; changed, done; cancelled after confirmation; only by whom it concerns', async () => {
    const ana = await makeAgent(t, 'referent', { name: 'Ana Référente' });
    const bruno = await makeAgent(t, 'referent', { name: 'Bruno' });
    const candidateId = await household();
    await t.db.kysely.updateTable('candidates').set({ referent_id: ana.id }).where('id', '=', candidateId).execute();
    const asBruno = await signIn(t, bruno);

    // The form proposes the household's referent and today.
    const form = await (await asBruno.get(`/admin/candidats/${candidateId}/taches/nouvelle`)).text();
    expect(form).toContain('Nouvelle tâche pour Élise Martin');
    expect(form).toMatch(new RegExp(`<option value="${ana.id}" selected`));
    expect(form).toContain('value="2027-01-04"');
    expect(form).toContain('N’y notez pas d’information sur la santé');

    const key = /name="submission" value="([0-9a-f-]{36})"/.exec(form)![1]!;
    const bad = await asBruno.post(`/admin/candidats/${candidateId}/taches/nouvelle`, { title: '', dueOn: '2027-01-01', assigneeId: ana.id, submission: key });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain(`name="submission" value="${key}"`);
    expect(html).toContain('<title>Erreur : ');
    expect(html).toContain('<a href="#f-title">Décrivez la tâche');
    expect(html).toContain('<a href="#f-dueOn">La date doit être aujourd’hui ou plus tard</a>');
    expect(await t.db.kysely.selectFrom('tasks').select('id').execute()).toHaveLength(0);

    // The form's key survives the error page; sent twice (a double click), it makes one task.
    const submission = /name="submission" value="([0-9a-f-]{36})"/.exec(html)![1]!;
    const ok = await asBruno.post(`/admin/candidats/${candidateId}/taches/nouvelle`, { title: 'Rappeler le 12', dueOn: '12/01/2027', assigneeId: ana.id, submission });
    expect(ok.status).toBe(303);
    expect((await asBruno.post(`/admin/candidats/${candidateId}/taches/nouvelle`, { title: 'Rappeler le 12', dueOn: '12/01/2027', assigneeId: ana.id, submission })).status).toBe(303);
    expect(ok.headers.get('location')).toBe(`/admin/candidats/${candidateId}?ok=tache`);
    const task = await t.db.kysely.selectFrom('tasks').selectAll().executeTakeFirstOrThrow();
    expect(task).toMatchObject({ candidate_id: candidateId, assignee_id: ana.id, title: 'Rappeler le 12', due_on: '2027-01-12', status: 'open', source: 'agent', created_by: bruno.id });
    const events = async () => (await t.db.kysely.selectFrom('timeline_events').select('summary').where('candidate_id', '=', candidateId).where('kind', '=', 'task').orderBy('at').execute()).map((e) => e.summary);
    expect(await events()).toEqual(['Tâche pour le 12 janv. 2027 (Ana Référente) : Rappeler le 12']);

    // Bruno wrote it: he may change it. A third referent may not touch it, by any route.
    const claire = await makeAgent(t, 'referent', { name: 'Claire' });
    const asClaire = await signIn(t, claire);
    for (const res of [await asClaire.get(`/admin/taches/${task.id}/modifier`), await asClaire.post(`/admin/taches/${task.id}/faite`), await asClaire.post(`/admin/taches/${task.id}/annuler`), await asClaire.get(`/admin/taches?agent=${ana.id}`)]) expect(res.status).toBe(403);
    expect((await t.db.kysely.selectFrom('tasks').select('status').executeTakeFirstOrThrow()).status).toBe('open');

    t.clock.advance(60_000);
    expect((await asBruno.post(`/admin/taches/${task.id}/modifier`, { title: 'Rappeler Élise pour la visite', dueOn: '2027-01-08', assigneeId: ana.id, retour: `/admin/candidats/${candidateId}` })).status).toBe(303);
    expect(await t.db.kysely.selectFrom('tasks').select(['title', 'due_on']).executeTakeFirstOrThrow()).toEqual({ title: 'Rappeler Élise pour la visite', due_on: '2027-01-08' });

    // Ana sees it on her list ("dans les sept prochains jours"), and marks it done from there.
    const asAna = await signIn(t, ana);
    const todo = await (await asAna.get('/admin/a-faire')).text();
    expect(todo).toContain('Dans les sept prochains jours (1)');
    expect(todo).toContain('Rappeler Élise pour la visite');
    t.clock.advance(60_000);
    const done = await asAna.post(`/admin/taches/${task.id}/faite`, { retour: '/admin/a-faire' });
    expect(done.headers.get('location')).toBe('/admin/a-faire?ok=faite');
    // A second click changes nothing more.
    await asAna.post(`/admin/taches/${task.id}/faite`, { retour: '/admin/a-faire' });
    expect(await events()).toEqual(['Tâche pour le 12 janv. 2027 (Ana Référente) : Rappeler le 12', 'Tâche modifiée, pour le 8 janv. 2027 (Ana Référente) : Rappeler Élise pour la visite', 'Tâche faite : Rappeler Élise pour la visite']);

    // A free task (no file), cancelled after its confirmation page; an open redirect is not followed.
    expect((await asAna.post('/admin/taches/nouvelle', { title: 'Envoyer les offres de reprise', dueOn: '2027-01-08', assigneeId: ana.id, retour: 'https://ailleurs.example/' })).headers.get('location')).toBe('/admin/a-faire?ok=tache');
    const free = await t.db.kysely.selectFrom('tasks').select('id').where('candidate_id', 'is', null).executeTakeFirstOrThrow();
    const confirm = await (await asAna.get(`/admin/taches/${free.id}/annuler`)).text();
    expect(confirm).toContain('Annuler la tâche « Envoyer les offres de reprise » ?');
    expect(confirm).toContain('Oui, annuler la tâche');
    expect((await asAna.post(`/admin/taches/${free.id}/annuler`)).status).toBe(303);
    expect((await t.db.kysely.selectFrom('tasks').select(['status', 'cancelled_at' as never]).where('id', '=', free.id).executeTakeFirstOrThrow()) as unknown).toEqual({ status: 'cancelled', cancelled_at: t.clock.now().toISOString() });
    const list = await (await asAna.get('/admin/taches?vue=terminees')).text();
    expect(list).toContain('Envoyer les offres de reprise');
    expect(list).toContain('Annulée');
    const audit = await t.db.kysely.selectFrom('audit_log').select('action').where('action', 'like', 'task.%').orderBy('at').execute();
    expect(audit.map((a) => a.action)).toEqual(['task.created', 'task.updated', 'task.done', 'task.created', 'task.cancelled']);
  });

  it('the tasks list goes by pages of fifty, the latest closed first, and an admin keeps looking at a colleague’s across its links', async () => {
    const ana = await makeAgent(t, 'referent', { name: 'Ana Référente' });
    const admin = await makeAgent(t, 'admin', { name: 'Claire' });
    for (let i = 1; i <= 55; i++) {
      const id = await createTask(t.s, { candidateId: null, form: { title: `Tâche numéro ${i} terminée`, dueOn: `2027-0${1 + Math.floor((i - 1) / 28)}-${String(((i - 1) % 28) + 1).padStart(2, '0')}`, assigneeId: ana.id }, by: ana });
      await closeTask(t.s, { taskId: id, to: 'done', by: ana });
    }
    const asAna = await signIn(t, ana);
    const rows = (html: string) => [...html.matchAll(/<th scope="row">Tâche numéro (\d+) terminée<\/th>/g)].map((m) => Number(m[1]));
    const first = await (await asAna.get('/admin/taches?vue=terminees')).text();
    expect(rows(first)).toHaveLength(50);
    expect(rows(first)[0]).toBe(55);
    expect(first).toContain('Page 1 sur 2');
    expect(first).toContain('href="/admin/taches?vue=terminees&amp;page=2"');
    const second = await (await asAna.get('/admin/taches?vue=terminees&page=2')).text();
    expect(rows(second)).toEqual([5, 4, 3, 2, 1]);
    // An admin looking at Ana's tasks stays on Ana's when switching to the closed ones or to the next page.
    const asAdmin = await signIn(t, admin);
    const hers = await (await asAdmin.get(`/admin/taches?agent=${ana.id}`)).text();
    expect(hers).toContain('<title>Tâches de Ana Référente : à faire – Gestion Lozère Nouvelle Vie</title>');
    expect(first).toContain('<title>Mes tâches : faites ou annulées – Gestion Lozère Nouvelle Vie</title>');
    expect(hers).toContain(`href="/admin/taches?agent=${ana.id}&amp;vue=terminees"`);
    const hersClosed = await (await asAdmin.get(`/admin/taches?agent=${ana.id}&vue=terminees`)).text();
    expect(hersClosed).toContain(`href="/admin/taches?agent=${ana.id}&amp;vue=terminees&amp;page=2"`);
  });

  it('says the day a task was done in Paris, not the UTC day: done at 0:30 on 5 January in Paris is done on the 5th', async () => {
    const ana = await makeAgent(t, 'referent', { name: 'Ana Référente' });
    const id = await createTask(t.s, { candidateId: null, form: { title: 'Rappeler tard', dueOn: '2027-01-04', assigneeId: ana.id }, by: ana });
    t.clock.set('2027-01-04T23:30:00.000Z');
    await closeTask(t.s, { taskId: id, to: 'done', by: ana });
    const html = await (await (await signIn(t, ana)).get('/admin/taches?vue=terminees')).text();
    expect(html).toContain('Faite le 5 janv. 2027');
  });

  it('reminds the referent of tasks due, each once a day from 8:00 in Paris, computed from the database: a new runner after a restart still sends the due reminder, once', async () => {
    const ana = await makeAgent(t, 'referent', { name: 'Ana' });
    const bruno = await makeAgent(t, 'referent', { name: 'Bruno' });
    const candidateId = await household();
    const task = await createTask(t.s, { candidateId, form: { title: 'Rappeler le 12', dueOn: '2027-01-12', assigneeId: ana.id }, by: ana });
    await createTask(t.s, { candidateId: null, form: { title: 'Préparer la Rencontre', dueOn: '2027-01-20', assigneeId: ana.id }, by: ana });
    await createTask(t.s, { candidateId: null, form: { title: 'Tâche de Bruno', dueOn: '2027-01-12', assigneeId: bruno.id }, by: bruno });
    const reminders = (to: string) => t.db.kysely.selectFrom('outbox_messages').select(['subject', 'text', 'created_at']).where('kind', '=', 'task-reminder').where('to_address', '=', to).orderBy('created_at').execute();

    // The worker that was running before the restart: nothing is due on the 11th.
    const before = createJobRunner(t.s);
    t.clock.set('2027-01-11T09:00:00.000Z');
    await before.runPeriodic(true);
    await before.stop();
    expect(await reminders(ana.email)).toHaveLength(0);

    // After the restart, a new runner over the same database. 7:59 in Paris: not yet.
    const after = createJobRunner(t.s);
    t.clock.set('2027-01-12T06:59:00.000Z');
    await after.runPeriodic(true);
    expect(await reminders(ana.email)).toHaveLength(0);
    t.clock.set('2027-01-12T07:00:00.000Z');
    await after.runPeriodic(true);
    await after.runPeriodic(true);
    // And another process running the same scan the same day.
    await createJobRunner(t.s).runPeriodic(true);
    const first = await reminders(ana.email);
    expect(first).toHaveLength(1);
    expect(first[0]!.subject).toBe('À faire aujourd’hui : Rappeler le 12');
    expect(first[0]!.text).toContain(`- Rappeler le 12 (Élise Martin) : http://nv.test/admin/candidats/${candidateId}`);
    expect(first[0]!.text).not.toContain('Préparer la Rencontre');
    expect(await reminders(bruno.email)).toHaveLength(1);

    // A task written later that day and due that day gets its own reminder, once.
    t.clock.set('2027-01-12T14:00:00.000Z');
    await createTask(t.s, { candidateId: null, form: { title: 'Envoyer les offres de reprise', dueOn: '2027-01-12', assigneeId: ana.id }, by: ana });
    await after.runPeriodic(true);
    await after.runPeriodic(true);
    const sameDay = await reminders(ana.email);
    expect(sameDay).toHaveLength(2);
    expect(sameDay[1]!.subject).toBe('À faire aujourd’hui : Envoyer les offres de reprise');

    // The next morning both are late: one e-mail says so.
    t.clock.set('2027-01-13T07:05:00.000Z');
    await after.runPeriodic(true);
    const late = await reminders(ana.email);
    expect(late).toHaveLength(3);
    expect(late[2]!.subject).toBe('À faire aujourd’hui : 2 tâches');
    expect(late[2]!.text).toContain(`En retard :\n- Envoyer les offres de reprise, prévue le 12 janv. 2027\n- Rappeler le 12 (Élise Martin), prévue le 12 janv. 2027 : http://nv.test/admin/candidats/${candidateId}`);

    // Done: no reminder any more.
    await closeTask(t.s, { taskId: task, to: 'done', by: ana });
    await t.db.kysely.updateTable('tasks').set({ status: 'done' }).where('assignee_id', '=', ana.id).where('title', '=', 'Envoyer les offres de reprise').execute();
    t.clock.set('2027-01-14T07:05:00.000Z');
    await after.runPeriodic(true);
    expect(await reminders(ana.email)).toHaveLength(3);
    await after.stop();
  });
});
