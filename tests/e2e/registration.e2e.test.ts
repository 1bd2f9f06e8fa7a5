import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import type { Db } from '../../src/platform/db/database.ts';
import type { NewWebinarRow } from '../../src/platform/db/schema.ts';
import {
  expectNoAxeViolations,
  fridayInWeeks,
  launchBrowser,
  newPhoneContext,
  screenshot,
  startBrowserServer,
  type BrowserServer,
  type PhoneContext,
} from '../support/browser.ts';
import { createWebinar, parsedForm } from '../support/fixtures.ts';
import { dialects } from '../support/harness.ts';

/**
 * The candidate's journey in a real browser on a phone-sized screen: register (JavaScript on and off),
 * get the GOV.UK error pattern on bad input, cancel from the private link, land on the waiting list
 * of a full Rencontre. Every page visited goes through axe.
 */

const chromium = inject('chromiumAvailable');
const suiteName = chromium ? 'registration journeys in Chromium' : 'registration journeys in Chromium (skipped: Chromium not found, see global setup)';

interface Person {
  firstName: string;
  lastName: string;
  email: string;
}

/** Fills the form with Playwright's locators, by the labels a person reads. */
async function fillWithLocators(page: Page, p: Person) {
  await page.getByLabel('Prénom').fill(p.firstName);
  await page.getByLabel('Nom', { exact: true }).fill(p.lastName);
  await page.getByLabel('Adresse e-mail').fill(p.email);
  await page.getByLabel('Téléphone (facultatif)').fill('06 12 34 56 78');
  await page.getByRole('group', { name: 'Où habitez-vous aujourd’hui ?' }).getByRole('radio', { name: 'En France' }).check();
  await page.getByLabel('Code postal').fill('69003');
  await page.getByLabel('Commune').fill('Lyon');
  await page.getByRole('group', { name: 'Quel est votre projet professionnel ?' }).getByRole('radio', { name: 'Créer ou reprendre une entreprise' }).check();
  await page.getByRole('group', { name: 'Avec qui envisagez-vous de vous installer ?' }).getByRole('radio', { name: 'En couple' }).check();
  await page.getByRole('group', { name: 'Quand envisagez-vous de vous installer ?' }).getByRole('radio', { name: 'Dans 6 à 12 mois' }).check();
  await page.getByRole('group', { name: 'Où imaginez-vous vivre en Lozère ?' }).getByRole('radio', { name: 'Aubrac' }).check();
  await page.getByLabel('Comment avez-vous connu les Rencontres ? (facultatif)').selectOption({ label: 'LinkedIn' });
  await page.getByLabel('Une question pour l’équipe ? (facultatif)').fill('Y a-t-il des crèches à Marvejols ?');
}

/** Tab until `selector` has the focus, as a keyboard user would; fails if it never comes. */
async function tabTo(page: Page, selector: string, max = 12) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.locator(selector).evaluate((el) => el === document.activeElement)) return;
  }
  throw new Error(`${selector} never received the focus after ${max} presses of Tab`);
}

/** Fills the whole form with the keyboard only: Tab between fields, Space and arrows in radio groups. */
async function fillWithKeyboard(page: Page, p: Person) {
  await page.getByLabel('Prénom').focus();
  await page.keyboard.type(p.firstName);
  await tabTo(page, '#f-lastName', 1);
  await page.keyboard.type(p.lastName);
  await tabTo(page, '#f-email', 1);
  await page.keyboard.type(p.email);
  await tabTo(page, '#f-phone', 1);
  // No phone: it is optional.
  await tabTo(page, '#f-livesIn', 1);
  await page.keyboard.press('Space'); // En France
  await tabTo(page, '#f-postcode', 1);
  await page.keyboard.type('33000');
  await tabTo(page, '#f-town', 1);
  await page.keyboard.type('Bordeaux');
  await tabTo(page, '#f-country', 1);
  await tabTo(page, '#f-project', 1);
  await page.keyboard.press('ArrowDown'); // Créer ou reprendre une entreprise
  await page.keyboard.press('ArrowDown'); // Continuer mon activité en télétravail
  await tabTo(page, '#f-household', 1);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown'); // Avec des enfants
  await tabTo(page, '#f-horizon', 1);
  await page.keyboard.press('Space'); // Dans moins de 6 mois
  await tabTo(page, '#f-desiredRegion', 1);
  await page.keyboard.press('ArrowDown'); // Margeride
  await tabTo(page, '#f-heardFrom', 1);
  await page.keyboard.press('ArrowDown'); // Facebook ou Instagram
  await tabTo(page, '#f-question', 1);
  await page.keyboard.type('Comment venir depuis Bordeaux ?');
  await tabTo(page, '#f-newsOptIn', 1);
  await page.keyboard.press('Space');
  await tabTo(page, 'form button[type=submit]');
}

