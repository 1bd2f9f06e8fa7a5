import { randomUUID } from 'node:crypto';
import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type { Site } from '../../areas/public/layout.tsx';
import { NotFound } from '../../platform/http/errors.ts';
import { PageCache, PageTemplate } from '../../platform/http/page-cache.ts';
import { renderPage, sendPage } from '../../platform/views/document.tsx';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { sourceSchema } from '../registrations/registration-schemas.ts';
import type { FormValues } from '../registrations/views/registration-form.tsx';
import { webinarCalendar } from './webinar-calendar.ts';
import { registrationWindow, seatsLeft, type Webinar } from './webinar.ts';
import { countConfirmed, countConfirmedByWebinar, findWebinarBySlug, listPastWebinars, listUpcomingWebinars } from './webinars-repository.ts';
import { HomePage, WebinarListPage, WebinarPage, type WebinarListItem } from './views/webinar-pages.tsx';

const PAST_PAGE_SIZE = 10;

async function withSeats(s: Services, list: Webinar[]): Promise<WebinarListItem[]> {
  const counts = await countConfirmedByWebinar(
    s.db.kysely,
    list.map((w) => w.id),
  );
  return list.map((w) => ({ webinar: w, seatsLeft: seatsLeft(w.capacity, counts.get(w.id) ?? 0) }));
}

/** The page of one Rencontre with its form; also what a form in error re-renders (status 422). */
export async function renderWebinarPage(
  c: Parameters<typeof sendPage>[0],
  s: Services,
  site: Site,
  webinar: Webinar,
  form: { values: FormValues; errors: FieldErrors; submissionKey?: string },
  status: 200 | 409 | 422 | 429 = 200,
  closedMessage?: string,
) {
  const confirmed = webinar.capacity === null ? 0 : await countConfirmed(s.db.kysely, webinar.id);
  const src = sourceSchema.parse({ utmSource: form.values.utm_source ?? c.req.query('utm_source'), utmMedium: form.values.utm_medium ?? c.req.query('utm_medium'), utmCampaign: form.values.utm_campaign ?? c.req.query('utm_campaign') });
  return sendPage(
    c,
    <WebinarPage
      site={site}
      webinar={webinar}
      seatsLeft={seatsLeft(webinar.capacity, confirmed)}
      now={s.clock.now()}
      closedMessage={closedMessage}
      form={{
        values: form.values,
        errors: form.errors,
        submissionKey: form.submissionKey ?? randomUUID(),
        source: { utm_source: src.utmSource ?? undefined, utm_medium: src.utmMedium ?? undefined, utm_campaign: src.utmCampaign ?? undefined },
      }}
    />,
    status,
  );
}

/** Distinct pages kept at most (a Rencontre × the campaign parameters of the link); then the cache starts again. */
const PAGE_CACHE_ENTRIES = 200;

/**
 * The page of a Rencontre as a GET shows it, rendered once and served many times (ADR 0018). It is the
 * landing page of sponsored posts: hono/jsx takes ~0.5 ms to render it. The key holds everything the
 * page is made of (the Rencontre as just read, the seats left as just counted, whether registration is
 * open, whether it is over, the campaign of the link), so a change shows at the next request. Each
 * visitor still gets a form with a submission key of its own, put in the hole left by a stand-in.
 * The page is also handed to the HTTP server's page cache, which answers the next requests for the
 * same address without the app while the database's change stamp stays the same (for a second at most).
 */
