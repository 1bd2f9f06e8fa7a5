import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { createAgent } from '../../src/features/agents/manage-agents.ts';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import type { RegistrationForm } from '../../src/features/registrations/registration-schemas.ts';
import { systemActor } from '../../src/platform/audit/audit.ts';
import type { AgentRow } from '../../src/platform/db/schema.ts';
import { AXE_TAGS, type BrowserServer } from './browser.ts';
import { AGENT_PASSWORD } from './admin.ts';
import { TEST_ROOT } from './env.ts';
import { parsedForm } from './fixtures.ts';

/**
 * What the back-office journeys need on top of tests/support/browser.ts (browser, server, axe): a
 * laptop-sized context, agents with a known password, the keyboard checks, and screenshots kept
 * where a person can look at them after the run.
 */

/** The agents work on a laptop: every back-office page is checked at this size. */
export const LAPTOP_VIEWPORT = { width: 1280, height: 800 };

/**
 * Outside the run's own folder (which teardown deletes), so that the screenshots are still there to
 * look at after the run; ADMIN_SCREENSHOT_DIR moves them elsewhere.
 */
export const ADMIN_SCREENSHOT_DIR = process.env.ADMIN_SCREENSHOT_DIR ?? path.join(TEST_ROOT, 'screenshots-admin');

export interface LaptopContext {
  context: BrowserContext;
  page: Page;
  /** Requests to any other origin than the server's: the back-office makes none. */
  foreignRequests: string[];
  /** Console errors (a CSP violation shows there) and uncaught page errors. */
  pageProblems: string[];
}

export async function newLaptopContext(browser: Browser, baseURL: string): Promise<LaptopContext> {
  // A plain browser.newContext(): @axe-core/playwright needs one (not a persistent context).
  const context = await browser.newContext({ viewport: LAPTOP_VIEWPORT, deviceScaleFactor: 1, locale: 'fr-FR', timezoneId: 'Europe/Paris', baseURL, acceptDownloads: true });
  context.setDefaultTimeout(10_000);
  const origin = new URL(baseURL).origin;
  const foreignRequests: string[] = [];
  const pageProblems: string[] = [];
  context.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith('data:') && !url.startsWith('about:') && new URL(url).origin !== origin) foreignRequests.push(url);
  });
  context.on('page', (page) => {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      // A page answered 422 or 404 logs its own status; the tests assert those statuses themselves.
      if (msg.text().startsWith('Failed to load resource') && msg.location().url === page.url()) return;
      pageProblems.push(`console: ${msg.text()} (${msg.location().url} on ${page.url()})`);
    });
    page.on('pageerror', (err) => pageProblems.push(`pageerror: ${err.message}`));
  });
  return { context, page: await context.newPage(), foreignRequests, pageProblems };
}

let agentCounter = 0;

/** An active agent with AGENT_PASSWORD, created the way the CLI does it. */
export async function createTestAgent(server: BrowserServer, role: 'admin' | 'referent', over: { email?: string; name?: string } = {}): Promise<AgentRow> {
  agentCounter++;
  return createAgent(server.running.runtime.services, {
    email: over.email ?? `${role}.${agentCounter}.${process.pid}@lozere.example`,
    name: over.name ?? `Agent ${role} ${agentCounter}`,
    role,
    password: AGENT_PASSWORD,
    actor: systemActor,
  });
}

/** Signs in through the form (with the mouse-free locators; the keyboard journey is a test of its own). */
export async function signInWithForm(page: Page, email: string, password = AGENT_PASSWORD, from = '/admin'): Promise<void> {
  await page.goto(from === '/admin' ? '/connexion' : `/connexion?retour=${encodeURIComponent(from)}`);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await Promise.all([page.waitForURL((u) => u.pathname.startsWith('/admin')), page.getByRole('button', { name: 'Se connecter' }).click()]);
}

/** Goes to a back-office page and checks that it answered as expected (a page in error is no proof). */
export async function visit(page: Page, url: string, status = 200): Promise<void> {
  const response = await page.goto(url);
  expect(response?.status(), `status of ${url}`).toBe(status);
}

