import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAgent } from '../../../tests/support/admin.ts';
import { createWebinar, parsedForm } from '../../../tests/support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { textOf } from '../../../tests/http/html.ts';
import { TooManyRequests } from '../../platform/http/errors.ts';
import { RateLimiter } from '../../platform/http/rate-limit.ts';
import { buildStylesheet } from '../../platform/views/stylesheet.ts';
import { registerCandidate } from '../registrations/register-candidate.ts';
import { parseAges, schoolNeedOf } from './contact-form.ts';
import { contactFormPublicRoutes } from './public-routes.tsx';
import { purgeContactForms } from './submit-contact-form.ts';

describe('the first contact form’s rules', () => {
  it('reads children’s ages as people type them', () => {
    expect(parseAges('')).toEqual([]);
    expect(parseAges('3, 7, 12')).toEqual([3, 7, 12]);
    expect(parseAges('4 ans et 9 ans')).toEqual([4, 9]);
    expect(parseAges('trois')).toBeNull();
    expect(parseAges('3, 40')).toBeNull();
    expect([1, 4, 8, 12, 16, 19].map(schoolNeedOf)).toEqual(['creche', 'maternelle', 'elementaire', 'college', 'lycee', 'aucun']);
  });
});

const answers = {
  vous: { firstName: 'Hugo', lastName: 'Moreau', email: 'Hugo.Moreau@example.org', phone: '06 12 34 56 78', livesIn: 'france', postcode: '69003', town: 'Lyon', country: '' },
  foyer: { movers: 'famille', occupation: 'Menuisier', partnerOccupation: 'Infirmière', partnerNeedsJob: 'oui', childrenAges: '2, 9' },
  projet: { projectType: 'reprise', description: 'Reprendre une menuiserie en Margeride ; ma conjointe cherche un poste d’infirmière.' },
  lieu: { region: 'margeride', commune: '', housing: 'achat' },
  quand: { horizon: '6-12-mois' },
  aide: { message: 'Nous pouvons venir en avril.' },
} as const;