function webinarPageCache(s: Services, site: Site, pages: PageCache) {
  const templates = new Map<string, PageTemplate>();
  const standIn = randomUUID();
  return async (c: Parameters<typeof sendPage>[0], webinar: Webinar, stamp: string) => {
    const now = s.clock.now();
    const seats = webinar.capacity === null ? null : seatsLeft(webinar.capacity, await countConfirmed(s.db.kysely, webinar.id));
    const src = sourceSchema.parse({ utmSource: c.req.query('utm_source'), utmMedium: c.req.query('utm_medium'), utmCampaign: c.req.query('utm_campaign') });
    const source = { utm_source: src.utmSource ?? undefined, utm_medium: src.utmMedium ?? undefined, utm_campaign: src.utmCampaign ?? undefined };
    const key = JSON.stringify([webinar, seats, registrationWindow(webinar, now), new Date(webinar.endsAt).getTime() <= now.getTime(), source]);
    let template = templates.get(key);
    if (!template) {
      const html = await renderPage(<WebinarPage site={site} webinar={webinar} seatsLeft={seats} now={now} form={{ values: {}, errors: {}, submissionKey: standIn, source }} />);
      // The stand-in must be the form's key and nothing else (a page without a form has none); otherwise
      // this page is rendered afresh each time.
      if (html.indexOf(standIn) !== html.lastIndexOf(standIn)) return renderWebinarPage(c, s, site, webinar, { values: {}, errors: {} });
      if (templates.size >= PAGE_CACHE_ENTRIES) templates.clear();
      templates.set(key, (template = new PageTemplate(html, standIn)));
    }
    // The address exactly as the client sent it, which is what the server's cache looks up.
    const target = (c.env as Partial<HttpBindings> | undefined)?.incoming?.url;
    if (target !== undefined) {
      const next = [webinar.startsAt, webinar.endsAt].map((t) => new Date(t).getTime()).find((t) => t > now.getTime());
      pages.store(target, template, stamp, next);
    }
    const { body, headers } = PageCache.body(template, c.req.header('accept-encoding'));
    return c.body(new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.length), 200, headers);
  };
}

export function webinarPublicRoutes(s: Services, site: Site, pages: PageCache) {
  const app = new Hono();
  const cachedWebinarPage = webinarPageCache(s, site, pages);

  app.get('/', async (c) => {
    const now = s.clock.now();
    // One under way has closed its registration: the home page offers the next one (its registrants join from their e-mail).
    const upcoming = await withSeats(s, (await listUpcomingWebinars(s.db.kysely, now, 5)).filter((w) => new Date(w.startsAt).getTime() > now.getTime()).slice(0, 4));
    const open = upcoming.filter((x) => x.webinar.status === 'published');
    const next = open[0] ?? upcoming[0];
    return sendPage(c, <HomePage site={site} next={next} upcoming={upcoming.filter((x) => x !== next)} now={now} />);
  });

  app.get('/rencontres', async (c) => {
    const now = s.clock.now();
    const requested = Number.parseInt(c.req.query('page') ?? '1', 10);
    const page = Number.isFinite(requested) && requested > 0 ? requested : 1;
    const [upcomingList, past] = await Promise.all([listUpcomingWebinars(s.db.kysely, now, 50), listPastWebinars(s.db.kysely, now, PAST_PAGE_SIZE, (page - 1) * PAST_PAGE_SIZE)]);
    const pastPages = Math.max(1, Math.ceil(past.total / PAST_PAGE_SIZE));
    if (page > pastPages) throw new NotFound('Cette page n’existe pas');
    const upcoming = await withSeats(s, upcomingList);
    return sendPage(c, <WebinarListPage site={site} upcoming={upcoming} past={past.items.map((w) => ({ webinar: w, seatsLeft: null }))} pastPage={page} pastPages={pastPages} now={now} />);
  });

  app.get('/rencontres/:slug', async (c) => {
    // Read before the data: a page stored under it can only be newer than the stamp says.
    const stamp = pages.stamp();
    const webinar = await findWebinarBySlug(s.db.kysely, c.req.param('slug'));
    if (!webinar || webinar.status === 'draft') throw new NotFound('Cette Rencontre n’existe pas ou n’est plus en ligne');
    return cachedWebinarPage(c, webinar, stamp);
  });

  app.get('/rencontres/:slug/agenda.ics', async (c) => {
    const webinar = await findWebinarBySlug(s.db.kysely, c.req.param('slug'));
    if (!webinar || webinar.status === 'draft') throw new NotFound('Cette Rencontre n’existe pas');
    const host = new URL(s.config.publicUrl).hostname;
    const body = webinarCalendar(webinar, {
      zone: s.territory.timezone,
      uid: `webinar-${webinar.id}@${host}`,
      organizerName: s.territory.programmeName,
      organizerEmail: s.territory.contact.email,
      joinUrl: null,
      pageUrl: `${s.config.publicUrl}/rencontres/${webinar.slug}`,
      cancelled: webinar.status === 'cancelled',
      prodId: `//${s.territory.programmeName}//Nouvelle Vie//FR`,
    });
    return c.body(body, 200, {
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Disposition': `attachment; filename="${webinar.slug}.ics"`,
    });
  });

  return app;
}
