import { DateTime } from 'luxon';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { requestAccompaniment } from '../../src/features/accompaniment/request-accompaniment.tsx';
import { bookAppointment } from '../../src/features/appointments/book-appointment.ts';
import { publishSlots } from '../../src/features/appointments/manage-slots.ts';
import { followUpToken } from '../../src/features/installations/follow-up-token.ts';
import { recordInstallation } from '../../src/features/installations/record-installation.ts';
import { assignReferentToRequest } from '../../src/features/referents/assign-referent.ts';
import { createTask } from '../../src/features/tasks/manage-tasks.ts';
import type { AgentRow } from '../../src/platform/db/schema.ts';
import { adminScreenshot, createTestAgent, expectKeyboardOperable, newLaptopContext, registerPerson, signInWithForm, visit, type LaptopContext } from '../support/admin-browser.ts';
import { expectNoAxeViolations, fridayInWeeks, launchBrowser, newPhoneContext, startBrowserServer, type BrowserServer } from '../support/browser.ts';
import { createWebinar } from '../support/fixtures.ts';

/**
 * A referent's pages of issue 5 at laptop size (à faire, mes candidats, tasks, slots and appointments,
 * installation and departure), each in its plain and error states, axe clean and keyboard operable;
 * and the household's follow-up form on a phone with JavaScript off, whose answer then shows on the
 * referent's list. The pages do not depend on the database: SQLite only, as admin-pages.test.ts.
 */
const chromium = inject('chromiumAvailable');

