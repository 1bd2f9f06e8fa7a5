import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import ICAL from 'ical.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Db } from '../../src/platform/db/database.ts';
import type { AgentRow } from '../../src/platform/db/schema.ts';
import { zonedWallTimeToUtc } from '../../src/platform/time.ts';
import { AGENT_PASSWORD } from '../support/admin.ts';
import { createTestAgent, focusedId, newLaptopContext, registerPerson, signInWithForm, tabTo, visit, type LaptopContext } from '../support/admin-browser.ts';
import { expectNoAxeViolations, fridayInWeeks, launchBrowser, startBrowserServer, type BrowserServer } from '../support/browser.ts';
import { createWebinar } from '../support/fixtures.ts';
import { dialects } from '../support/harness.ts';

/**
 * The back-office journeys of issue 3 in Chromium at laptop size, on each database: signing in and
 * out with the keyboard alone, planning a Rencontre and moving it with the keyboard alone (the
 * registrants get the update in the outbox), and working the registrants table (search, filter,
 * sort, open a person, cancel, give a seat, export the CSV).
 */

const chromium = inject('chromiumAvailable');
const suiteName = chromium ? 'back-office journeys in Chromium' : 'back-office journeys in Chromium (skipped: Chromium not found, see global setup)';

/**
 * A coming day whose day-of-month equals its month (1 January, 2 February…), at least four weeks
 * ahead. A date field's parts follow the browser's own language (mm/dd here, dd/mm for a French
 * agent): such a day is typed the same way in both.
 */
function dayEqualToMonth(): { iso: string; typed: string } {
  const d = new Date(Date.now() + 28 * 86_400_000);
  while (d.getUTCDate() !== d.getUTCMonth() + 1) d.setUTCDate(d.getUTCDate() + 1);
  const iso = d.toISOString().slice(0, 10);
  const [y, m, day] = iso.split('-');
  return { iso, typed: `${day}${m}${y}` };
}

/** The first event of a calendar file, read by a real iCalendar parser with the file's own VTIMEZONE. */
function readEvent(ics: string) {
  const comp = new ICAL.Component(ICAL.parse(ics));
  for (const tz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(tz));
  const vevent = comp.getFirstSubcomponent('vevent')!;
  return { event: new ICAL.Event(vevent), sequence: Number(vevent.getFirstPropertyValue('sequence') ?? 0) };
}

async function mailsOf(db: Db, kind: string) {
  return db.kysely.selectFrom('outbox_messages').selectAll().where('kind', '=', kind).orderBy('to_address').execute();
}

async function statusOf(db: Db, registrationId: string) {
  return (await db.kysely.selectFrom('registrations').select('status').where('id', '=', registrationId).executeTakeFirstOrThrow()).status;
}

