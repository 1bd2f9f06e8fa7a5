import type { Kysely, Transaction } from 'kysely';
import type { Database, PartnerRow, PartnerUserRow } from '../../platform/db/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

export function findPartnerBySlug(db: Q, slug: string): Promise<PartnerRow | undefined> {
  return db.selectFrom('partners').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export function findPartnerById(db: Q, id: string): Promise<PartnerRow | undefined> {
  return db.selectFrom('partners').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The directory: active organisations first, then by name. */
export function listPartners(db: Q, opts: { activeOnly?: boolean } = {}): Promise<PartnerRow[]> {
  let q = db.selectFrom('partners').selectAll();
  if (opts.activeOnly) q = q.where('status', '=', 'active');
  return q.orderBy('status').orderBy('name').execute();
}

export function listPartnerUsers(db: Q, partnerId: string): Promise<PartnerUserRow[]> {
  return db.selectFrom('partner_users').selectAll().where('partner_id', '=', partnerId).orderBy('status').orderBy('name').execute();
}

export function findPartnerUserById(db: Q, id: string): Promise<PartnerUserRow | undefined> {
  return db.selectFrom('partner_users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findPartnerUserByEmail(db: Q, emailNormalized: string): Promise<PartnerUserRow | undefined> {
  return db.selectFrom('partner_users').selectAll().where('email_normalized', '=', emailNormalized).executeTakeFirst();
}

/** Who hears about a partner's business (new referrals, offers to confirm): its active users. */
export function activePartnerUsers(db: Q, partnerId: string): Promise<Array<Pick<PartnerUserRow, 'id' | 'email' | 'name'>>> {
  return db.selectFrom('partner_users').select(['id', 'email', 'name']).where('partner_id', '=', partnerId).where('status', '=', 'active').orderBy('name').execute();
}
