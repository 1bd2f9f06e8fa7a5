import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebinar, formFields, postForm } from '../support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';
import { privateTokenFromEmail, textOf, titleOf } from './html.ts';

describe.each(dialects())('the private link of a registration on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect);
  });
  afterEach(async () => {
    await t.close();
  });

  /** Registers through the form as a visitor would and returns the link of their confirmation e-mail. */
  async function registerByForm(slug: string, over: Record<string, string> = {}) {
    const res = await t.app.request(`/rencontres/${slug}/inscription`, postForm(formFields(over)));
    expect(res.status).toBe(303);
    const key = res.headers.get('location')!.split('/').pop()!;
    const sub = await t.db.kysely.selectFrom('submissions').select('registration_id').where('key', '=', key).executeTakeFirstOrThrow();
    return { registrationId: sub.registration_id, token: await privateTokenFromEmail(t.db, sub.registration_id) };
  }
  const statusOf = async (id: string) => (await t.db.kysely.selectFrom('registrations').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

  it('shows the registration and everything known about the person, privately', async () => {
    const w = await createWebinar(t.db);
    const { token } = await registerByForm(w.slug, { newsOptIn: 'oui' });
    const res = await t.app.request(`/mon-inscription/${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<meta name="robots" content="noindex"/>');
    expect(titleOf(html)).toMatch(/^Mon inscription/);
    const text = textOf(html);
    for (const shown of [
      'Bonjour Élise',
      w.title,
      'vendredi 15 janvier 2027, de 12 h 30 à 13 h 30 (heure de Paris)',
      'Statut Inscription confirmée',
      'Nom Élise Martin',
      'E-mail elise.martin@example.org',
      'Téléphone 06 12 34 56 78',
      'Lieu de vie actuel 69003 Lyon France',
      'Projet Trouver un emploi salarié',
      'Foyer Avec des enfants',
      'Horizon Dans 6 à 12 mois',
      'Où vous imaginez vivre Margeride',
      'Nouvelles des Rencontres Oui, vous les recevez',
    ])
      expect(text).toContain(shown);
    expect(html).toContain(`href="/mon-inscription/${token}/mes-donnees.json"`);
    // The calendar file of the private page carries the personal join link, like the e-mail's; the public one has none.
    expect(html).toContain(`href="/mon-inscription/${token}/agenda.ics"`);
    const ics = await t.app.request(`/mon-inscription/${token}/agenda.ics`);
    expect(ics.status).toBe(200);
    expect(ics.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect((await ics.text()).replace(/\r\n /g, '')).toContain(`/mon-inscription/${token}/rejoindre`);
    // The form promised the news can be stopped at any time: the page has the button that does it.
    expect(html).toContain(`action="/mon-inscription/${token}/nouvelles"`);
    expect(text).toContain('Ne plus les recevoir');
  });

  it('stops the news of the Rencontres in one click, and asks for them again in one, each recorded once', async () => {
    const w = await createWebinar(t.db);
    const { token, registrationId } = await registerByForm(w.slug, { newsOptIn: 'oui' });
    const { candidate_id: candidateId } = await t.db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', registrationId).executeTakeFirstOrThrow();
    const consent = () => t.db.kysely.selectFrom('candidates').select(['news_opt_in', 'news_opt_in_at']).where('id', '=', candidateId).executeTakeFirstOrThrow();
    const journal = async () => (await t.db.kysely.selectFrom('audit_log').select('action').where('subject_id', '=', candidateId).where('action', 'like', 'candidate.news-%').orderBy('at').execute()).map((a) => a.action);
    expect((await consent()).news_opt_in).toBe(1);

    const off = await t.app.request(`/mon-inscription/${token}/nouvelles`, postForm({ recevoir: 'non' }));
    expect(off.status).toBe(303);
    expect(off.headers.get('location')).toBe(`/mon-inscription/${token}?nouvelles=non#nouvelles`);
    expect(await consent()).toEqual({ news_opt_in: 0, news_opt_in_at: null });
    const page = textOf(await (await t.app.request(off.headers.get('location')!)).text());
    expect(page).toContain('C’est noté : vous ne recevrez plus les nouvelles des Rencontres.');
    expect(page).toContain('Non, vous ne les recevez pas. Les recevoir');
    // The same click again (a double click, a form sent twice) changes and records nothing more.
    expect((await t.app.request(`/mon-inscription/${token}/nouvelles`, postForm({ recevoir: 'non' }))).status).toBe(303);
    expect(await journal()).toEqual(['candidate.news-opt-out']);

    t.clock.advance(3_600_000);
    expect((await t.app.request(`/mon-inscription/${token}/nouvelles`, postForm({ recevoir: 'oui' }))).status).toBe(303);
    expect(await consent()).toEqual({ news_opt_in: 1, news_opt_in_at: t.clock.now().toISOString() });
    expect(await journal()).toEqual(['candidate.news-opt-out', 'candidate.news-opt-in']);
  });

  it('gives all the person’s data as a JSON file, without secrets, and records that it was taken', async () => {
    const w = await createWebinar(t.db);
    const page = await (await t.app.request(`/rencontres/${w.slug}?utm_source=newsletter&utm_campaign=hiver`)).text();
    expect(page).toContain('name="utm_source" value="newsletter"');
    const { token, registrationId } = await registerByForm(w.slug, { utm_source: 'newsletter', utm_campaign: 'hiver', question: 'Y a-t-il des crèches ?' });
    const res = await t.app.request(`/mon-inscription/${token}/mes-donnees.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="mes-donnees.json"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const raw = await res.text();
    const data = JSON.parse(raw);
    expect(data.person).toMatchObject({ email: 'elise.martin@example.org', first_name: 'Élise', last_name: 'Martin', town: 'Lyon', project: 'salarie' });
    expect(data.registrations).toHaveLength(1);
    expect(data.registrations[0]).toMatchObject({ webinar: w.title, status: 'confirmed', utm_source: 'newsletter', utm_campaign: 'hiver', question: 'Y a-t-il des crèches ?' });
    expect(data.emails.map((e: { to_address: string }) => e.to_address)).toEqual(['elise.martin@example.org']);
    expect(data.controller.name).toBe(t.territory.authority.name);
    expect(raw).not.toContain(token);
    for (const secret of ['manage_token_hash', 'token_nonce', 'email_normalized']) expect(raw).not.toContain(secret);
    const audit = await t.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'candidate.data-exported').execute();
    expect(audit).toHaveLength(1);
    const reg = await t.db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', registrationId).executeTakeFirstOrThrow();
    expect(audit[0]).toMatchObject({ actor_type: 'candidate', subject_id: reg.candidate_id });
  });

  it('answers 404 to a malformed or unknown link on every private address, and tells nothing about the person', async () => {
    const w = await createWebinar(t.db);
    const { token } = await registerByForm(w.slug);
    const unknown = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const bad of ['abc', unknown, `${token}x`, token.toLowerCase() === token ? token.toUpperCase() : token.toLowerCase()]) {
      for (const [method, suffix] of [
        ['GET', ''],
        ['GET', '/annuler'],
        ['POST', '/annuler'],
        ['GET', '/rejoindre'],
        ['GET', '/mes-donnees.json'],
        ['GET', '/agenda.ics'],
        ['POST', '/nouvelles'],
      ] as const) {
        const res = await t.app.request(`/mon-inscription/${bad}${suffix}`, method === 'POST' ? postForm({}) : {});
        expect(res.status, `${method} ${suffix} with ${bad}`).toBe(404);
        const body = await res.text();
        expect(body).not.toContain('elise.martin');
        expect(body).not.toContain('Élise');
        // A link cut on its way is the usual cause: the page says what to do, and whom to write to.
        expect(textOf(body)).toContain('Ouvrez-le directement depuis l’e-mail reçu, sans le recopier. S’il ne fonctionne toujours pas, écrivez-nous à nouvellevie@lozere.fr.');
      }
    }
    expect(await statusOf((await t.db.kysely.selectFrom('registrations').select('id').executeTakeFirstOrThrow()).id)).toBe('confirmed');
  });

  it('cancelling through the link frees the seat: the first on the waiting list gets it, and both are told', async () => {
    const w = await createWebinar(t.db, { capacity: 1 });
    const elise = await registerByForm(w.slug);
    const paul = await registerByForm(w.slug, { email: 'paul.roux@example.org', firstName: 'Paul', lastName: 'Roux' });
    expect(await statusOf(paul.registrationId)).toBe('waitlisted');
    const waiting = textOf(await (await t.app.request(`/mon-inscription/${paul.token}`)).text());
    expect(waiting).toContain('Sur liste d’attente, position 1');
    // Someone waiting has no seat to give: cancelling takes them off the list, and the pages say so.
    expect(waiting).toContain('annulez : vous sortirez de la liste d’attente');
    expect(waiting).not.toContain('votre place ira à une personne de la liste d’attente');
    const leaving = textOf(await (await t.app.request(`/mon-inscription/${paul.token}/annuler`)).text());
    expect(leaving).toContain('Vous êtes sur la liste d’attente de la');
    expect(leaving).not.toContain('votre place ira');

    const confirm = await t.app.request(`/mon-inscription/${elise.token}/annuler`);
    expect(confirm.status).toBe(200);
    const confirmText = textOf(await confirm.text());
    expect(confirmText).toContain('Voulez-vous vraiment annuler votre inscription ?');
    // Generic editions share one title: the date says which one is being cancelled.
    expect(confirmText).toContain(`Vous êtes inscrit·e à la ${w.title} du vendredi 15 janvier 2027. Si vous annulez, votre place ira à une personne de la liste d’attente.`);
    const res = await t.app.request(`/mon-inscription/${elise.token}/annuler`, postForm({}));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/mon-inscription/${elise.token}?annulee=1`);
    const after = textOf(await (await t.app.request(res.headers.get('location')!)).text());
    expect(after).toContain('Votre inscription est annulée.');
    expect(after).toContain('Statut Inscription annulée');

    expect(await statusOf(elise.registrationId)).toBe('cancelled');
    expect(await statusOf(paul.registrationId)).toBe('confirmed');
    expect(textOf(await (await t.app.request(`/mon-inscription/${paul.token}`)).text())).toContain('Statut Inscription confirmée');
    const kinds = async () => (await t.db.kysely.selectFrom('outbox_messages').select(['kind', 'to_address']).orderBy('created_at').orderBy('kind').execute()).map((m) => `${m.kind} ${m.to_address}`);
    const mails = await kinds();
    expect(mails).toContain('registration-cancelled elise.martin@example.org');
    expect(mails).toContain('registration-promoted paul.roux@example.org');
    expect(mails).toHaveLength(4);

    // Cancelling again changes nothing and sends nothing.
    expect((await t.app.request(`/mon-inscription/${elise.token}/annuler`, postForm({}))).status).toBe(303);
    expect(await kinds()).toHaveLength(4);
  });

  it('cancelling frees a seat that the Rencontre page shows again', async () => {
    const w = await createWebinar(t.db, { capacity: 2 });
    const elise = await registerByForm(w.slug);
    expect(textOf(await (await t.app.request(`/rencontres/${w.slug}`)).text())).toContain('1 place disponible');
    await t.app.request(`/mon-inscription/${elise.token}/annuler`, postForm({}));
    expect(textOf(await (await t.app.request(`/rencontres/${w.slug}`)).text())).toContain('2 places disponibles');
  });

  it('once the Rencontre has started, the link no longer cancels: the page does not offer it and a post is refused with 409', async () => {
    const w = await createWebinar(t.db);
    const elise = await registerByForm(w.slug);
    t.clock.set(new Date(new Date(w.starts_at).getTime() + 10 * 60_000));
    const page = await (await t.app.request(`/mon-inscription/${elise.token}`)).text();
    expect(page).not.toContain(`/mon-inscription/${elise.token}/annuler`);
    const ask = await t.app.request(`/mon-inscription/${elise.token}/annuler`);
    expect(ask.status).toBe(303);
    expect(ask.headers.get('location')).toBe(`/mon-inscription/${elise.token}`);
    const res = await t.app.request(`/mon-inscription/${elise.token}/annuler`, postForm({}));
    expect(res.status).toBe(409);
    expect(textOf(await res.text())).toContain('La Rencontre a commencé : votre inscription ne peut plus être annulée.');
    expect(await statusOf(elise.registrationId)).toBe('confirmed');
  });

  it('the join link sends a confirmed person to the video room, and a waiting one to an explanation', async () => {
    const w = await createWebinar(t.db, { capacity: 1 });
    const elise = await registerByForm(w.slug);
    const paul = await registerByForm(w.slug, { email: 'paul.roux@example.org' });
    const join = await t.app.request(`/mon-inscription/${elise.token}/rejoindre`);
    expect(join.status).toBe(302);
    expect(join.headers.get('location')).toBe(w.join_url);
    const wait = await t.app.request(`/mon-inscription/${paul.token}/rejoindre`);
    expect(wait.status).toBe(200);
    expect(textOf(await wait.text())).toContain('Vous êtes sur la liste d’attente : le lien sera actif dès qu’une place vous sera attribuée.');
  });

  it('the join link after the end gives the replay when there is one, instead of "you will get it by e-mail"', async () => {
    const w = await createWebinar(t.db);
    const elise = await registerByForm(w.slug);
    t.clock.set(new Date(new Date(w.ends_at as string).getTime() + 5 * 60_000));
    expect(textOf(await (await t.app.request(`/mon-inscription/${elise.token}/rejoindre`)).text())).toContain('Cette Rencontre est terminée. Vous recevrez le replay par e-mail.');
    await t.db.kysely.updateTable('webinars').set({ replay_url: 'https://replay.example.org/r/1' }).where('id', '=', w.id as string).execute();
    const html = await (await t.app.request(`/mon-inscription/${elise.token}/rejoindre`)).text();
    expect(textOf(html)).toContain('Cette Rencontre est terminée. Vous pouvez déjà en voir le replay.');
    expect(html).toContain('href="https://replay.example.org/r/1"');
  });
});
