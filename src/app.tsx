import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { sql } from 'kysely';
import { adminArea } from './areas/admin/admin-area.tsx';
import type { AdminEnv } from './areas/admin/admin-env.ts';
import { AdminPage } from './areas/admin/layout.tsx';
import { PartnerPage } from './areas/partner/layout.tsx';
import type { PartnerEnv } from './areas/partner/partner-env.ts';
import { legalRoutes } from './areas/public/legal-pages.tsx';
import { contentPublicRoutes } from './features/content/public-routes.tsx';
import { slidesStaticRoutes } from './features/slides/admin-routes.tsx';
import { accompanimentPublicRoutes } from './features/accompaniment/public-routes.tsx';
import { appointmentPublicRoutes } from './features/appointments/public-routes.tsx';
import { contactFormPublicRoutes } from './features/contact-form/public-routes.tsx';
import { followUpPublicRoutes } from './features/installations/public-routes.tsx';
import { authRoutes } from './features/agents/auth-routes.tsx';
import { invitationPublicRoutes } from './features/invitations/public-routes.tsx';
import { offerPublicRoutes } from './features/offers/public-routes.tsx';
import { referralPublicRoutes } from './features/referrals/public-routes.tsx';
import { partnerArea } from './areas/partner/partner-area.tsx';
import { bbbCallbackRoutes } from './features/video/bbb/bbb-callbacks.ts';
import { databaseReplayGuard, storePresence } from './features/video/bbb-wiring.ts';
import { handleVideoEvent } from './features/video/video-events.ts';
import { withEndedInstance } from './features/video/zoom/zoom-adapter.ts';
import { zoomWebhookRoutes } from './features/video/zoom/zoom-webhook.ts';
import type { SignInThrottle } from './features/agents/sign-in.ts';
import { PublicPage, type Site } from './areas/public/layout.tsx';
import { registrationPublicRoutes, type RegistrationLimits } from './features/registrations/public-routes.tsx';
import { webinarPublicRoutes } from './features/webinars/public-routes.tsx';
import { DomainError, Forbidden, NotFound, TooManyRequests } from './platform/http/errors.ts';
import { sameOriginWrites, securityHeaders } from './platform/http/security.ts';
import { PageCache, requestIdFrom } from './platform/http/page-cache.ts';
import type { BbbConfig } from './config.ts';
import type { Logger } from './platform/logger.ts';
import { AfterResponse } from './platform/http/after-response.ts';
import { sendPage } from './platform/views/document.tsx';
import { buildStylesheet } from './platform/views/stylesheet.ts';
import type { Services } from './services.ts';

export type AppEnv = { Variables: { requestId: string; log: Logger } };

export interface AppOptions {
  registrationLimits?: RegistrationLimits;
  signInThrottle?: SignInThrottle;
  /** The partner portal's own sign-in throttle (its counters are not the agents'). */
  partnerSignInThrottle?: SignInThrottle;
  /** Whether e-mail leaves through SMTP (the mailbox says so to agents). */
  smtpConfigured?: boolean;
  auditRetentionDays?: number;
  /** The Secret Token of the Zoom event subscription: /webhooks/zoom exists only when it is set. */
  zoomWebhookSecretToken?: string | null;
  /** The BigBlueButton server: its callbacks (/webhooks/bbb/…) exist only when it is configured. */
  bbb?: BbbConfig | null;
  /** Rendered public pages that the HTTP server answers before the app (ADR 0018); one of its own otherwise. */
  pageCache?: PageCache;
  /** The work the video tools' notifications start after their answer, which stopping the server waits for. */
  afterResponse?: AfterResponse;
}

interface ErrorText {
  title: string;
  message: string;
  reference?: string;
}

function ErrorBody({ site, title, message, reference, home }: ErrorText & { site: Site; home: [href: string, label: string] }) {
  return (
    <>
      <h1>{title}</h1>
      <p>{message}</p>
      {reference ? (
        <p>
          Si le problème persiste, écrivez-nous à <a href={`mailto:${site.territory.contact.email}`}>{site.territory.contact.email}</a> en indiquant la référence <strong>{reference}</strong>.
        </p>
      ) : null}
      <p>
        <a href={home[0]}>{home[1]}</a>
      </p>
    </>
  );
}

