import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { csrfMatches } from '../../features/agents/sessions.ts';
import { loadPartnerSession, partnerCookieName } from '../../features/partners/partner-sessions.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import { answerWithoutSession, CSRF_REFUSED, isRead, readWriteForm } from '../../platform/http/session-guard.ts';
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
    if (!active) return answerWithoutSession(c, '/partenaires/connexion');
    c.header('Cache-Control', 'no-store');
    c.set('partnerUser', active.user);
    c.set('partner', active.partner);
    c.set('partnerSession', active.session);
    const { form, params } = await readWriteForm(c);
    if (!isRead(c) && !csrfMatches(active.session.csrf_token, form._csrf)) {
      await recordAudit(s.db.kysely, s.clock.now(), { type: 'partner', id: active.user.id }, 'security.csrf-refused', null, { path: c.req.path, partnerId: active.partner.id });
      return c.text(CSRF_REFUSED, 403);
    }
    c.set('form', form);
    c.set('params', params);
    await next();
  };
}