/** Tab until `selector` has the focus, as a keyboard user would; fails if it never comes. */
export async function tabTo(page: Page, selector: string, max = 15): Promise<void> {
  const target = page.locator(selector);
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  const at = await page.evaluate(() => describe(document.activeElement));
  throw new Error(`${selector} never received the focus after ${max} presses of Tab (focus is on ${at})`);

  function describe(el: Element | null): string {
    return el ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}` : 'nothing';
  }
}

/** The id of the element that has the focus, for assertions that say where the focus went. */
export function focusedId(page: Page): Promise<string | undefined> {
  return page.evaluate(() => document.activeElement?.id);
}

/**
 * axe on a page, as tests/support/browser.ts runs it (same tags, nothing disabled), minus the parts
 * given in `exclude`, each of which the caller must justify where it calls this.
 */
export async function expectNoAxeViolationsOutside(page: Page, exclude: string[]): Promise<void> {
  let builder = new AxeBuilder({ page }).withTags(AXE_TAGS);
  for (const selector of exclude) builder = builder.exclude(selector);
  const results = await builder.analyze();
  const found = results.violations.map((v) => ({ rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`.slice(0, 300)) }));
  expect(found, `axe violations on ${page.url()}`).toEqual([]);
  expect(results.passes.length, `axe checked nothing on ${page.url()}`).toBeGreaterThan(10);
}

/** A full-page screenshot at laptop size, kept under ADMIN_SCREENSHOT_DIR for a person to look at. */
export async function adminScreenshot(page: Page, name: string): Promise<string> {
  // The page as it arrives: an axe run sometimes leaves the skip link focused (seen, not explained:
  // its blank helper page closes and focus comes back), which would cover the logo in the picture.
  await page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (el?.classList.contains('skip-link')) el.blur();
  });
  fs.mkdirSync(ADMIN_SCREENSHOT_DIR, { recursive: true });
  const file = path.join(ADMIN_SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Puts the keyboard back at the top of the document, as on arrival: the body holds the focus for a
 * moment, so that the browser's next Tab starts from there (a blur alone leaves the starting point
 * where the focus was, such as on an error summary that took it on load).
 */
async function focusTopOfPage(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.scrollTo(0, 0);
    const body = document.body;
    body.tabIndex = -1;
    body.focus({ preventScroll: true });
    body.removeAttribute('tabindex');
  });
}

interface TabStop {
  index: number;
  label: string;
  /** The focus is drawn: an outline or a box-shadow (the house style draws both). */
  hasFocusStyle: boolean;
  /** Part of the focused element is inside the viewport once it has the focus. */
  onScreen: boolean;
}

/**
 * The keyboard walk of a page, from the top: the first Tab reaches the skip link (which then shows
 * and leads to the main content); then every focusable element of the page, in document order,
 * receives the focus with a visible indicator, until the focus leaves the page after the last one,
 * which proves there is no keyboard trap. Radios of one group are a single tab stop, as browsers do.
 */
