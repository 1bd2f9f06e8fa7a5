import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedDemoPartners } from '../../src/features/partners/seed-demo-partners.ts';
import { requestReferral } from '../../src/features/referrals/request-referral.ts';
import { adminScreenshot, createTestAgent, expectKeyboardOperable, newLaptopContext, registerPerson, signInWithForm, visit } from '../support/admin-browser.ts';
import { expectNoAxeViolations, fridayInWeeks, launchBrowser, startBrowserServer, type BrowserServer } from '../support/browser.ts';
import { createWebinar } from '../support/fixtures.ts';

/**
 * The back-office pages of offers, partners and referrals in Chromium at laptop size, over the
 * Lozère demo directory: each passes axe, the lists and forms are operable with the keyboard, and a
 * referent proposes an offer to a candidate from the matching page.
 */

const chromium = inject('chromiumAvailable');

async function clickAndLoad(page: Page, action: () => Promise<void>) {
  await Promise.all([page.waitForNavigation(), action()]);
}

describe.skipIf(!chromium)('offers, partners and referrals in the back-office, in Chromium', () => {
  let browser: Browser;
  let server: BrowserServer;
  let adminEmail: string;
  let candidateId: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startBrowserServer('sqlite');
    const rt = server.running.runtime;
    await seedDemoPartners(rt.db, rt.territory, 'lozere', rt.services.clock.now());
    const admin = await createTestAgent(server, 'admin');
    adminEmail = admin.email;
    const w = await createWebinar(rt.db, { date: fridayInWeeks(3) });
    const r = await registerPerson(server, w.id as string, { email: 'lea.martin@example.org', firstName: 'Léa', lastName: 'Martin', project: 'creation-reprise', desiredRegion: 'aubrac' });
    candidateId = (await rt.db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', r.registrationId).executeTakeFirstOrThrow()).candidate_id;
    const adil = await rt.db.kysely.selectFrom('partners').select('id').where('slug', '=', 'adil-48').executeTakeFirstOrThrow();
    await requestReferral(rt.services, { candidateId, partnerId: adil.id, summary: 'Cherche une location sur l’Aubrac.', agentId: admin.id });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('every page of offers and partners passes axe; the lists are operable with the keyboard', { timeout: 90_000 }, async () => {
    const { context, page, foreignRequests, pageProblems } = await newLaptopContext(browser, server.url);
    try {
      await signInWithForm(page, adminEmail);
      const db = server.running.runtime.db.kysely;
      const offer = await db.selectFrom('offers').select('slug').where('title', '=', 'Boulangerie-pâtisserie à reprendre').executeTakeFirstOrThrow();
      const user = await db.selectFrom('partners').select('slug').where('slug', '=', 'france-travail-lozere').executeTakeFirstOrThrow();
      for (const [path, name] of [
        ['/admin/offres', 'offres'],
        ['/admin/offres?statut=published&type=takeover', 'offres-filtrees'],
        ['/admin/offres/nouvelle', 'offre-nouvelle'],
        [`/admin/offres/${offer.slug}`, 'offre'],
        [`/admin/offres/${offer.slug}/statut?vers=filled`, 'offre-pourvue'],
        ['/admin/offres/import', 'offres-import'],
        ['/admin/partenaires', 'partenaires'],
        ['/admin/partenaires/nouveau', 'partenaire-nouveau'],
        [`/admin/partenaires/${user.slug}`, 'partenaire'],
        [`/admin/partenaires/${user.slug}/modifier`, 'partenaire-modifier'],
        [`/admin/partenaires/${user.slug}/statut`, 'partenaire-archiver'],
        [`/admin/candidats/${candidateId}/offres`, 'candidat-offres'],
        [`/admin/candidats/${candidateId}/orientations`, 'candidat-orientations'],
      ] as const) {
        await visit(page, path);
        await expectNoAxeViolations(page);
        await adminScreenshot(page, `admin-${name}`);
      }
      for (const path of ['/admin/offres', '/admin/partenaires', `/admin/candidats/${candidateId}/offres`]) {
        await visit(page, path);
        await expectKeyboardOperable(page);
      }
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a referent proposes the matching offer to a candidate, and the form in error passes axe', async () => {
    const { context, page, foreignRequests, pageProblems } = await newLaptopContext(browser, server.url);
    try {
      await signInWithForm(page, adminEmail);
      await visit(page, `/admin/candidats/${candidateId}/offres`);
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Proposer les offres cochées' }).click());
      expect(await page.title()).toMatch(/^Erreur : /);
      await expectNoAxeViolations(page);
      await page.getByLabel('Boulangerie-pâtisserie à reprendre').check();
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Proposer les offres cochées' }).click());
      expect(await page.getByRole('status').textContent()).toContain('Les offres sont proposées');
      expect(await page.locator('table').textContent()).toContain('reprise · Aubrac');
      await expectNoAxeViolations(page);
      const mail = await server.running.runtime.db.kysely.selectFrom('outbox_messages').select('subject').where('kind', '=', 'offer-proposal').executeTakeFirstOrThrow();
      expect(mail.subject).toBe('Une offre pour votre projet : Boulangerie-pâtisserie à reprendre');
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
