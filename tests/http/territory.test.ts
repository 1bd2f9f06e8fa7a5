import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.tsx';
import { loadConfig } from '../../src/config.ts';
import { DEMO_CREDENTIALS_FILE } from '../../src/features/agents/seed-demo-agents.ts';
import { createRuntime, seedDemoIfEmpty, type Runtime } from '../../src/runtime.ts';
import { formFields, postForm } from '../support/fixtures.ts';
import { createTestDb, dialects, type TestDb } from '../support/harness.ts';
import { errorSummaryLinks, hiddenFields, privateTokenFromEmail, textOf, titleOf } from './html.ts';

/** A second territory, configured and never coded: see tests/fixtures/territories/cantal. */
const CANTAL = 'tests/fixtures/territories/cantal';

/** Anything that belongs to Lozère: its names, places, addresses and colours. */
const LOZERE = /loz[eè]re|mende\b|margeride|aubrac|c[ée]vennes|causses|vall[ée]e du lot|rovère|#00665e|#004741|#b8360f|#f3f7f6/i;

describe.each(dialects())('the platform run for another territory (TERRITORY=<path>), on %s', (dialect) => {
  let testDb: TestDb;
  let runtime: Runtime;
  let app: ReturnType<typeof buildApp>;
  let dataDir: string;

  beforeAll(async () => {
    testDb = await createTestDb(dialect);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nv-cantal-'));
    const config = loadConfig({
      TERRITORY: CANTAL,
      DATABASE_URL: testDb.target.kind === 'sqlite' ? `sqlite:${testDb.target.file}` : testDb.target.url,
      DATA_DIR: dataDir,
      PUBLIC_URL: 'https://accueil.cantal.example',
      WORKER: 'off',
      LOG_LEVEL: 'silent',
    });
    runtime = await createRuntime(config);
    expect(await seedDemoIfEmpty(runtime, config)).toBe(true);
    app = buildApp(runtime.services);
  });
  afterAll(async () => {
    await runtime.close();
    await testDb.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const expectNothingOfLozere = (where: string, body: string) => expect(LOZERE.exec(body)?.[0], `${where} mentions Lozère`).toBeUndefined();

  /** Fetches a page, and checks on the way that nothing of Lozère is in it. */
  async function page(p: string, init?: RequestInit, status = 200) {
    const res = await app.request(p, { ...init, headers: { Origin: 'https://accueil.cantal.example', ...(init?.headers as Record<string, string>) } });
    expect(res.status, p).toBe(status);
    const body = await res.text();
    expectNothingOfLozere(p, body);
    return body;
  }
  const coming = () => runtime.db.kysely.selectFrom('webinars').selectAll().where('starts_at', '>', new Date().toISOString()).orderBy('starts_at').execute();

  it('shows the territory’s name, identity and contact on the public site', async () => {
    const home = await page('/');
    expect(titleOf(home)).toBe("Accueil – Cantal Terre d'accueil");
    const text = textOf(home);
    expect(text).toContain('Vivre et travailler dans le Cantal');
    expect(text).toContain('Cantal Terre d\'accueil est un service du Département du Cantal');
    expect(home).toContain('<a href="mailto:accueil@cantal.example">accueil@cantal.example</a>, 04 71 00 00 00');
    expect(text).toContain('Accessibilité : partiellement conforme');
    expect(home).toContain('<span class="logo__main">Cantal</span>');
  });

  it('puts the territory’s colours in the one stylesheet', async () => {
    const home = await page('/');
    const href = /<link rel="stylesheet" href="([^"]+)"/.exec(home)![1]!;
    const css = await page(href);
    expect(css).toContain(':root{--primary:#1d4f91;--primary-dark:#12315a;--accent:#8a3b12;--surface:#f4f6fa;--text:#16181d}');
  });

  it('offers the territory’s own regions in the form, and refuses another territory’s', async () => {
    const [next] = await coming();
    const form = await page(`/rencontres/${next!.slug}`);
    expect(textOf(form)).toContain('Où imaginez-vous vivre dans le Cantal ?');
    for (const [key, label] of [
      ['aurillac-chataigneraie', 'Aurillac et la Châtaigneraie'],
      ['monts-du-cantal', 'Monts du Cantal'],
      ['planeze-saint-flour', 'Planèze de Saint-Flour'],
      ['artense-mauriacois', 'Mauriacois et Artense'],
    ]) {
      expect(form).toContain(`value="${key}"`);
      expect(form).toContain(label);
    }
    expect(form).toContain('Les réseaux sociaux');
    const refused = await page(`/rencontres/${next!.slug}/inscription`, postForm({ ...hiddenFields(form), ...formFields({ desiredRegion: 'margeride', heardFrom: 'salon' }) }), 422);
    expect(errorSummaryLinks(refused)).toEqual([['#f-desiredRegion', 'Choisissez où vous imaginez vivre dans le Cantal, ou « Je ne sais pas encore »']]);
  });

  it('shows the territory’s legal notices, personal-data notice and accessibility statement', async () => {
    const legal = textOf(await page('/mentions-legales'));
    for (const s of ['Département du Cantal', 'Hôtel du Département, 28 avenue Gambetta, 15015 Aurillac Cedex', 'Le président du Conseil départemental du Cantal', '22150001500016', 'Hébergement assuré par le Département du Cantal']) expect(legal).toContain(s);
    const data = textOf(await page('/donnees-personnelles'));
    for (const s of ['dpo@cantal.example', 'Rencontres Cantal Terre d\'accueil', '2 ans']) expect(data).toContain(s);
    const a11y = textOf(await page('/accessibilite'));
    // Days as people write them, not as the configuration stores them.
    for (const s of ['partiellement conforme', 'selon l’audit du 30 juin 2026', 'établie le 15 juillet 2026']) expect(a11y).toContain(s);
    expect(a11y).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });

  it('plans and shows its Rencontres on its own rule and themes: every three months, the second Thursday, 18:00 to 19:30', async () => {
    const editions = await runtime.db.kysely.selectFrom('webinars').selectAll().orderBy('starts_at').execute();
    expect(editions.map((w) => w.theme).filter(Boolean)).toContain('installation-agricole');
    const upcoming = await coming();
    expect(upcoming.length).toBe(2);
    for (const w of editions) {
      const start = DateTime.fromISO(w.starts_at).setZone('Europe/Paris');
      expect(start.weekday, w.slug).toBe(4);
      expect(Math.ceil(start.day / 7), w.slug).toBe(2);
      expect(start.toFormat('HH:mm'), w.slug).toBe('18:00');
      expect(DateTime.fromISO(w.ends_at).setZone('Europe/Paris').toFormat('HH:mm'), w.slug).toBe('19:30');
      expect((start.month - 2 + 12) % 3, w.slug).toBe(0);
    }
    const thematic = editions.find((w) => w.kind === 'thematic')!;
    const thematicPage = textOf(await page(`/rencontres/${thematic.slug}`));
    expect(thematicPage).toContain('Rencontre thématique : Installation agricole');
    // The name with its article where a sentence needs it (theName in territory.json).
    expect(thematicPage).toContain('Une heure pour découvrir le Cantal sous l’angle');
    const list = textOf(await page('/rencontres'));
    expect(list).toContain('Les Rencontres Cantal Terre d\'accueil');
    expect(list).toContain('de 18 h 00 à 19 h 30');
    await page(`/rencontres/${upcoming[0]!.slug}/agenda.ics`);
  });

  it('registers a person, whose receipt, private page and e-mail speak of this territory only', async () => {
    const [next] = await coming();
    const form = await page(`/rencontres/${next!.slug}`);
    const res = await app.request(`/rencontres/${next!.slug}/inscription`, postForm({ ...hiddenFields(form), ...formFields({ email: 'jeanne.cantal@example.org', desiredRegion: 'monts-du-cantal', heardFrom: 'salon' }) }));
    expect(res.status).toBe(303);
    const receipt = await page(res.headers.get('location')!);
    expect(titleOf(receipt)).toMatch(/^Inscription confirmée/);
    const reg = await runtime.db.kysely
      .selectFrom('registrations')
      .innerJoin('candidates', 'candidates.id', 'registrations.candidate_id')
      .select(['registrations.id', 'registrations.desired_region', 'registrations.heard_from'])
      .where('candidates.email', '=', 'jeanne.cantal@example.org')
      .executeTakeFirstOrThrow();
    expect(reg).toMatchObject({ desired_region: 'monts-du-cantal', heard_from: 'salon' });
    const token = await privateTokenFromEmail(runtime.db, reg.id);
    const mine = textOf(await page(`/mon-inscription/${token}`));
    expect(mine).toContain('Où vous imaginez vivre Monts du Cantal');
    const mail = await runtime.db.kysely.selectFrom('outbox_messages').selectAll().where('registration_id', '=', reg.id).executeTakeFirstOrThrow();
    expect(`${mail.subject}\n${mail.text}`).toContain('Cantal');
    expectNothingOfLozere('the confirmation e-mail', `${mail.subject}\n${mail.text}\n${mail.html}\n${mail.attachments}`);
    await page(`/mon-inscription/${token}/mes-donnees.json`);
  });

  it('opens its back-office to its own demo team', async () => {
    const credentials = fs.readFileSync(path.join(dataDir, DEMO_CREDENTIALS_FILE), 'utf8');
    const password = /: (\S+)/.exec(credentials)![1]!;
    const res = await app.request('/connexion', postForm({ email: 'anne.vidal@cantal.example', password, retour: '/admin' }, { Origin: 'https://accueil.cantal.example' }));
    expect(res.status).toBe(303);
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    for (const p of ['/admin', '/admin/rencontres', '/admin/courriels']) await page(p, { headers: { Cookie: cookie } });
    await page('/connexion');
  });

  it('shows nothing of Lozère on its error pages either', async () => {
    await page('/nulle-part', undefined, 404);
    await page('/mon-inscription/abc', undefined, 404);
    await page('/rencontres/x/inscription', postForm(formFields(), { Origin: 'https://evil.example' }), 403);
  });
});
