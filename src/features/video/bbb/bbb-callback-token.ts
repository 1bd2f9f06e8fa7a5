import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../../platform/time.ts';

/**
 * BBB calls `meta_endCallbackUrl` with a plain GET and signs nothing, and every `meta_` value is passed
 * on to the meeting's client and recordings: so the address carries a token of ours, an HMAC over the
 * meeting id and the moment it was issued, with a key derived from the shared secret (the callback
 * routes know nothing else). Issued at each `create`, it also names one BBB session of the meeting,
 * which is what a replayed callback is recognised by.
 */

/** An end callback comes when the session ends, at most a day or so after its `create`; older tokens are refused. */
export const END_TOKEN_MAX_AGE_MS = 3 * 24 * 3600 * 1000;

function endTokenKey(secret: string): Buffer {
  return createHash('sha256').update(`nouvelle-vie:bbb-end-callback\0${secret}`, 'utf8').digest();
}

function mac(secret: string, payload: string): Buffer {
  return createHmac('sha256', endTokenKey(secret)).update(payload, 'utf8').digest();
}

export function signEndToken(secret: string, meetingId: string, issuedAt: Date): string {
  const payload = Buffer.from(JSON.stringify({ m: meetingId, t: issuedAt.getTime() }), 'utf8').toString('base64url');
  return `${payload}.${mac(secret, payload).toString('base64url')}`;
}

export type EndTokenCheck = { ok: true; meetingId: string; issuedAt: Date } | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

export function verifyEndToken(secret: string, token: string, clock: Clock): EndTokenCheck {
  const m = /^([A-Za-z0-9_-]{4,2048})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, payload, signature] = m as unknown as [string, string, string];
  const given = Buffer.from(signature, 'base64url');
  const expected = mac(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const { m: meetingId, t } = (parsed ?? {}) as { m?: unknown; t?: unknown };
  if (typeof meetingId !== 'string' || typeof t !== 'number' || !Number.isFinite(t)) return { ok: false, reason: 'malformed' };
  const age = clock.now().getTime() - t;
  // A little slack the other way for clocks that disagree by a few seconds.
  if (age > END_TOKEN_MAX_AGE_MS || age < -5 * 60_000) return { ok: false, reason: 'expired' };
  return { ok: true, meetingId, issuedAt: new Date(t) };
}
