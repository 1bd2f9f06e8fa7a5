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

/** The headers every response carries (OWASP ASVS 3.4), in the order they are sent. */
export function securityHeaderList(isHttps: boolean): Array<[string, string]> {
  const list: Array<[string, string]> = [
    ['Content-Security-Policy', CONTENT_SECURITY_POLICY],
    ['X-Content-Type-Options', 'nosniff'],
    // Private links carry a token in their path: it must never leave in a Referer header.
    ['Referrer-Policy', 'same-origin'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Cross-Origin-Resource-Policy', 'same-origin'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()'],
  ];
  if (isHttps) list.push(['Strict-Transport-Security', 'max-age=31536000; includeSubDomains']);
  return list;
}

/** A handler may set a stricter policy or framing rule of its own (the e-mail preview); the others are always ours. */
const OWN_CHOICE = new Set(['Content-Security-Policy', 'X-Frame-Options']);

/** Headers on every response, errors included (OWASP ASVS 3.4). */
export function securityHeaders(opts: { isHttps: boolean }): MiddlewareHandler {
  const list = securityHeaderList(opts.isHttps);
  return async (c, next) => {
    await next();
    const h = c.res.headers;
    for (const [name, value] of list) if (!OWN_CHOICE.has(name) || !h.has(name)) h.set(name, value);
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
