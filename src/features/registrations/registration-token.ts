import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * The private link of a registration is HMAC(key, id:nonce). The database keeps the nonce and a hash
 * of the token: a copy of the database alone gives no working link, yet the platform can write the
 * link again in every later e-mail (reminders, replay, moving up from the waiting list).
 */
export function registrationToken(key: Buffer, registrationId: string, nonce: string): string {
  return createHmac('sha256', key).update(`registration:${registrationId}:${nonce}`).digest('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newRegistrationToken(key: Buffer, registrationId: string): { token: string; hash: string; nonce: string } {
  const nonce = randomBytes(12).toString('base64url');
  const token = registrationToken(key, registrationId, nonce);
  return { token, hash: hashToken(token), nonce };
}

/** Tokens are 43 base64url characters; anything else is refused before touching the database. */
export function looksLikeToken(s: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(s);
}
