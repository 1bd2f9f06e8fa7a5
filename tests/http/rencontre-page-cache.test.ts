import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/platform/db/database.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { ManualClock } from '../../src/platform/time.ts';
import type { RunningServer } from '../../src/runtime.ts';
import { createWebinar, formFields } from '../support/fixtures.ts';
import { dialects, type TestDb } from '../support/harness.ts';
import { startTestServer, type TestServer } from '../support/http-server.ts';

/** The Rencontre page over real HTTP, answered by the server's page cache once rendered (ADR 0018). */
describe.each(dialects())('the Rencontre page served again from the page cache, on %s', (dialect) => {
  let testDb: TestDb;
  let server: RunningServer;
  let running: TestServer;
  let clock: ManualClock;
  let lines: Array<Record<string, unknown>>;

  beforeEach(async () => {
    clock = new ManualClock(new Date());
    lines = [];
    const logger = createLogger('debug', {}, (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
    running = await startTestServer(dialect, { env: { LOG_LEVEL: 'debug' }, runtime: { clock, logger } });
    ({ testDb, server } = running);
  });
  afterEach(async () => {
    await running.stop();
  });

  const cachedAnswers = () => lines.filter((l) => l.msg === 'request' && l.cached === true).length;
  const seats = (html: string) => /(\d+) places? disponibles?/.exec(html)?.[1];
  const key = (html: string) => /name="submission" value="([^"]+)"/.exec(html)?.[1];

  it('answers the same page from the cache, gzipped for browsers, each with its own key and the same headers as the app', async () => {
    const date = DateTime.now().setZone('Europe/Paris').plus({ days: 30 }).toISODate()!;
    const w = await createWebinar(testDb.db, { date, capacity: 40 });
    const url = `${server.url}/rencontres/${w.slug}?utm_source=facebook&utm_campaign=janvier`;
    const first = await fetch(url);
    expect(cachedAnswers()).toBe(0);
    const firstHtml = await first.text();
    const again = await Promise.all([1, 2, 3].map(() => fetch(url)));
    expect(cachedAnswers()).toBe(3);
    const htmls = await Promise.all(again.map((r) => r.text()));
    // The same page, the campaign kept in the form, a key of its own for each visitor.
    for (const h of htmls) expect(h.replace(key(h)!, 'KEY')).toBe(firstHtml.replace(key(firstHtml)!, 'KEY'));
    expect(firstHtml).toContain('name="utm_campaign" value="janvier"');
    expect(new Set([firstHtml, ...htmls].map(key)).size).toBe(4);
    expect(seats(firstHtml)).toBe('40');
    const names = (r: Response) => [...r.headers.keys()].filter((n) => n !== 'date' && n !== 'x-request-id').sort();
    expect(names(again[0]!)).toEqual(names(first));
    for (const n of names(first)) expect(again[0]!.headers.get(n)).toBe(first.headers.get(n));
    // fetch asks for gzip as browsers do.
    expect(first.headers.get('content-encoding')).toBe('gzip');
    expect(first.headers.get('content-security-policy')).toContain("default-src 'self'");

    // The key given by the cache is a real form key: the registration made with it has its receipt there.
    const post = await fetch(`${server.url}/rencontres/${w.slug}/inscription`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
      body: new URLSearchParams({ ...formFields({ email: 'lea.page@example.org' }), submission: key(htmls[0]!)! }).toString(),
    });
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toBe(`/inscription/recu/${key(htmls[0]!)}`);

    // The registration changed the seats: the next visitor sees it at once, from the app, then cached again.
    const after = await (await fetch(url)).text();
    expect(seats(after)).toBe('39');
    expect(cachedAnswers()).toBe(3);
    expect(seats(await (await fetch(url)).text())).toBe('39');
    expect(cachedAnswers()).toBe(4);
  });

  it('sees a change written by another connection at once on SQLite, and within a second on PostgreSQL', async () => {
    const date = DateTime.now().setZone('Europe/Paris').plus({ days: 30 }).toISODate()!;
    const w = await createWebinar(testDb.db, { date, capacity: 40 });
    const url = `${server.url}/rencontres/${w.slug}`;
    await fetch(url);
    await fetch(url);
    expect(cachedAnswers()).toBe(1);
    // Another process (the CLI, a worker, another instance) renames the Rencontre.
    const other = connect(testDb.target);
    try {
      await other.kysely.updateTable('webinars').set({ title: 'Rencontre renommée ailleurs' }).where('id', '=', w.id).execute();
    } finally {
      await other.close();
    }
    const seen = await (await fetch(url)).text();
    if (dialect === 'sqlite') {
      expect(seen).toContain('Rencontre renommée ailleurs');
    } else {
      // PostgreSQL tells no other process about it: the page kept may be served for up to a second.
      expect(cachedAnswers()).toBe(2);
      clock.advance(1000);
      expect(await (await fetch(url)).text()).toContain('Rencontre renommée ailleurs');
    }
  });

  it('closes the form on the page once the Rencontre has started, without waiting for the page kept to expire', async () => {
    const start = new Date(clock.now().getTime() + 500);
    const w = await createWebinar(testDb.db, { starts_at: start.toISOString(), ends_at: new Date(start.getTime() + 3600_000).toISOString(), capacity: 40 });
    const url = `${server.url}/rencontres/${w.slug}`;
    expect(await (await fetch(url)).text()).toContain('Je m’inscris');
    await fetch(url);
    expect(cachedAnswers()).toBe(1);
    clock.advance(500);
    expect(await (await fetch(url)).text()).not.toContain('Je m’inscris');
  });
});
