import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setAttendanceByAgent } from '../../src/features/attendance/record-attendance.ts';
import { inviteNoShows } from '../../src/features/invitations/invite-no-shows.ts';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import { makeAgent, signIn } from '../support/admin.ts';
import { createWebinar, parsedForm, postForm } from '../support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';

const noSource = { utmSource: null, utmMedium: null, utmCampaign: null };

describe.each(dialects())('after the Rencontre: the next step, the survey, the no-shows, on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect, { now: '2027-01-20T09:00:00.000Z' });
  });
  afterEach(async () => {
    await t.close();
  });

  /** Registers someone and returns their private link, read from the e-mail they received. */
  async function registerWithLink(webinarId: string, email: string, firstName = 'Élise') {
    const r = await registerCandidate(t.s, { webinarId, submissionKey: randomUUID(), form: parsedForm({ email, firstName }), source: noSource, actor: { type: 'candidate', id: null } });
    const mail = await t.db.kysely.selectFrom('outbox_messages').select('text').where('registration_id', '=', r.registrationId).orderBy('created_at').executeTakeFirstOrThrow();
    const link = /http:\/\/nv\.test(\/mon-inscription\/[A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
    return { ...r, link };
  }

  it('"Je veux être accompagné·e": errors in French at the fields, then a request on the file, the team told, asking twice adds nothing', async () => {
    const w = await createWebinar(t.db, { date: '2027-01-15' });
    t.clock.set('2027-01-10T09:00:00.000Z');
    const { link, registrationId } = await registerWithLink(w.id, 'elise@example.org');
    t.clock.set('2027-01-20T09:00:00.000Z');
    const form = await t.app.request(`${link}/accompagnement`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('Je veux être accompagné·e dans mon projet');

    const bad = await t.app.request(`${link}/accompagnement`, postForm({ project: '', horizon: '', movers: '', phone: '12' }));
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('<title>Erreur : ');
    for (const m of ['Décrivez votre projet en quelques mots', 'Indiquez quand vous envisagez de vous installer', 'Indiquez qui s’installerait', 'Saisissez un numéro de téléphone valide']) expect(html).toContain(m);
    expect(await t.db.kysely.selectFrom('accompaniment_requests').select('id').execute()).toHaveLength(0);

    const body = new URLSearchParams({ project: 'Infirmière, je cherche un poste à l’hôpital de Mende ; mon conjoint reprendrait une boulangerie.', horizon: '6-12-mois', movers: 'famille', phone: '06 11 22 33 44', message: '' });
    body.append('needs', 'emploi');
    body.append('needs', 'reprise');
    body.append('needs', 'ecoles');
    const ok = await t.app.request(`${link}/accompagnement`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    expect(ok.status).toBe(303);
    const req = await t.db.kysely.selectFrom('accompaniment_requests').selectAll().executeTakeFirstOrThrow();
    expect(req).toMatchObject({ registration_id: registrationId, webinar_id: w.id, horizon: '6-12-mois', movers: 'famille', status: 'new' });
    expect(JSON.parse(req.needs)).toEqual(['emploi', 'reprise', 'ecoles']);
    const mails = await t.db.kysely.selectFrom('outbox_messages').select(['kind', 'to_address', 'text']).where('kind', 'like', 'accompaniment%').orderBy('kind').execute();
    expect(mails.map((m) => [m.kind, m.to_address])).toEqual([
      ['accompaniment-received', 'elise@example.org'],
      ['accompaniment-team', 'nouvellevie@lozere.fr'],
    ]);
    expect(mails[1]!.text).toContain('Aide souhaitée : Trouver un emploi, Créer ou reprendre une entreprise, Écoles, crèches et garde d’enfants');
    const cand = await t.db.kysely.selectFrom('candidates').select(['phone', 'horizon']).executeTakeFirstOrThrow();
    expect(cand).toEqual({ phone: '06 11 22 33 44', horizon: '6-12-mois' });

    // Asking again: the page says it is in hand, a second post adds nothing.
    const inHand = await (await t.app.request(`${link}/accompagnement`)).text();
    expect(inHand).toContain('Votre demande est en cours');
    expect(inHand).toContain('Une question ? Écrivez-nous à nouvellevie@lozere.fr.');
    await t.app.request(`${link}/accompagnement`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    expect(await t.db.kysely.selectFrom('accompaniment_requests').select('id').execute()).toHaveLength(1);

    // The team sees it on the dashboard.
    const agent = await signIn(t, await makeAgent(t, 'referent'));
    expect(await (await agent.get('/admin')).text()).toContain('Demande d’accompagnement de Élise Martin');
  });

  it('the survey keeps one answer per registration, which the person can change, and the agent sees the summary', async () => {
    const w = await createWebinar(t.db, { date: '2027-01-15' });
    t.clock.set('2027-01-10T09:00:00.000Z');
    const a = await registerWithLink(w.id, 'a@example.org');
    const b = await registerWithLink(w.id, 'b@example.org');
    // Before the Rencontre there is nothing to give an opinion on: the page says when, and an answer is refused.
    const early = await (await t.app.request(`${a.link}/avis`)).text();
    expect(early).toContain('Vous pourrez donner votre avis une fois la Rencontre passée');
    expect(early).not.toContain('<form method="post"');
    expect((await t.app.request(`${a.link}/avis`, postForm({ usefulness: '5', recommend: 'oui' }))).status).toBe(409);
    expect(await t.db.kysely.selectFrom('survey_answers').select('id').execute()).toHaveLength(0);
    t.clock.set('2027-01-20T09:00:00.000Z');
    // The form says who reads the answers and why (RGPD art. 13).
    const surveyPage = await (await t.app.request(`${a.link}/avis`)).text();
    expect(surveyPage).toContain('Vos réponses sont lues par l’équipe Lozère Nouvelle Vie du Département de la Lozère');
    // Generic editions share a title: the date says which one is rated.
    expect(surveyPage).toContain(`Deux questions sur la ${w.title} du vendredi 15 janvier 2027, ou sur son replay.`);
    const bad = await t.app.request(`${a.link}/avis`, postForm({}));
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Dites-nous si la Rencontre vous a été utile');
    expect((await t.app.request(`${a.link}/avis`, postForm({ usefulness: '3', recommend: 'peut-etre' }))).status).toBe(303);
    expect((await t.app.request(`${a.link}/avis`, postForm({ usefulness: '5', recommend: 'oui', comment: 'Très clair, merci' }))).status).toBe(303);
    expect((await t.app.request(`${b.link}/avis`, postForm({ usefulness: '4', recommend: 'non' }))).status).toBe(303);
    const answers = await t.db.kysely.selectFrom('survey_answers').select(['usefulness', 'recommend']).orderBy('usefulness').execute();
    expect(answers).toEqual([
      { usefulness: 4, recommend: 'non' },
      { usefulness: 5, recommend: 'oui' },
    ]);
    const agent = await signIn(t, await makeAgent(t, 'referent'));
    const page = await (await agent.get(`/admin/rencontres/${w.id}`)).text();
    expect(page).toContain('2 réponses. Utilité moyenne : 4,5 sur 5. Recommanderaient la Rencontre : 1 oui, 0 peut-être, 1 non.');
    expect(page).toContain('Très clair, merci');
  });

  it('invites those who missed the Rencontre to the next one, once, except who cancelled, asked to be accompanied or opted out', async () => {
    const past = await createWebinar(t.db, { date: '2027-01-15' });
    t.clock.set('2027-01-10T09:00:00.000Z');
    const came = await registerWithLink(past.id, 'came@example.org');
    const missed = await registerWithLink(past.id, 'missed@example.org', 'Marc');
    const optedOut = await registerWithLink(past.id, 'optout@example.org');
    const accompanied = await registerWithLink(past.id, 'accompanied@example.org');
    const cancelled = await registerWithLink(past.id, 'cancelled@example.org');
    await t.app.request(`${cancelled.link}/annuler`, postForm({}));
    t.clock.set('2027-01-20T09:00:00.000Z');
    for (const r of [came]) await setAttendanceByAgent(t.s, { registrationId: r.registrationId, attended: true, actor: { type: 'agent', id: null } });
    for (const r of [missed, optedOut, accompanied]) await setAttendanceByAgent(t.s, { registrationId: r.registrationId, attended: false, actor: { type: 'agent', id: null } });
    await t.app.request(`${accompanied.link}/accompagnement`, postForm({ project: 'Reprendre une ferme', horizon: 'plus-1-an', movers: 'couple' }));
    const page = await t.app.request(`${optedOut.link}/plus-d-invitations`);
    expect(await page.text()).toContain('Ne plus recevoir d’invitations');
    // The one-click request of a mail client (RFC 8058): a POST without cookie.
    const oneClick = await t.app.request(`${optedOut.link}/plus-d-invitations`, postForm({ 'List-Unsubscribe': 'One-Click' }));
    expect(oneClick.status).toBe(200);

    // No next Rencontre yet: nobody is invited.
    expect(await inviteNoShows(t.s)).toBe(0);
    const next = await createWebinar(t.db, { date: '2027-03-19' });
    expect(await inviteNoShows(t.s)).toBe(1);
    expect(await inviteNoShows(t.s)).toBe(0);
    const invites = await t.db.kysely.selectFrom('outbox_messages').selectAll().where('kind', '=', 'invitation-next').execute();
    expect(invites.map((m) => m.to_address)).toEqual(['missed@example.org']);
    expect(invites[0]!.text).toContain(`http://nv.test/rencontres/${next.slug}?utm_source=relance&utm_medium=email&utm_campaign=absents`);
    expect(JSON.parse(invites[0]!.headers)).toMatchObject({ 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
    expect(JSON.parse(invites[0]!.headers)['List-Unsubscribe']).toMatch(/^<http:\/\/nv\.test\/mon-inscription\/[A-Za-z0-9_-]{43}\/plus-d-invitations>$/);
  });
});
