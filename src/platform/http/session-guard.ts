import type { Context } from 'hono';

/**
 * What the guards of the signed-in spaces (the back-office, the partner portal) share: the answer to a
 * request without a live session, and the reading of a write's form, whose CSRF token each guard then
 * checks against its own session.
 */

export const isRead = (c: Context) => c.req.method === 'GET' || c.req.method === 'HEAD';

/** A page asked for goes to the space's sign-in, which brings the person back to it; anything else is a 401. */
export function answerWithoutSession(c: Context, signInPath: string): Response {
  c.header('Cache-Control', 'no-store');
  if (isRead(c)) {
    const back = c.req.path + (new URL(c.req.url).search || '');
    return c.redirect(`${signInPath}?retour=${encodeURIComponent(back)}`, 303);
  }
  return c.text('Session expirée ou absente : reconnectez-vous.', 401);
}

/** The text fields of a write's form (URL-encoded or multipart, whose files the routes read themselves), once. */
export async function readWriteForm(c: Context): Promise<{ form: Record<string, string>; params: URLSearchParams }> {
  if (isRead(c)) return { form: {}, params: new URLSearchParams() };
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('multipart/form-data')) {
    const body = await c.req.parseBody();
    const form = Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    return { form, params: new URLSearchParams(form) };
  }
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const params = new URLSearchParams(await c.req.text());
    return { form: Object.fromEntries(params), params };
  }
  return { form: {}, params: new URLSearchParams() };
}

export const CSRF_REFUSED = 'Requête refusée : jeton de sécurité absent ou invalide. Rechargez la page et recommencez.';