describe.skipIf(!chromium)('the referent’s back-office pages and the follow-up form, in Chromium', () => {
  let browser: Browser;
  let server: BrowserServer;
  let julien: AgentRow;
  let signedIn: LaptopContext;
  let requested: string;
  let settled: string;
  let taskId: string;
  let appointmentId: string;
  let freeSlotId: string;
  let followUpLink: string;
  const today = DateTime.now().setZone('Europe/Paris');

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startBrowserServer('sqlite');
    const s = server.running.runtime.services;
    const db = server.testDb.db.kysely;
    julien = await createTestAgent(server, 'referent', { name: 'Julien Rouvière' });
    const w = await createWebinar(server.running.runtime.db, { date: fridayInWeeks(3) });
    const a = await registerPerson(server, w.id as string, { email: 'elise.martin@example.org', firstName: 'Élise', lastName: 'Martin', phone: '06 12 34 56 78' });
    const b = await registerPerson(server, w.id as string, { email: 'karim.benali@example.org', firstName: 'Karim', lastName: 'Benali' });
    await requestAccompaniment(s, { registrationId: a.registrationId, form: { project: 'Infirmière, je cherche un poste à Mende.', horizon: '6-12-mois', movers: 'famille', needs: ['emploi', 'ecoles'], phone: null, message: null }, actor: { type: 'candidate', id: null } });
    const req = await db.selectFrom('accompaniment_requests').select(['id', 'candidate_id']).executeTakeFirstOrThrow();
    await assignReferentToRequest(s, req.id);
    requested = req.candidate_id;
    settled = (await db.selectFrom('registrations').select('candidate_id').where('id', '=', b.registrationId).executeTakeFirstOrThrow()).candidate_id;
    await db.updateTable('candidates').set({ referent_id: julien.id }).where('id', '=', settled).execute();
    await createTestAgent(server, 'admin', { name: 'Camille Pagès' });

    const day = (n: number) => today.plus({ days: n }).toISODate()!;
    taskId = await createTask(s, { candidateId: requested, form: { title: 'Rappeler Élise pour les écoles', dueOn: day(0), assigneeId: julien.id }, by: julien });
    await createTask(s, { candidateId: requested, form: { title: 'Envoyer les offres d’emploi d’infirmière', dueOn: day(-2), assigneeId: julien.id }, by: julien });
    await createTask(s, { candidateId: null, form: { title: 'Préparer la Rencontre', dueOn: day(3), assigneeId: julien.id }, by: julien });

    await publishSlots(s, { form: { mode: 'phone', day: day(5), from: '10:00', to: '11:00', duration: 30, videoUrl: '' }, by: julien });
    const slots = await db.selectFrom('appointment_slots').select('id').orderBy('starts_at').execute();
    freeSlotId = slots[1]!.id;
    appointmentId = (await bookAppointment(s, { candidateId: requested, slotId: slots[0]!.id, form: { phone: '06 12 34 56 78', topic: 'Les écoles' }, actor: { type: 'candidate', id: requested } })).appointmentId;

    // Karim settled four months ago; his 3-month follow-up went out (as the periodic task sends it).
    await recordInstallation(s, { candidateId: settled, form: { installedOn: today.minus({ months: 4 }).toISODate()!, communeCode: '', communeName: 'Marvejols', regionKey: 'aubrac', adults: 2, children: 1, activity: 'salarie', employer: 'Hôpital de Marvejols', housing: 'location' }, by: julien });
    const three = await db.selectFrom('follow_ups').select(['id', 'token_nonce']).where('candidate_id', '=', settled).where('months', '=', 3).executeTakeFirstOrThrow();
    await db.updateTable('follow_ups').set({ status: 'sent', sent_at: new Date().toISOString() }).where('id', '=', three.id).execute();
    followUpLink = `/suivi/${followUpToken(s.tokenKey, three.id, three.token_nonce)}`;

    signedIn = await newLaptopContext(browser, server.url);
    await signInWithForm(signedIn.page, julien.email);
  });

  afterAll(async () => {
    if (signedIn) {
      expect(signedIn.foreignRequests).toEqual([]);
      expect(signedIn.pageProblems).toEqual([]);
      await signedIn.context.close();
    }
    await browser?.close();
    await server?.stop();
  });

  async function check(page: Page, shot: string) {
    expect(await page.locator('h1').count(), `one h1 on ${page.url()}`).toBe(1);
    await expectNoAxeViolations(page);
    await adminScreenshot(page, shot);
    await expectKeyboardOperable(page);
  }

  it('the household answers its follow-up on a phone without JavaScript: an error first, then the thanks', async () => {
    const { context, foreignRequests, pageProblems } = await newPhoneContext(browser, server.url, { javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(followUpLink);
      expect((await page.locator('h1').textContent())?.trim()).toBe('Comment se passe votre installation ?');
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Envoyer mes réponses' }).press('Enter');
      expect(await page.title()).toMatch(/^Erreur : /);
      expect(await page.locator('.error-summary').textContent()).toContain('Dites-nous comment se passe votre installation');
      await expectNoAxeViolations(page);
      await page.getByLabel('Bien', { exact: true }).check();
      await page.getByLabel('Oui').check();
      await page.getByLabel('Un emploi pour mon conjoint ou ma conjointe').check();
      await page.getByLabel('Un message pour votre référent ? (facultatif)').fill('Ma conjointe cherche un poste de comptable.');
      await page.getByRole('button', { name: 'Envoyer mes réponses' }).press('Enter');
      expect((await page.locator('h1').textContent())?.trim()).toBe('Merci pour vos réponses');
      await expectNoAxeViolations(page);
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 90_000);

  const pages: Array<[string, () => string, string]> = [
    ['à faire: a new request, tasks late and for today, a follow-up asking for help, an appointment', () => '/admin/a-faire', 'referent-60-a-faire'],
    ['mes candidats', () => '/admin/mes-candidats', 'referent-61-mes-candidats'],
    ['mes candidats, installed', () => '/admin/mes-candidats?vue=installes', 'referent-62-mes-candidats-installes'],
    ['the tasks', () => '/admin/taches', 'referent-63-taches'],
    ['a new task', () => '/admin/taches/nouvelle', 'referent-64-tache-nouvelle'],
    ['a new task for a household', () => `/admin/candidats/${requested}/taches/nouvelle`, 'referent-65-tache-dossier'],
    ['changing a task', () => `/admin/taches/${taskId}/modifier`, 'referent-66-tache-modifier'],
    ['cancelling a task', () => `/admin/taches/${taskId}/annuler`, 'referent-67-tache-annuler'],
    ['the slots and appointments', () => '/admin/rendez-vous', 'referent-70-rendez-vous'],
    ['publishing slots', () => '/admin/rendez-vous/creneaux/nouveaux', 'referent-71-creneaux-publier'],
    ['withdrawing a slot', () => `/admin/rendez-vous/creneaux/${freeSlotId}/retirer`, 'referent-72-creneau-retirer'],
    ['cancelling an appointment', () => `/admin/rendez-vous/${appointmentId}/annuler`, 'referent-73-rendez-vous-annuler'],
    ['recording an installation', () => `/admin/candidats/${requested}/installation`, 'referent-80-installation-formulaire'],
    ['an installation and its follow-ups', () => `/admin/candidats/${settled}/installation`, 'referent-81-installation-suivis'],
    ['recording a departure', () => `/admin/candidats/${settled}/installation/depart`, 'referent-82-installation-depart'],
  ];
  for (const [what, url, shot] of pages) {
    it(what, async () => {
      await visit(signedIn.page, url());
      await check(signedIn.page, shot);
    }, 60_000);
  }

  it('the à faire list shows the answer asking for help, and the forms in error are clean too', async () => {
    const page = signedIn.page;
    await visit(page, '/admin/a-faire');
    expect(await page.locator('main').textContent()).toContain('Ma conjointe cherche un poste de comptable.');
    expect(await page.locator('#suivis').textContent()).toBe('Suivis qui demandent de l’aide (1)');
    for (const [url, button, shot] of [
      ['/admin/taches/nouvelle', 'Enregistrer la tâche', 'referent-68-tache-erreur'],
      ['/admin/rendez-vous/creneaux/nouveaux', 'Publier les créneaux', 'referent-74-creneaux-erreur'],
      [`/admin/candidats/${requested}/installation`, 'Enregistrer l’installation', 'referent-83-installation-erreur'],
      [`/admin/candidats/${settled}/installation/depart`, 'Enregistrer le départ', 'referent-84-depart-erreur'],
    ] as const) {
      await visit(page, url);
      if (url.endsWith('/nouvelle')) await page.getByLabel('À faire le').fill('');
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: button }).click()]);
      expect(response.status(), url).toBe(422);
      expect(await page.title()).toMatch(/^Erreur : /);
      await check(page, shot);
    }
  }, 120_000);
});