describe.each(dialects())('the first contact form on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect, { now: '2027-01-04T09:00:00.000Z' });
  });
  afterEach(async () => {
    await t.close();
  });

  const post = (path: string, fields: Record<string, string | string[]>, cookie?: string) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    return t.app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(cookie ? { Cookie: cookie } : {}) }, body: body.toString() });
  };

  /** Starts a form; returns its address and the cookie the browser would keep. */
  async function start(query = '') {
    const res = await post(`/premier-contact${query}`, {});
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/premier-contact\/[A-Za-z0-9_-]{43}\/vous$/);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^nv_premier_contact=[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/premier-contact; HttpOnly; SameSite=Lax/);
    return { base: location.replace(/\/vous$/, ''), cookie: cookie.split(';')[0]! };
  }

  it('one topic a page, saved as it goes and resumable, errors at the fields; checked, then sent: the file, its people, its project and an accompaniment request', async () => {
    await makeAgent(t, 'referent', { name: 'Julien' });
    const home = await (await t.app.request('/')).text();
    expect(home).toContain('<a href="/premier-contact">Parlez-nous-en sans attendre une Rencontre</a>');
    const startPage = await (await t.app.request('/premier-contact')).text();
    expect(startPage).toContain('Parlez-nous de votre projet d’installation');
    expect(startPage).toContain('Vos données personnelles');
    // Six steps of several questions each, not "six questions"; resuming works from here on the same device.
    expect(startPage).toContain('Six étapes, une par page');
    expect(startPage).not.toContain('Six questions');
    expect(startPage).toContain('en revenant ici sur le même appareil');
    expect(startPage).toContain('dpd@lozere.fr');
    const { base, cookie } = await start('?utm_source=facebook');

    // Nothing further than the first unanswered step.
    expect((await t.app.request(`${base}/projet`)).headers.get('location')).toBe(`${base}/vous`);
    const empty = await post(`${base}/vous`, {});
    expect(empty.status).toBe(422);
    const html = await empty.text();
    expect(html).toContain('<title>Erreur : Vous (étape 1 sur 6)');
    for (const m of ['<a href="#f-firstName">Saisissez votre prénom</a>', '<a href="#f-email">Saisissez votre adresse e-mail</a>', '<a href="#f-livesIn">Indiquez si vous habitez en France ou à l’étranger</a>']) expect(html).toContain(m);
    const typo = await post(`${base}/vous`, { ...answers.vous, postcode: '6900', email: 'hugo@' });
    const typoHtml = await typo.text();
    expect(typoHtml).toContain('Le code postal doit faire 5 chiffres, comme 75011');
    // Asked according to where one lives, so not marked "(facultatif)" and then refused when left empty.
    const first = textOf(await (await t.app.request(`${base}/vous`)).text());
    for (const label of ['Code postal', 'Commune', 'Pays']) expect(first).not.toContain(`${label} (facultatif)`);
    expect(first).toContain('Téléphone (facultatif)');
    expect(typoHtml).toContain('Saisissez une adresse e-mail valide, comme nom@exemple.fr');
    expect(typoHtml).toContain('value="Hugo"');

    expect((await post(`${base}/vous`, answers.vous)).headers.get('location')).toBe(`${base}/foyer`);
    // Stopping here and coming back later: the start page offers to resume, the address resumes.
    const again = await (await t.app.request('/premier-contact', { headers: { Cookie: cookie } })).text();
    expect(again).toContain(`<a href="${base}">Reprendre là où vous en étiez</a>`);
    expect((await t.app.request(base)).headers.get('location')).toBe(`${base}/foyer`);
    expect(await (await t.app.request(`${base}/vous`)).text()).toContain('value="Hugo.Moreau@example.org"');

    const badAges = await post(`${base}/foyer`, { ...answers.foyer, childrenAges: 'deux et neuf' });
    expect(await badAges.text()).toContain('<a href="#f-childrenAges">Indiquez l’âge de chaque enfant en chiffres');
    expect((await post(`${base}/foyer`, answers.foyer)).headers.get('location')).toBe(`${base}/projet`);
    expect((await post(`${base}/projet`, answers.projet)).headers.get('location')).toBe(`${base}/lieu`);
    const noHousing = await post(`${base}/lieu`, { region: 'margeride' });
    expect(await noHousing.text()).toContain('Indiquez si vous pensez louer ou acheter');
    expect((await post(`${base}/lieu`, answers.lieu)).headers.get('location')).toBe(`${base}/quand`);
    expect((await post(`${base}/quand`, answers.quand)).headers.get('location')).toBe(`${base}/aide`);
    expect((await post(`${base}/aide`, { ...answers.aide, needs: ['reprise', 'emploi-conjoint', 'ecoles'] })).headers.get('location')).toBe(`${base}/verifier`);

    // Check your answers, change one, come back to the check page.
    const check = await (await t.app.request(`${base}/verifier`)).text();
    for (const x of ['Hugo Moreau', 'Menuisier', 'Infirmière, cherchera un emploi', '2 ans, 9 ans', 'Reprise d’entreprise', 'Margeride', 'Acheter', 'Dans 6 à 12 mois', 'Créer ou reprendre une entreprise', `href="${base}/foyer?retour=verifier"`]) expect(check).toContain(x);
    expect(await (await t.app.request(`${base}/foyer?retour=verifier`)).text()).toContain('name="retour" value="verifier"');
    expect((await post(`${base}/foyer`, { ...answers.foyer, childrenAges: '2, 9, 15', retour: 'verifier' })).headers.get('location')).toBe(`${base}/verifier`);

    t.clock.set('2027-01-04T09:10:00.000Z');
    const sent = await post(`${base}/verifier`, {});
    expect(sent.headers.get('location')).toBe(`${base}/confirmation`);
    // Sent twice (a double click, a second tab): one file, one request.
    expect((await post(`${base}/verifier`, {})).headers.get('location')).toBe(`${base}/confirmation`);
    const done = await t.app.request(`${base}/confirmation`, { headers: { Cookie: cookie } });
    expect(await done.text()).toContain('Votre demande est envoyée');
    expect(done.headers.get('set-cookie')).toMatch(/^nv_premier_contact=; Max-Age=0/);

    const file = await t.db.kysely.selectFrom('candidates').selectAll().executeTakeFirstOrThrow();
    expect(file).toMatchObject({ email: 'Hugo.Moreau@example.org', email_normalized: 'hugo.moreau@example.org', first_name: 'Hugo', last_name: 'Moreau', phone: '06 12 34 56 78', postcode: '69003', town: 'Lyon', project: 'creation-reprise', project_type: 'reprise', household: 'enfants', horizon: '6-12-mois', desired_region: 'margeride', housing_plan: 'achat', first_source: 'facebook', stage: 'qualified' });
    const people = await t.db.kysely.selectFrom('household_members').select(['kind', 'occupation', 'needs_job', 'age', 'school_need']).where('candidate_id', '=', file.id).orderBy('kind').orderBy('age').execute();
    expect(people).toEqual([
      { kind: 'adult', occupation: 'Menuisier', needs_job: 0, age: null, school_need: null },
      { kind: 'adult', occupation: 'Infirmière', needs_job: 1, age: null, school_need: null },
      { kind: 'child', occupation: null, needs_job: 0, age: 2, school_need: 'creche' },
      { kind: 'child', occupation: null, needs_job: 0, age: 9, school_need: 'elementaire' },
      { kind: 'child', occupation: null, needs_job: 0, age: 15, school_need: 'lycee' },
    ]);
    const requests = await t.db.kysely.selectFrom('accompaniment_requests').selectAll().execute();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ candidate_id: file.id, registration_id: null, webinar_id: null, horizon: '6-12-mois', movers: 'famille', status: 'new', message: 'Nous pouvons venir en avril.' });
    expect(JSON.parse(requests[0]!.needs)).toEqual(['reprise', 'emploi-conjoint', 'ecoles']);
    const mails = await t.db.kysely.selectFrom('outbox_messages').select(['kind', 'to_address']).orderBy('kind').execute();
    expect(mails).toEqual([
      { kind: 'accompaniment-received', to_address: 'Hugo.Moreau@example.org' },
      { kind: 'accompaniment-team', to_address: 'nouvellevie@lozere.fr' },
    ]);
    const timeline = await t.db.kysely.selectFrom('timeline_events').select('kind').where('candidate_id', '=', file.id).execute();
    expect(timeline.map((e) => e.kind)).toEqual(expect.arrayContaining(['contact-form', 'accompaniment-request', 'stage']));
    expect(await t.db.kysely.selectFrom('audit_log').select('action').where('action', '=', 'contact-form.submitted').execute()).toHaveLength(1);
    // The form keeps no copy of the answers.
    expect(await t.db.kysely.selectFrom('contact_forms').select(['data', 'candidate_id']).executeTakeFirstOrThrow()).toEqual({ data: '{}', candidate_id: file.id });
    expect((await t.app.request(`${base}/vous`)).headers.get('location')).toBe(`${base}/confirmation`);

    // And the referent comes after the commit, as for a request from a Rencontre.
    await t.jobs.drain();
    expect((await t.db.kysely.selectFrom('candidates').select('stage').where('id', '=', file.id).executeTakeFirstOrThrow()).stage).toBe('accompanied');
  });

  it('completes the file of someone who came to a Rencontre, found by e-mail: one household, one file', async () => {
    const w = await createWebinar(t.db, { date: '2027-01-15' });
    await registerCandidate(t.s, { webinarId: w.id as string, submissionKey: randomUUID(), form: parsedForm({ email: 'hugo.moreau@example.org', firstName: 'Hugo', lastName: 'Moreau', desiredRegion: 'aubrac' }), source: { utmSource: 'linkedin', utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } });
    const { base } = await start();
    for (const step of ['vous', 'foyer', 'projet', 'lieu', 'quand', 'aide'] as const) expect((await post(`${base}/${step}`, answers[step])).status).toBe(303);
    expect((await post(`${base}/verifier`, {})).status).toBe(303);
    const files = await t.db.kysely.selectFrom('candidates').select(['id', 'first_source', 'desired_region', 'first_webinar_id']).execute();
    expect(files).toEqual([{ id: files[0]!.id, first_source: 'linkedin', desired_region: 'margeride', first_webinar_id: w.id }]);
  });

  it('limits sending as the registration form does (per address, per e-mail), and forgets unfinished forms after 30 days', async () => {
    const limits = { perIp: new RateLimiter(3, 60_000, t.clock), perEmail: new RateLimiter(1, 3_600_000, t.clock) };
    const app = new Hono();
    app.route('/', contactFormPublicRoutes(t.s, { territory: t.territory, stylesheet: buildStylesheet(t.territory.identity.colours).href }, limits));
    app.onError((e, c) => (e instanceof TooManyRequests ? c.text('trop', 429) : c.text(String(e), 500)));
    const send = (path: string, fields: Record<string, string> = {}) => app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
    const first = await send('/premier-contact');
    const base = first.headers.get('location')!.replace(/\/vous$/, '');
    expect((await send(`${base}/vous`, answers.vous)).status).toBe(303);
    expect((await send('/premier-contact')).status).toBe(303);
    expect((await send('/premier-contact')).status).toBe(429);
    t.clock.advance(61_000);
    for (const step of ['foyer', 'projet'] as const) expect((await send(`${base}/${step}`, answers[step])).status).toBe(303);
    t.clock.advance(61_000);
    for (const step of ['lieu', 'quand', 'aide'] as const) expect((await send(`${base}/${step}`, answers[step])).status).toBe(303);
    t.clock.advance(61_000);
    expect((await send(`${base}/verifier`)).status).toBe(303);
    // A second form with the same e-mail within the hour is refused at its first step.
    const other = (await send('/premier-contact')).headers.get('location')!.replace(/\/vous$/, '');
    expect((await send(`${other}/vous`, answers.vous)).status).toBe(429);

    expect(await t.db.kysely.selectFrom('contact_forms').select('id').execute()).toHaveLength(3);
    t.clock.advance(29 * 86_400_000);
    expect(await purgeContactForms(t.s)).toBe(0);
    t.clock.advance(2 * 86_400_000);
    expect(await purgeContactForms(t.s)).toBe(3);
    expect((await t.app.request(`${base}/vous`)).status).toBe(404);
  });
});
