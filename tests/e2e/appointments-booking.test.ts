import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createAgent } from '../../src/features/agents/manage-agents.ts';
import { publishSlots } from '../../src/features/appointments/manage-slots.ts';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import { registrationToken } from '../../src/features/registrations/registration-token.ts';
import type { AgentRow } from '../../src/platform/db/schema.ts';
import { expectNoAxeViolations, launchBrowser, newPhoneContext, screenshot, startBrowserServer, type BrowserServer } from '../support/browser.ts';
import { createWebinar, parsedForm } from '../support/fixtures.ts';
import { dialects } from '../support/harness.ts';

/**
 * Booking an appointment with a referent from the private link, on a phone with JavaScript off, by
 * the keyboard where it matters: choose (an error first), confirm (an error first), see it, cancel it
 * after the confirmation page. Every page is axe clean. On both databases, since booking is the part
 * that must hold under concurrency.
 */
const chromium = inject('chromiumAvailable');

describe.skipIf(!chromium).each(dialects())('booking an appointment in Chromium with JavaScript off, on %s', (dialect) => {
  let browser: Browser;
  let server: BrowserServer;
  let agent: AgentRow;
  let link: string;
  let day: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startBrowserServer(dialect);
    const s = server.running.runtime.services;
    agent = await createAgent(s, { email: 'julien.rouviere@lozere.example', name: 'Julien Rouvière', role: 'referent', password: 'un mot de passe assez long', actor: { type: 'system', id: null } });
    // The server runs on the real clock: slots next week, whatever today is.
    day = DateTime.now().setZone('Europe/Paris').plus({ days: 7 }).toISODate()!;
    await publishSlots(s, { form: { mode: 'phone', day, from: '14:00', to: '15:00', duration: 30, videoUrl: '' }, by: agent });
    await publishSlots(s, { form: { mode: 'video', day, from: '17:00', to: '17:30', duration: 30, videoUrl: 'https://visio.example.org/julien' }, by: agent });
    const past = DateTime.now().setZone('Europe/Paris').minus({ days: 20 }).toISODate()!;
    const w = await createWebinar(server.running.runtime.db, { date: past });
    const r = await registerCandidate(s, { webinarId: w.id as string, submissionKey: randomUUID(), form: parsedForm({ email: 'camille@example.org', firstName: 'Camille', phone: null }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'agent', id: null }, createdBy: 'agent' });
    const reg = await server.testDb.db.kysely.selectFrom('registrations').select(['id', 'token_nonce']).where('id', '=', r.registrationId).executeTakeFirstOrThrow();
    link = `/mon-inscription/${registrationToken(s.tokenKey, reg.id, reg.token_nonce)}`;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('chooses a slot, confirms it, sees it and cancels it: errors first, axe clean on every page', async () => {
    const { context, foreignRequests, pageProblems } = await newPhoneContext(browser, server.url, { javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto(link);
      await page.getByRole('link', { name: 'Prendre rendez-vous avec un référent, par téléphone ou en visio' }).click();
      expect((await page.locator('h1').textContent())?.trim()).toBe('Prendre rendez-vous avec un référent');
      expect(await page.getByRole('radio').count()).toBe(3);
      await expectNoAxeViolations(page);
      await screenshot(page, `rendez-vous-choix-${dialect}`);

      // Continuing without a choice: the GOV.UK error pattern, then the link to the field.
      await page.getByRole('button', { name: 'Continuer' }).press('Enter');
      expect(await page.title()).toMatch(/^Erreur : /);
      expect(await page.locator('.error-summary').textContent()).toContain('Choisissez un créneau');
      await expectNoAxeViolations(page);
      await page.locator('.error-summary a[href="#f-slot"]').click();
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('f-slot');
      await page.keyboard.press('Space');
      await page.getByRole('button', { name: 'Continuer' }).press('Enter');

      expect((await page.locator('h1').textContent())?.trim()).toBe('Confirmer le rendez-vous');
      expect(await page.locator('.summary-list').textContent()).toContain('Julien Rouvière');
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Confirmer le rendez-vous' }).press('Enter');
      expect(await page.title()).toMatch(/^Erreur : /);
      expect(await page.locator('.error-summary').textContent()).toContain('Indiquez le numéro auquel votre référent vous appellera');
      await expectNoAxeViolations(page);
      await page.getByLabel('Le numéro auquel vous appeler').fill('06 12 34 56 78');
      await page.getByLabel('De quoi souhaitez-vous parler ? (facultatif)').fill('Les écoles autour de Marvejols.');
      await page.getByRole('button', { name: 'Confirmer le rendez-vous' }).press('Enter');

      expect((await page.locator('h1').textContent())?.trim()).toBe('Rendez-vous confirmé');
      expect(page.url()).toMatch(/\/rendez-vous\/[A-Za-z0-9_-]{43}\?confirme=1$/);
      await expectNoAxeViolations(page);
      await screenshot(page, `rendez-vous-confirme-${dialect}`);
      const db = server.testDb.db.kysely;
      const booked = await db.selectFrom('appointments').innerJoin('appointment_slots', 'appointment_slots.id', 'appointments.slot_id').select(['appointments.status', 'appointments.topic', 'appointment_slots.status as slotStatus', 'appointment_slots.mode']).executeTakeFirstOrThrow();
      expect(booked).toEqual({ status: 'booked', topic: 'Les écoles autour de Marvejols.', slotStatus: 'booked', mode: 'phone' });
      expect((await db.selectFrom('outbox_messages').select('kind').where('kind', 'like', 'appointment-booked%').orderBy('kind').execute()).map((m) => m.kind)).toEqual(['appointment-booked', 'appointment-booked-agent']);

      // The private page now shows the appointment instead of the slots.
      await page.goto(`${link}/rendez-vous`);
      expect(await page.locator('.notice').textContent()).toContain('vous avez déjà un rendez-vous le');
      await expectNoAxeViolations(page);
      await page.getByRole('link', { name: 'Voir ou annuler ce rendez-vous' }).click();
      await page.getByRole('link', { name: 'Annuler mon rendez-vous' }).click();
      expect((await page.locator('h1').textContent())?.trim()).toBe('Voulez-vous vraiment annuler votre rendez-vous ?');
      await expectNoAxeViolations(page);
      await page.getByRole('button', { name: 'Oui, annuler mon rendez-vous' }).press('Enter');
      expect((await page.locator('h1').textContent())?.trim()).toBe('Rendez-vous annulé');
      await expectNoAxeViolations(page);
      expect((await db.selectFrom('appointment_slots').select('status').where('id', '=', (await db.selectFrom('appointments').select('slot_id').executeTakeFirstOrThrow()).slot_id).executeTakeFirstOrThrow()).status).toBe('open');
      // From there, back to the slots: the one freed is offered again.
      await page.getByRole('link', { name: 'Choisir un autre créneau' }).click();
      expect(await page.getByRole('radio').count()).toBe(3);
      expect(foreignRequests).toEqual([]);
      expect(pageProblems).toEqual([]);
    } finally {
      await context.close();
    }
    // Nine pages, each checked by axe in a context of its own: longer than the default 30 s.
  }, 120_000);
});
