import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/platform/http/rate-limit.ts';
import { ManualClock } from '../../src/platform/time.ts';
import { createWebinar, formFields, postForm } from '../support/fixtures.ts';
import { createTestContext, dialects, TEST_NOW, type TestContext } from '../support/harness.ts';
import { errorSummaryLinks, hiddenFields, inlineError, inputById, inputs, NOTHING_WRITTEN, textOf, titleOf, writtenRows } from './html.ts';

describe.each(dialects())('the registration form over HTTP on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect);
  });
  afterEach(async () => {
    await t.close();
  });

  /** Opens the Rencontre page as a visitor and sends its form with what they typed. */
  async function submit(slug: string, typed: Record<string, string>, query = '') {
    const page = await (await t.app.request(`/rencontres/${slug}${query}`)).text();
    return t.app.request(`/rencontres/${slug}/inscription`, postForm({ ...hiddenFields(page), ...typed }));
  }

  it('answers a form with errors with 422, "Erreur : " in the title, a summary linking to each field, the same messages inline, the values kept, and writes nothing', async () => {
    const w = await createWebinar(t.db);
    const page = await (await t.app.request(`/rencontres/${w.slug}`)).text();
    const submission = hiddenFields(page).submission!;
    const typed = formFields({
      firstName: '',
      lastName: 'Dupont-Lefèvre',
      email: 'camille@',
      postcode: '123',
      project: 'creation-reprise',
      question: 'Et les écoles <b>"bilingues"</b> ?',
    });
    const res = await t.app.request(`/rencontres/${w.slug}/inscription`, postForm({ submission, ...typed }));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(titleOf(html)).toMatch(/^Erreur : /);

    const links = errorSummaryLinks(html);
    expect(links.map(([href]) => href)).toEqual(['#f-firstName', '#f-email', '#f-postcode']);
    for (const [href, message] of links) {
      const id = href.slice(1);
      expect(inputById(html, id), `${id} exists on the page`).toBeDefined();
      expect(inlineError(html, id)).toBe(message);
      expect(inputById(html, id)!['aria-invalid']).toBe('true');
      expect(inputById(html, id)!['aria-describedby']).toContain(`${id}-error`);
    }
    expect(links.map(([, m]) => m)).toEqual(['Saisissez votre prénom', 'Saisissez une adresse e-mail valide, comme nom@exemple.fr', 'Le code postal doit faire 5 chiffres, comme 75011']);

    // What the person typed is still there, escaped, including their choices.
    expect(inputById(html, 'f-lastName')!.value).toBe('Dupont-Lefèvre');
    expect(inputById(html, 'f-email')!.value).toBe('camille@');
    expect(inputById(html, 'f-postcode')!.value).toBe('123');
    expect(inputById(html, 'f-town')!.value).toBe('Lyon');
    expect(html).toContain('Et les écoles &lt;b&gt;&quot;bilingues&quot;&lt;/b&gt; ?');
    expect(html).not.toContain('<b>"bilingues"</b>');
    const project = inputs(html).find((i) => i.name === 'project' && i.value === 'creation-reprise');
    expect(project).toHaveProperty('checked');
    // The same submission key: fixing the form and sending it twice still makes one registration.
    expect(hiddenFields(html).submission).toBe(submission);
    expect(await writtenRows(t.db)).toEqual(NOTHING_WRITTEN);

    // The page in error stays at the form's address: reloaded (a phone bringing back a tab) it is the form again, not a 404.
    const reloaded = await t.app.request(`/rencontres/${w.slug}/inscription`);
    expect(reloaded.status).toBe(303);
    expect(reloaded.headers.get('location')).toBe(`/rencontres/${w.slug}#inscription`);
  });

  it('an unanswered question does not hide the postcode and town errors until the next try', async () => {
    const w = await createWebinar(t.db);
    const res = await t.app.request(`/rencontres/${w.slug}/inscription`, postForm(formFields({ project: '', postcode: '4800', town: '' })));
    expect(res.status).toBe(422);
    expect(errorSummaryLinks(await res.text()).map(([href]) => href)).toEqual(['#f-postcode', '#f-town', '#f-project']);
  });

  it('shows every missing answer at once when nothing was filled in, in the order of the page', async () => {
    const w = await createWebinar(t.db);
    const res = await t.app.request(`/rencontres/${w.slug}/inscription`, postForm({}));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(errorSummaryLinks(html).map(([href]) => href)).toEqual(['#f-firstName', '#f-lastName', '#f-email', '#f-livesIn', '#f-project', '#f-household', '#f-horizon', '#f-desiredRegion']);
    expect(await writtenRows(t.db)).toEqual(NOTHING_WRITTEN);
  });

  it('a robot that fills the hidden "website" field is answered like a person and nothing is written', async () => {
    const w = await createWebinar(t.db);
    const res = await submit(w.slug, formFields({ website: 'https://spam.example' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/rencontres/${w.slug}`);
    expect(await writtenRows(t.db)).toEqual(NOTHING_WRITTEN);
  });

  it('redirects a valid form to a receipt page (Post/Redirect/Get), which says what happened and where the e-mail went', async () => {
    const w = await createWebinar(t.db, { capacity: 1 });
    const res = await submit(w.slug, formFields());
    expect(res.status).toBe(303);
    const receiptUrl = res.headers.get('location')!;
    expect(receiptUrl).toMatch(/^\/inscription\/recu\/[A-Za-z0-9-]{16,64}$/);
    const receipt = await t.app.request(receiptUrl);
    expect(receipt.status).toBe(200);
    const html = await receipt.text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(titleOf(html)).toMatch(/^Inscription confirmée/);
    expect(textOf(html)).toContain(w.title);
    expect(textOf(html)).toContain('vendredi 15 janvier 2027, de 12 h 30 à 13 h 30 (heure de Paris)');
    expect(textOf(html)).toContain('e*****@example.org');
    expect(html).not.toContain('elise.martin@example.org');
    expect(await writtenRows(t.db)).toMatchObject({ candidates: 1, registrations: 1, submissions: 1, outbox: 1 });

    // The same person again: told they are already registered, nothing more sent.
    const again = await submit(w.slug, formFields({ email: 'ELISE.MARTIN@example.org' }));
    const againHtml = await (await t.app.request(again.headers.get('location')!)).text();
    expect(titleOf(againHtml)).toMatch(/^Vous êtes déjà inscrit·e/);
    // Someone else when the only seat is taken: on the waiting list, told plainly, with their position.
    const late = await submit(w.slug, formFields({ email: 'paul.roux@example.org', firstName: 'Paul', lastName: 'Roux' }));
    const lateHtml = await (await t.app.request(late.headers.get('location')!)).text();
    expect(titleOf(lateHtml)).toMatch(/^Vous êtes sur la liste d’attente/);
    expect(textOf(lateHtml)).toContain('en position 1');
    expect(await writtenRows(t.db)).toMatchObject({ candidates: 2, registrations: 2, outbox: 2 });
  });

  it('a page brought back with Back and sent for a second person registers them too, with a receipt of their own', async () => {
    const w = await createWebinar(t.db);
    const page = await (await t.app.request(`/rencontres/${w.slug}`)).text();
    const first = await t.app.request(`/rencontres/${w.slug}/inscription`, postForm({ ...hiddenFields(page), ...formFields() }));
    const second = await t.app.request(`/rencontres/${w.slug}/inscription`, postForm({ ...hiddenFields(page), ...formFields({ email: 'paul.martin@example.org', firstName: 'Paul' }) }));
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(second.headers.get('location')).not.toBe(first.headers.get('location'));
    const receipt = await (await t.app.request(second.headers.get('location')!)).text();
    expect(titleOf(receipt)).toMatch(/^Inscription confirmée/);
    expect(textOf(receipt)).toContain('p*****@example.org');
    expect(textOf(await (await t.app.request(first.headers.get('location')!)).text())).toContain('e*****@example.org');
    expect(await writtenRows(t.db)).toMatchObject({ candidates: 2, registrations: 2, submissions: 2, outbox: 2 });
    // The receipt is for the moment; the next day the tab brought back says where the registration lives now.
    t.clock.advance(25 * 3600_000);
    const stale = await t.app.request(first.headers.get('location')!);
    expect(stale.status).toBe(404);
    expect(textOf(await stale.text())).toContain('Cette page a expiré. Retrouvez votre inscription avec le lien personnel de l’e-mail reçu après votre inscription.');
  });

  it('keeps the campaign of the link the visitor came from, through the form, with the registration', async () => {
    const w = await createWebinar(t.db);
    const page = await (await t.app.request(`/rencontres/${w.slug}?utm_source=facebook&utm_medium=paid-social&utm_campaign=rencontre-janvier&fbclid=xyz`)).text();
    expect(hiddenFields(page)).toMatchObject({ utm_source: 'facebook', utm_medium: 'paid-social', utm_campaign: 'rencontre-janvier' });
    expect(page).not.toContain('xyz');
    const res = await t.app.request(`/rencontres/${w.slug}/inscription`, postForm({ ...hiddenFields(page), ...formFields() }));
    expect(res.status).toBe(303);
    const reg = await t.db.kysely.selectFrom('registrations').selectAll().executeTakeFirstOrThrow();
    expect(reg).toMatchObject({ utm_source: 'facebook', utm_medium: 'paid-social', utm_campaign: 'rencontre-janvier' });
    const candidate = await t.db.kysely.selectFrom('candidates').selectAll().executeTakeFirstOrThrow();
    expect(candidate.first_source).toBe('facebook');

    // A form in error keeps them too, so that the corrected form still carries them.
    const wrong = await t.app.request(`/rencontres/${w.slug}/inscription`, postForm({ ...hiddenFields(page), ...formFields({ email: '' }) }));
    expect(wrong.status).toBe(422);
    expect(hiddenFields(await wrong.text())).toMatchObject({ utm_source: 'facebook', utm_medium: 'paid-social', utm_campaign: 'rencontre-janvier' });
  });

  it('shows the seats left on the Rencontre page, then that it is full with a waiting list', async () => {
    const w = await createWebinar(t.db, { capacity: 2 });
    expect(textOf(await (await t.app.request(`/rencontres/${w.slug}`)).text())).toContain('2 places disponibles');
    await submit(w.slug, formFields());
    expect(textOf(await (await t.app.request(`/rencontres/${w.slug}`)).text())).toContain('1 place disponible');
    await submit(w.slug, formFields({ email: 'paul.roux@example.org' }));
    const full = textOf(await (await t.app.request(`/rencontres/${w.slug}`)).text());
    expect(full).toContain('complet, liste d’attente ouverte');
    expect(full).toContain('Inscrivez-vous quand même : vous serez sur la liste d’attente');
  });

  it('closes registration when the Rencontre starts: 409 with a clear message, nothing written', async () => {
    const w = await createWebinar(t.db);
    const page = await (await t.app.request(`/rencontres/${w.slug}`)).text();
    t.clock.set(new Date(new Date(w.starts_at).getTime() + 5 * 60_000));
    const res = await t.app.request(`/rencontres/${w.slug}/inscription`, postForm({ ...hiddenFields(page), ...formFields() }));
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(textOf(html)).toContain('Les inscriptions sont closes : cette Rencontre a commencé.');
    expect(html).not.toContain(`action="/rencontres/${w.slug}/inscription"`);
    expect(await writtenRows(t.db)).toEqual(NOTHING_WRITTEN);
  });

  it('a cross-site form post is refused with 403 and writes nothing', async () => {
    const w = await createWebinar(t.db);
    expect((await submit(w.slug, formFields())).status).toBe(303);
    const before = await writtenRows(t.db);
    const crossSite: Array<Record<string, string>> = [{ Origin: 'https://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' }, { Origin: 'null' }, { 'Sec-Fetch-Site': 'same-site' }];
    for (const headers of crossSite) {
      const res = await t.app.request(`/rencontres/${w.slug}/inscription`, postForm(formFields({ email: 'autre@example.org' }), headers));
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.text()).toContain('Requête refusée');
    }
    expect(await writtenRows(t.db)).toEqual(before);
    // The site's own pages are let through, by Origin or by Sec-Fetch-Site.
    const own = await t.app.request(`/rencontres/${w.slug}/inscription`, postForm(formFields({ email: 'autre@example.org' }), { Origin: 'http://nv.test', 'Sec-Fetch-Site': 'same-origin' }));
    expect(own.status).toBe(303);
  });
});

describe.each(dialects())('registration rate limits on %s', (dialect) => {
  let t: TestContext;
  let limiterClock: ManualClock;
  beforeEach(async () => {
    limiterClock = new ManualClock(TEST_NOW);
    t = await createTestContext(dialect, {
      appOptions: { registrationLimits: { perIp: new RateLimiter(4, 60_000, limiterClock), perEmail: new RateLimiter(2, 3_600_000, limiterClock) } },
    });
  });
  afterEach(async () => {
    await t.close();
  });

  it('answers 429 in French once one address has sent too many forms, writes nothing, and lets it through after the window', async () => {
    const w = await createWebinar(t.db);
    const post = (email: string) => t.app.request(`/rencontres/${w.slug}/inscription`, postForm(formFields({ email })));
    for (let i = 0; i < 4; i++) expect((await post(`p${i}@example.org`)).status).toBe(303);
    const before = await writtenRows(t.db);
    const refused = await post('p9@example.org');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const html = await refused.text();
    expect(titleOf(html)).toMatch(/^Trop de tentatives/);
    expect(textOf(html)).toContain('Trop de demandes en peu de temps. Réessayez dans 1 minute(s).');
    expect(await writtenRows(t.db)).toEqual(before);

    limiterClock.advance(61_000);
    expect((await post('p9@example.org')).status).toBe(303);
  });

  it('answers 429 in French when one e-mail is used too often, on the form with the values kept, while other people can still register', async () => {
    const w = await createWebinar(t.db);
    const w2 = await createWebinar(t.db, { date: '2027-03-19' });
    const post = (slug: string, email: string) => t.app.request(`/rencontres/${slug}/inscription`, postForm(formFields({ email })));
    expect((await post(w.slug, 'elise.martin@example.org')).status).toBe(303);
    expect((await post(w.slug, 'Elise.Martin@example.org')).status).toBe(303);
    const before = await writtenRows(t.db);
    const refused = await post(w2.slug, 'ELISE.MARTIN@example.org ');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const html = await refused.text();
    expect(titleOf(html)).toMatch(/^Erreur : /);
    expect(inlineError(html, 'f-email')).toMatch(/^Trop d’inscriptions avec cette adresse : réessayez dans \d+ minutes?$/);
    expect(inputById(html, 'f-firstName')!.value).toBe('Élise');
    expect(await writtenRows(t.db)).toEqual(before);
    expect((await post(w2.slug, 'paul.roux@example.org')).status).toBe(303);
  });
});
