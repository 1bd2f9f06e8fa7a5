import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAgent } from '../../src/features/agents/manage-agents.ts';
import { createOffer } from '../../src/features/offers/save-offer.ts';
import { createPartner } from '../../src/features/partners/manage-partners.ts';
import { answerReferralConsent } from '../../src/features/referrals/answer-referral-consent.ts';
import { requestReferral } from '../../src/features/referrals/request-referral.ts';
import { systemActor } from '../../src/platform/audit/audit.ts';
import type { PartnerRow } from '../../src/platform/db/schema.ts';
import { AGENT_PASSWORD } from '../support/admin.ts';
import { adminScreenshot, expectKeyboardOperable, newLaptopContext, registerPerson, signInWithForm, visit } from '../support/admin-browser.ts';
import { expectNoAxeViolations, fridayInWeeks, launchBrowser, newPhoneContext, startBrowserServer, type BrowserServer } from '../support/browser.ts';
import { createWebinar } from '../support/fixtures.ts';
import { dialects } from '../support/harness.ts';

/**
 * The partner portal in Chromium, on each database: an admin invites a person of a partner from the
 * back-office, who chooses a password through the e-mail's link, signs in, publishes an offer
 * (errors first, GOV.UK pattern), marks another one filled after a confirmation, reads the person
 * referred to them and records the outcome; the portal is operable with the keyboard at laptop size,
 * works with JavaScript off at phone size, and every page passes axe.
 */

const chromium = inject('chromiumAvailable');
const PASSWORD = 'une phrase de passe du partenaire';

async function clickAndLoad(page: Page, action: () => Promise<void>) {
  await Promise.all([page.waitForNavigation(), action()]);
}

