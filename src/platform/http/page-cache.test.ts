import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { ManualClock } from '../time.ts';
import { acceptsGzip, PageCache, PageTemplate, PAGE_CACHE_TTL_MS } from './page-cache.ts';
import { securityHeaderList } from './security.ts';

const page = (standIn: string) =>
  '<!DOCTYPE html><html lang="fr"><head><title>Rencontre – Lozère</title></head><body>' +
  '<p>Été, Causses et Gorges, Cévennes — « accueil » · 88 places</p>'.repeat(40) +
  `<form><input type="hidden" name="submission" value="${standIn}"/></form>` +
  '<footer>Département de la Lozère — mentions légales</footer>'.repeat(25) +
  '</body></html>';

describe('a page template with a hole for the submission key', () => {
  it('gives, plain and gzipped, the page with the fill in place of the stand-in, for any fill', () => {
    const standIn = randomUUID();
    const html = page(standIn);
    const t = new PageTemplate(html, standIn);
    for (let i = 0; i < 200; i++) {
      const fill = randomUUID();
      const expected = html.replace(standIn, fill);
      expect(t.render(fill, false).toString('utf8')).toBe(expected);
      // gunzip checks the CRC-32 and the length of the trailer as well as the deflate stream.
      const gz = t.render(fill, true);
      expect(gz.length).toBeLessThan(Buffer.byteLength(html) / 3);
      expect(zlib.gunzipSync(gz).toString('utf8')).toBe(expected);
    }
  });

  it('works with the hole at the very start or the very end of the page', () => {
    for (const make of [(s: string) => s + 'après'.repeat(100), (s: string) => 'avant'.repeat(100) + s, (s: string) => s]) {
      const standIn = randomUUID();
      const t = new PageTemplate(make(standIn), standIn);
      const fill = randomUUID();
      expect(zlib.gunzipSync(t.render(fill, true)).toString('utf8')).toBe(make(fill));
    }
  });

  it('keeps a page without the stand-in (no form) whole, the same for everyone', () => {
    const html = page('').replace('value=""', 'value="fixe"');
    const t = new PageTemplate(html, randomUUID());
    expect(t.hasHole).toBe(false);
    expect(t.render(randomUUID(), false).toString('utf8')).toBe(html);
    expect(zlib.gunzipSync(t.render(randomUUID(), true)).toString('utf8')).toBe(html);
  });

  it('refuses a stand-in that is repeated or of another length', () => {
    const s = randomUUID();
    expect(() => new PageTemplate(`${s}${s}`, s)).toThrow(/once at most/);
    expect(() => new PageTemplate('<p>x</p>', 'court')).toThrow(/36/);
  });
});

describe('Accept-Encoding', () => {
  it('allows gzip when listed without q=0, or through *', () => {
    expect(acceptsGzip('gzip, deflate, br, zstd')).toBe(true);
    expect(acceptsGzip('br;q=1.0, gzip;q=0.8')).toBe(true);
    expect(acceptsGzip('GZIP')).toBe(true);
    expect(acceptsGzip('*')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('gzip;q=0, *')).toBe(false);
    expect(acceptsGzip('br, *;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip('')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });
});

describe('the page cache in front of the app', () => {
  let server: Server | undefined;
  afterEach(async () => {
    if (server) await new Promise((r) => server!.close(r));
    server = undefined;
  });

  async function setUp() {
    const clock = new ManualClock('2026-11-29T10:00:00Z');
    let stamp = 'A';
    const lines: string[] = [];
    const cache = new PageCache({ changeStamp: () => stamp, clock, logger: createLogger('debug', {}, (l) => lines.push(l)), isHttps: true });
    const standIn = randomUUID();
    const template = new PageTemplate(page(standIn), standIn);
    let appCalls = 0;
    server = createServer(
      cache.front((req, res) => {
        appCalls++;
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`app ${req.url}`);
      }),
    );
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
    return { clock, cache, template, standIn, lines, base, setStamp: (s: string) => (stamp = s), appCalls: () => appCalls };
  }

  it('answers a stored address itself, with the security headers, a key of its own each time, gzipped when asked', async () => {
    const t = await setUp();
    t.cache.store('/rencontres/r?utm_source=facebook', t.template, 'A');
    const keys = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${t.base}/rencontres/r?utm_source=facebook`);
      expect(res.status).toBe(200);
      const html = await res.text();
      keys.add(/name="submission" value="([^"]+)"/.exec(html)![1]!);
      expect(res.headers.get('content-encoding')).toBe('gzip');
      expect(res.headers.get('vary')).toBe('Accept-Encoding');
      expect(res.headers.get('cache-control')).toBe('private, no-cache');
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      for (const [name, value] of securityHeaderList(true)) expect(res.headers.get(name)).toBe(value);
    }
    expect(keys.size).toBe(5);
    expect(keys.has(t.standIn)).toBe(false);
    expect(t.appCalls()).toBe(0);
    expect(t.lines.filter((l) => JSON.parse(l).cached === true)).toHaveLength(5);
    // Another address, a HEAD or a POST go to the app.
    expect(await (await fetch(`${t.base}/rencontres/r`)).text()).toBe('app /rencontres/r');
    expect((await fetch(`${t.base}/rencontres/r?utm_source=facebook`, { method: 'POST' })).status).toBe(200);
    expect(t.appCalls()).toBe(2);
  });

  it('hands the request to the app if reading the change stamp fails, and forgets what it kept', async () => {
    const t = await setUp();
    const failing = new PageCache({
      changeStamp: () => {
        throw new Error('database busy');
      },
      clock: t.clock,
      logger: createLogger('silent'),
      isHttps: false,
    });
    failing.store('/p', t.template, 'A');
    const listener = failing.front((_req, res) => res.end('app'));
    const res = { headersSent: false, end: (b: string) => (ended = b) } as unknown as import('node:http').ServerResponse;
    let ended = '';
    listener({ method: 'GET', url: '/p', headers: {} } as import('node:http').IncomingMessage, res);
    expect(ended).toBe('app');
  });

  it('sends the page plain to a client that does not take gzip', async () => {
    const t = await setUp();
    t.cache.store('/p', t.template, 'A');
    const res = await fetch(`${t.base}/p`, { headers: { 'accept-encoding': 'identity' } });
    expect(res.headers.get('content-encoding')).toBeNull();
    const html = await res.text();
    expect(html).toContain('<!DOCTYPE html>');
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(html));
  });

  it('lets the app answer as soon as the database changed, after a second, or when the clock went back', async () => {
    const t = await setUp();
    t.cache.store('/p', t.template, 'A');
    await fetch(`${t.base}/p`);
    expect(t.appCalls()).toBe(0);
    t.setStamp('B');
    expect(await (await fetch(`${t.base}/p`)).text()).toBe('app /p');
    t.cache.store('/p', t.template, 'B');
    t.clock.advance(PAGE_CACHE_TTL_MS - 1);
    await fetch(`${t.base}/p`);
    expect(t.appCalls()).toBe(1);
    t.clock.advance(1);
    expect(await (await fetch(`${t.base}/p`)).text()).toBe('app /p');
    // A page stored until a moment sooner than a second (a Rencontre's start) stops there.
    t.cache.store('/p', t.template, 'B', t.clock.now().getTime() + 10);
    t.clock.advance(10);
    expect(await (await fetch(`${t.base}/p`)).text()).toBe('app /p');
    t.cache.store('/p', t.template, 'B');
    t.clock.advance(-5000);
    expect(await (await fetch(`${t.base}/p`)).text()).toBe('app /p');
    expect(t.appCalls()).toBe(4);
  });
});
