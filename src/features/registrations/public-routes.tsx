import { Hono, type Context } from 'hono';
import type { Site } from '../../areas/public/layout.tsx';
import { recordAudit } from '../../platform/audit/audit.ts';
import { clientIp, formBody } from '../../platform/http/client-ip.ts';
import { DomainError, NotFound, TooManyRequests } from '../../platform/http/errors.ts';
import { RateLimiter } from '../../platform/http/rate-limit.ts';
import { sendPage } from '../../platform/views/document.tsx';
import { formatDate } from '../../platform/time.ts';
import { PublicPage } from '../../areas/public/layout.tsx';
import { Button } from '../../platform/views/form-kit.tsx';
import type { Services } from '../../services.ts';
import { renderWebinarPage } from '../webinars/public-routes.tsx';
import { findWebinarById, findWebinarBySlug } from '../webinars/webinars-repository.ts';
import type { Webinar } from '../webinars/webinar.ts';
import { cancelRegistration } from './cancel-registration.ts';
import { registerCandidate, WEBINAR_NOT_FOUND } from './register-candidate.ts';
import { normalizeEmail } from './registration.ts';
import { fieldErrors, registrationFormSchema, sourceSchema } from './registration-schemas.ts';
import { findSubmission, waitlistPosition } from './registrations-repository.ts';
import { joinTarget } from '../video/join-target.ts';
import { collectCandidateData } from './candidate-data.ts';
import { setNewsConsent } from '../candidates/news-consent.ts';
import { loadRegistrationByToken } from './registration-by-token.ts';
import { JoinNotReadyPage, ManagePage, ReceiptPage } from './views/registration-pages.tsx';
import { registrationCalendar } from './registration-emails.tsx';

const SUBMISSION_KEY = /^[A-Za-z0-9-]{16,64}$/;
/** A receipt page is for the person who just sent the form, not a permanent address. */
const RECEIPT_LIFETIME_MS = 24 * 3600 * 1000;

export interface RegistrationLimits {
  perIp: RateLimiter;
  perEmail: RateLimiter;
}

export function defaultRegistrationLimits(s: Services): RegistrationLimits {
  return {
    // Loose per address: a mobile carrier puts many people behind one IP.
    perIp: new RateLimiter(200, 60_000, s.clock),
    // Strict per e-mail: nobody needs more than a few registrations an hour.
    perEmail: new RateLimiter(10, 3_600_000, s.clock),
  };
}

