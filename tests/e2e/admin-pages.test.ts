import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAgent } from '../../src/features/agents/manage-agents.ts';
import { systemActor } from '../../src/platform/audit/audit.ts';
import type { AgentRow, NewWebinarRow } from '../../src/platform/db/schema.ts';
import {
  adminScreenshot,
  createTestAgent,
  expectKeyboardOperable,
  expectNoAxeViolationsOutside,
  newLaptopContext,
  registerPerson,
  signInWithForm,
  visit,
  type LaptopContext,
} from '../support/admin-browser.ts';
import { expectNoAxeViolations, fridayInWeeks, launchBrowser, startBrowserServer, type BrowserServer } from '../support/browser.ts';
import { createWebinar } from '../support/fixtures.ts';

/**
 * Every page of the back-office, at laptop size in Chromium, signed in as an admin: axe finds nothing
 * (WCAG 2.1 A/AA and best practices, no rule disabled), the keyboard alone reaches everything (skip
 * link first, a visible focus on each element, no trap), and a screenshot is kept for a person to
 * look at. The pages do not depend on the database, so this walk runs on SQLite only; the journeys
 * (admin-journeys.test.ts) run on both.
 */

const chromium = inject('chromiumAvailable');
const suiteName = chromium ? 'every back-office page in Chromium: axe and keyboard' : 'every back-office page in Chromium (skipped: Chromium not found, see global setup)';

