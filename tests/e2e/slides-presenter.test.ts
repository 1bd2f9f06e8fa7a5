import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AgentRow, NewWebinarRow } from '../../src/platform/db/schema.ts';
import { ADMIN_SCREENSHOT_DIR, adminScreenshot, createTestAgent, expectKeyboardOperable, newLaptopContext, signInWithForm, tabTo, visit, type LaptopContext } from '../support/admin-browser.ts';
import { CHROMIUM_ARGS, expectNoAxeViolations, fridayInWeeks, launchBrowser, startBrowserServer, type BrowserServer } from '../support/browser.ts';
import { AGENT_PASSWORD } from '../support/admin.ts';
import { createWebinar } from '../support/fixtures.ts';

/**
 * A Rencontre's slides in Chromium, as an agent shares them during the video call: the screen of a
 * laptop at 1280 × 720, the keyboard alone (arrows, Page Up/Down, Home/End), the notes in a second
 * window following the slides, the links "précédente / suivante" without JavaScript, the print view
 * one slide per page. Every slide is photographed for a person to look at. The slides read the
 * content base, which does not depend on the database: this runs on SQLite.
 */

const chromium = inject('chromiumAvailable');
const suiteName = chromium ? 'slides of a Rencontre in Chromium' : 'slides of a Rencontre in Chromium (skipped: Chromium not found, see global setup)';
void CHROMIUM_ARGS;

const SLIDE_SIZE = { width: 1280, height: 720 };

async function presenterContext(browser: Browser, baseURL: string, javaScriptEnabled = true): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: SLIDE_SIZE, deviceScaleFactor: 1, locale: 'fr-FR', timezoneId: 'Europe/Paris', baseURL, javaScriptEnabled });
  context.setDefaultTimeout(10_000);
  return context;
}

async function signIn(context: BrowserContext, email: string) {
  const page = await context.newPage();
  await signInWithForm(page, email, AGENT_PASSWORD);
  return page;
}

/** The number of the slide on screen, and that it is the only one. */
async function shownSlide(page: Page): Promise<number> {
  const shown = await page.locator('[data-slide]:visible').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-slide'))));
  expect(shown).toHaveLength(1);
  return shown[0]!;
}

