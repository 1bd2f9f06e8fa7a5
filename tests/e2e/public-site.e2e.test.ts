import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { expectNoAxeViolations, fridayInWeeks, launchBrowser, newPhoneContext, PHONE_VIEWPORT, screenshot, startBrowserServer, type BrowserServer, type PhoneContext } from '../support/browser.ts';
import { createWebinar } from '../support/fixtures.ts';

/**
 * Every public page a visitor can reach without registering, on a phone: axe finds nothing, the
 * skip link is the first stop of the keyboard and leads into the content, nothing overflows the
 * screen sideways. The registration journeys (registration.e2e.test.ts) cover the other pages.
 */

const chromium = inject('chromiumAvailable');
const suiteName = chromium ? 'public site in Chromium' : 'public site in Chromium (skipped: Chromium not found, see global setup)';

async function expectSkipLinkFirst(page: Page) {
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const box = el?.getBoundingClientRect();
    return { cls: el?.className, href: el?.getAttribute('href'), text: el?.textContent?.trim(), top: box?.top, left: box?.left, width: box?.width };
  });
  expect(focused).toMatchObject({ cls: 'skip-link', href: '#contenu', text: 'Aller au contenu' });
  // Hidden until focused, then on screen where a sighted keyboard user sees it.
  expect(focused.left).toBeGreaterThanOrEqual(0);
  expect(focused.top).toBeGreaterThanOrEqual(0);
  expect(focused.width).toBeGreaterThan(0);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => `${document.activeElement?.tagName}#${document.activeElement?.id}`)).toBe('MAIN#contenu');
  // The next Tab continues from the content, not from the header.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => Boolean(document.activeElement?.closest('main')))).toBe(true);
}

async function expectPhoneFriendly(page: Page) {
  const facts = await page.evaluate(() => ({
    standards: document.compatMode,
    lang: document.documentElement.lang,
    h1: document.querySelectorAll('h1').length,
    scrollWidth: document.documentElement.scrollWidth,
  }));
  expect(facts).toEqual({ standards: 'CSS1Compat', lang: 'fr', h1: 1, scrollWidth: PHONE_VIEWPORT.width });
}

