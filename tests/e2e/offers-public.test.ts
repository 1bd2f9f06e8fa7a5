import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAgent } from '../../src/features/agents/manage-agents.ts';
import { createOffer } from '../../src/features/offers/save-offer.ts';
import { createPartner } from '../../src/features/partners/manage-partners.ts';
import { seedDemoPartners } from '../../src/features/partners/seed-demo-partners.ts';
import { requestReferral } from '../../src/features/referrals/request-referral.ts';
import { systemActor } from '../../src/platform/audit/audit.ts';
import { AGENT_PASSWORD } from '../support/admin.ts';
import { registerPerson } from '../support/admin-browser.ts';
import { expectNoAxeViolations, fridayInWeeks, launchBrowser, newPhoneContext, screenshot, startBrowserServer, type BrowserServer } from '../support/browser.ts';
import { createWebinar } from '../support/fixtures.ts';
import { dialects } from '../support/harness.ts';

/**
 * The public side of offers in Chromium at phone size with JavaScript off, on each database: the
 * offers page filtered with its GET form and paged, an offer, the offers behind a registration's
 * private link, and the consent page of a referral (give, then withdraw after a confirmation).
 * Every page passes axe; the pages load nothing from another site and log no error.
 */

const chromium = inject('chromiumAvailable');

async function go(page: Page, url: string, status = 200) {
  const res = await page.goto(url);
  expect(res?.status(), url).toBe(status);
}

async function clickAndLoad(page: Page, action: () => Promise<void>) {
  await Promise.all([page.waitForNavigation(), action()]);
}