/**
 * An error page in the frame of where it happened: inside the back-office or the partner portal for a
 * person signed in there (with their menu, and the way back to their home), on the public site otherwise.
 */
function ErrorPage({ c, site, ...text }: ErrorText & { c: Context; site: Site }) {
  const v = c.var as Partial<AdminEnv['Variables'] & PartnerEnv['Variables']>;
  if (v.agent && v.session) {
    return (
      <AdminPage site={site} agent={v.agent} csrf={v.session.csrf_token} title={text.title} current="none">
        <ErrorBody site={site} {...text} home={['/admin', 'Retour au tableau de bord']} />
      </AdminPage>
    );
  }
  if (v.partnerUser && v.partner && v.partnerSession) {
    return (
      <PartnerPage site={site} user={v.partnerUser} partner={v.partner} csrf={v.partnerSession.csrf_token} title={text.title} current="none">
        <ErrorBody site={site} {...text} home={['/partenaires', 'Retour à l’accueil de l’espace partenaires']} />
      </PartnerPage>
    );
  }
  return (
    <PublicPage site={site} title={text.title} noindex>
      <div class="container">
        <ErrorBody site={site} {...text} home={['/', 'Retour à l’accueil']} />
      </div>
    </PublicPage>
  );
}

/** The Hono app: security headers, request ids and logs, same-origin writes, errors; mounts the areas. */
export function buildApp(s: Services, options: AppOptions = {}) {
  const stylesheet = buildStylesheet(s.territory.identity.colours);
  const site: Site = { territory: s.territory, stylesheet: stylesheet.href };
  const app = new Hono<AppEnv>();
  const pages = options.pageCache ?? new PageCache({ changeStamp: () => s.db.changeStamp(), clock: s.clock, logger: s.logger, isHttps: s.config.isHttps });
  const afterResponse = options.afterResponse ?? new AfterResponse(s.logger);

  app.use(async (c, next) => {
    const requestId = requestIdFrom(c.req.header('x-request-id'));
    const log = s.logger.child({ requestId });
    c.set('requestId', requestId);
    c.set('log', log);
    const started = performance.now();
    await next();
    c.res.headers.set('X-Request-Id', requestId);
    log.debug('request', { method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round((performance.now() - started) * 10) / 10 });
  });
  app.use(securityHeaders({ isHttps: s.config.isHttps }));
  app.use(sameOriginWrites([new URL(s.config.publicUrl).origin]));
  const maxBodySize = 256 * 1024;
  // Files are uploaded (reports to import, images) only behind a session, as multipart: a larger limit
  // there, so the form itself can say in French that a file is too big; everywhere else forms are small.
  const maxUploadSize = 8 * 1024 * 1024;
  const tooLarge = (c: Context) => c.text('Requête trop volumineuse', 413);
  const limitBody = bodyLimit({ maxSize: maxBodySize, onError: tooLarge });
  const limitUpload = bodyLimit({ maxSize: maxUploadSize, onError: tooLarge });
  const isUpload = (c: Context) => (c.req.header('content-type') ?? '').startsWith('multipart/form-data') && (c.req.path.startsWith('/admin/') || c.req.path.startsWith('/partenaires/'));
  // Hono's bodyLimit reads c.req.raw.body, which makes @hono/node-server build a whole Request (web
  // streams, an AbortController) for every request, GETs included, and then read the form through
  // those streams: a sixth of a cached page's cost and more of a registration's (npm run bench). The
  // same rule without that: a GET or HEAD body is never read; a declared length is checked as
  // bodyLimit checks it (Node's parser reads no more than it); only a chunked body goes through bodyLimit.
  app.use(async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const upload = isUpload(c);
    const max = upload ? maxUploadSize : maxBodySize;
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) return Number.parseInt(length, 10) > max ? tooLarge(c) : next();
    return (upload ? limitUpload : limitBody)(c, next);
  });

  app.get('/healthz', async (c) => {
    await sql`select 1`.execute(s.db.kysely);
    c.header('Cache-Control', 'no-store');
    return c.json({ status: 'ok' });
  });
  app.get(stylesheet.href, (c) => {
    if (c.req.header('if-none-match') === stylesheet.etag) return c.body(null, 304);
    return c.body(stylesheet.body, 200, {
      'Content-Type': 'text/css; charset=utf-8',
      'Cache-Control': 'public, max-age=31536000, immutable',
      ETag: stylesheet.etag,
    });
  });

  app.route('/', webinarPublicRoutes(s, site, pages));
  app.route('/', registrationPublicRoutes(s, site, options.registrationLimits));
  app.route('/', accompanimentPublicRoutes(s, site));
  app.route('/', appointmentPublicRoutes(s, site));
  app.route('/', followUpPublicRoutes(s, site));
  app.route('/', contactFormPublicRoutes(s, site));
  app.route('/', invitationPublicRoutes(s, site));
  app.route('/', offerPublicRoutes(s, site));
  app.route('/', referralPublicRoutes(s, site));
  app.route('/', legalRoutes(site));
  app.route('/', contentPublicRoutes(s, site));
  app.route('/', slidesStaticRoutes());
  app.route('/', authRoutes(s, site, options.signInThrottle));
  if (options.bbb) {
    app.route(
      '/',
      bbbCallbackRoutes({
        config: options.bbb,
        clock: s.clock,
        logger: s.logger,
        callbackBaseUrl: s.config.publicUrl,
        replayGuard: databaseReplayGuard(s),
        onPresence: options.bbb.webhooks ? (e) => storePresence(s, e) : undefined,
        runInBackground: (work) => afterResponse.run('bbb callback work', work),
        onEvent: (e) => handleVideoEvent(s, { tool: 'bbb', kind: e.event === 'meeting-ended' ? 'ended' : 'recording-ready', externalId: e.meetingId, reference: e.recordId ?? 'ended' }),
      }),
    );
  }
  if (options.zoomWebhookSecretToken) {
    app.route(
      '/',
      zoomWebhookRoutes({
        secretToken: options.zoomWebhookSecretToken,
        clock: s.clock,
        logger: s.logger,
        runInBackground: (work) => afterResponse.run('zoom webhook work', work),
        onEvent: (e) =>
          handleVideoEvent(s, {
            tool: 'zoom',
            kind: e.event === 'webinar.ended' ? 'ended' : 'recording-ready',
            externalId: e.webinarExternalId,
            reference: e.uuid,
            updateRoom: e.event === 'webinar.ended' && e.uuid ? (room) => withEndedInstance(room, e.uuid!) : undefined,
          }),
      }),
    );
  }
  app.route('/partenaires', partnerArea(s, site, { signInThrottle: options.partnerSignInThrottle }));
  app.route('/admin', adminArea(s, site, { smtpConfigured: options.smtpConfigured ?? false, auditRetentionDays: options.auditRetentionDays ?? 365 }));

  app.notFound((c) => sendPage(c, <ErrorPage c={c} site={site} title="Page introuvable" message="Cette page n’existe pas ou n’existe plus. Vérifiez l’adresse, ou repartez du lien ci-dessous." />, 404));

  app.onError((err, c: Context<AppEnv>) => {
    if (err instanceof NotFound) return sendPage(c, <ErrorPage c={c} site={site} title="Page introuvable" message={err.message} />, 404);
    if (err instanceof Forbidden) return sendPage(c, <ErrorPage c={c} site={site} title="Accès refusé" message={err.message} />, 403);
    if (err instanceof TooManyRequests) {
      c.header('Retry-After', String(err.retryAfterSeconds));
      return sendPage(c, <ErrorPage c={c} site={site} title="Trop de tentatives" message={`Trop de demandes en peu de temps. Réessayez dans ${Math.ceil(err.retryAfterSeconds / 60)} minute(s).`} />, 429);
    }
    if (err instanceof DomainError) return sendPage(c, <ErrorPage c={c} site={site} title="Action impossible" message={err.message} />, 409);
    const requestId = c.get('requestId') ?? randomUUID();
    (c.get('log') ?? s.logger).error('unhandled error', { err, method: c.req.method, path: c.req.path });
    return sendPage(c, <ErrorPage c={c} site={site} title="Une erreur est survenue" message="Nous n’avons pas pu traiter votre demande. Rien n’a été perdu de ce qui était déjà enregistré ; vous pouvez réessayer." reference={requestId.slice(0, 8)} />, 500);
  });

  return app;
}