describe.skipIf(!chromium).each(dialects())('the partner portal in Chromium, on %s', (dialect) => {
  let browser: Browser;
  let server: BrowserServer;
  let partner: PartnerRow;
  const adminEmail = `admin.portail.${dialect}@lozere.example`;
  const partnerEmail = `agnes.${dialect}@cma.example`;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startBrowserServer(dialect);
    const rt = server.running.runtime;
    const s = rt.services;
    const agent = await createAgent(s, { email: adminEmail, name: 'Claire Bonnet', role: 'admin', password: AGENT_PASSWORD, actor: systemActor });
    partner = await createPartner(s, {
      form: { name: 'Chambre de métiers', role: 'Reprise d’entreprises artisanales.', themes: ['creation-reprise', 'artisanat'], regions: ['aubrac'], email: 'accueil@cma.example', phone: null, website: null, address: null, contactName: null, contactTitle: null, contactEmail: null, contactPhone: null },
      actor: systemActor,
    });
    await createOffer(s, {
      form: { title: 'Menuiserie à reprendre', type: 'takeover', sector: 'artisanat', commune: 'Nasbinals', region: 'aubrac', description: 'Atelier équipé.', conditions: '', contactName: null, contactEmail: null, contactPhone: null, validFrom: null, validUntil: null },
      commune: { code: null, name: 'Nasbinals', regionKey: 'aubrac' },
      partnerId: partner.id,
      publish: true,
      owner: { kind: 'agent', agentId: agent.id },
    });
    // A person who agreed to be referred to this partner.
    const w = await createWebinar(rt.db, { date: fridayInWeeks(3) });
    const r = await registerPerson(server, w.id as string, { email: `hugo.${dialect}@example.org`, firstName: 'Hugo', lastName: 'Roux', phone: '06 12 34 56 78', project: 'creation-reprise', desiredRegion: 'aubrac' });
    const reg = await rt.db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', r.registrationId).executeTakeFirstOrThrow();
    await requestReferral(s, { candidateId: reg.candidate_id, partnerId: partner.id, summary: 'Menuisier, cherche un atelier à reprendre sur l’Aubrac.', agentId: agent.id });
    const mail = await rt.db.kysely.selectFrom('outbox_messages').select('text').where('kind', '=', 'referral-consent').executeTakeFirstOrThrow();
    await answerReferralConsent(s, { token: /\/consentement\/([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!, answer: 'give' });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an admin invites a partner user, who chooses a password and signs in to their own portal', async () => {
    const { context, page, foreignRequests, pageProblems } = await newLaptopContext(browser, server.url);
    try {
      await signInWithForm(page, adminEmail);
      await visit(page, `/admin/partenaires/${partner.slug}`);
      await expectNoAxeViolations(page);
      await page.getByLabel('Nom', { exact: true }).fill('Agnès Vidal');
      await page.getByLabel('Adresse e-mail').fill(partnerEmail);
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Envoyer l’invitation' }).click());
      expect(await page.getByRole('status').textContent()).toContain('L’invitation est envoyée');
      await adminScreenshot(page, `partenaire-fiche-${dialect}`);
      await context.clearCookies();

      const db = server.running.runtime.db.kysely;
      const invitation = await db.selectFrom('outbox_messages').select('text').where('to_address', '=', partnerEmail).executeTakeFirstOrThrow();
      const link = /https?:\/\/[^/]+(\/partenaires\/lien\/[A-Za-z0-9_-]{43})/.exec(invitation.text)![1]!;
      await visit(page, link);
      await expectNoAxeViolations(page);
      await page.getByLabel('Nouveau mot de passe').fill('trop court');
      await page.getByLabel('Le même mot de passe, une seconde fois').fill('trop court');
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Enregistrer mon mot de passe' }).click());
      expect(await page.title()).toMatch(/^Erreur : /);
      await expectNoAxeViolations(page);
      await page.getByLabel('Nouveau mot de passe').fill(PASSWORD);
      await page.getByLabel('Le même mot de passe, une seconde fois').fill(PASSWORD);
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Enregistrer mon mot de passe' }).click());
      expect(new URL(page.url()).pathname).toBe('/partenaires/connexion');
      await expectNoAxeViolations(page);
      await page.getByLabel('Adresse e-mail').fill(partnerEmail);
      await page.getByLabel('Mot de passe').fill(PASSWORD);
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Se connecter' }).click());
      expect(new URL(page.url()).pathname).toBe('/partenaires');
      expect((await page.locator('h1').textContent())?.trim()).toBe('Chambre de métiers');
      await expectNoAxeViolations(page);
      await expectKeyboardOperable(page);
      await adminScreenshot(page, `portail-accueil-${dialect}`);
      // The back-office stays closed to this session.
      await page.goto('/admin');
      expect(new URL(page.url()).pathname).toBe('/connexion');
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('publishes an offer (errors first), marks another filled after a confirmation, records a referral’s outcome', async () => {
    const { context, page, foreignRequests, pageProblems } = await newLaptopContext(browser, server.url);
    const db = server.running.runtime.db.kysely;
    try {
      await page.goto('/partenaires/connexion');
      await page.getByLabel('Adresse e-mail').fill(partnerEmail);
      await page.getByLabel('Mot de passe').fill(PASSWORD);
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Se connecter' }).click());

      await clickAndLoad(page, () => page.getByRole('link', { name: 'Nos offres' }).click());
      await expectNoAxeViolations(page);
      await clickAndLoad(page, () => page.getByRole('link', { name: 'Publier une offre' }).first().click());
      await expectNoAxeViolations(page);
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Publier l’offre' }).click());
      expect(await page.title()).toMatch(/^Erreur : /);
      // The summary has the focus, and its first link leads to the first field in error.
      expect(await page.evaluate(() => document.activeElement?.className)).toContain('error-summary');
      await expectNoAxeViolations(page);
      await adminScreenshot(page, `portail-offre-erreurs-${dialect}`);
      await page.locator('.error-summary a[href="#f-title"]').click();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-title');
      await page.keyboard.type('Boulangerie-pâtisserie à reprendre');
      await page.getByLabel('Type d’offre').selectOption('takeover');
      await page.getByLabel('Secteur').selectOption('commerce');
      await page.getByLabel('Commune').fill('Nasbinals');
      await page.getByLabel('Description').fill('Seule boulangerie du village.');
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Publier l’offre' }).click());
      expect(await page.getByRole('status').textContent()).toContain('L’offre est enregistrée.');
      await expectNoAxeViolations(page);
      const created = await db.selectFrom('offers').selectAll().where('title', '=', 'Boulangerie-pâtisserie à reprendre').executeTakeFirstOrThrow();
      expect(created).toMatchObject({ status: 'published', partner_id: partner.id, region_key: 'aubrac' });

      await page.goto('/partenaires/offres');
      await clickAndLoad(page, () => page.getByRole('link', { name: 'Menuiserie à reprendre' }).click());
      await clickAndLoad(page, () => page.getByRole('link', { name: 'Marquer comme pourvue' }).click());
      expect((await page.locator('h1').textContent())?.trim()).toBe('Marquer l’offre comme pourvue ?');
      await expectNoAxeViolations(page);
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Oui, elle est pourvue' }).click());
      expect((await db.selectFrom('offers').select('status').where('title', '=', 'Menuiserie à reprendre').executeTakeFirstOrThrow()).status).toBe('filled');

      await page.goto('/partenaires/offres/import');
      await expectNoAxeViolations(page);

      await page.goto('/partenaires/orientations');
      await expectNoAxeViolations(page);
      await clickAndLoad(page, () => page.getByRole('link', { name: 'Hugo Roux' }).click());
      expect(await page.locator('main').textContent()).toContain('Menuisier, cherche un atelier à reprendre sur l’Aubrac.');
      await expectNoAxeViolations(page);
      await page.getByLabel('Personne contactée').check();
      await page.getByLabel('Une précision ?').fill('Rendez-vous pris.');
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Enregistrer mon retour' }).click());
      expect(await page.getByRole('status').textContent()).toContain('Votre retour est enregistré');
      await expectNoAxeViolations(page);
      await adminScreenshot(page, `portail-orientation-${dialect}`);
      const event = await db.selectFrom('timeline_events').select(['summary', 'actor_type']).where('kind', '=', 'referral').orderBy('at', 'desc').executeTakeFirstOrThrow();
      expect(event).toEqual({ summary: 'Chambre de métiers a pris contact avec la personne : Rendez-vous pris.', actor_type: 'partner' });
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('works at phone size with JavaScript off', async () => {
    const { context, foreignRequests, pageProblems } = await newPhoneContext(browser, server.url, { javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto('/partenaires/offres');
      expect(new URL(page.url()).pathname).toBe('/partenaires/connexion');
      await expectNoAxeViolations(page);
      await page.getByLabel('Adresse e-mail').fill(partnerEmail);
      await page.getByLabel('Mot de passe').fill(PASSWORD);
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Se connecter' }).click());
      // Back to the page asked for.
      expect(new URL(page.url()).pathname).toBe('/partenaires/offres');
      await expectNoAxeViolations(page);
      await clickAndLoad(page, () => page.getByRole('link', { name: 'Boulangerie-pâtisserie à reprendre' }).click());
      await page.getByLabel('Conditions').fill('Cession du fonds, murs en location.');
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Enregistrer les modifications' }).click());
      expect(await page.getByRole('status').textContent()).toContain('Les modifications sont enregistrées.');
      await expectNoAxeViolations(page);
      await clickAndLoad(page, () => page.getByRole('button', { name: 'Se déconnecter' }).click());
      expect(new URL(page.url()).pathname).toBe('/partenaires/connexion');
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
