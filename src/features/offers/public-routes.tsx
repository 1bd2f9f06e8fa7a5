import { Hono } from 'hono';
import type { Site } from '../../areas/public/layout.tsx';
import type { OfferType } from '../../platform/db/schema.ts';
import { clientIp, formBody } from '../../platform/http/client-ip.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { loadRegistrationByToken } from '../registrations/registration-by-token.ts';
import { OFFER_TYPE_VALUES } from './offer.ts';
import { answerOfferConfirmation, offerForConfirmToken } from './offer-freshness.ts';
import { findOfferBySlug, PAGE_SIZE, searchOffers } from './offers-repository.ts';

/** The public list pages this far, newest first; the filters narrow it down beyond. */
export const MAX_PAGES = 50;
import { candidateMatchProfile, matchingOffers } from './propose-offers.ts';
import { LinkGonePage, OfferConfirmDonePage, OfferGonePage, OfferConfirmPage, OfferDetailPage, OffersForMePage, OfferSearchPage, type PublicOfferFilters } from './views/public-offer-pages.tsx';

/** Offers as anyone sees them: published ones only, filtered by a plain GET form that needs no JavaScript. */
export function offerPublicRoutes(s: Services, site: Site) {
  const app = new Hono();
  const t = s.territory;

  /** Only values the lists know: anything else in the address is ignored, never passed to a query. */
  const filtersOf = (q: (k: string) => string | undefined): PublicOfferFilters => {
    const type = q('type') ?? '';
    const sector = q('secteur') ?? '';
    const region = q('region') ?? '';
    return {
      type: (OFFER_TYPE_VALUES as readonly string[]).includes(type) ? type : '',
      sector: t.offers.sectors.some((x) => x.key === sector) ? sector : '',
      region: t.regions.some((r) => r.key === region) ? region : '',
      q: (q('q') ?? '').trim().slice(0, 100),
    };
  };

  app.get('/offres', async (c) => {
    const f = filtersOf((k) => c.req.query(k));
    const page = Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1);
    if (page > MAX_PAGES) throw new NotFound('Cette page de résultats n’existe pas : affinez la recherche avec les filtres.');
    const { items, total } = await searchOffers(s.db.kysely, { status: 'published', type: (f.type || null) as OfferType | null, sector: f.sector || null, region: f.region || null, q: f.q || null }, page);
    // Nobody reads the 900th page of a list; reading it costs the database the 18,000 rows before it.
    // Past MAX_PAGES, the filters are the way.
    const pages = Math.min(MAX_PAGES, Math.max(1, Math.ceil(total / PAGE_SIZE)));
    if (page > pages && total > 0) throw new NotFound('Cette page de résultats n’existe pas : affinez la recherche avec les filtres.');
    c.header('Cache-Control', 'public, max-age=60');
    return sendPage(c, <OfferSearchPage site={site} filters={f} items={items} total={total} page={page} pages={pages} shown={MAX_PAGES * PAGE_SIZE} />);
  });

  app.get('/offres/:slug', async (c) => {
    const offer = await findOfferBySlug(s.db.kysely, c.req.param('slug'));
    // A draft, a filled or an expired offer is nobody's business on the public site. Someone following an
    // old link to one that was filled or expired is shown where the current ones are, not a bare 404.
    if (offer && (offer.status === 'filled' || offer.status === 'expired')) {
      return sendPage(c, <OfferGonePage site={site} type={offer.type} />, 404);
    }
    if (!offer || offer.status !== 'published') throw new NotFound('Cette offre n’existe pas ou n’est plus disponible.');
    const partner = offer.partner_id ? await s.db.kysely.selectFrom('partners').select(['name', 'website']).where('id', '=', offer.partner_id).executeTakeFirst() : undefined;
    c.header('Cache-Control', 'public, max-age=60');
    return sendPage(c, <OfferDetailPage site={site} offer={offer} partner={partner ?? null} />);
  });

  const gone = () => <LinkGonePage site={site} title="Ce lien n’est plus valable" message="L’offre a déjà été retirée du site, ou une demande plus récente vous a été envoyée. Pour la republier, passez par votre espace." />;

  app.get('/offres/confirmer/:token', async (c) => {
    c.header('Cache-Control', 'no-store');
    const offer = await offerForConfirmToken(s, c.req.param('token'));
    if (!offer) return sendPage(c, gone(), 404);
    return sendPage(c, <OfferConfirmPage site={site} offer={offer} token={c.req.param('token')} />);
  });

  app.post('/offres/confirmer/:token', async (c) => {
    c.header('Cache-Control', 'no-store');
    const token = c.req.param('token');
    const body = await formBody(c);
    const answer = body.answer === 'filled' ? 'filled' : body.answer === 'current' ? 'current' : null;
    const offer = await offerForConfirmToken(s, token);
    if (!offer) return sendPage(c, gone(), 404);
    if (!answer) return sendPage(c, <OfferConfirmPage site={site} offer={offer} token={token} error="Choisissez une des deux réponses." />, 422);
    try {
      const updated = await answerOfferConfirmation(s, { token, answer, ip: clientIp(c, s.config.trustProxy) });
      return sendPage(c, <OfferConfirmDonePage site={site} offer={updated} answer={answer} />);
    } catch (e) {
      if (e instanceof DomainError) return sendPage(c, gone(), 404);
      throw e;
    }
  });

  // Beside the registration's private link (as the accompaniment request is): the offers that fit
  // the project the person gave when registering, ranked by the matching rule.
  app.get('/mon-inscription/:token/offres', async (c) => {
    c.header('Cache-Control', 'no-store');
    const { candidate } = await loadRegistrationByToken(s, c.req.param('token'));
    const found = await candidateMatchProfile(s.db.kysely, candidate.id);
    if (!found) throw new NotFound('Ce lien n’est pas ou plus valide');
    const matches = (await matchingOffers(s, found.profile)).slice(0, 12);
    const wantedType = found.profile.project === 'creation-reprise' ? 'takeover' : found.profile.project === 'salarie' || found.profile.project === 'reconversion' ? 'job' : null;
    return sendPage(c, <OffersForMePage site={site} token={c.req.param('token')} firstName={found.firstName} matches={matches} filters={{ type: wantedType, region: found.profile.regionKey && t.regions.some((r) => r.key === found.profile.regionKey) ? found.profile.regionKey : null }} />);
  });

  return app;
}
