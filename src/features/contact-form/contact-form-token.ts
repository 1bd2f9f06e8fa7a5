import { randomBytes } from 'node:crypto';
import { hashToken } from '../registrations/registration-token.ts';

/**
 * The token of a first contact form in progress: 32 random bytes (43 base64url characters), in the
 * address and in a cookie, so the form works without JavaScript and can be resumed; only its SHA-256
 * is stored. It opens nothing but the unfinished form it was made for.
 */
export function newContactFormToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export const CONTACT_FORM_COOKIE = 'nv_premier_contact';
