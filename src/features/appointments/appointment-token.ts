import { createHmac, randomBytes } from 'node:crypto';
import { hashToken } from '../registrations/registration-token.ts';

/**
 * The private link of an appointment, made as a registration's is (ADR 0006): HMAC of the id and a
 * nonce; only the nonce and the token's hash are stored, so the e-mails can carry it again.
 */
export function appointmentToken(key: Buffer, appointmentId: string, nonce: string): string {
  return createHmac('sha256', key).update(`appointment:${appointmentId}:${nonce}`).digest('base64url');
}

export function newAppointmentToken(key: Buffer, appointmentId: string): { token: string; hash: string; nonce: string } {
  const nonce = randomBytes(12).toString('base64url');
  const token = appointmentToken(key, appointmentId, nonce);
  return { token, hash: hashToken(token), nonce };
}