describe.skipIf(!chromium).each(dialects())('public offers and consent in Chromium, JavaScript off, on %s', (dialect) => {
  let browser: Browser;
  let server: BrowserServer;
  let privateLink: string;
  let consentLink: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startBrowserServer(dialect);
    const rt = server.running.runtime;
    const s = rt.services;
    await seedDemoPartners(rt.db, rt.territory, 'lozere', s.clock.now());
    const agent = await createAgent(s, { email: `referente.${dialect}@lozere.example`, name: 'Sandrine Pagès', role: 'referent', password: AGENT_PASSWORD, actor: systemActor });
    // Enough jobs in one region for two pages of results.
    for (let i = 1; i <= 24; i++) {
      await createOffer(s, {
        form: { title: `Aide-soignant·e de nuit n° ${i}`, type: 'job', sector: 'sante-social', commune: 'Mende', region: 'vallee-du-lot', description: 'Établissement de santé de Mende.', conditions: 'CDI.', contactName: null, contactEmail: 'rh@hopital.example', contactPhone: '04 66 00 00 00', validFrom: null, validUntil: null },
        commune: { code: null, name: 'Mende', regionKey: 'vallee-du-lot' },
        partnerId: null,
        publish: true,
        owner: { kind: 'agent', agentId: agent.id },
      });
    }
    const w = await createWebinar(rt.db, { date: fridayInWeeks(3) });
    const r = await registerPerson(server, w.id as string, { email: `camille.${dialect}@example.org`, firstName: 'Camille', lastName: 'Delmas', project: 'creation-reprise', desiredRegion: 'aubrac' });
    const mail = await rt.db.kysely.selectFrom('outbox_messages').select('text').where('registration_id', '=', r.registrationId).executeTakeFirstOrThrow();
    privateLink = /https?:\/\/[^/]+(\/mon-inscription\/[A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
    const reg = await rt.db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', r.registrationId).executeTakeFirstOrThrow();
    const cma = await rt.db.kysely.selectFrom('partners').select('id').where('slug', '=', 'chambre-de-metiers-et-de-l-artisanat-de-la-lozere').executeTakeFirstOrThrow();
    await requestReferral(s, { candidateId: reg.candidate_id, partnerId: cma.id, summary: 'Reprise d’une boulangerie sur l’Aubrac.', agentId: agent.id });
    const consentMail = await rt.db.kysely.selectFrom('outbox_messages').select('text').where('kind', '=', 'referral-consent').executeTakeFirstOrThrow();
    consentLink = /https?:\/\/[^/]+(\/consentement\/[A-Za-z0-9_-]{43})/.exec(consentMail.text)![1]!;
    // A partner nobody refers to, so that the directory has more than the demo.
    await createPartner(s, { form: { name: 'Maison France Services', role: 'Démarches administratives.', themes: ['mobilite'], regions: [], email: null, phone: null, website: null, address: null, contactName: null, contactTitle: null, contactEmail: null, contactPhone: null }, actor: systemActor });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('filters the offers with the form, pages them and opens one, without JavaScript', async () => {
    const { context, foreignRequests, pageProblems } = await newPhoneContext(browser, server.url, { javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await go(page, '/');
      await clickAndLoad(page, () => page.getByRole('link', { name: 'Les offres' }).click());
      expect(new URL(page.url()).pathname).toBe('/offres');
      await expectNoAxeViolations(page);
      await page.getByLabel('Type').selectOption({ label: 'Offres d’emploi' });
      await page.getByLabel('Secteur').selectOption({ label: 'Santé et médico-social' });
      await page.getByLabel('Région').selectOption({ label: 'Vallée du Lot' });
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Afficher les offres' }).click());
      expect(new URL(page.url()).search).toBe('?type=job&secteur=sante-social&region=vallee-du-lot&q=');
      // 24 here and the demo's pharmacist in Mende.
      expect((await page.locator('#resultats').textContent())?.trim()).toBe('25 offres');
      expect(await page.locator('li.card').count()).toBe(20);
      // The choices stay chosen on the page of results.
      expect(await page.getByLabel('Région').inputValue()).toBe('vallee-du-lot');
      await expectNoAxeViolations(page);
      await screenshot(page, `offres-filtrees-${dialect}`);
      await clickAndLoad(page, () => page.getByRole('link', { name: 'Page suivante' }).click());
      expect(new URL(page.url()).searchParams.get('page')).toBe('2');
      expect(await page.locator('li.card').count()).toBe(5);
      await expectNoAxeViolations(page);
      await clickAndLoad(page, () => page.locator('li.card h3 a').first().click());
      expect(new URL(page.url()).pathname).toMatch(/^\/offres\/[a-z0-9-]+$/);
      await expectNoAxeViolations(page);
      await screenshot(page, `offre-${dialect}`);
      // Back to all offers, by region only: the Aubrac's takeovers.
      await go(page, '/offres?region=aubrac&type=takeover');
      const titles = await page.locator('li.card h3').allTextContents();
      expect(titles.map((x) => x.trim()).sort()).toEqual(['Boucherie-charcuterie à reprendre', 'Boulangerie-pâtisserie à reprendre']);
      await go(page, '/offres?type=housing&region=cevennes-mont-lozere');
      expect((await page.locator('#resultats').textContent())?.trim()).toBe('Aucune offre ne correspond');
      await expectNoAxeViolations(page);
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('from a registration’s private page, the offers that fit the project, with why', async () => {
    const { context, foreignRequests, pageProblems } = await newPhoneContext(browser, server.url, { javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await go(page, privateLink);
      await clickAndLoad(page, () => page.getByRole('link', { name: 'Voir les offres pour mon projet' }).click());
      expect((await page.locator('h1').textContent())?.trim()).toBe('Des offres pour votre projet');
      const first = await page.locator('li.card').first().textContent();
      expect(first).toContain('Pourquoi pour vous : reprise · Aubrac');
      await expectNoAxeViolations(page);
      await screenshot(page, `offres-pour-moi-${dialect}`);
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('gives consent to a partner, then withdraws it after a confirmation, without JavaScript', async () => {
    const { context, foreignRequests, pageProblems } = await newPhoneContext(browser, server.url, { javaScriptEnabled: false });
    const page = await context.newPage();
    const db = server.running.runtime.db.kysely;
    try {
      await go(page, consentLink);
      expect((await page.locator('h1').textContent())?.trim()).toBe('Mise en relation avec Chambre de métiers et de l\'artisanat de la Lozère');
      await expectNoAxeViolations(page);
      await screenshot(page, `consentement-${dialect}`);
      await clickAndLoad(page, () => page.getByRole('button', { name: /J’accepte d’être mis·e en relation/ }).click());
      expect(await page.getByRole('status').first().textContent()).toContain('Merci : votre accord est enregistré.');
      expect((await db.selectFrom('referrals').select('status').executeTakeFirstOrThrow()).status).toBe('consented');
      await expectNoAxeViolations(page);
      await clickAndLoad(page, () => page.getByRole('link', { name: 'Retirer mon accord' }).click());
      expect(await page.locator('h2').filter({ hasText: 'Retirer votre accord ?' }).count()).toBe(1);
      // The confirmation page alone changes nothing.
      expect((await db.selectFrom('referrals').select('status').executeTakeFirstOrThrow()).status).toBe('consented');
      await expectNoAxeViolations(page);
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Oui, retirer mon accord' }).click());
      expect((await db.selectFrom('referrals').select('status').executeTakeFirstOrThrow()).status).toBe('withdrawn');
      expect(await page.locator('main').textContent()).toContain('Vous avez retiré votre accord le');
      await expectNoAxeViolations(page);
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
