import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadDemoData, seedDemo } from '../../src/features/demo/seed-demo.ts';
import { adminScreenshot, createTestAgent, expectKeyboardOperable, newLaptopContext, signInWithForm, visit, type LaptopContext } from '../support/admin-browser.ts';
import { expectNoAxeViolations, launchBrowser, startBrowserServer, type BrowserServer } from '../support/browser.ts';

/**
 * The statistics in Chromium, at laptop size, signed in as a referent (every agent reads them), over
 * the Lozère demo: the dashboard of 2023 and its charts, the period form in error, one Rencontre's
 * page, and the printable report, printed to PDF by the browser. axe finds nothing; every chart is an
 * image with a name and a description, and its data is one click away as a table.
 */
const chromium = inject('chromiumAvailable');
const suiteName = chromium ? 'the statistics pages in Chromium: charts with text alternatives, axe, print' : 'the statistics pages in Chromium (skipped: Chromium not found, see global setup)';

describe.skipIf(!chromium)(suiteName, () => {
  let browser: Browser;
  let server: BrowserServer;
  let agent: LaptopContext;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startBrowserServer('sqlite');
    const rt = server.running.runtime;
    await seedDemo(server.testDb.db, rt.territory, loadDemoData('lozere')!, { now: new Date(), tokenKey: rt.services.tokenKey });
    const referent = await createTestAgent(server, 'referent', { name: 'Sandrine Pagès' });
    agent = await newLaptopContext(browser, server.url);
    await signInWithForm(agent.page, referent.email);
  });

  afterAll(async () => {
    if (agent) {
      expect(agent.foreignRequests).toEqual([]);
      expect(agent.pageProblems).toEqual([]);
      await agent.context.close();
    }
    await browser?.close();
    await server?.stop();
  });

  /** Every chart: an image named by its title, described by its description, with its data as a table. */
  async function expectAccessibleCharts(page: Page, expected: number) {
    const charts = page.locator('svg[role="img"]');
    expect(await charts.count()).toBe(expected);
    for (let i = 0; i < expected; i++) {
      const svg = charts.nth(i);
      const [titleId, descId] = ((await svg.getAttribute('aria-labelledby')) ?? '').split(' ');
      const title = (await page.locator(`[id="${titleId}"]`).textContent()) ?? '';
      const desc = (await page.locator(`[id="${descId}"]`).textContent()) ?? '';
      expect(title.length, `title of chart ${i}`).toBeGreaterThan(10);
      expect(desc.length, `description of chart ${i}`).toBeGreaterThan(20);
      // The accessible name the browser computes is the title and the description.
      await expect.poll(() => page.getByRole('img', { name: title }).count()).toBeGreaterThan(0);
      const figure = svg.locator('xpath=ancestor::figure[1]');
      const details = figure.locator('details');
      await details.locator('summary').click();
      await expect.poll(() => details.locator('table').isVisible()).toBe(true);
      expect(await details.locator('tbody tr').count(), `rows of the table of chart ${i}`).toBeGreaterThan(0);
    }
  }

  it('the dashboard of 2023: the reported figures, five charts with their tables, axe clean, keyboard', async () => {
    const page = agent.page;
    await visit(page, '/admin/statistiques?annee=2023');
    expect(await page.title()).toBe('Statistiques, année 2023 – Gestion Lozère Nouvelle Vie');
    const figures = page.locator('.stats--figures');
    await expect.poll(() => figures.textContent()).toContain('6 Rencontres');
    expect(await figures.textContent()).toContain('2 généralistes, 4 thématiques');
    expect(await figures.textContent()).toContain('236 Inscriptions');
    const rates = await page.locator('#tableau-rencontres ~ .table-wrap tbody tr td:nth-child(8)').allTextContents();
    expect(rates).toHaveLength(6);
    for (const r of rates) {
      const value = Number(r.replace(/\s*%$/, '').replace(',', '.'));
      expect(value).toBeGreaterThanOrEqual(40);
      expect(value).toBeLessThanOrEqual(60);
    }
    expect(await page.locator('path[data-departement]').count()).toBe(96);
    expect(await page.locator('path[data-departement="75"] title').textContent()).toMatch(/\(75\) : \d+ personnes?$/);
    await expectNoAxeViolations(page);
    await adminScreenshot(page, '90-statistiques-2023');
    await expectAccessibleCharts(page, 5);
    await expectNoAxeViolations(page);
    await visit(page, '/admin/statistiques?annee=2023');
    await expectKeyboardOperable(page);
  });

  it('the period form refuses an impossible date, in French, and keeps what was typed', async () => {
    const page = agent.page;
    await visit(page, '/admin/statistiques?annee=2023');
    await page.getByLabel('Du', { exact: true }).fill('2023-06-01');
    await page.getByLabel('Au', { exact: true }).fill('2023-03-01');
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().includes('/admin/statistiques?')), page.getByRole('button', { name: 'Afficher' }).click()]);
    expect(response.status()).toBe(422);
    expect(await page.title()).toMatch(/^Erreur : /);
    await expect.poll(() => page.locator('.error-summary').textContent()).toContain('La date de fin doit être le même jour que la date de début ou après');
    expect(await page.getByLabel('Du', { exact: true }).inputValue()).toBe('2023-06-01');
    await expectNoAxeViolations(page);
    await adminScreenshot(page, '91-statistiques-erreur');
  });

  it('one Rencontre on its own page', async () => {
    const page = agent.page;
    await visit(page, '/admin/statistiques?annee=2023');
    const json = (await (await page.request.get('/admin/statistiques.json?from=2023-01-01&to=2023-12-31')).json()) as { webinars: Array<{ id: string; registrations: number }> };
    expect(json.webinars).toHaveLength(6);
    // From the table of the dashboard, as an agent goes there.
    await Promise.all([page.waitForURL(`**/admin/statistiques/rencontres/${json.webinars[0]!.id}`), page.getByRole('link', { name: '20 janv. 2023' }).click()]);
    await expect.poll(() => page.locator('.summary-list').textContent()).toContain(`${json.webinars[0]!.registrations} (dont 0 sur liste d’attente)`);
    await expectAccessibleCharts(page, 3);
    await expectNoAxeViolations(page);
    await adminScreenshot(page, '92-statistiques-rencontre');
  });

  it('the yearly report for elected officials: axe clean, a clean print, a PDF from the browser', async () => {
    const page = agent.page;
    await visit(page, '/admin/statistiques/rapport?annee=2023');
    expect(await page.locator('h1').textContent()).toBe('Rencontres Lozère Nouvelle Vie : bilan, année 2023');
    await expectNoAxeViolations(page);
    await adminScreenshot(page, '93-statistiques-rapport-2023');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.stats-report__actions').isVisible()).toBe(false);
    expect(await page.locator('.chart__data').first().isVisible()).toBe(false);
    expect(await page.locator('svg[role="img"]').first().isVisible()).toBe(true);
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(20_000);
    await page.emulateMedia({ media: 'screen' });
  });
});