describe.skipIf(!chromium)(suiteName, () => {
  let browser: Browser;
  let server: BrowserServer;
  let admin: AgentRow;
  let webinar: NewWebinarRow;
  let laptop: LaptopContext;
  let deckPath: string;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startBrowserServer('sqlite');
    admin = await createTestAgent(server, 'admin', { name: 'Camille Rouvière' });
    await createTestAgent(server, 'referent', { name: 'Julien Pagès' });
    webinar = await createWebinar(server.testDb.db, { date: fridayInWeeks(3), title: 'Rencontre Lozère Nouvelle Vie de printemps' });
    deckPath = `/admin/rencontres/${webinar.id}/diaporama`;
    laptop = await newLaptopContext(browser, server.url);
    await signInWithForm(laptop.page, admin.email);
  });

  afterAll(async () => {
    if (laptop) {
      expect(laptop.foreignRequests).toEqual([]);
      expect(laptop.pageProblems).toEqual([]);
      await laptop.context.close();
    }
    await browser?.close();
    await server?.stop();
  });

  it('is reached from the Rencontre, and its outline page passes axe and the keyboard walk', async () => {
    const page = laptop.page;
    await visit(page, `/admin/rencontres/${webinar.id}`);
    await page.getByRole('link', { name: 'Diaporama' }).click();
    expect(new URL(page.url()).pathname).toBe(deckPath);
    await expect.poll(() => page.locator('.slide-plan > li').count()).toBe(13);
    await expectNoAxeViolations(page);
    await expectKeyboardOperable(page);
    await adminScreenshot(page, 'slides-outline');
  });

  it('is driven by the keyboard alone at 1280 × 720, every slide photographed, axe clean', async () => {
    const context = await presenterContext(browser, server.url);
    const problems: string[] = [];
    context.on('page', (p) => p.on('pageerror', (e) => problems.push(e.message)));
    const page = await signIn(context, admin.email);
    await visit(page, `${deckPath}/presenter/1`);
    const count = await page.locator('[data-slide]').count();
    expect(count).toBe(13);
    expect(await shownSlide(page)).toBe(1);
    await expectNoAxeViolations(page);

    fs.mkdirSync(ADMIN_SCREENSHOT_DIR, { recursive: true });
    const overflowing: string[] = [];
    for (let n = 1; n <= count; n++) {
      expect(await shownSlide(page)).toBe(n);
      await page.screenshot({ path: path.join(ADMIN_SCREENSHOT_DIR, `slide-${String(n).padStart(2, '0')}.png`) });
      // The slide fills the width of the screen, and nothing of it spills out.
      const box = await page.locator(`[data-slide="${n}"]`).boundingBox();
      expect(box!.width).toBeGreaterThan(1150);
      expect(box!.y + box!.height).toBeLessThanOrEqual(SLIDE_SIZE.height);
      const overflow = await page.locator(`[data-slide="${n}"] .slide__inner`).evaluate((el) => el.scrollHeight - el.clientHeight);
      if (overflow > 1) overflowing.push(`slide ${n} by ${overflow}px`);
      if (n < count) {
        await page.keyboard.press('ArrowRight');
        await expect.poll(() => page.url()).toMatch(new RegExp(`/presenter/${n + 1}$`));
      }
    }
    expect(overflowing, 'slides whose text spills out').toEqual([]);
    // The last slide is how to be accompanied: the referents, the short link and the QR code.
    const last = page.locator(`[data-slide="${count}"]`);
    await expect.poll(() => last.locator('.qr-code').isVisible()).toBe(true);
    expect(await last.innerText()).toContain('Julien Pagès');
    expect(await last.innerText()).toMatch(/127\.0\.0\.1:\d+\/premier-contact|localhost:\d+\/premier-contact/);
    await expectNoAxeViolations(page);

    await page.keyboard.press('Home');
    await expect.poll(() => shownSlide(page)).toBe(1);
    await page.keyboard.press('PageDown');
    await page.keyboard.press('PageDown');
    await expect.poll(() => shownSlide(page)).toBe(3);
    await page.keyboard.press('PageUp');
    await expect.poll(() => shownSlide(page)).toBe(2);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => shownSlide(page)).toBe(1);
    // Before the first, nothing: the first stays.
    await page.keyboard.press('ArrowLeft');
    expect(await shownSlide(page)).toBe(1);
    await page.keyboard.press('End');
    await expect.poll(() => shownSlide(page)).toBe(count);
    // Screen readers hear which slide came.
    await expect.poll(() => page.locator('[data-live]').textContent()).toContain(`Diapositive ${count} sur ${count}`);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('moves the notes window along with the slides, and shows the clock and the time left', async () => {
    const context = await presenterContext(browser, server.url);
    const presenter = await signIn(context, admin.email);
    await visit(presenter, `${deckPath}/presenter/1`);
    const notes = await context.newPage();
    await visit(notes, `${deckPath}/notes/1`);
    expect(await notes.locator('[data-slide]:visible h2').innerText()).toContain('1.');
    await expect.poll(() => notes.locator('[data-left]').innerText()).toMatch(/^Commence dans /);
    await expect.poll(() => notes.locator('[data-clock]').innerText()).toMatch(/^\d{2}\s?h\s?\d{2}$/);
    await presenter.bringToFront();
    await presenter.keyboard.press('ArrowRight');
    await presenter.keyboard.press('ArrowRight');
    await expect.poll(() => notes.locator('[data-slide]:visible').getAttribute('data-slide')).toBe('3');
    expect(await notes.locator('[data-slide]:visible').innerText()).toContain('Ensuite :');
    await expectNoAxeViolations(notes);
    await notes.screenshot({ path: path.join(ADMIN_SCREENSHOT_DIR, 'slide-notes.png') });
    await context.close();
  });

  it('works without JavaScript: each slide a page, "Suivante" and "Précédente" reached with Tab', async () => {
    const context = await presenterContext(browser, server.url, false);
    const page = await signIn(context, admin.email);
    await visit(page, `${deckPath}/presenter/1`);
    expect(await shownSlide(page)).toBe(1);
    await tabTo(page, '[data-next]');
    await Promise.all([page.waitForURL(/\/presenter\/2$/), page.keyboard.press('Enter')]);
    expect(await shownSlide(page)).toBe(2);
    await tabTo(page, '[data-prev]');
    await Promise.all([page.waitForURL(/\/presenter\/1$/), page.keyboard.press('Enter')]);
    expect(await shownSlide(page)).toBe(1);
    // axe does not run where scripts are off; the same markup passed it in the test above.
    await context.close();
  });

  it('prints one slide per page', async () => {
    const context = await presenterContext(browser, server.url);
    const page = await signIn(context, admin.email);
    await visit(page, `${deckPath}/imprimer`);
    await expectNoAxeViolations(page);
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    expect(pages).toBe(13);
    fs.writeFileSync(path.join(ADMIN_SCREENSHOT_DIR, 'slides.pdf'), pdf);
    await context.close();
  });
});