describe.skipIf(!chromium)(suiteName, () => {
  let browser: Browser;
  let server: BrowserServer;
  let pc: PhoneContext;
  let page: Page;
  const slugs: Record<string, string> = {};

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startBrowserServer('sqlite');
    const db = server.testDb.db;
    slugs.next = (await createWebinar(db, { date: fridayInWeeks(3), title: 'La prochaine Rencontre Lozère Nouvelle Vie', capacity: 80 })).slug as string;
    slugs.thematic = (
      await createWebinar(db, {
        date: fridayInWeeks(11),
        title: 'Rencontre thématique : système éducatif',
        kind: 'thematic',
        theme: 'systeme-educatif',
        capacity: 12,
        summary: 'De la crèche au lycée : la scolarité de vos enfants en Lozère.',
        description: 'Les écoles de village, les internats d’excellence et les transports scolaires.\n\nAvec la direction académique.',
        speakers: JSON.stringify([
          { name: 'Claire Vidal', role: 'chargée d’accueil, Lozère Nouvelle Vie' },
          { name: 'Marc Roux', role: 'direction des services départementaux de l’Éducation nationale' },
        ]),
        partners: JSON.stringify(['France Travail', 'Chambre de métiers et de l’artisanat']),
      })
    ).slug as string;
    slugs.past = (
      await createWebinar(db, { date: fridayInWeeks(-9), title: 'Rencontre Lozère Nouvelle Vie de l’automne', replay_url: 'https://replay.example.org/automne' })
    ).slug as string;
    pc = await newPhoneContext(browser, server.url);
  });
  afterAll(async () => {
    if (pc) {
      expect(pc.foreignRequests).toEqual([]);
      expect(pc.pageProblems).toEqual([]);
      await pc.context.close();
    }
    await browser?.close();
    await server?.stop();
  });

  const pages: Array<{ name: string; path: () => string; status: number; h1: string | RegExp }> = [
    { name: 'home', path: () => '/', status: 200, h1: 'Vivre et travailler en Lozère' },
    { name: 'rencontres', path: () => '/rencontres', status: 200, h1: 'Les Rencontres Lozère Nouvelle Vie' },
    { name: 'webinar', path: () => `/rencontres/${slugs.thematic}`, status: 200, h1: 'Rencontre thématique : système éducatif' },
    { name: 'webinar-past', path: () => `/rencontres/${slugs.past}`, status: 200, h1: 'Rencontre Lozère Nouvelle Vie de l’automne' },
    { name: 'mentions-legales', path: () => '/mentions-legales', status: 200, h1: 'Mentions légales' },
    { name: 'donnees-personnelles', path: () => '/donnees-personnelles', status: 200, h1: 'Vos données personnelles' },
    { name: 'accessibilite', path: () => '/accessibilite', status: 200, h1: 'Déclaration d’accessibilité' },
    { name: '404', path: () => '/cette-page-n-existe-pas', status: 404, h1: 'Page introuvable' },
    { name: '404-webinar', path: () => '/rencontres/rencontre-inconnue', status: 404, h1: 'Page introuvable' },
    { name: '404-private-link', path: () => '/mon-inscription/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', status: 404, h1: 'Page introuvable' },
  ];

  for (const p of pages) {
    it(`${p.name}: accessible, skip link first, fits a phone`, async () => {
      page ??= await pc.context.newPage();
      const response = await page.goto(p.path());
      expect(response?.status()).toBe(p.status);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toEqual(p.h1);
      await expectNoAxeViolations(page);
      await expectPhoneFriendly(page);
      await screenshot(page, p.name);
      await expectSkipLinkFirst(page);
    });
  }

  it('home page: shows the next Rencontre and leads to its form', async () => {
    page ??= await pc.context.newPage();
    await page.goto('/');
    const next = page.getByRole('region', { name: 'Prochaine Rencontre' });
    expect(await next.getByRole('link', { name: 'La prochaine Rencontre Lozère Nouvelle Vie' }).count()).toBe(1);
    await page.getByRole('link', { name: 'Je m’inscris à la prochaine Rencontre' }).click();
    await page.waitForURL(`**/rencontres/${slugs.next}#inscription`);
    // The anchor lands on the registration heading, with the form right below it.
    const top = await page.locator('#inscription').evaluate((el) => el.getBoundingClientRect().top);
    expect(top).toBeGreaterThanOrEqual(-1);
    expect(top).toBeLessThan(PHONE_VIEWPORT.height / 2);
  });

  it('list of Rencontres: coming ones with their seats, past ones with their replay', async () => {
    page ??= await pc.context.newPage();
    await page.goto('/rencontres');
    const thematic = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Rencontre thématique : système éducatif' }) });
    expect(await thematic.textContent()).toContain('Système éducatif');
    expect(await thematic.textContent()).toContain('12 places disponibles');
    const past = page.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'Rencontre Lozère Nouvelle Vie de l’automne' }) });
    expect(await past.textContent()).toContain('Replay disponible');
    await page.goto(`/rencontres/${slugs.past}`);
    expect(await page.getByRole('link', { name: 'Voir le replay de la Rencontre' }).getAttribute('href')).toBe('https://replay.example.org/automne');
    expect(await page.locator('form').count()).toBe(0);
  });

  it('works the same with JavaScript off: skip link, axe, no overflow', async () => {
    const off = await newPhoneContext(browser, server.url, { javaScriptEnabled: false });
    try {
      const p = await off.context.newPage();
      for (const path of ['/', `/rencontres/${slugs.next}`]) {
        await p.goto(path);
        await expectNoAxeViolations(p);
        await expectPhoneFriendly(p);
        await expectSkipLinkFirst(p);
      }
      expect(off.foreignRequests).toEqual([]);
      expect(off.pageProblems).toEqual([]);
    } finally {
      await off.context.close();
    }
  });
});
