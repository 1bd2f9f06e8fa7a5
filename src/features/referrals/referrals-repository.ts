import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { hashReferralToken, looksLikeReferralToken } from './referral.ts';

type Q = Kysely<Database> | Transaction<Database>;

/**
 * What a partner may see of a person referred to it (ASVS 8.2.3, field-level): the name, how to reach
 * them, the project summary the referent wrote and the person agreed to, who referred them; and only
 * while their consent stands. Nothing else of the file is ever selected for a partner.
 */
function partnerView(db: Q, partnerId: string) {
  return db
    .selectFrom('referrals as r')
    .innerJoin('candidates as c', 'c.id', 'r.candidate_id')
    .innerJoin('agents as a', 'a.id', 'r.referent_id')
    .select([
      'r.id',
      'r.summary',
      'r.consent_given_at',
      'r.outcome',
      'r.outcome_note',
      'r.outcome_at',
      'c.first_name',
      'c.last_name',
      'c.email',
      'c.phone',
      'a.name as referent_name',
      'a.email as referent_email',
    ])
    .where('r.partner_id', '=', partnerId)
    .where('r.status', '=', 'consented')
    .where('r.consent_given_at', 'is not', null)
    .where('r.consent_withdrawn_at', 'is', null);
}

export type PartnerReferralView = Awaited<ReturnType<typeof listReferralsForPartner>>[number];

export function listReferralsForPartner(db: Q, partnerId: string) {
  return partnerView(db, partnerId).orderBy('r.consent_given_at', 'desc').execute();
}

export function findReferralForPartner(db: Q, partnerId: string, referralId: string) {
  if (!/^[0-9a-f-]{36}$/.test(referralId)) return Promise.resolve(undefined);
  return partnerView(db, partnerId).where('r.id', '=', referralId).executeTakeFirst();
}

/** The referral, its partner and its person behind a consent link; undefined for anything else. */
export async function findReferralByToken(db: Q, token: string) {
  if (!looksLikeReferralToken(token)) return undefined;
  return db
    .selectFrom('referrals as r')
    .innerJoin('partners as p', 'p.id', 'r.partner_id')
    .innerJoin('candidates as c', 'c.id', 'r.candidate_id')
    .innerJoin('agents as a', 'a.id', 'r.referent_id')
    .select([
      'r.id',
      'r.candidate_id',
      'r.partner_id',
      'r.status',
      'r.summary',
      'r.token_nonce',
      'r.requested_at',
      'r.consent_given_at',
      'r.consent_declined_at',
      'r.consent_withdrawn_at',
      'p.name as partner_name',
      'p.role as partner_role',
      'p.status as partner_status',
      'c.first_name',
      'c.last_name',
      'c.email',
      'c.phone',
      'a.name as referent_name',
    ])
    .where('r.consent_token_hash', '=', hashReferralToken(token))
    .executeTakeFirst();
}

/** A candidate's referrals, for the back-office. */
export function referralsOfCandidate(db: Q, candidateId: string) {
  return db
    .selectFrom('referrals as r')
    .innerJoin('partners as p', 'p.id', 'r.partner_id')
    .leftJoin('agents as a', 'a.id', 'r.referent_id')
    .select(['r.id', 'r.status', 'r.summary', 'r.requested_at', 'r.consent_given_at', 'r.consent_declined_at', 'r.consent_withdrawn_at', 'r.outcome', 'r.outcome_note', 'r.outcome_at', 'p.name as partner_name', 'p.slug as partner_slug', 'a.name as referent_name'])
    .where('r.candidate_id', '=', candidateId)
    .orderBy('r.requested_at', 'desc')
    .execute();
}
