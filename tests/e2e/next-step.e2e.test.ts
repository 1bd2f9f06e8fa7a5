import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import { expectNoAxeViolations, launchBrowser, newPhoneContext, screenshot, startBrowserServer, type BrowserServer } from '../support/browser.ts';
import { createWebinar, parsedForm } from '../support/fixtures.ts';

describe.skipIf(!inject('chromiumAvailable'))('the next step after a Rencontre, in Chromium with JavaScript off', () => {
  let browser: Browser;
  let server: BrowserServer;
  let link: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startBrowserServer('sqlite');
    const s = server.running.runtime.services;
    // A Rencontre that took place last month, with one registrant (registered by an agent, since it is over).
    const last = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
    const w = await createWebinar(server.running.runtime.db, { date: last });
    const r = await registerCandidate(s, { webinarId: w.id, submissionKey: randomUUID(), form: parsedForm({ email: 'camille@example.org', firstName: 'Camille' }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'agent', id: null }, createdBy: 'agent' });
    const mail = await s.db.kysely.selectFrom('outbox_messages').select('text').where('registration_id', '=', r.registrationId).executeTakeFirstOrThrow();
    link = /http:\/\/[^/]+(\/mon-inscription\/[A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('asks to be accompanied with the keyboard only: errors first, then the request', async () => {
    const { context, foreignRequests, pageProblems } = await newPhoneContext(browser, server.url, { javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(link);
      await expectNoAxeViolations(page);
      await page.getByRole('link', { name: 'Je veux être accompagné·e dans mon projet' }).click();
      expect((await page.locator('h1').textContent())?.trim()).toBe('Je veux être accompagné·e dans mon projet');
      await expectNoAxeViolations(page);

      // Sent empty: the GOV.UK error pattern.
      await page.getByRole('button', { name: 'Envoyer ma demande' }).press('Enter');
      expect(await page.title()).toMatch(/^Erreur : /);
      expect(await page.locator('.error-summary').textContent()).toContain('Décrivez votre projet en quelques mots');
      await expectNoAxeViolations(page);
      await screenshot(page, 'accompagnement-erreur');

      await page.locator('.error-summary a[href="#f-project"]').click();
      await page.keyboard.type('Menuisier, je voudrais reprendre un atelier en Margeride.');
      await page.getByLabel('Dans 6 à 12 mois').check();
      await page.getByLabel('Toute la famille, avec des enfants').focus();
      await page.keyboard.press('Space');
      await page.getByLabel('Créer ou reprendre une entreprise').focus();
      await page.keyboard.press('Space');
      await page.getByLabel('Trouver un logement').focus();
      await page.keyboard.press('Space');
      await page.getByRole('button', { name: 'Envoyer ma demande' }).press('Enter');
      expect((await page.locator('h1').textContent())?.trim()).toBe('Votre demande est envoyée');
      await expectNoAxeViolations(page);
      await screenshot(page, 'accompagnement-merci');

      const db = server.running.runtime.db.kysely;
      const req = await db.selectFrom('accompaniment_requests').selectAll().executeTakeFirstOrThrow();
      expect(req).toMatchObject({ horizon: '6-12-mois', movers: 'famille', project: 'Menuisier, je voudrais reprendre un atelier en Margeride.' });
      expect(JSON.parse(req.needs)).toEqual(['reprise', 'logement']);
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('answers the two-question survey', async () => {
    const { context, foreignRequests, pageProblems } = await newPhoneContext(browser, server.url, { javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(`${link}/avis`);
      await expectNoAxeViolations(page);
      await page.getByLabel('Très utile').check();
      await page.getByLabel('Oui', { exact: true }).check();
      await page.getByLabel('Un commentaire ? (facultatif)').fill('Merci pour les réponses sur les écoles.');
      await page.getByRole('button', { name: 'Envoyer mon avis' }).click();
      expect((await page.locator('h1').textContent())?.trim()).toBe('Merci pour votre avis');
      await expectNoAxeViolations(page);
      const answer = await server.running.runtime.db.kysely.selectFrom('survey_answers').select(['usefulness', 'recommend', 'comment']).executeTakeFirstOrThrow();
      expect(answer).toEqual({ usefulness: 5, recommend: 'oui', comment: 'Merci pour les réponses sur les écoles.' });
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
