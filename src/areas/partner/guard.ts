import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { csrfMatches } from '../../features/agents/sessions.ts';
import { loadPartnerSession, partnerCookieName } from '../../features/partners/partner-sessions.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Services } from '../../services.ts';
import type { PartnerEnv } from './partner-env.ts';

/**
 * The partner portal's guard, on every route of it but sign-in: a live partner session or nothing
 * (an agent's session is not one: it lives in another table under another cookie). A page asked for
 * without one redirects to the partner sign-in; anything else answers 401. Every state-changing
 * request must carry the session's CSRF token, on top of the same-origin check every write passes.
 */
export function requirePartner(s: Services): MiddlewareHandler<PartnerEnv> {
  const cookieName = partnerCookieName(s.config.isHttps);
  return async (c, next) => {
    const active = await loadPartnerSession(s.db.kysely, getCookie(c, cookieName), s.clock.now());
    c.header('Cache-Control', 'no-store');
    if (!active) {
      if (c.req.method === 'GET' || c.req.method === 'HEAD') {
        const back = c.req.path + (new URL(c.req.url).search || '');
        return c.redirect(`/partenaires/connexion?retour=${encodeURIComponent(back)}`, 303);
      }
      return c.text('Session expirée ou absente : reconnectez-vous.', 401);
    }
    c.set('partnerUser', active.user);
    c.set('partner', active.partner);
    c.set('partnerSession', active.session);
    let form: Record<string, string> = {};
    let params = new URLSearchParams();
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const type = c.req.header('content-type') ?? '';
      if (type.startsWith('multipart/form-data')) {
        const body = await c.req.parseBody();
        form = Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
        params = new URLSearchParams(form);
      } else if (type.startsWith('application/x-www-form-urlencoded')) {
        params = new URLSearchParams(await c.req.text());
        form = Object.fromEntries(params);
      }
      if (!csrfMatches(active.session.csrf_token, form._csrf)) {
        await recordAudit(s.db.kysely, s.clock.now(), { type: 'partner', id: active.user.id }, 'security.csrf-refused', null, { path: c.req.path, partnerId: active.partner.id });
        return c.text('Requête refusée : jeton de sécurité absent ou invalide. Rechargez la page et recommencez.', 403);
      }
    }
    c.set('form', form);
    c.set('params', params);
    await next();
  };
}
