import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { Site } from '../../areas/public/layout.tsx';
import { NotFound } from '../../platform/http/errors.ts';
import { renderPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { communesOfRegion } from '../territory/communes.ts';
import { listUpcomingWebinars } from '../webinars/webinars-repository.ts';
import type { Webinar } from '../webinars/webinar.ts';
import { livingSlug, pageKey } from './content.ts';
import { contentGeneration, loadContentPages, type ContentPage } from './content-base.ts';
import { findImage, imageSizes } from './content-repository.ts';
import { LivingIndexPage, LivingRegionPage, LivingSectionPage } from './views/living-pages.tsx';

/**
 * A rendered page is kept this long at most. A change made through this process shows at the next
 * request (the content generation is part of the key); one made through another process, or the
 * next Rencontre becoming the one after, shows within this delay.
 */
const PAGE_TTL_MS = 5_000;
const IMAGE_CACHE_ENTRIES = 64;
/** Page keys are lower case, digits and hyphens: anything else is no page of ours. */
const KEY = /^[a-z0-9-]{1,60}$/;

async function nextRencontre(s: Services): Promise<Webinar | null> {
  const upcoming = await listUpcomingWebinars(s.db.kysely, s.clock.now(), 4);
  const now = s.clock.now().getTime();
  return upcoming.find((w) => w.status === 'published' && new Date(w.startsAt).getTime() > now) ?? null;
}

/**
 * "Vivre en Lozère": the public pages of the content base, one per section and per natural region,
 * at the territory's own address (/vivre-en-lozere, /vivre-dans-le-cantal). Served from a cache of
 * rendered HTML: a page costs a map lookup, not a render.
 */
export function contentPublicRoutes(s: Services, site: Site) {
  const app = new Hono();
  const base = `/${livingSlug(s.territory.inName)}`;
  // Kept as UTF-8 bytes with their ETag: a hit costs a map lookup, no encoding (a page is 5 to 30 KB).
  const pages = new Map<string, { body: Uint8Array<ArrayBuffer>; etag: string; generation: number; expires: number }>();
  const encoder = new TextEncoder();
  const images = new Map<string, { body: Uint8Array; etag: string }>();

  const cached = async (c: Context, key: string, render: () => Promise<string | null>) => {
    const generation = contentGeneration(s.db);
    let entry = pages.get(key);
    if (!entry || entry.generation !== generation || entry.expires <= Date.now()) {
      const html = await render();
      if (html === null) throw new NotFound('Cette page n’existe pas ou n’a pas encore de contenu.');
      const body = encoder.encode(html);
      if (pages.size > 200) pages.clear();
      pages.set(key, (entry = { body, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`, generation, expires: Date.now() + PAGE_TTL_MS }));
    }
    if (c.req.header('if-none-match') === entry.etag) return c.body(null, 304, { ETag: entry.etag });
    return c.body(entry.body, 200, { 'Content-Type': 'text/html; charset=UTF-8', ETag: entry.etag });
  };

  const published = (all: ContentPage[], key: string) => all.find((p) => p.key === key && p.isPublished);

  app.get(base, (c) =>
    cached(c, 'index', async () => {
      const [all, next] = await Promise.all([loadContentPages(s), nextRencontre(s)]);
      return renderPage(<LivingIndexPage site={site} pages={all} next={next} />);
    }),
  );

  app.get(`${base}/regions/:key`, (c) => {
    const key = c.req.param('key');
    if (!KEY.test(key)) throw new NotFound('Cette page n’existe pas.');
    return cached(c, `region:${key}`, async () => {
      const [all, next] = await Promise.all([loadContentPages(s), nextRencontre(s)]);
      const page = published(all, pageKey({ kind: 'region', key }));
      if (!page) return null;
      const [sizes, communes] = await Promise.all([imageSizes(s.db.kysely, page.document.images.map((i) => i.id)), communesOfRegion(s.db.kysely, key)]);
      return renderPage(<LivingRegionPage site={site} page={page} pages={all} next={next} sizes={sizes} communes={communes} />);
    });
  });

  app.get(`${base}/:key`, (c) => {
    const key = c.req.param('key');
    if (!KEY.test(key)) throw new NotFound('Cette page n’existe pas.');
    return cached(c, `section:${key}`, async () => {
      const [all, next] = await Promise.all([loadContentPages(s), nextRencontre(s)]);
      const page = published(all, pageKey({ kind: 'section', key }));
      if (!page) return null;
      const sizes = await imageSizes(s.db.kysely, page.document.images.map((i) => i.id));
      return renderPage(<LivingSectionPage site={site} page={page} pages={all} next={next} sizes={sizes} />);
    });
  });

  /**
   * The content's pictures, by the id they were stored under. Only what the upload produced is ever
   * served (WebP re-encoded from a checked image), with its own type, never sniffed (nosniff is on
   * every response), and as an inline file named after its id (ASVS 5.4.1).
   */
  app.get('/contenus/images/:key', async (c) => {
    const file = /^([0-9a-f-]{36})\.webp$/.exec(c.req.param('key'));
    if (!file) throw new NotFound('Cette image n’existe pas.');
    const id = file[1]!;
    let entry = images.get(id);
    if (!entry) {
      const row = await findImage(s.db.kysely, id);
      if (!row) throw new NotFound('Cette image n’existe pas.');
      entry = { body: new Uint8Array(Buffer.from(row.data, 'base64')), etag: `"${row.sha256.slice(0, 32)}"` };
      if (images.size >= IMAGE_CACHE_ENTRIES) images.clear();
      images.set(id, entry);
    }
    if (c.req.header('if-none-match') === entry.etag) return c.body(null, 304);
    return c.body(entry.body as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': 'image/webp',
      'Content-Disposition': `inline; filename="${id}.webp"`,
      'Cache-Control': 'public, max-age=31536000, immutable',
      ETag: entry.etag,
    });
  });

  return app;
}
