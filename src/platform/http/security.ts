import type { MiddlewareHandler } from 'hono';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

/** Headers on every response, errors included (OWASP ASVS 3.4). */
export function securityHeaders(opts: { isHttps: boolean }): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    // A handler may set a stricter policy of its own (the e-mail preview); otherwise the default applies.
    if (!h.has('Content-Security-Policy')) h.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    h.set('X-Content-Type-Options', 'nosniff');
    // Private links carry a token in their path: it must never leave in a Referer header.
    h.set('Referrer-Policy', 'same-origin');
    if (!h.has('X-Frame-Options')) h.set('X-Frame-Options', 'DENY');
    h.set('Cross-Origin-Opener-Policy', 'same-origin');
    h.set('Cross-Origin-Resource-Policy', 'same-origin');
    h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()');
    if (opts.isHttps) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  };
}

/**
 * Refuses a state-changing request sent by a page of another site: browsers say where a request comes
 * from with Sec-Fetch-Site and Origin. Requests that carry neither do not come from a browser page and
 * cannot ride on a visitor's cookies. The back-office adds a per-session token on top.
 */
export function sameOriginWrites(allowedOrigins: string[]): MiddlewareHandler {
  return async (c, next) => {
    const m = c.req.method;
    if (m === 'GET' || m === 'HEAD' || m === 'OPTIONS') return next();
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    const own = new URL(c.req.url).origin;
    const okOrigin = origin === undefined || origin === own || allowedOrigins.includes(origin);
    const okSite = site === undefined || site === 'same-origin' || site === 'none';
    if (!okOrigin || !okSite) {
      return c.text('Requête refusée : elle ne vient pas de ce site.', 403);
    }
    return next();
  };
}