export async function expectKeyboardOperable(page: Page): Promise<void> {
  const url = page.url();
  // Start as a keyboard user arriving on the page does: nothing focused, at the top.
  await focusTopOfPage(page);
  const expected = await page.evaluate(() => {
    const selector = 'a[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable="true"]';
    const seenRadioGroups = new Set<string>();
    const stops: string[] = [];
    let i = 0;
    for (const el of Array.from(document.querySelectorAll<HTMLElement>(selector))) {
      el.removeAttribute('data-kb');
      if (el.tabIndex < 0 || (el as HTMLInputElement).disabled || el.getClientRects().length === 0) continue;
      if (el.closest('[inert]') || getComputedStyle(el).visibility === 'hidden') continue;
      if (el.tagName === 'SUMMARY' && el.parentElement?.tagName !== 'DETAILS') continue;
      if (el instanceof HTMLInputElement && el.type === 'hidden') continue;
      if (el instanceof HTMLInputElement && el.type === 'radio') {
        // Tab enters a group at its checked radio, or at the first one when none is checked.
        const group = Array.from(document.querySelectorAll<HTMLInputElement>(`input[type=radio][name="${CSS.escape(el.name)}"]`));
        const entry = group.find((r) => r.checked) ?? group[0];
        if (seenRadioGroups.has(el.name) || entry !== el) continue;
        seenRadioGroups.add(el.name);
      }
      el.setAttribute('data-kb', String(i++));
      const name = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
      stops.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${name ? ` "${name}"` : ''}`);
    }
    return stops;
  });
  expect(expected.length, `focusable elements on ${url}`).toBeGreaterThan(1);

  const visited: TabStop[] = [];
  const max = expected.length + 40; // An iframe's own links take extra presses, seen from here as the iframe.
  for (let n = 0; n < max; n++) {
    await page.keyboard.press('Tab');
    const readStop = () => page.evaluate((): TabStop | null => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body || el === document.documentElement) return null;
      const index = Number(el.getAttribute('data-kb') ?? -1);
      const style = getComputedStyle(el);
      const outline = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0;
      const shadow = style.boxShadow !== 'none' && style.boxShadow !== '';
      const r = el.getBoundingClientRect();
      const onScreen = r.bottom > 0 && r.right > 0 && r.top < window.innerHeight && r.left < window.innerWidth;
      const label = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}`;
      // Inside an iframe the focus is drawn by the framed document; seen from here it is the iframe.
      return { index, label, hasFocusStyle: el.tagName === 'IFRAME' || outline || shadow, onScreen };
    });
    let stop = await readStop();
    // Focus moving into a framed document crosses processes (a sandboxed frame runs in its own):
    // for a moment the button has lost the focus and the frame does not have it yet, and the page
    // reads as if the focus had left it. Before the last stop, give the move time to land.
    for (const deadline = Date.now() + 2000; !stop && visited.length < expected.length && Date.now() < deadline; ) {
      await page.waitForTimeout(50);
      stop = await readStop();
    }
    // Past the last element the focus leaves the document: the walk is over.
    if (!stop) break;
    // The same element again: Tab walks through the parts of a date or time field (day, month,
    // year), or through the links of a framed document; a trap would never leave it (see max).
    const previous = visited[visited.length - 1];
    if (previous && previous.index === stop.index) continue;
    // Back to the first stop without leaving the page would be a cycle (a trap of the whole page).
    if (visited.length > 0 && stop.index === 0) break;
    visited.push(stop);
  }

  expect(visited.map((v) => v.index), `tab order on ${url}: expected ${expected.join(' | ')}; got ${visited.map((v) => v.label).join(' | ')}`).toEqual(expected.map((_, i) => i));
  const first = await page.evaluate(() => {
    const el = document.querySelector('[data-kb="0"]');
    return { isSkipLink: el?.classList.contains('skip-link') ?? false, href: el?.getAttribute('href') };
  });
  expect(first, `first tab stop on ${url}`).toEqual({ isSkipLink: true, href: '#contenu' });
  const noIndicator = visited.filter((v) => !v.hasFocusStyle).map((v) => expected[v.index]);
  expect(noIndicator, `elements without a visible focus on ${url}`).toEqual([]);
  const offScreen = visited.filter((v) => !v.onScreen).map((v) => expected[v.index]);
  expect(offScreen, `focused elements not scrolled into view on ${url}`).toEqual([]);

  // The skip link, once focused, is on screen and moves the focus to the main content.
  await focusTopOfPage(page);
  await page.keyboard.press('Tab');
  const skip = page.locator('.skip-link');
  const box = await skip.boundingBox();
  expect(box && box.x >= 0 && box.y >= 0 && box.width > 10, `skip link visible when focused on ${url}`).toBe(true);
  await page.keyboard.press('Enter');
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('contenu');
  // Leave the page as it was found for the next step of the test.
  await page.evaluate(() => {
    for (const el of Array.from(document.querySelectorAll('[data-kb]'))) el.removeAttribute('data-kb');
    history.replaceState(null, '', location.pathname + location.search);
  });
}

/** A registration as the public form makes it, straight through the use case. */
export async function registerPerson(server: BrowserServer, webinarId: string, form: Partial<RegistrationForm> & { email: string }, utmSource: string | null = null) {
  return registerCandidate(server.running.runtime.services, {
    webinarId,
    submissionKey: randomUUID(),
    form: parsedForm(form),
    source: { utmSource, utmMedium: utmSource ? 'social' : null, utmCampaign: null },
    actor: { type: 'candidate', id: null, ip: '127.0.0.1' },
  });
}