export function registrationPublicRoutes(s: Services, site: Site, limits: RegistrationLimits = defaultRegistrationLimits(s)) {
  const app = new Hono();
  const schema = registrationFormSchema(s.territory);

  app.post('/rencontres/:slug/inscription', async (c) => {
    const ip = clientIp(c, s.config.trustProxy);
    const wait = limits.perIp.hit(`ip:${ip}`);
    if (wait) throw new TooManyRequests(wait);
    const slug = c.req.param('slug');
    // The Rencontre is read only when the page must be shown again: a registration reads it in its
    // own transaction (by this slug, with the same 404), once instead of twice.
    const shownWebinar = async () => {
      const webinar = await findWebinarBySlug(s.db.kysely, slug);
      if (!webinar || webinar.status === 'draft') throw new NotFound(WEBINAR_NOT_FOUND);
      return webinar;
    };
    const body = await formBody(c);
    let submissionKey = body.submission && SUBMISSION_KEY.test(body.submission) ? body.submission : crypto.randomUUID();
    // A filled honeypot is a robot: it is answered as a person would be, and nothing is written.
    if (body.website) {
      const webinar = await shownWebinar();
      s.logger.info('registration honeypot filled', { webinarId: webinar.id });
      return c.redirect(`/rencontres/${webinar.slug}`, 303);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      return renderWebinarPage(c, s, site, await shownWebinar(), { values: body, errors: fieldErrors(parsed.error), submissionKey }, 422);
    }
    const emailWait = limits.perEmail.hit(`email:${normalizeEmail(parsed.data.email)}`);
    if (emailWait) {
      const webinar = await shownWebinar();
      const minutes = Math.ceil(emailWait / 60);
      c.header('Retry-After', String(emailWait));
      return renderWebinarPage(c, s, site, webinar, { values: body, errors: { email: `Trop d’inscriptions avec cette adresse : réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}` }, submissionKey }, 429);
    }
    const source = sourceSchema.parse({ utmSource: body.utm_source, utmMedium: body.utm_medium, utmCampaign: body.utm_campaign });
    try {
      submissionKey = (await registerCandidate(s, { webinarSlug: slug, submissionKey, form: parsed.data, source, actor: { type: 'candidate', id: null, ip } })).submissionKey;
    } catch (e) {
      if (e instanceof DomainError) return renderWebinarPage(c, s, site, await shownWebinar(), { values: body, errors: {}, submissionKey }, 409, e.message);
      throw e;
    }
    return c.redirect(`/inscription/recu/${submissionKey}`, 303);
  });

  // The address a form in error is shown at: a phone reloading a tab it put aside, a back then forward,
  // or a link copied from the address bar asks it with a GET. That is the Rencontre's form, not a 404.
  app.get('/rencontres/:slug/inscription', (c) => c.redirect(`/rencontres/${encodeURIComponent(c.req.param('slug'))}#inscription`, 303));

  app.get('/inscription/recu/:key', async (c) => {
    const key = c.req.param('key');
    if (!SUBMISSION_KEY.test(key)) throw new NotFound();
    const sub = await findSubmission(s.db.kysely, key);
    if (!sub) throw new NotFound();
    // A tab left open and brought back the next day: the e-mail has the lasting link.
    if (s.clock.now().getTime() - new Date(sub.created_at).getTime() > RECEIPT_LIFETIME_MS) throw new NotFound('Cette page a expiré. Retrouvez votre inscription avec le lien personnel de l’e-mail reçu après votre inscription.');
    const row = await s.db.kysely
      .selectFrom('registrations')
      .innerJoin('candidates', 'candidates.id', 'registrations.candidate_id')
      .select(['registrations.id', 'registrations.status', 'registrations.webinar_id', 'registrations.waitlist_rank', 'candidates.email'])
      .where('registrations.id', '=', sub.registration_id)
      .executeTakeFirstOrThrow();
    const webinar = (await findWebinarById(s.db.kysely, row.webinar_id))!;
    const position = row.status === 'waitlisted' ? await waitlistPosition(s.db.kysely, row) : null;
    return sendPage(c, <ReceiptPage site={site} webinar={webinar} status={row.status} outcome={sub.outcome} email={row.email} waitlistPosition={position} />);
  });

  const hasStarted = (w: Webinar) => s.clock.now().getTime() >= new Date(w.startsAt).getTime();

  const loadByToken = (c: Context) => loadRegistrationByToken(s, c.req.param('token') ?? '');

  app.get('/mon-inscription/:token', async (c) => {
    const { token, registration, webinar, candidate } = await loadByToken(c);
    const position = registration.status === 'waitlisted' ? await waitlistPosition(s.db.kysely, registration) : null;
    c.header('Cache-Control', 'no-store');
    return sendPage(
      c,
      <ManagePage
        site={site}
        token={token}
        webinar={webinar}
        registration={registration}
        candidate={candidate}
        now={s.clock.now()}
        waitlistPosition={position}
        flash={c.req.query('annulee') ? 'cancelled' : c.req.query('nouvelles') === 'oui' ? 'news-on' : c.req.query('nouvelles') === 'non' ? 'news-off' : undefined}
      />,
    );
  });

  app.get('/mon-inscription/:token/annuler', async (c) => {
    const { token, registration, webinar } = await loadByToken(c);
    if (registration.status === 'cancelled' || hasStarted(webinar)) return c.redirect(`/mon-inscription/${token}`, 303);
    c.header('Cache-Control', 'no-store');
    return sendPage(
      c,
      <PublicPage site={site} title="Annuler mon inscription" noindex>
        <div class="container">
          <h1>Voulez-vous vraiment annuler votre inscription ?</h1>
          {registration.status === 'waitlisted' ? (
            <p>
              Vous êtes sur la liste d’attente de la {webinar.title} du {formatDate(webinar.startsAt, s.territory.timezone)}. Si vous annulez, vous en sortez : une place qui se libère ne vous sera pas
              attribuée. Vous recevrez quand même le replay.
            </p>
          ) : (
            <p>
              Vous êtes inscrit·e à la {webinar.title} du {formatDate(webinar.startsAt, s.territory.timezone)}. Si vous annulez, votre place ira à une personne de la liste d’attente. Vous pourrez vous
              réinscrire tant qu’il reste des places, et vous recevrez quand même le replay.
            </p>
          )}
          <form method="post" action={`/mon-inscription/${token}/annuler`}>
            <div class="button-row">
              <Button variant="warning">Oui, annuler mon inscription</Button>
              <a href={`/mon-inscription/${token}`}>Non, garder mon inscription</a>
            </div>
          </form>
        </div>
      </PublicPage>,
    );
  });

  app.post('/mon-inscription/:token/annuler', async (c) => {
    const { token, registration, webinar } = await loadByToken(c);
    // The page stops offering it at the start; a form left open (or a replayed request) must not do it either.
    if (registration.status !== 'cancelled' && hasStarted(webinar)) throw new DomainError('started', 'La Rencontre a commencé : votre inscription ne peut plus être annulée.');
    await cancelRegistration(s, { registrationId: registration.id, actor: { type: 'candidate', id: registration.candidate_id, ip: clientIp(c, s.config.trustProxy) } });
    return c.redirect(`/mon-inscription/${token}?annulee=1`, 303);
  });

  // The news of the coming Rencontres, stopped or asked for again in one click from the private page.
  app.post('/mon-inscription/:token/nouvelles', async (c) => {
    const { token, candidate } = await loadByToken(c);
    const receive = (await formBody(c)).recevoir === 'oui';
    await setNewsConsent(s, { candidateId: candidate.id, receive, actor: { type: 'candidate', id: candidate.id, ip: clientIp(c, s.config.trustProxy) } });
    return c.redirect(`/mon-inscription/${token}?nouvelles=${receive ? 'oui' : 'non'}#nouvelles`, 303);
  });

  app.get('/mon-inscription/:token/rejoindre', async (c) => {
    const { token, registration, webinar, candidate } = await loadByToken(c);
    const now = s.clock.now();
    const closed =
      registration.status === 'cancelled' || webinar.status === 'cancelled'
        ? 'cancelled'
        : registration.status !== 'confirmed'
          ? 'not-confirmed'
          : now.getTime() >= new Date(webinar.endsAt).getTime()
            ? 'ended'
            : null;
    const target = closed ? null : await joinTarget(s, webinar, registration, candidate);
    const reason = closed ?? (target ? null : 'no-link');
    if (reason) return sendPage(c, <JoinNotReadyPage site={site} webinar={webinar} reason={reason} token={token} />);
    c.header('Cache-Control', 'no-store');
    return c.redirect(target!, 302);
  });

  // The calendar entry from the private page carries the personal join link, as the e-mail's file does;
  // the Rencontre's public file has none, and at 12:30 the event would not say how to join.
  app.get('/mon-inscription/:token/agenda.ics', async (c) => {
    const { token, registration, webinar, candidate } = await loadByToken(c);
    if (registration.status !== 'confirmed') return c.redirect(`/rencontres/${webinar.slug}/agenda.ics`, 303);
    const file = registrationCalendar({ territory: s.territory, publicUrl: s.config.publicUrl, webinar, firstName: candidate.first_name, token });
    c.header('Cache-Control', 'no-store');
    return c.body(file.content, 200, { 'Content-Type': 'text/calendar; charset=utf-8', 'Content-Disposition': `attachment; filename="${webinar.slug}.ics"` });
  });

  app.get('/mon-inscription/:token/mes-donnees.json', async (c) => {
    const { candidate } = await loadByToken(c);
    const data = await collectCandidateData(s, candidate.id);
    await recordAudit(s.db.kysely, s.clock.now(), { type: 'candidate', id: candidate.id, ip: clientIp(c, s.config.trustProxy) }, 'candidate.data-exported', { type: 'candidate', id: candidate.id });
    c.header('Cache-Control', 'no-store');
    c.header('Content-Disposition', 'attachment; filename="mes-donnees.json"');
    return c.json(data);
  });

  return app;
}
