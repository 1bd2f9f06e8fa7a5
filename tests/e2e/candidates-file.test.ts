import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AgentRow } from '../../src/platform/db/schema.ts';
import { adminScreenshot, createTestAgent, expectKeyboardOperable, focusedId, LAPTOP_VIEWPORT, newLaptopContext, registerPerson, signInWithForm, tabTo, visit, type LaptopContext } from '../support/admin-browser.ts';
import { expectNoAxeViolations, fridayInWeeks, launchBrowser, startBrowserServer, type BrowserServer } from '../support/browser.ts';
import { createWebinar } from '../support/fixtures.ts';
import { dialects } from '../support/harness.ts';

/**
 * The candidate files in Chromium at laptop size, on each database: the list, the board and a file
 * are axe clean and work with the keyboard alone; a note is added and a stage changed with the
 * keyboard; a referent is given to rows ticked and a person added to the household with JavaScript
 * off; the forms in error, the duplicates and the merge confirmation are axe clean too.
 */

const chromium = inject('chromiumAvailable');
const suiteName = chromium ? 'candidate files in Chromium' : 'candidate files in Chromium (skipped: Chromium not found, see global setup)';

describe.skipIf(!chromium)(suiteName, () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe.each(dialects())('on %s', (dialect) => {
    let server: BrowserServer;
    let admin: AgentRow;
    let referent: AgentRow;
    let signedIn: LaptopContext;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      server = await startBrowserServer(dialect);
      admin = await createTestAgent(server, 'admin', { name: 'Claire Bonnet' });
      referent = await createTestAgent(server, 'referent', { name: 'Julien Rouvière' });
      const w = await createWebinar(server.testDb.db, { date: fridayInWeeks(3), title: 'Rencontre Lozère Nouvelle Vie de printemps' });
      const people = [
        { key: 'elise', email: `elise.${dialect}@example.org`, firstName: 'Élise', lastName: 'Martin', phone: '06 12 34 56 78', household: 'enfants' as const },
        { key: 'karim', email: `karim.${dialect}@example.org`, firstName: 'Karim', lastName: 'Benali', phone: '06 98 76 54 32', household: 'couple' as const },
        { key: 'karim2', email: `k.benali.${dialect}@example.org`, firstName: 'Karim', lastName: 'Benali', phone: '+33 6 98 76 54 32', household: 'couple' as const },
        { key: 'sophie', email: `sophie.${dialect}@example.org`, firstName: 'Sophie', lastName: 'Lefèvre', phone: null, household: 'seul' as const },
      ];
      for (const p of people) {
        const r = await registerPerson(server, w.id as string, { email: p.email, firstName: p.firstName, lastName: p.lastName, phone: p.phone, household: p.household }, 'facebook');
        ids[p.key] = (await server.testDb.db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', r.registrationId).executeTakeFirstOrThrow()).candidate_id;
      }
      signedIn = await newLaptopContext(browser, server.url);
      await signInWithForm(signedIn.page, admin.email);
    });

    afterAll(async () => {
      if (signedIn) {
        expect(signedIn.foreignRequests).toEqual([]);
        expect(signedIn.pageProblems).toEqual([]);
        await signedIn.context.close();
      }
      await server?.stop();
    });

    async function check(page: Page, shot: string) {
      expect(await page.locator('h1').count(), `one h1 on ${page.url()}`).toBe(1);
      await expectNoAxeViolations(page);
      await adminScreenshot(page, `${shot}-${dialect}`);
      await expectKeyboardOperable(page);
    }

    it('the list: search by a name typed without accents, open the file; axe clean, keyboard operable', async () => {
      const page = signedIn.page;
      await visit(page, '/admin/candidats');
      expect(await page.getByRole('link', { name: 'Candidats', exact: true }).getAttribute('aria-current')).toBe('page');
      await check(page, '70-candidats');
      await page.getByLabel('Rechercher').fill('lefevre');
      await Promise.all([page.waitForURL(/q=lefevre/), page.getByRole('button', { name: 'Filtrer' }).click()]);
      expect(await page.locator('tbody th[scope=row]').allTextContents()).toEqual(['LEFÈVRE Sophie']);
      await check(page, '71-candidats-recherche');
      await Promise.all([page.waitForURL(/\/admin\/candidats\/[0-9a-f-]{36}$/), page.getByRole('link', { name: 'LEFÈVRE Sophie' }).click()]);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sophie Lefèvre');
    });

    it('the board: a column per stage, each card leads to its file', async () => {
      const page = signedIn.page;
      await visit(page, '/admin/candidats/tableau');
      await check(page, '72-tableau');
      const contact = page.locator('li', { has: page.locator('#etape-contact') });
      expect(await contact.locator('h2').textContent()).toMatch(/Premier contact\s*4/);
      // No word of the board is cut over two lines (the columns were once too narrow for 'Accompagné·e').
      const cutWords = await page.locator('.board').evaluate((board) => {
        const cut: string[] = [];
        const walker = document.createTreeWalker(board, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = node.textContent ?? '';
          for (const m of text.matchAll(/\S+/g)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            if (new Set(Array.from(range.getClientRects(), (r) => Math.round(r.top))).size > 1) cut.push(m[0]);
          }
        }
        return cut;
      });
      expect(cutWords).toEqual([]);
      await Promise.all([page.waitForURL(new RegExp(`/admin/candidats/${ids.elise}$`)), contact.getByRole('link', { name: 'Élise Martin' }).click()]);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Élise Martin');
    });

    it('a file: axe clean and keyboard operable; a note added and the stage changed with the keyboard alone, errors first', async () => {
      const page = signedIn.page;
      await visit(page, `/admin/candidats/${ids.elise}`);
      await check(page, '73-fiche');

      // A note, by the keyboard: the link, the kind, the text, the button.
      await tabTo(page, `nav[aria-label="Actions sur la fiche"] a[href$="/notes/nouvelle"]`, 40);
      await Promise.all([page.waitForURL(/notes\/nouvelle$/), page.keyboard.press('Enter')]);
      await check(page, '74-note');
      await tabTo(page, '#f-kind', 30);
      await page.keyboard.press('ArrowRight');
      await tabTo(page, '#f-text', 10);
      await page.keyboard.type('Appelée : visite de Marvejols prévue en avril.');
      await tabTo(page, 'form[action$="/notes/nouvelle"] button[type=submit]', 10);
      await Promise.all([page.waitForURL(/ok=note/), page.keyboard.press('Enter')]);
      expect(await page.locator('.notice--success').textContent()).toContain('C’est ajouté à l’historique.');
      expect(await page.locator('#historique ~ ol li').first().textContent()).toContain('Appelée : visite de Marvejols prévue en avril.');

      // Abandoned without a reason: the summary takes the focus and leads to the field.
      await visit(page, `/admin/candidats/${ids.elise}/etape`);
      await page.getByLabel('Abandon', { exact: true }).check();
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Changer d’étape' }).click()]);
      expect(response.status()).toBe(422);
      expect(await page.title()).toMatch(/^Erreur : /);
      expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
      await check(page, '75-etape-erreur');
      await page.getByRole('link', { name: 'Choisissez le motif de l’abandon' }).click();
      expect(await focusedId(page)).toBe('f-reason');
      await page.getByLabel('Pas de logement adapté').check();
      await Promise.all([page.waitForURL(/ok=etape/), page.getByRole('button', { name: 'Changer d’étape' }).click()]);
      const file = await server.testDb.db.kysely.selectFrom('candidates').select(['stage', 'abandon_reason']).where('id', '=', ids.elise!).executeTakeFirstOrThrow();
      expect(file).toEqual({ stage: 'abandoned', abandon_reason: 'logement' });
      expect(await page.locator('#etapes ~ ol').first().textContent()).toContain('Premier contact → Abandon (Pas de logement adapté)');
    });

    const pages: Array<[string, () => string, string]> = [
      ['the identity form', () => `/admin/candidats/${ids.karim}/identite`, '76-identite'],
      ['the project form, with the communes as suggestions', () => `/admin/candidats/${ids.karim}/projet`, '77-projet'],
      ['adding a person to the household', () => `/admin/candidats/${ids.karim}/foyer/nouveau`, '78-foyer'],
      ['giving the file to a referent', () => `/admin/candidats/${ids.karim}/referent`, '79-referent'],
      ['the duplicates', () => '/admin/candidats/doublons', '80-doublons'],
      ['the merge confirmation', () => `/admin/candidats/fusion?garder=${ids.karim}&absorber=${ids.karim2}`, '81-fusion'],
    ];
    for (const [name, path, shot] of pages) {
      it(`${name}: axe clean, keyboard operable`, async () => {
        await visit(signedIn.page, path());
        await check(signedIn.page, shot);
      });
    }

    it('the duplicates propose the two Karim Benali; a form in error is axe clean too', async () => {
      const page = signedIn.page;
      await visit(page, '/admin/candidats/doublons');
      expect(await page.locator('.tag').allTextContents()).toEqual(expect.arrayContaining(['Même téléphone']));
      await visit(page, `/admin/candidats/${ids.karim}/identite`);
      await page.getByLabel('Prénom').fill('');
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Enregistrer' }).click()]);
      expect(response.status()).toBe(422);
      await check(page, '82-identite-erreur');
    });

    it('without JavaScript: a referent given to the rows ticked, a person added to the household', async () => {
      const context = await browser.newContext({ viewport: LAPTOP_VIEWPORT, locale: 'fr-FR', timezoneId: 'Europe/Paris', baseURL: server.url, javaScriptEnabled: false });
      try {
        const page = await context.newPage();
        await signInWithForm(page, admin.email);
        await visit(page, '/admin/candidats?tri=nom');
        await page.getByLabel('Sélectionner Karim Benali').first().check();
        await page.getByLabel('Sélectionner Sophie Lefèvre').check();
        await page.getByLabel('À la référente ou au référent').selectOption({ label: 'Julien Rouvière' });
        await Promise.all([page.waitForURL(/ok=attribuees/), page.getByRole('button', { name: 'Confier les fiches cochées' }).click()]);
        const followed = await server.testDb.db.kysely.selectFrom('candidates').select('id').where('referent_id', '=', referent.id).execute();
        expect(followed).toHaveLength(2);

        await visit(page, `/admin/candidats/${ids.sophie}/foyer/nouveau`);
        await page.getByLabel('Enfant', { exact: true }).check();
        await page.getByLabel('Prénom').fill('Léa');
        await page.getByLabel('Âge').fill('7');
        await page.getByLabel('Besoin de garde ou d’école').selectOption({ label: 'École élémentaire' });
        await Promise.all([page.waitForURL(/ok=foyer-ajout/), page.getByRole('button', { name: 'Ajouter au foyer' }).click()]);
        expect(await page.locator('#foyer ~ ul.card-list').textContent()).toContain('Léa');
      } finally {
        await context.close();
      }
    });

    it('the list fits a laptop’s width, long addresses and the longest stage included, so the column it is sorted by stays in sight', async () => {
      const w = await createWebinar(server.testDb.db, { date: fridayInWeeks(5) });
      const r = await registerPerson(server, w.id as string, { email: `alexandre.mathieu88.${dialect}@example.org`, firstName: 'Alexandre', lastName: 'Mathieu', phone: '06 12 34 56 79', household: 'couple' }, 'newsletter');
      const id = (await server.testDb.db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', r.registrationId).executeTakeFirstOrThrow()).candidate_id;
      await server.testDb.db.kysely.updateTable('candidates').set({ stage: 'followed-up', referent_id: referent.id, project_type: 'plusieurs', desired_region: 'causses-et-gorges' }).where('id', '=', id).execute();
      const page = signedIn.page;
      await visit(page, '/admin/candidats');
      const fit = await page.locator('.table-wrap').first().evaluate((wrap) => ({ table: wrap.scrollWidth, wrap: wrap.clientWidth }));
      expect(fit.table).toBeLessThanOrEqual(fit.wrap);
      expect(await page.getByRole('link', { name: 'Dernière activité' }).isVisible()).toBe(true);
      // The address is still one address for whoever copies it.
      expect(await page.getByRole('row', { name: /MATHIEU Alexandre/ }).textContent()).toContain(`alexandre.mathieu88.${dialect}@example.org`);
    });
  });
});
