import { Hono } from 'hono';
import { partnerAuthRoutes } from '../../features/partners/auth-routes.tsx';
import { partnerPortalHomeRoutes } from '../../features/partners/portal-routes.tsx';
import type { SignInThrottle } from '../../features/agents/sign-in.ts';
import { offerPartnerRoutes } from '../../features/offers/partner-routes.tsx';
import { referralPartnerRoutes } from '../../features/referrals/partner-routes.tsx';
import type { Services } from '../../services.ts';
import type { Site } from '../public/layout.tsx';
import { requirePartner } from './guard.ts';
import type { PartnerEnv } from './partner-env.ts';

/**
 * The partner portal, mounted at /partenaires. Sign-in, sign-out and one-time links are a sub-app of
 * their own, mounted first; every other route is in the portal sub-app, whose guard runs before each
 * of them (a partner session, the CSRF token on writes). Its pages read the partner's id from the
 * session only; nothing is decided by matching URL strings.
 */
export function partnerArea(s: Services, site: Site, opts: { signInThrottle?: SignInThrottle } = {}) {
  const app = new Hono();
  app.route('/', partnerAuthRoutes(s, site, opts.signInThrottle));
  const portal = new Hono<PartnerEnv>();
  portal.use('*', requirePartner(s));
  portal.route('/', partnerPortalHomeRoutes(s, site));
  portal.route('/', offerPartnerRoutes(s, site));
  portal.route('/', referralPartnerRoutes(s, site));
  app.route('/', portal);
  return app;
}