describe.skipIf(!chromium)(suiteName, () => {
  let browser: Browser;
  let server: BrowserServer;
  let admin: AgentRow;
  let referent: AgentRow;
  let next: NewWebinarRow;
  let emptyWebinar: NewWebinarRow;
  let inviteToken: string;
  let confirmedId: string;
  let waitlistedId: string;
  let candidateId: string;
  let failedMailId: string;
  let signedIn: LaptopContext;
  let visitor: LaptopContext;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startBrowserServer('sqlite');
    const db = server.testDb.db;
    admin = await createTestAgent(server, 'admin', { name: 'Camille Rouvière' });
    referent = await createTestAgent(server, 'referent', { name: 'Julien Pagès' });
    // An invitation: its one-time link opens the "choose my password" page.
    const invited = await createAgent(server.running.runtime.services, { email: 'nouvelle.recrue@lozere.example', name: 'Nadia Vidal', role: 'referent', actor: systemActor });
    const invite = await db.kysely.selectFrom('outbox_messages').select('text').where('kind', '=', 'agent-invite').where('to_address', '=', invited.email).executeTakeFirstOrThrow();
    inviteToken = /\/connexion\/lien\/([A-Za-z0-9_-]{43})/.exec(invite.text)![1]!;

    // A Rencontre that is full, with a waiting list, people from several campaigns and a cancellation.
    next = await createWebinar(db, { date: fridayInWeeks(3), capacity: 3, title: 'Rencontre Lozère Nouvelle Vie de printemps' });
    const people = [
      { email: 'elise.martin@example.org', firstName: 'Élise', lastName: 'Martin', project: 'salarie', source: 'facebook' },
      { email: 'karim.benali@example.org', firstName: 'Karim', lastName: 'Benali', project: 'creation-reprise', source: 'linkedin' },
      { email: 'sophie.lefevre@example.org', firstName: 'Sophie', lastName: 'Lefèvre', project: 'teletravail', source: null },
      { email: 'hugo.moreau@example.org', firstName: 'Hugo', lastName: 'Moreau', project: 'reconversion', source: 'facebook' },
      { email: 'francois.dupre@example.org', firstName: 'François', lastName: 'Dupré', project: 'salarie', source: null },
    ] as const;
    const ids: string[] = [];
    for (const p of people) {
      const r = await registerPerson(server, next.id as string, { email: p.email, firstName: p.firstName, lastName: p.lastName, project: p.project, phone: '06 12 34 56 78', question: p.firstName === 'Élise' ? 'Y a-t-il des crèches à Marvejols ?' : null }, p.source);
      ids.push(r.registrationId);
    }
    confirmedId = ids[0]!;
    waitlistedId = ids[3]!;
    const elise = await db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', confirmedId).executeTakeFirstOrThrow();
    candidateId = elise.candidate_id;
    // A Rencontre with no one yet, a past one and a draft: every tab of the list has something.
    emptyWebinar = await createWebinar(db, { date: fridayInWeeks(9), title: 'Rencontre thématique : reprendre une entreprise', kind: 'thematic', theme: 'reprise-activite' });
    await createWebinar(db, { date: fridayInWeeks(-3), title: 'Rencontre Lozère Nouvelle Vie d’hiver' });
    await createWebinar(db, { date: fridayInWeeks(5), status: 'draft', title: 'Rencontre Lozère Nouvelle Vie d’été', join_url: null });
    // One message failed for good, as the worker would leave it: the mailbox offers to resend it.
    const failed = await db.kysely.selectFrom('outbox_messages').select('id').where('registration_id', '=', ids[1]!).executeTakeFirstOrThrow();
    failedMailId = failed.id;
    await db.kysely.updateTable('outbox_messages').set({ status: 'failed', attempts: 5, last_error: '550 5.1.1 Mailbox unavailable' }).where('id', '=', failedMailId).execute();

    visitor = await newLaptopContext(browser, server.url);
    signedIn = await newLaptopContext(browser, server.url);
    await signInWithForm(signedIn.page, admin.email);
  });

  afterAll(async () => {
    for (const c of [signedIn, visitor]) {
      if (!c) continue;
      // No page talks to another site or logs an error (a CSP violation would show here).
      expect(c.foreignRequests).toEqual([]);
      expect(c.pageProblems).toEqual([]);
      await c.context.close();
    }
    await browser?.close();
    await server?.stop();
  });

  /** The three checks every page gets, then the picture. */
  async function check(page: Page, shot: string) {
    expect(await page.locator('h1').count(), `one h1 on ${page.url()}`).toBe(1);
    await expectNoAxeViolations(page);
    // Taken before the keyboard walk, which leaves the focus on the main content.
    await adminScreenshot(page, shot);
    await expectKeyboardOperable(page);
  }

  describe('signed out', () => {
    it('/connexion', async () => {
      await visit(visitor.page, '/connexion');
      await check(visitor.page, '01-connexion');
    });

    it('/connexion in error', async () => {
      await visit(visitor.page, '/connexion');
      await visitor.page.getByLabel('Adresse e-mail').fill('personne@lozere.example');
      await visitor.page.getByLabel('Mot de passe').fill('pas le bon mot de passe');
      const [response] = await Promise.all([visitor.page.waitForResponse((r) => r.request().method() === 'POST'), visitor.page.getByRole('button', { name: 'Se connecter' }).click()]);
      expect(response.status()).toBe(422);
      expect(await visitor.page.title()).toMatch(/^Erreur : /);
      await check(visitor.page, '02-connexion-erreur');
    });

    it('/connexion/lien/<token>, and in error', async () => {
      await visit(visitor.page, `/connexion/lien/${inviteToken}`);
      expect(await visitor.page.getByRole('heading', { level: 1 }).textContent()).toBe('Choisir mon mot de passe');
      await check(visitor.page, '03-choisir-mot-de-passe');
      await visitor.page.getByLabel('Nouveau mot de passe').fill('une phrase de passe assez longue');
      await visitor.page.getByLabel('Le même mot de passe, une seconde fois').fill('une autre phrase');
      const [response] = await Promise.all([visitor.page.waitForResponse((r) => r.request().method() === 'POST'), visitor.page.getByRole('button', { name: 'Enregistrer mon mot de passe' }).click()]);
      expect(response.status()).toBe(422);
      await check(visitor.page, '04-choisir-mot-de-passe-erreur');
    });
  });

  describe('signed in as an admin', () => {
    const pages: Array<[string, () => string, string]> = [
      ['the dashboard', () => '/admin', '10-tableau-de-bord'],
      ['the Rencontres to come', () => '/admin/rencontres', '11-rencontres-a-venir'],
      ['the past Rencontres', () => '/admin/rencontres?vue=passees', '12-rencontres-passees'],
      ['the drafts', () => '/admin/rencontres?vue=brouillons', '13-rencontres-brouillons'],
      ['a new Rencontre', () => '/admin/rencontres/nouvelle', '14-rencontre-nouvelle'],
      ['the proposed dates', () => '/admin/rencontres/planifier', '16-planifier'],
      ['a Rencontre with its registrants', () => `/admin/rencontres/${next.id}`, '20-inscrits'],
      ['the registrants filtered', () => `/admin/rencontres/${next.id}?q=martin&statut=confirmed&projet=salarie&source=facebook&tri=nom&ordre=desc`, '21-inscrits-filtres'],
      ['the registrants, nobody matches', () => `/admin/rencontres/${next.id}?q=personne-de-ce-nom`, '22-inscrits-aucun'],
      ['a Rencontre nobody registered to', () => `/admin/rencontres/${emptyWebinar.id}`, '23-rencontre-sans-inscrits'],
      ['editing a Rencontre', () => `/admin/rencontres/${next.id}/modifier`, '24-rencontre-modifier'],
      ['registering someone by hand', () => `/admin/rencontres/${next.id}/inscrire`, '25-inscrire'],
      ['confirming a cancellation', () => `/admin/inscriptions/${confirmedId}/annuler`, '27-annuler-confirmation'],
      ['confirming a seat from the waiting list', () => `/admin/inscriptions/${waitlistedId}/confirmer`, '28-donner-une-place'],
      ['a person', () => `/admin/candidats/${candidateId}`, '30-candidat'],
      ['the mailbox', () => '/admin/courriels', '40-courriels'],
      ['the mailbox filtered', () => '/admin/courriels?statut=failed', '41-courriels-echec'],
      ['the agents', () => '/admin/agents', '50-agents'],
      ['disabling an agent', () => `/admin/agents/${referent.id}/desactiver`, '52-agent-desactiver'],
      ['enabling an agent', () => `/admin/agents/${referent.id}/reactiver`, '53-agent-reactiver'],
      ['sending a password link', () => `/admin/agents/${referent.id}/lien`, '54-agent-lien'],
      ['the journal', () => '/admin/journal', '60-journal'],
    ];
    for (const [name, path, shot] of pages) {
      it(name, async () => {
        await visit(signedIn.page, path());
        await check(signedIn.page, shot);
      });
    }

    it('a failed message', async () => {
      const page = signedIn.page;
      await visit(page, `/admin/courriels/${failedMailId}`);
      expect(await page.getByRole('button', { name: 'Renvoyer ce message' }).count()).toBe(1);
      // The framed message is the e-mail as its recipient sees it, not a page of ours, and it is
      // sandboxed without scripts on purpose, so axe cannot run inside it; the frame itself (its
      // title) and the rest of the page are checked.
      await expectNoAxeViolationsOutside(page, ['.iframe-preview']);
      await adminScreenshot(page, '42-courriel');
      await expectKeyboardOperable(page);
    });

    it('a new Rencontre, in error', async () => {
      const page = signedIn.page;
      await visit(page, '/admin/rencontres/nouvelle');
      await page.getByLabel('Titre').fill('');
      await page.getByLabel('Nombre de places').fill('beaucoup');
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Enregistrer la Rencontre' }).click()]);
      expect(response.status()).toBe(422);
      expect(await page.title()).toMatch(/^Erreur : /);
      await check(page, '15-rencontre-nouvelle-erreur');
    });

    it('registering someone by hand, in error', async () => {
      const page = signedIn.page;
      await visit(page, `/admin/rencontres/${next.id}/inscrire`);
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.locator('form[action$="/inscrire"] button[type=submit]').click()]);
      expect(response.status()).toBe(422);
      await check(page, '26-inscrire-erreur');
    });

    it('inviting an agent, in error', async () => {
      const page = signedIn.page;
      await visit(page, '/admin/agents');
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Envoyer l’invitation' }).click()]);
      expect(response.status()).toBe(422);
      await check(page, '51-agents-erreur');
    });
  });
});
