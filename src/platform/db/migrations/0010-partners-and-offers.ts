import { sql, type Kysely } from 'kysely';

// Frozen in time: the partner organisations, their users with their own sessions and one-time links,
// the offers (jobs, businesses to take over, premises, farms, housing) with their freshness, the
// offers proposed to candidates and what came of them, and the referrals of a candidate to a partner
// with the candidate's consent.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('partners')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    /** JSON arrays of keys: the themes they help with, the natural regions they cover (empty: all). */
    .addColumn('themes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('regions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('website', 'text')
    .addColumn('address', 'text')
    .addColumn('contact_name', 'text')
    .addColumn('contact_title', 'text')
    .addColumn('contact_email', 'text')
    .addColumn('contact_phone', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('partner_users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_normalized', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('last_sign_in_at', 'text')
    .execute();
  await db.schema.createIndex('partner_users_partner').on('partner_users').column('partner_id').execute();

  // A table of their own, not the agents' sessions: a partner's cookie can never be looked up as an
  // agent's session, nor the other way round, whatever a guard forgets.
  await db.schema
    .createTable('partner_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('partner_user_id', 'text', (c) => c.notNull().references('partner_users.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('partner_sessions_user').on('partner_sessions').column('partner_user_id').execute();

  await db.schema
    .createTable('partner_user_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('partner_user_id', 'text', (c) => c.notNull().references('partner_users.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('partner_user_tokens_user').on('partner_user_tokens').column('partner_user_id').execute();

  await db.schema
    .createTable('offers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('sector', 'text', (c) => c.notNull())
    .addColumn('commune_code', 'text')
    .addColumn('commune_name', 'text', (c) => c.notNull())
    .addColumn('region_key', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('conditions', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('partner_id', 'text', (c) => c.references('partners.id'))
    .addColumn('contact_name', 'text')
    .addColumn('contact_email', 'text')
    .addColumn('contact_phone', 'text')
    /** YYYY-MM-DD in the territory's zone; valid_until null: until filled. */
    .addColumn('valid_from', 'text')
    .addColumn('valid_until', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    /** Lower case, no accents: what a keyword search compares. */
    .addColumn('search_text', 'text', (c) => c.notNull())
    .addColumn('created_by_type', 'text', (c) => c.notNull())
    .addColumn('created_by_id', 'text')
    .addColumn('published_at', 'text')
    /** The last time its owner said it is still current (publication counts as one). */
    .addColumn('confirmed_at', 'text')
    .addColumn('confirm_requested_at', 'text')
    .addColumn('confirm_token_hash', 'text', (c) => c.unique())
    .addColumn('filled_at', 'text')
    .addColumn('expired_at', 'text')
    .addColumn('import_batch', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // The public search: published offers, newest first (id breaks ties, so it is in the index too: the
  // database reads the first page straight from the index instead of sorting every match), by one
  // filter or none.
  await db.schema.createIndex('offers_status_published').on('offers').columns(['status', 'published_at', 'id']).execute();
  await db.schema.createIndex('offers_status_type').on('offers').columns(['status', 'type', 'published_at', 'id']).execute();
  await db.schema.createIndex('offers_status_sector').on('offers').columns(['status', 'sector', 'published_at', 'id']).execute();
  await db.schema.createIndex('offers_status_region').on('offers').columns(['status', 'region_key', 'published_at', 'id']).execute();
  // Several filters, or keywords: the matches are found in this index alone, never in the rows (it
  // seeks as far as the filters given go; LIKE '%mot%' seeks nothing but reads only the index), with
  // what orders them; only the page's rows are read afterwards.
  await db.schema.createIndex('offers_search').on('offers').columns(['status', 'type', 'sector', 'region_key', 'search_text', 'published_at', 'id']).execute();
  // Keywords alone: the narrowest index that holds them, read instead of the table (a third its size).
  await db.schema.createIndex('offers_keywords').on('offers').columns(['status', 'search_text', 'published_at', 'id']).execute();
  await db.schema.createIndex('offers_partner').on('offers').columns(['partner_id', 'status']).execute();
  // The freshness scan: published offers by the date of their last confirmation.
  await db.schema.createIndex('offers_status_confirmed').on('offers').columns(['status', 'confirmed_at']).execute();

  await db.schema
    .createTable('offer_proposals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
    .addColumn('offer_id', 'text', (c) => c.notNull().references('offers.id'))
    .addColumn('proposed_by', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('proposed_at', 'text', (c) => c.notNull())
    /** Why it fits, as shown when it was proposed ("reprise · commerce · Aubrac"). */
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('outcome', 'text')
    .addColumn('outcome_at', 'text')
    .addColumn('outcome_by', 'text')
    .addUniqueConstraint('offer_proposals_candidate_offer', ['candidate_id', 'offer_id'])
    .execute();
  await db.schema.createIndex('offer_proposals_offer').on('offer_proposals').column('offer_id').execute();

  await db.schema
    .createTable('referrals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
    .addColumn('partner_id', 'text', (c) => c.notNull().references('partners.id'))
    .addColumn('referent_id', 'text', (c) => c.notNull().references('agents.id'))
    /** What the partner is told of the project: written by the referent, shown to the candidate before consent. */
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('token_nonce', 'text', (c) => c.notNull())
    .addColumn('consent_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('consent_given_at', 'text')
    .addColumn('consent_declined_at', 'text')
    .addColumn('consent_withdrawn_at', 'text')
    .addColumn('outcome', 'text')
    .addColumn('outcome_note', 'text')
    .addColumn('outcome_at', 'text')
    .addColumn('outcome_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('referrals_partner_status').on('referrals').columns(['partner_id', 'status']).execute();
  await db.schema.createIndex('referrals_candidate').on('referrals').column('candidate_id').execute();
  // One open referral of a candidate to a partner at a time (awaiting consent or consented).
  await db.schema
    .createIndex('referrals_one_open')
    .unique()
    .on('referrals')
    .columns(['candidate_id', 'partner_id'])
    .where(sql<boolean>`status in ('awaiting-consent', 'consented')`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['referrals', 'offer_proposals', 'offers', 'partner_user_tokens', 'partner_sessions', 'partner_users', 'partners']) {
    await db.schema.dropTable(t).execute();
  }
}
