import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData, seedDemo } from '../../src/features/demo/seed-demo.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';
import { postForm } from '../support/fixtures.ts';
import { textOf, titleOf } from './html.ts';

const KB = 1024;

describe.each(dialects())('the public pages with the Lozère demo, on %s', (dialect) => {
  let t: TestContext;
  let coming: Array<{ slug: string; kind: string }>;
  beforeAll(async () => {
    t = await createTestContext(dialect);
    await seedDemo(t.db, t.territory, loadDemoData('lozere')!, { now: t.clock.now(), tokenKey: t.s.tokenKey });
    coming = await t.db.kysely.selectFrom('webinars').select(['slug', 'kind']).where('starts_at', '>', t.clock.now().toISOString()).orderBy('starts_at').execute();
  });
  afterAll(async () => {
    await t.close();
  });

  const get = async (path: string) => {
    const res = await t.app.request(path);
    expect(res.status, path).toBe(200);
    return { res, body: await res.text() };
  };

  it('weighs under 30 KB of HTML for every coming Rencontre page, form included', async () => {
    expect(coming.length).toBeGreaterThan(0);
    expect(coming.map((w) => w.kind)).toContain('thematic');
    for (const w of coming) {
      const { body } = await get(`/rencontres/${w.slug}`);
      expect(body).toContain('<form method="post"');
      expect(Buffer.byteLength(body), w.slug).toBeLessThan(30 * KB);
    }
  });

  it('has one stylesheet under 25 KB, cached for good under a name that changes with its content', async () => {
    const home = (await get('/')).body;
    const sheets = [...home.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1]!);
    expect(sheets).toHaveLength(1);
    const { res, body } = await get(sheets[0]!);
    expect(res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.byteLength(body)).toBeLessThan(25 * KB);
    expect(body).toContain(`--primary:${t.territory.identity.colours.primary}`);
  });

  it('asks nothing of any other site: every script, stylesheet, image and frame comes from this one', async () => {
    const pages = ['/', '/rencontres', `/rencontres/${coming[0]!.slug}`, '/mentions-legales', '/donnees-personnelles', '/accessibilite'];
    for (const p of pages) {
      const { body } = await get(p);
      const fetched = [...body.matchAll(/<(?:script|img|iframe|source|video|audio)\b[^>]*\bsrc="([^"]*)"|<link\b[^>]*\bhref="([^"]*)"/g)].map((m) => m[1] ?? m[2]!);
      for (const url of fetched) expect(url, `${p} loads ${url}`).toMatch(/^(\/(?!\/)|data:)/);
      expect(body.startsWith('<!DOCTYPE html><html lang="fr">'), p).toBe(true);
    }
  });

  it('shows the next Rencontre on the home page, and past ones with their replay', async () => {
    const home = textOf((await get('/')).body);
    expect(home).toContain('Prochaine Rencontre');
    expect(home).toContain('vendredi 15 janvier 2027, de 12 h 30 à 13 h 30 (heure de Paris)');
    const list = (await get('/rencontres')).body;
    expect(textOf(list)).toContain('Replay disponible');
    const past = await t.db.kysely.selectFrom('webinars').select(['slug', 'replay_url']).where('ends_at', '<', t.clock.now().toISOString()).orderBy('starts_at', 'desc').executeTakeFirstOrThrow();
    const page = (await get(`/rencontres/${past.slug}`)).body;
    expect(page).toContain(`href="${past.replay_url}"`);
    expect(page).not.toContain('<form method="post"');
  });

  it('tells on the personal-data page of the one cookie the public site sets, the first contact form’s, and what the contact form collects', async () => {
    const started = await t.app.request('/premier-contact', postForm({}));
    expect(started.status).toBe(303);
    expect(started.headers.get('set-cookie')).toContain('nv_premier_contact=');
    const data = textOf((await get('/donnees-personnelles')).body);
    expect(data).not.toContain('Le site public ne dépose aucun cookie.');
    expect(data).toContain('Seul le formulaire « Premier contact » dépose un cookie technique');
    expect(data).toContain('l’âge de vos enfants');
  });

  it('gives the time zone of the next Rencontre on the living pages, as every other page does', async () => {
    const res = await t.app.request('/vivre-en-lozere');
    expect(res.status).toBe(200);
    expect(textOf(await res.text())).toContain('Prochaine Rencontre : vendredi 15 janvier 2027 , à 12 h 30 (heure de Paris), en ligne et gratuite.');
  });

  it('promises at the registration form only what the personal link does: see and download, not correct', async () => {
    const notice = textOf((await get(`/rencontres/${coming[0]!.slug}`)).body);
    expect(notice).not.toContain('les corriger ou vous opposer à leur utilisation depuis le lien personnel');
    expect(notice).toContain('Vous pouvez les consulter et les télécharger depuis le lien personnel reçu par e-mail ; pour les corriger ou vous opposer à leur utilisation, écrivez au délégué à la protection des données : dpd@lozere.fr');
  });

  it('with no Rencontre to come, the home page and the list give a way to reach the team instead of a dead end', async () => {
    const before = t.clock.now();
    t.clock.set('2031-01-01T09:00:00.000Z');
    try {
      const home = (await get('/')).body;
      expect(home).toContain('<a href="mailto:nouvellevie@lozere.fr">nouvellevie@lozere.fr</a>');
      const list = (await get('/rencontres')).body;
      expect(textOf(list)).toContain('Aucune Rencontre n’est programmée pour le moment. Votre projet n’attend pas ?');
      expect(list).toContain('<a href="/premier-contact">Parlez-nous-en</a>');
    } finally {
      t.clock.set(before);
    }
  });

  it('names each Rencontre page with its date, since the generic editions all share one title', async () => {
    const generic = await t.db.kysely.selectFrom('webinars').select('slug').where('kind', '=', 'generic').where('starts_at', '>', t.clock.now().toISOString()).orderBy('starts_at').limit(2).execute();
    expect(generic).toHaveLength(2);
    const titles = await Promise.all(generic.map(async (w) => titleOf((await get(`/rencontres/${w.slug}`)).body)));
    expect(titles[0]).toBe('Rencontre Lozère Nouvelle Vie, vendredi 15 janvier 2027 – Lozère Nouvelle Vie');
    expect(new Set(titles).size).toBe(2);
  });

  it('offers no agenda entry for a Rencontre that is over, and points to the next ones; during one, registrants are sent to their link', async () => {
    const past = await t.db.kysely.selectFrom('webinars').select('slug').where('ends_at', '<', t.clock.now().toISOString()).orderBy('starts_at', 'desc').executeTakeFirstOrThrow();
    const over = (await get(`/rencontres/${past.slug}`)).body;
    expect(over).not.toContain('agenda.ics');
    expect(over).toContain('<a href="/rencontres">Voir les prochaines Rencontres et s’inscrire</a>');
    const open = (await get(`/rencontres/${coming[0]!.slug}`)).body;
    // Open for registration: a way to the form from the top of the page, several screens above it on a phone.
    expect(open).toContain('<a class="button button--primary" href="#inscription">S’inscrire à la Rencontre</a>');
    expect(open.indexOf('href="#inscription"')).toBeLessThan(open.indexOf('Au programme'));
    expect(over).not.toContain('href="#inscription"');
    expect(open).toContain(`/rencontres/${coming[0]!.slug}/agenda.ics`);
    expect(open).not.toContain('Voir les prochaines Rencontres et s’inscrire');
    const next = await t.db.kysely.selectFrom('webinars').select(['slug', 'starts_at']).where('slug', '=', coming[0]!.slug).executeTakeFirstOrThrow();
    const before = t.clock.now();
    t.clock.set(new Date(new Date(next.starts_at).getTime() + 10 * 60_000));
    try {
      // Under way: the home page offers the one after, and the list does not count seats in one that is closed.
      const home = textOf((await get('/')).body);
      expect(home).toContain('Prochaine Rencontre Rencontre Lozère Nouvelle Vie : Reconversion professionnelle vendredi 19 mars 2027');
      expect(home).not.toContain('15 janvier 2027');
      const list = textOf((await get('/rencontres')).body);
      expect(list).toContain('vendredi 15 janvier 2027, de 12 h 30 à 13 h 30 (heure de Paris) Rencontre généraliste En cours : inscriptions closes');
      const during = textOf((await get(`/rencontres/${next.slug}`)).body);
      expect(during).toContain('Les inscriptions sont closes : la Rencontre a commencé.');
      expect(during).toContain('Vous êtes inscrit·e ? Rejoignez la Rencontre avec le lien personnel reçu par e-mail lors de votre inscription.');
    } finally {
      t.clock.set(before);
    }
  });
});