async function submitForm(page: Page) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && /\/rencontres\/[^/]+\/inscription$/.test(r.url())),
    page.getByRole('button', { name: 'Je m’inscris' }).click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

async function registrationOf(db: Db, email: string, webinarId: string) {
  return db.kysely
    .selectFrom('registrations')
    .innerJoin('candidates', 'candidates.id', 'registrations.candidate_id')
    .selectAll('registrations')
    .select(['candidates.email', 'candidates.first_name', 'candidates.last_name', 'candidates.project as candidate_project', 'candidates.news_opt_in', 'candidates.phone', 'candidates.postcode', 'candidates.town'])
    .where('candidates.email_normalized', '=', email.toLowerCase())
    .where('registrations.webinar_id', '=', webinarId)
    .executeTakeFirst();
}

async function outboxFor(db: Db, registrationId: string) {
  return db.kysely.selectFrom('outbox_messages').selectAll().where('registration_id', '=', registrationId).orderBy('created_at').execute();
}

/** The private link, as the person finds it in the text of the e-mail they received. */
function privatePathFrom(text: string): string {
  const m = /https?:\/\/[^\s/]+(\/mon-inscription\/[A-Za-z0-9_-]{43})(?![A-Za-z0-9_/-])/.exec(text);
  if (!m) throw new Error(`no private link in the e-mail:\n${text}`);
  return m[1]!;
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
    let next: NewWebinarRow;
    const contexts: PhoneContext[] = [];
    /** Screenshots once, from the SQLite run: the pages are the same on both databases. */
    const shoot = (page: Page, name: string) => (dialect === 'sqlite' ? screenshot(page, name) : Promise.resolve(''));

    async function phone(javaScriptEnabled = true) {
      const pc = await newPhoneContext(browser, server.url, { javaScriptEnabled });
      contexts.push(pc);
      return { ...pc, page: await pc.context.newPage() };
    }

    beforeAll(async () => {
      server = await startBrowserServer(dialect);
      // The next Rencontre: the one the home page offers. Other tests use later ones of their own.
      next = await createWebinar(server.testDb.db, { date: fridayInWeeks(3), capacity: 80 });
    });
    afterAll(async () => {
      for (const pc of contexts) {
        // No page may talk to another site, or log an error (a CSP violation would show here).
        expect(pc.foreignRequests).toEqual([]);
        expect(pc.pageProblems).toEqual([]);
        await pc.context.close();
      }
      await server?.stop();
    });

    it('registers to the next Rencontre from the home page, JavaScript on', async () => {
      const { page } = await phone(true);
      await page.goto('/');
      await expectNoAxeViolations(page);
      await page.getByRole('link', { name: 'Je m’inscris à la prochaine Rencontre' }).click();
      await expect.poll(() => new URL(page.url()).pathname).toBe(`/rencontres/${next.slug}`);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(next.title);
      await expectNoAxeViolations(page);

      const person = { firstName: 'Élise', lastName: 'Martin', email: `Elise.Martin.${dialect}@Example.org` };
      await fillWithLocators(page, person);
      const response = await submitForm(page);
      expect(response.status()).toBe(303);

      expect(new URL(page.url()).pathname).toMatch(/^\/inscription\/recu\/[A-Za-z0-9-]+$/);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Inscription confirmée');
      expect(await page.title()).toMatch(/^Inscription confirmée – /);
      // The address is masked on a page that anyone behind this screen could see.
      expect(await page.locator('main').textContent()).toContain('E*****@Example.org');
      await expectNoAxeViolations(page);
      await shoot(page, 'confirmation');

      const reg = await registrationOf(server.testDb.db, person.email, next.id as string);
      expect(reg).toMatchObject({ status: 'confirmed', first_name: 'Élise', last_name: 'Martin', candidate_project: 'creation-reprise', heard_from: 'linkedin', question: 'Y a-t-il des crèches à Marvejols ?', desired_region: 'aubrac', created_by: 'candidate' });
      const mails = await outboxFor(server.testDb.db, reg!.id);
      expect(mails.map((m) => [m.kind, m.to_address, m.status])).toEqual([['registration-confirmed', person.email, 'queued']]);
    });

    it('registers with JavaScript off, filled with the keyboard only, and keeps the campaign of the link', async () => {
      const { page } = await phone(false);
      await page.goto(`/rencontres/${next.slug}?utm_source=facebook&utm_medium=social&utm_campaign=printemps-2027`);
      // The page carries no script at all: nothing in this journey can lean on one.
      expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(0);
      await expectNoAxeViolations(page);
      const person = { firstName: 'Karim', lastName: 'Benali', email: `karim.benali.${dialect}@example.org` };
      await fillWithKeyboard(page, person);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/inscription')),
        page.keyboard.press('Enter'),
      ]);
      expect(response.status()).toBe(303);
      await page.waitForURL(/\/inscription\/recu\//);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Inscription confirmée');
      await expectNoAxeViolations(page);

      const reg = await registrationOf(server.testDb.db, person.email, next.id as string);
      expect(reg).toMatchObject({
        status: 'confirmed',
        first_name: 'Karim',
        phone: null,
        candidate_project: 'teletravail',
        household: 'enfants',
        horizon: 'moins-6-mois',
        desired_region: 'margeride',
        heard_from: 'facebook',
        question: 'Comment venir depuis Bordeaux ?',
        news_opt_in: 1,
        postcode: '33000',
        town: 'Bordeaux',
        utm_source: 'facebook',
        utm_medium: 'social',
        utm_campaign: 'printemps-2027',
      });
      const mails = await outboxFor(server.testDb.db, reg!.id);
      expect(mails.map((m) => [m.kind, m.to_address])).toEqual([['registration-confirmed', person.email]]);
    });

    for (const javaScriptEnabled of [true, false]) {
      it(`shows the GOV.UK error pattern on bad input, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, async () => {
        const webinar = await createWebinar(server.testDb.db, { date: fridayInWeeks(6) });
        const { page } = await phone(javaScriptEnabled);
        await page.goto(`/rencontres/${webinar.slug}`);
        await page.getByLabel('Prénom').fill('Élise');
        await page.getByLabel('Adresse e-mail').fill('pas-une-adresse');
        await page.getByRole('radio', { name: 'En France' }).check();
        await page.getByLabel('Code postal').fill('48000');
        await page.getByLabel('Commune').fill('Mende');
        await page.getByRole('radio', { name: 'Me reconvertir' }).check();
        await page.getByLabel('Une question pour l’équipe ? (facultatif)').fill('Ma question reste là');
        const response = await submitForm(page);

        expect(response.status()).toBe(422);
        expect(await page.title()).toMatch(/^Erreur : /);
        const summary = page.locator('.error-summary');
        expect(await summary.getAttribute('role')).toBe('alert');
        expect(await summary.getAttribute('tabindex')).toBe('-1');
        expect(await summary.getByRole('heading').textContent()).toBe('Il y a un problème');
        // The summary has the focus on arrival (autofocus: no script needed), so it is read first.
        expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary'))).toBe(true);

        const expected: Array<[string, string]> = [
          ['f-lastName', 'Saisissez votre nom'],
          ['f-email', 'Saisissez une adresse e-mail valide, comme nom@exemple.fr'],
          ['f-household', 'Indiquez avec qui vous envisagez de vous installer'],
          ['f-horizon', 'Indiquez quand vous envisagez de vous installer'],
          ['f-desiredRegion', 'Choisissez où vous imaginez vivre en Lozère, ou « Je ne sais pas encore »'],
        ];
        const links = summary.getByRole('link');
        expect(await links.evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]))).toEqual(expected.map(([id, msg]) => [`#${id}`, msg]));

        for (const [id, message] of expected) {
          // The same message inline, inside the field's group, tied to it for screen readers.
          const inline = page.locator(`#${id}-error`);
          expect(await inline.isVisible()).toBe(true);
          expect(await inline.textContent()).toBe(`Erreur : ${message}`);
          const group = page.locator('.form-group--error').filter({ has: page.locator(`#${id}`) });
          expect(await group.count()).toBe(1);
          expect(await group.locator(`#${id}-error`).count()).toBe(1);
          const described = page.locator(`#${id}`).locator('xpath=ancestor-or-self::*[@aria-describedby][1]');
          expect((await described.getAttribute('aria-describedby'))?.split(' ')).toContain(`${id}-error`);
        }
        expect(await page.locator('#f-email').getAttribute('aria-invalid')).toBe('true');
        await expect.poll(() => page.getByLabel('Adresse e-mail').evaluate((el) => (el as HTMLInputElement).labels?.[0]?.textContent)).toBe('Adresse e-mail');

        // Each link of the summary moves the focus to its field, scrolled so that its question and
        // its message are on screen above it.
        for (const [id, message] of expected) {
          await summary.getByRole('link', { name: message }).click();
          await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(id);
          const onScreen = await page.locator(`#${id}`).evaluate((field, errorId) => {
            const question = field.closest('fieldset')?.querySelector('legend') ?? (field as HTMLInputElement).labels?.[0];
            const top = (el: Element | null | undefined) => el?.getBoundingClientRect().top ?? -1;
            const bottom = (el: Element | null | undefined) => el?.getBoundingClientRect().bottom ?? Infinity;
            const error = document.getElementById(errorId);
            return [question, error, field].every((el) => top(el) >= 0 && bottom(el) <= window.innerHeight);
          }, `${id}-error`);
          expect(onScreen, `label, message and field of #${id} visible together`).toBe(true);
        }

        // What was typed is still there.
        expect(await page.getByLabel('Prénom').inputValue()).toBe('Élise');
        expect(await page.getByLabel('Adresse e-mail').inputValue()).toBe('pas-une-adresse');
        expect(await page.getByLabel('Code postal').inputValue()).toBe('48000');
        expect(await page.getByLabel('Commune').inputValue()).toBe('Mende');
        expect(await page.getByRole('radio', { name: 'En France' }).isChecked()).toBe(true);
        expect(await page.getByRole('radio', { name: 'Me reconvertir' }).isChecked()).toBe(true);
        expect(await page.getByLabel('Une question pour l’équipe ? (facultatif)').inputValue()).toBe('Ma question reste là');

        await expectNoAxeViolations(page);
        if (javaScriptEnabled) await shoot(page, 'form-in-error');
        expect(await server.testDb.db.kysely.selectFrom('registrations').select('id').where('webinar_id', '=', webinar.id as string).execute()).toEqual([]);

        // Corrected, the same form goes through.
        const email = `corrige.${javaScriptEnabled ? 'js' : 'nojs'}.${dialect}@example.org`;
        await page.getByLabel('Nom', { exact: true }).fill('Durand');
        await page.getByLabel('Adresse e-mail').fill(email);
        await page.getByRole('radio', { name: 'Seul·e' }).check();
        await page.getByRole('group', { name: 'Quand envisagez-vous de vous installer ?' }).getByRole('radio', { name: 'Je ne sais pas encore' }).check();
        await page.getByRole('group', { name: 'Où imaginez-vous vivre en Lozère ?' }).getByRole('radio', { name: 'Je ne sais pas encore' }).check();
        expect((await submitForm(page)).status()).toBe(303);
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Inscription confirmée');
        const reg = await registrationOf(server.testDb.db, email, webinar.id as string);
        expect(reg).toMatchObject({ status: 'confirmed', last_name: 'Durand', question: 'Ma question reste là', desired_region: 'unknown' });
      });
    }

    it('cancels from the private link of the e-mail, through a confirmation page, and frees the seat', async () => {
      const webinar = await createWebinar(server.testDb.db, { date: fridayInWeeks(7), capacity: 30 });
      const { page } = await phone(true);
      await page.goto(`/rencontres/${webinar.slug}`);
      const person = { firstName: 'Sophie', lastName: 'Lefèvre', email: `sophie.lefevre.${dialect}@example.org` };
      await fillWithLocators(page, person);
      expect((await submitForm(page)).status()).toBe(303);
      const reg = (await registrationOf(server.testDb.db, person.email, webinar.id as string))!;
      expect(reg.status).toBe('confirmed');

      const [mail] = await outboxFor(server.testDb.db, reg.id);
      const privatePath = privatePathFrom(mail!.text);
      await page.goto(privatePath);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Mon inscription');
      expect(await page.locator('.summary-list').first().textContent()).toContain('Inscription confirmée');
      await expectNoAxeViolations(page);
      await shoot(page, 'private-page');

      await page.getByRole('link', { name: 'Annuler mon inscription' }).click();
      await page.waitForURL(`**${privatePath}/annuler`);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Voulez-vous vraiment annuler votre inscription ?');
      // Nothing is cancelled until the person confirms.
      expect((await registrationOf(server.testDb.db, person.email, webinar.id as string))!.status).toBe('confirmed');
      await expectNoAxeViolations(page);
      await shoot(page, 'cancel-confirmation');

      await page.getByRole('button', { name: 'Oui, annuler mon inscription' }).click();
      await page.waitForURL(`**${privatePath}?annulee=1`);
      const notice = page.getByRole('status');
      expect(await notice.textContent()).toContain('Votre inscription est annulée.');
      expect(await page.locator('.summary-list').first().textContent()).toContain('Inscription annulée');
      expect(await page.getByRole('link', { name: 'Annuler mon inscription' }).count()).toBe(0);
      await expectNoAxeViolations(page);
      await shoot(page, 'private-page-cancelled');

      const after = (await registrationOf(server.testDb.db, person.email, webinar.id as string))!;
      expect(after.status).toBe('cancelled');
      expect(after.cancelled_at).not.toBeNull();
      expect((await outboxFor(server.testDb.db, reg.id)).map((m) => m.kind)).toEqual(['registration-confirmed', 'registration-cancelled']);

      // The seat is free again on the Rencontre page.
      await page.goto(`/rencontres/${webinar.slug}`);
      expect(await page.locator('.panel').textContent()).toContain('30 places disponibles');
    });

    it('puts the person on the waiting list of a full Rencontre, says so plainly, and moves them up when a seat frees', async () => {
      const webinar = await createWebinar(server.testDb.db, { date: fridayInWeeks(8), capacity: 1 });
      const first = await registerCandidate(server.running.runtime.services, {
        webinarId: webinar.id as string,
        submissionKey: crypto.randomUUID(),
        form: parsedForm({ email: `premiere.${dialect}@example.org`, firstName: 'Anne' }),
        source: { utmSource: null, utmMedium: null, utmCampaign: null },
        actor: { type: 'candidate', id: null, ip: '127.0.0.1' },
      });
      expect(first.status).toBe('confirmed');

      const { page } = await phone(true);
      await page.goto(`/rencontres/${webinar.slug}`);
      expect(await page.locator('.panel').textContent()).toContain('complet, liste d’attente ouverte');
      expect(await page.locator('#inscription ~ .notice').textContent()).toContain('Cette Rencontre est complète. Inscrivez-vous quand même : vous serez sur la liste d’attente');
      await expectNoAxeViolations(page);
      await shoot(page, 'webinar-full');

      const person = { firstName: 'Hugo', lastName: 'Moreau', email: `hugo.moreau.${dialect}@example.org` };
      await fillWithLocators(page, person);
      expect((await submitForm(page)).status()).toBe(303);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Vous êtes sur la liste d’attente');
      expect(await page.locator('main').textContent()).toContain('La Rencontre est complète. Vous êtes sur la liste d’attente, en position 1.');
      await expectNoAxeViolations(page);
      await shoot(page, 'waitlist-receipt');

      const reg = (await registrationOf(server.testDb.db, person.email, webinar.id as string))!;
      expect(reg.status).toBe('waitlisted');
      expect((await outboxFor(server.testDb.db, reg.id)).map((m) => m.kind)).toEqual(['registration-waitlisted']);

      // The first person cancels from their own private link: the seat goes to Hugo, with an e-mail.
      const [firstMail] = await outboxFor(server.testDb.db, first.registrationId);
      await page.goto(`${privatePathFrom(firstMail!.text)}/annuler`);
      await page.getByRole('button', { name: 'Oui, annuler mon inscription' }).click();
      await page.waitForURL(/annulee=1/);
      expect((await registrationOf(server.testDb.db, person.email, webinar.id as string))!.status).toBe('confirmed');
      const hugoMails = await outboxFor(server.testDb.db, reg.id);
      expect(hugoMails.map((m) => m.kind)).toEqual(['registration-waitlisted', 'registration-promoted']);
      await page.goto(privatePathFrom(hugoMails[0]!.text));
      expect(await page.locator('.summary-list').first().textContent()).toContain('Inscription confirmée');
    });
  });
});
