import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AgentRow } from '../../src/platform/db/schema.ts';
import { adminScreenshot, createTestAgent, expectKeyboardOperable, newLaptopContext, signInWithForm, visit, type LaptopContext } from '../support/admin-browser.ts';
import { expectNoAxeViolations, fridayInWeeks, launchBrowser, newPhoneContext, PHONE_VIEWPORT, screenshot, startBrowserServer, type BrowserServer, type PhoneContext } from '../support/browser.ts';
import { createWebinar } from '../support/fixtures.ts';

/**
 * "Vivre en Lozère" on a phone, with JavaScript and without: every page passes axe, reads without
 * sideways scrolling, is walked by the keyboard alone, and leads to the next Rencontre. Then the
 * back-office pages that feed it (the content list, an edit form, the history, the communes search)
 * at laptop size. The content is the territory's content.json, loaded at start as in production.
 */

const chromium = inject('chromiumAvailable');
const suiteName = chromium ? '"Vivre en Lozère" and its back-office in Chromium' : '"Vivre en Lozère" in Chromium (skipped: Chromium not found, see global setup)';

const PUBLIC_PAGES = [
  ['/vivre-en-lozere', 'vivre-index'],
  ['/vivre-en-lozere/acces', 'vivre-acces'],
  ['/vivre-en-lozere/emploi', 'vivre-emploi'],
  ['/vivre-en-lozere/ecoles', 'vivre-ecoles'],
  ['/vivre-en-lozere/regions', 'vivre-regions'],
  ['/vivre-en-lozere/regions/cevennes-mont-lozere', 'vivre-region-cevennes'],
] as const;

async function expectPhoneFriendly(page: Page) {
  const facts = await page.evaluate(() => ({ standards: document.compatMode, lang: document.documentElement.lang, h1: document.querySelectorAll('h1').length, scrollWidth: document.documentElement.scrollWidth }));
  expect(facts).toEqual({ standards: 'CSS1Compat', lang: 'fr', h1: 1, scrollWidth: PHONE_VIEWPORT.width });
}

/** Tab from the top: the skip link first, then into the content, and through it to the next Rencontre's link. */
async function expectReachableByKeyboard(page: Page, target: string) {
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('contenu');
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    const href = await page.evaluate(() => document.activeElement?.getAttribute('href'));
    if (href === target) return;
  }
  throw new Error(`${target} never received the focus on ${page.url()}`);
}

describe.skipIf(!chromium)(suiteName, () => {
  let browser: Browser;
  let server: BrowserServer;
  let nextSlug: string;
  let admin: AgentRow;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startBrowserServer('sqlite');
    nextSlug = (await createWebinar(server.testDb.db, { date: fridayInWeeks(3), title: 'La prochaine Rencontre' })).slug as string;
    admin = await createTestAgent(server, 'admin', { name: 'Camille Rouvière' });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const javaScriptEnabled of [true, false]) {
    it(`serves every page to a phone ${javaScriptEnabled ? 'with' : 'without'} JavaScript: axe clean, no sideways scroll, the keyboard reaches the next Rencontre`, async () => {
      const pc: PhoneContext = await newPhoneContext(browser, server.url, { javaScriptEnabled });
      const page = await pc.context.newPage();
      try {
        for (const [path, name] of PUBLIC_PAGES) {
          const res = await page.goto(path);
          expect(res?.status(), path).toBe(200);
          await expectPhoneFriendly(page);
          await expectNoAxeViolations(page);
          await expectReachableByKeyboard(page, `/rencontres/${nextSlug}`);
          if (javaScriptEnabled) await screenshot(page, name);
        }
        // The menu of every public page leads here.
        await page.goto('/');
        await page.getByRole('link', { name: 'Vivre en Lozère' }).first().click();
        expect(new URL(page.url()).pathname).toBe('/vivre-en-lozere');
        // The map says what it shows, and the travel times are there as text too.
        const map = page.locator('svg.france-map');
        expect(await map.getAttribute('role')).toBe('img');
        expect(await page.locator('#carte-titre').textContent()).toContain('Lozère');
        expect((await page.locator('.travel-times').innerText()).replace(/\u00a0/g, ' ')).toContain('Lyon : 2 h en voiture jusqu’à Langogne');
        // A region's communes open on demand, keyboard included.
        await page.goto('/vivre-en-lozere/regions/cevennes-mont-lozere');
        const summary = page.locator('summary', { hasText: 'Voir la liste des communes' });
        await summary.focus();
        await page.keyboard.press('Enter');
        await expect.poll(() => page.locator('details.details').evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
        expect(await page.locator('details.details table').innerText()).toContain('Florac Trois Rivières');
        expect(pc.foreignRequests).toEqual([]);
        expect(pc.pageProblems).toEqual([]);
      } finally {
        await pc.context.close();
      }
      // Six pages, each checked by axe and walked by the keyboard: longer than one page's journey.
    }, 120_000);
  }

  it('gives agents accessible content pages, walked by the keyboard alone', async () => {
    const laptop: LaptopContext = await newLaptopContext(browser, server.url);
    const page = laptop.page;
    try {
      await signInWithForm(page, admin.email);
      for (const [path, name] of [
        ['/admin/contenus', 'contenus-1-liste'],
        ['/admin/contenus/sections/emploi', 'contenus-2-emploi'],
        ['/admin/contenus/regions/aubrac', 'contenus-3-aubrac'],
        ['/admin/contenus/sections/emploi/versions', 'contenus-4-historique'],
        ['/admin/communes?q=saint+chely', 'contenus-5-communes'],
      ] as const) {
        await visit(page, path);
        await expectNoAxeViolations(page);
        await expectKeyboardOperable(page);
        await adminScreenshot(page, name);
      }
      // An error in the form: the summary takes the focus and links to the field.
      await visit(page, '/admin/contenus/sections/emploi');
      await page.locator('#f-title').fill('');
      await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Enregistrer une nouvelle version' }).click()]);
      expect(await page.title()).toMatch(/^Erreur : /);
      await expect.poll(() => page.evaluate(() => document.activeElement?.className)).toBe('error-summary');
      await expectNoAxeViolations(page);
      await adminScreenshot(page, 'contenus-6-erreur');
      expect(laptop.foreignRequests).toEqual([]);
      expect(laptop.pageProblems).toEqual([]);
    } finally {
      await laptop.context.close();
    }
    // Five long forms walked field by field with the keyboard.
  }, 180_000);
});
