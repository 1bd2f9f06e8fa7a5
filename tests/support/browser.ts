import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import type { DialectName } from '../../src/platform/db/database.ts';
import { createRuntime, startServer, type RunningServer } from '../../src/runtime.ts';
import { CHROMIUM_PATH, TEST_TMP } from './env.ts';
import { createTestDb, type TestDb } from './harness.ts';

/**
 * Real Chromium for the browser journeys: the Debian build at CHROMIUM_PATH, never a downloaded one.
 * One browser per test file (it is the slow part to start), one fresh context per test.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Most candidates come from a sponsored post on a phone: every journey runs at this size. */
export const PHONE_VIEWPORT = { width: 390, height: 844 };

/** Git-ignored; SCREENSHOT_DIR moves them out of .test-tmp, which every test run empties first. */
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? path.join(TEST_TMP, 'screenshots');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export interface PhoneContext {
  context: BrowserContext;
  /** Requests the pages made to any other origin than the server's: the site promises none. */
  foreignRequests: string[];
  /** Console errors (a CSP violation shows there) and uncaught page errors. */
  pageProblems: string[];
}

/** A phone-sized context; with `javaScriptEnabled: false` the site must work just as well. */
const phoneOptions = {
  viewport: PHONE_VIEWPORT,
  deviceScaleFactor: 1,
  isMobile: true,
  hasTouch: true,
  locale: 'fr-FR',
  timezoneId: 'Europe/Paris',
};

const withoutJavaScript = new WeakSet<BrowserContext>();

export async function newPhoneContext(browser: Browser, baseURL: string, opts: { javaScriptEnabled?: boolean } = {}): Promise<PhoneContext> {
  const javaScriptEnabled = opts.javaScriptEnabled ?? true;
  const context = await browser.newContext({ ...phoneOptions, baseURL, javaScriptEnabled });
  if (!javaScriptEnabled) withoutJavaScript.add(context);
  context.setDefaultTimeout(10_000);
  const origin = new URL(baseURL).origin;
  const foreignRequests: string[] = [];
  const pageProblems: string[] = [];
  context.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith('data:') && new URL(url).origin !== origin) foreignRequests.push(url);
  });
  context.on('page', (page) => {
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      // The document's own status (a 422 form, a 404 page) is logged too; tests assert those statuses.
      if (msg.text().startsWith('Failed to load resource') && msg.location().url === page.url()) return;
      pageProblems.push(`console: ${msg.text()} (${msg.location().url} on ${page.url()})`);
    });
    page.on('pageerror', (err) => pageProblems.push(`pageerror: ${err.message}`));
  });
  return { context, foreignRequests, pageProblems };
}

/**
 * WCAG 2.1 A and AA plus axe's best practices. No rule is disabled: a page that needs an exception
 * must say why here, next to the exception.
 */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

export async function expectNoAxeViolations(page: Page): Promise<void> {
  const context = page.context();
  if (!withoutJavaScript.has(context)) return checkWithAxe(page);
  // axe runs inside the page and waits on timers, which never fire where scripts are disabled: the very
  // markup this page received is served again, at the same address, to a page where axe can run.
  const url = page.url();
  const html = await page.content();
  const checker = await context.browser()!.newContext(phoneOptions);
  try {
    await checker.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
    const copy = await checker.newPage();
    await copy.goto(url);
    await checkWithAxe(copy, url);
  } finally {
    await checker.close();
  }
}

async function checkWithAxe(page: Page, shownUrl = page.url()): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const found = results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary ?? ''}`.slice(0, 300)),
  }));
  expect(found, `axe violations on ${shownUrl}`).toEqual([]);
  // A run that checked nothing would pass silently: make sure axe actually looked at the page.
  expect(results.passes.length, `axe checked nothing on ${shownUrl}`).toBeGreaterThan(10);
}

/** A full-page screenshot at phone size, kept under .test-tmp/screenshots for a human to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface BrowserServer {
  url: string;
  testDb: TestDb;
  running: RunningServer;
  stop(): Promise<void>;
}

/**
 * The real HTTP server on a free port, over a fresh copy of the migrated database. The worker is off
 * so that the e-mails stay in the outbox where a test can read them. The clock is the real one:
 * browsers run in real time, so fixtures must be dated in the future.
 */
export async function startBrowserServer(dialect: DialectName = 'sqlite'): Promise<BrowserServer> {
  const testDb = await createTestDb(dialect, { poolSize: 2 });
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: testDb.target.kind === 'sqlite' ? `sqlite:${testDb.target.file}` : testDb.target.url,
    DATA_DIR: TEST_TMP,
    WORKER: 'off',
    NO_DEMO: 'true',
    LOG_LEVEL: process.env.TEST_LOG === '1' ? 'debug' : 'silent',
    APP_SECRET: 'e2e-secret-that-is-long-enough-for-the-config-check',
  });
  const runtime = await createRuntime(config);
  const running = await startServer(config, runtime);
  return {
    url: running.url,
    testDb,
    running,
    async stop() {
      await running.stop();
      await testDb.drop();
    },
  };
}

/** 'YYYY-MM-DD' of a Friday at least `weeks` weeks from today (real clock): a Rencontre still open. */
export function fridayInWeeks(weeks: number): string {
  const d = new Date(Date.now() + weeks * 7 * 86_400_000);
  d.setUTCDate(d.getUTCDate() + ((5 - d.getUTCDay() + 7) % 7));
  return d.toISOString().slice(0, 10);
}