/** Presses a key and waits for the page it leads to. */
async function pressAndLoad(page: Page, key: string) {
  await Promise.all([page.waitForNavigation(), page.keyboard.press(key)]);
}

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
    let referent: AgentRow;
    const contexts: LaptopContext[] = [];

    async function laptop() {
      const c = await newLaptopContext(browser, server.url);
      contexts.push(c);
      return c;
    }

    beforeAll(async () => {
      server = await startBrowserServer(dialect);
      referent = await createTestAgent(server, 'referent', { name: 'Julien Pagès' });
    });
    afterAll(async () => {
      for (const c of contexts) {
        // No page talks to another site or logs an error (a CSP violation would show here).
        expect(c.foreignRequests).toEqual([]);
        expect(c.pageProblems).toEqual([]);
        await c.context.close();
      }
      await server?.stop();
    });

    it('signs in with the keyboard alone, is told plainly about a wrong password, and signs out for good', async () => {
      const { page, context } = await laptop();
      await visit(page, '/connexion');
      await tabTo(page, '#f-email');
      await page.keyboard.type(referent.email);
      await tabTo(page, '#f-password', 1);
      await page.keyboard.type('pas le bon mot de passe');
      const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.waitForNavigation(), page.keyboard.press('Enter')]);
      expect(refused.status()).toBe(422);
      expect(await page.title()).toMatch(/^Erreur : Connexion à l’espace de gestion/);
      // The GOV.UK error summary has the focus (autofocus, no script), links to each field, and the
      // address typed is still there; the password is not sent back.
      expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);
      const summary = page.locator('.error-summary');
      expect(await summary.getAttribute('role')).toBe('alert');
      expect(await summary.getByRole('heading').textContent()).toBe('Il y a un problème');
      expect(await summary.getByRole('link').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]))).toEqual([
        ['#f-email', 'Adresse e-mail ou mot de passe incorrect'],
        ['#f-password', 'Adresse e-mail ou mot de passe incorrect'],
      ]);
      expect(await page.locator('#f-email-error').textContent()).toBe('Erreur : Adresse e-mail ou mot de passe incorrect');
      expect(await page.locator('#f-email').inputValue()).toBe(referent.email);
      expect(await page.locator('#f-password').inputValue()).toBe('');
      expect(await page.locator('#f-password').getAttribute('aria-invalid')).toBe('true');
      expect(new URL(page.url()).pathname).toBe('/connexion');
      await expectNoAxeViolations(page);

      // From the summary, the second link takes the keyboard to the password field; Enter signs in
      // and the dashboard opens.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('#f-password');
      await page.keyboard.press('Enter');
      await expect.poll(() => focusedId(page)).toBe('f-password');
      await page.keyboard.type(AGENT_PASSWORD);
      await pressAndLoad(page, 'Enter');
      expect(new URL(page.url()).pathname).toBe('/admin');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Bonjour Julien Pagès');
      expect(await page.title()).toMatch(/^Tableau de bord – /);
      const session = (await context.cookies()).filter((c) => c.httpOnly);
      expect(session).toHaveLength(1);
      expect(session[0]!.sameSite).toBe('Lax');

      // Sign out from the header, with the keyboard.
      await tabTo(page, 'form.signout button');
      await pressAndLoad(page, 'Enter');
      expect(new URL(page.url()).pathname).toBe('/connexion');
      expect(await page.getByRole('status').textContent()).toContain('Vous êtes déconnecté·e.');
      // The session is over on the server too: the old cookie, put back, opens nothing.
      await context.addCookies(session);
      await page.goto('/admin');
      expect(new URL(page.url()).pathname).toBe('/connexion');

      // Signed out, a back-office address leads to the sign-in form, which leads back there.
      await page.goto('/admin/courriels');
      expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe(`/connexion?retour=${encodeURIComponent('/admin/courriels')}`);
      await tabTo(page, '#f-email');
      await page.keyboard.type(referent.email);
      await tabTo(page, '#f-password', 1);
      await page.keyboard.type(AGENT_PASSWORD);
      await pressAndLoad(page, 'Enter');
      expect(new URL(page.url()).pathname).toBe('/admin/courriels');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Courriels');
    });

    it('plans a Rencontre with the keyboard alone, then moves it: the registrants get the new time and calendar file', async () => {
      const { page } = await laptop();
      await signInWithForm(page, referent.email);
      const db = server.testDb.db;
      const day = dayEqualToMonth();
      const title = `Rencontre du ${day.iso} (${dialect})`;

      await page.goto('/admin/rencontres');
      await tabTo(page, 'a[href="/admin/rencontres/nouvelle"]', 20);
      await pressAndLoad(page, 'Enter');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Planifier une Rencontre');

      await tabTo(page, '#f-title', 20);
      await page.keyboard.press('Control+A');
      await page.keyboard.type(title);
      await tabTo(page, '#f-kind', 1); // Généraliste, checked
      await page.keyboard.press('ArrowRight'); // Thématique
      await tabTo(page, '#f-theme', 1);
      await page.keyboard.press('ArrowDown'); // the first theme of the territory
      await tabTo(page, '#f-date', 1);
      await page.keyboard.type(day.typed);
      await tabTo(page, '#f-time', 4); // 12:30 by default, the territory's rule
      await tabTo(page, '#f-durationMinutes', 4);
      await tabTo(page, '#f-capacity', 1);
      await page.keyboard.press('Control+A');
      await page.keyboard.type('40');
      await tabTo(page, '#f-joinUrl', 1);
      await page.keyboard.type('https://visio.example.org/j/rencontre');
      await tabTo(page, '#f-summary', 1);
      await page.keyboard.type('Une heure pour découvrir la Lozère et poser vos questions.');
      await tabTo(page, '#f-programme', 2);
      await page.keyboard.press('Space');
      await tabTo(page, '#f-programme-2', 1);
      await page.keyboard.press('Space');
      await tabTo(page, '#f-speakers', 6);
      await page.keyboard.type('Claire Bonnet, cheffe de projet');
      await tabTo(page, '#f-status', 3); // Brouillon, checked
      await page.keyboard.press('ArrowDown'); // Publiée
      await tabTo(page, 'main form button[type=submit]', 1);
      const [created] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.keyboard.press('Enter')]);
      expect(created.status()).toBe(303);
      await page.waitForURL(/\/admin\/rencontres\/[0-9a-f-]+\?ok=cree$/);
      expect(await page.locator('.notice--success').textContent()).toContain('La Rencontre est enregistrée.');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(title);

      const w = await db.kysely.selectFrom('webinars').selectAll().where('title', '=', title).executeTakeFirstOrThrow();
      expect(w).toMatchObject({
        kind: 'thematic',
        theme: server.running.runtime.territory.themes[0]!.key,
        status: 'published',
        capacity: 40,
        join_url: 'https://visio.example.org/j/rencontre',
        starts_at: zonedWallTimeToUtc(day.iso, '12:30', 'Europe/Paris').toISOString(),
        ends_at: zonedWallTimeToUtc(day.iso, '13:30', 'Europe/Paris').toISOString(),
        summary: 'Une heure pour découvrir la Lozère et poser vos questions.',
      });
      expect(JSON.parse(w.programme)).toEqual(server.running.runtime.territory.programme.slice(0, 2).map((x) => x.key));
      expect(JSON.parse(w.speakers)).toEqual([{ name: 'Claire Bonnet', role: 'cheffe de projet' }]);

      // Two people register, as the public form would.
      const anne = await registerPerson(server, w.id, { email: `anne.${dialect}@example.org`, firstName: 'Anne', lastName: 'Rouvière' });
      const bruno = await registerPerson(server, w.id, { email: `bruno.${dialect}@example.org`, firstName: 'Bruno', lastName: 'Chabrol' });
      const confirmation = await db.kysely.selectFrom('outbox_messages').select('attachments').where('registration_id', '=', anne.registrationId).where('kind', '=', 'registration-confirmed').executeTakeFirstOrThrow();
      const before = readEvent(JSON.parse(confirmation.attachments)[0].content);

      // The time moves to 14:00, still with the keyboard alone.
      await page.reload();
      await tabTo(page, `a[href="/admin/rencontres/${w.id}/modifier"]`, 25);
      await pressAndLoad(page, 'Enter');
      expect(await page.locator('main .notice').textContent()).toContain('2 personnes sont inscrites.');
      await tabTo(page, '#f-time', 25);
      await page.keyboard.type('1400');
      expect(await page.locator('#f-time').inputValue()).toBe('14:00');
      await tabTo(page, 'main form button[type=submit]', 40);
      const [updated] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.keyboard.press('Enter')]);
      expect(updated.status()).toBe(303);
      await page.waitForURL(/\?ok=modifiee$/);
      expect(await page.locator('.notice--success').textContent()).toContain('Les modifications sont enregistrées.');
      expect(await page.locator('.lead').textContent()).toContain('de 14\u00a0h\u00a000 à 15\u00a0h\u00a000');

      const moved = await db.kysely.selectFrom('webinars').select(['starts_at', 'ends_at']).where('id', '=', w.id).executeTakeFirstOrThrow();
      expect(moved.starts_at).toBe(zonedWallTimeToUtc(day.iso, '14:00', 'Europe/Paris').toISOString());
      const notices = await mailsOf(db, 'webinar-updated');
      expect(notices.map((m) => [m.to_address, m.subject, m.status])).toEqual([
        [`anne.${dialect}@example.org`, `Nouvel horaire : ${title}`, 'queued'],
        [`bruno.${dialect}@example.org`, `Nouvel horaire : ${title}`, 'queued'],
      ]);
      expect(notices[0]!.text).toContain('de 14\u00a0h\u00a000 à 15\u00a0h\u00a000');
      // The new calendar file replaces the event already in Anne's agenda: same UID, later SEQUENCE.
      const after = readEvent(JSON.parse(notices[0]!.attachments)[0].content);
      expect(after.event.uid).toBe(before.event.uid);
      expect(after.sequence).toBeGreaterThan(before.sequence);
      expect(after.event.startDate.zone.tzid).toBe('Europe/Paris');
      expect([after.event.startDate.hour, after.event.startDate.minute]).toEqual([14, 0]);
      expect(after.event.startDate.toJSDate().toISOString()).toBe(moved.starts_at);
      expect(bruno.status).toBe('confirmed');
    });

    it('works the registrants table: search, filter, sort, open a person, cancel, give a seat, export the CSV', async () => {
      const { page } = await laptop();
      await signInWithForm(page, referent.email);
      const db = server.testDb.db;
      const w = await createWebinar(db, { date: fridayInWeeks(6), capacity: 2, title: `Rencontre de printemps (${dialect})` });
      const id = w.id as string;
      const elise = await registerPerson(server, id, { email: `elise.${dialect}@example.org`, firstName: 'Élise', lastName: 'Martin', project: 'salarie' }, 'facebook');
      const karim = await registerPerson(server, id, { email: `karim.${dialect}@example.org`, firstName: 'Karim', lastName: 'Benali', project: 'creation-reprise' }, 'linkedin');
      const sophie = await registerPerson(server, id, { email: `sophie.${dialect}@example.org`, firstName: 'Sophie', lastName: 'Lefèvre', project: 'teletravail' });
      const hugo = await registerPerson(server, id, { email: `hugo.${dialect}@example.org`, firstName: 'Hugo', lastName: 'Moreau', project: 'creation-reprise' }, 'facebook');
      expect([elise.status, karim.status, sophie.status, hugo.status]).toEqual(['confirmed', 'confirmed', 'waitlisted', 'waitlisted']);
      const names = () => page.locator('table tbody th[scope=row]').allTextContents().then((xs) => xs.map((x) => x.trim()));

      await visit(page, `/admin/rencontres/${id}`);
      expect(await names()).toHaveLength(4);

      // Search, by a name with an accent; Enter in the box sends the filters.
      await page.getByLabel('Rechercher').fill('Lefèvre');
      await pressAndLoad(page, 'Enter');
      expect(new URL(page.url()).searchParams.get('q')).toBe('Lefèvre');
      expect(await names()).toEqual(['LEFÈVRE Sophie']);
      expect(await page.locator('main p[role=status]').textContent()).toContain('1 personne correspond aux filtres.');

      // A select: the project.
      await page.getByRole('link', { name: 'Effacer les filtres' }).click();
      await page.waitForURL((u) => u.search === '');
      await page.getByLabel('Projet').selectOption({ label: 'Créer ou reprendre une entreprise' });
      await Promise.all([page.waitForURL(/projet=creation-reprise/), page.getByRole('button', { name: 'Filtrer' }).click()]);
      expect((await names()).sort()).toEqual(['BENALI Karim', 'MOREAU Hugo']);
      expect(await page.getByLabel('Projet').inputValue()).toBe('creation-reprise');

      // Sort by name, both ways, keeping the filter.
      const nameHeader = page.locator('thead th').filter({ hasText: 'Nom' });
      await Promise.all([page.waitForURL(/tri=nom/), nameHeader.getByRole('link').click()]);
      expect(await names()).toEqual(['BENALI Karim', 'MOREAU Hugo']);
      expect(await nameHeader.getAttribute('aria-sort')).toBe('ascending');
      expect(new URL(page.url()).searchParams.get('projet')).toBe('creation-reprise');
      await Promise.all([page.waitForURL(/ordre=desc/), nameHeader.getByRole('link').click()]);
      expect(await names()).toEqual(['MOREAU Hugo', 'BENALI Karim']);
      expect(await nameHeader.getAttribute('aria-sort')).toBe('descending');

      // Each row opens the person.
      await Promise.all([page.waitForURL(/\/admin\/candidats\//), page.getByRole('link', { name: 'BENALI Karim' }).click()]);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Karim Benali');
      expect(await page.locator('.summary-list').textContent()).toContain('Créer ou reprendre une entreprise');
      expect(await page.locator('table').textContent()).toContain(w.title);

      // Cancelling goes through a confirmation page; the seat goes to the first person waiting.
      await visit(page, `/admin/rencontres/${id}`);
      await Promise.all([page.waitForURL(/\/annuler$/), page.getByRole('link', { name: 'Annuler l’inscription de Élise Martin' }).click()]);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Annuler l’inscription de Élise Martin ?');
      expect(await statusOf(db, elise.registrationId)).toBe('confirmed');
      await Promise.all([page.waitForURL(/ok=annulee/), page.getByRole('button', { name: 'Oui, annuler l’inscription' }).click()]);
      expect(await page.locator('.notice--success').textContent()).toContain('L’inscription est annulée');
      expect(await statusOf(db, elise.registrationId)).toBe('cancelled');
      expect(await statusOf(db, sophie.registrationId)).toBe('confirmed');
      expect((await mailsOf(db, 'registration-cancelled')).map((m) => m.to_address)).toContain(`elise.${dialect}@example.org`);

      // A seat from the waiting list, over the capacity, said so before it is done.
      await Promise.all([page.waitForURL(/\/confirmer$/), page.getByRole('link', { name: 'Donner une place à Hugo Moreau' }).click()]);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Donner une place à Hugo Moreau ?');
      expect(await page.locator('main').textContent()).toContain('La Rencontre est complète (2 places sur 2).');
      await Promise.all([page.waitForURL(/ok=confirmee/), page.getByRole('button', { name: 'Oui, dépasser la capacité' }).click()]);
      expect(await page.locator('.notice--success').textContent()).toContain('La personne a une place ; elle est prévenue par e-mail.');
      expect(await statusOf(db, hugo.registrationId)).toBe('confirmed');
      expect((await mailsOf(db, 'registration-promoted')).map((m) => m.to_address)).toEqual(expect.arrayContaining([`hugo.${dialect}@example.org`, `sophie.${dialect}@example.org`]));
      expect(await page.locator('.stats').textContent()).toContain('3 inscrits confirmés');

      // The CSV export, as the browser downloads it: a byte-order mark, semicolons, the accents intact.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'CSV' }).click()]);
      expect(download.suggestedFilename()).toBe(`inscrits-${w.slug}.csv`);
      const bytes = fs.readFileSync(await download.path());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.toString('utf8');
      expect(text.split('\r\n')[0]).toBe('\uFEFFStatut;Prénom;Nom;E-mail;Téléphone;Code postal;Commune;Pays;Projet;Foyer;Horizon;Région envisagée;Connu par;Question;Source;Support;Campagne;Inscrit le;Inscrit par;Présent;Minutes');
      const rows = parse(bytes, { bom: true, delimiter: ';', columns: true }) as Array<Record<string, string>>;
      expect(rows.map((r) => [r['Prénom'], r['Nom'], r['Source']]).sort()).toEqual([
        ['Hugo', 'Moreau', 'facebook'],
        ['Karim', 'Benali', 'linkedin'],
        ['Sophie', 'Lefèvre', ''],
        ['Élise', 'Martin', 'facebook'],
      ]);
      expect(rows.find((r) => r['Nom'] === 'Benali')!['Projet']).toBe('Créer ou reprendre une entreprise');
      const exported = await db.kysely.selectFrom('audit_log').select(['actor_id', 'details']).where('action', '=', 'registrations.exported').where('subject_id', '=', id).execute();
      expect(exported).toHaveLength(1);
      expect(exported[0]!.actor_id).toBe(referent.id);
    });
  });
});
