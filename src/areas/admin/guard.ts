import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { loadSession, csrfMatches, sessionCookieName } from '../../features/agents/sessions.ts';
import type { Role } from '../../features/agents/agent.ts';
import { Forbidden } from '../../platform/http/errors.ts';
import { answerWithoutSession, CSRF_REFUSED, isRead, readWriteForm } from '../../platform/http/session-guard.ts';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { Services } from '../../services.ts';
import type { AdminEnv } from './admin-env.ts';

/**
 * The back-office guard, on every /admin route: a live session or nothing. A page asked for without
 * one redirects to sign-in; anything else answers 401. Every state-changing request must carry the
 * session's CSRF token, on top of the same-origin check every write already passes.
 */
export function requireAgent(s: Services): MiddlewareHandler<AdminEnv> {
  const cookieName = sessionCookieName(s.config.isHttps);
  return async (c, next) => {
    const active = await loadSession(s.db.kysely, getCookie(c, cookieName), s.clock.now());
    if (!active) return answerWithoutSession(c, '/connexion');
    c.set('agent', active.agent);
    c.set('session', active.session);
    const { form, params } = await readWriteForm(c);
    if (!isRead(c) && !csrfMatches(active.session.csrf_token, form._csrf)) {
      await recordAudit(s.db.kysely, s.clock.now(), { type: 'agent', id: active.agent.id }, 'security.csrf-refused', null, { path: c.req.path });
      return c.text(CSRF_REFUSED, 403);
    }
    c.set('form', form);
    c.set('params', params);
    c.header('Cache-Control', 'no-store');
    await next();
  };
}

/** Function-level authorisation (ASVS 8.2.1): the role is checked on the server for the whole sub-app. */
export function requireRole(s: Services, role: Role): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const agent = c.get('agent');
    if (agent.role !== role) {
      await recordAudit(s.db.kysely, s.clock.now(), { type: 'agent', id: agent.id }, 'security.forbidden', null, { path: c.req.path, method: c.req.method });
      throw new Forbidden('Cette page est réservée aux administrateurs.');
    }
    await next();
  };
}
