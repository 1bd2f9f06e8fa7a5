import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { ReferralOutcome, ReferralStatus } from '../../platform/db/schema.ts';

/** Domain vocabulary of referrals to a partner, and the candidate's private link to consent. */

export const referralStatusLabels: Record<ReferralStatus, string> = {
  'awaiting-consent': 'En attente de l’accord de la personne',
  consented: 'Accord donné',
  declined: 'Accord refusé',
  withdrawn: 'Accord retiré',
};

export const referralOutcomes: ReadonlyArray<{ value: ReferralOutcome; label: string; sentence: string }> = [
  { value: 'contacted', label: 'Personne contactée', sentence: 'a pris contact avec la personne' },
  { value: 'in-progress', label: 'Accompagnement en cours', sentence: 'accompagne la personne' },
  { value: 'succeeded', label: 'Démarche aboutie (emploi, reprise, logement…)', sentence: 'indique que la démarche a abouti' },
  { value: 'not-pursued', label: 'Sans suite', sentence: 'indique que la démarche est restée sans suite' },
];

export const OUTCOME_NOTE_MAX = 500;

/**
 * The private link of a referral, as for registrations (ADR 0006): HMAC(key, referral:id:nonce); the
 * database keeps the nonce and the SHA-256 of the token, never the token. The consent request and
 * every later e-mail carry the same link, which stays the way to withdraw consent.
 */
export function referralToken(key: Buffer, referralId: string, nonce: string): string {
  return createHmac('sha256', key).update(`referral:${referralId}:${nonce}`).digest('base64url');
}

export function hashReferralToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newReferralToken(key: Buffer, referralId: string): { token: string; hash: string; nonce: string } {
  const nonce = randomBytes(12).toString('base64url');
  const token = referralToken(key, referralId, nonce);
  return { token, hash: hashReferralToken(token), nonce };
}

export const looksLikeReferralToken = (s: string) => /^[A-Za-z0-9_-]{43}$/.test(s);
