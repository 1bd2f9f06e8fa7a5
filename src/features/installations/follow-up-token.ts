import { createHmac, randomBytes } from 'node:crypto';
import { hashToken } from '../registrations/registration-token.ts';

/** The private link of one follow-up's form, made as a registration's is (ADR 0006). */
export function followUpToken(key: Buffer, followUpId: string, nonce: string): string {
  return createHmac('sha256', key).update(`follow-up:${followUpId}:${nonce}`).digest('base64url');
}

export function newFollowUpToken(key: Buffer, followUpId: string): { token: string; hash: string; nonce: string } {
  const nonce = randomBytes(12).toString('base64url');
  const token = followUpToken(key, followUpId, nonce);
  return { token, hash: hashToken(token), nonce };
}
