import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectNoAxeViolations, launchBrowser, newPhoneContext, screenshot, startBrowserServer, type BrowserServer } from '../support/browser.ts';

/**
 * The first contact form on a phone with JavaScript off: every step, an error on the way, leaving and
 * resuming from the start page (the cookie), the check page and a change from it, the confirmation.
 * Every page is axe clean.
 */
const chromium = inject('chromiumAvailable');

describe.skipIf(!chromium)('the first contact form in Chromium with JavaScript off', () => {
  let browser: Browser;
  let server: BrowserServer;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startBrowserServer('sqlite');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('walks the steps from the home page to the confirmation, resumes after leaving, changes an answer from the check page', async () => {
    const { context, foreignRequests, pageProblems } = await newPhoneContext(browser, server.url, { javaScriptEnabled: false });
    const page = await context.newPage();
    const h1 = async () => (await page.locator('h1').textContent())?.trim();
    const next = () => page.getByRole('button', { name: 'Continuer' }).press('Enter');
    try {
      await page.goto('/');
      await page.getByRole('link', { name: 'Parlez-nous-en sans attendre une Rencontre' }).click();
      expect(await h1()).toBe('Parlez-nous de votre projet d’installation');
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Commencer' }).press('Enter');

      // 1. Vous — sent empty first.
      expect(await h1()).toBe('Vous');
      await expectNoAxeViolations(page);
      await next();
      expect(await page.title()).toMatch(/^Erreur : Vous \(étape 1 sur 6\)/);
      expect(await page.locator('.error-summary').textContent()).toContain('Saisissez votre prénom');
      await expectNoAxeViolations(page);
      await screenshot(page, 'premier-contact-erreur');
      await page.locator('.error-summary a[href="#f-firstName"]').click();
      await page.keyboard.type('Sophie');
      await page.getByLabel('Nom', { exact: true }).fill('Lefèvre');
      await page.getByLabel('Adresse e-mail').fill('sophie.lefevre@example.org');
      await page.getByLabel('Téléphone (facultatif)').fill('06 98 76 54 32');
      await page.getByLabel('À l’étranger').check();
      await page.getByLabel('Pays', { exact: true }).fill('Belgique');
      await next();

      // 2. Foyer; then leave, and come back through the start page.
      expect(await h1()).toBe('Votre foyer');
      await expectNoAxeViolations(page);
      const stepUrl = page.url();
      await page.goto('/premier-contact');
      await page.getByRole('link', { name: 'Reprendre là où vous en étiez' }).click();
      expect(page.url()).toBe(stepUrl);
      await page.getByLabel('Nous deux, en couple').check();
      await page.getByLabel('Votre métier ou votre activité aujourd’hui (facultatif)').fill('Développeuse');
      await page.getByLabel('Le métier de votre conjoint·e (facultatif)').fill('Boulanger');
      await page.getByLabel('Oui').check();
      await next();

      expect(await h1()).toBe('Votre projet');
      await expectNoAxeViolations(page);
      await page.getByLabel('Télétravail').check();
      await page.getByLabel('Décrivez votre projet en quelques mots').fill('Je garde mon poste en télétravail ; mon conjoint voudrait reprendre une boulangerie.');
      await next();

      expect(await h1()).toBe('Où imaginez-vous vivre en Lozère ?');
      await expectNoAxeViolations(page);
      await page.getByLabel('Causses et Gorges').check();
      await page.getByLabel('Louer').check();
      await next();

      expect(await h1()).toBe('Quand envisagez-vous de vous installer ?');
      await expectNoAxeViolations(page);
      await page.getByLabel('Dans moins de 6 mois').check();
      await next();

      expect(await h1()).toBe('L’aide que vous souhaitez');
      await expectNoAxeViolations(page);
      await page.getByLabel('Créer ou reprendre une entreprise').check();
      await page.getByLabel('Trouver un logement').check();
      await next();

      // Check your answers; change one; back to the check page.
      expect(await h1()).toBe('Vérifiez vos réponses avant de les envoyer');
      expect(await page.locator('main').textContent()).toContain('Belgique');
      await expectNoAxeViolations(page);
      await screenshot(page, 'premier-contact-verifier');
      await page.getByRole('link', { name: 'Modifier quand' }).click();
      expect(await h1()).toBe('Quand envisagez-vous de vous installer ?');
      await page.getByLabel('Dans 6 à 12 mois').check();
      await next();
      expect(await h1()).toBe('Vérifiez vos réponses avant de les envoyer');
      expect(await page.locator('main').textContent()).toContain('Dans 6 à 12 mois');
      await page.getByRole('button', { name: 'Envoyer ma demande' }).press('Enter');

      expect(await h1()).toBe('Votre demande est envoyée');
      await expectNoAxeViolations(page);
      await screenshot(page, 'premier-contact-envoye');
      const db = server.testDb.db.kysely;
      const file = await db.selectFrom('candidates').select(['id', 'email', 'country', 'horizon', 'project_type', 'desired_region', 'housing_plan']).executeTakeFirstOrThrow();
      expect(file).toMatchObject({ email: 'sophie.lefevre@example.org', country: 'Belgique', horizon: '6-12-mois', project_type: 'teletravail', desired_region: 'causses-et-gorges', housing_plan: 'location' });
      expect(await db.selectFrom('accompaniment_requests').select('candidate_id').execute()).toEqual([{ candidate_id: file.id }]);
      // The start page no longer offers to resume a form that was sent.
      await page.goto('/premier-contact');
      expect(await page.getByRole('link', { name: 'Reprendre là où vous en étiez' }).count()).toBe(0);
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
    } finally {
      await context.close();
    }
    // Twelve pages, each checked by axe in a context of its own: longer than the default 30 s.
  }, 120_000);
});
