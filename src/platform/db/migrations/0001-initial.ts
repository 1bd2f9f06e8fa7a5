import type { Kysely } from 'kysely';

// Frozen in time: a migration never imports the app's current types. Portable column types only
// (text, integer), so that one set of migrations runs on SQLite and PostgreSQL alike.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webinars')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('theme', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('capacity', 'integer')
    .addColumn('video_tool', 'text', (c) => c.notNull().defaultTo('link'))
    .addColumn('join_url', 'text')
    .addColumn('replay_url', 'text')
    .addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('programme', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('speakers', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('partners', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('promotion_cost_cents', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webinars_status_starts_at').on('webinars').columns(['status', 'starts_at']).execute();

  await db.schema
    .createTable('candidates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_normalized', 'text', (c) => c.notNull().unique())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('postcode', 'text')
    .addColumn('town', 'text')
    .addColumn('country', 'text')
    .addColumn('project', 'text')
    .addColumn('household', 'text')
    .addColumn('horizon', 'text')
    .addColumn('desired_region', 'text')
    .addColumn('news_opt_in', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('news_opt_in_at', 'text')
    .addColumn('first_source', 'text')
    .addColumn('first_webinar_id', 'text', (c) => c.references('webinars.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('last_contact_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('registrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('webinar_id', 'text', (c) => c.notNull().references('webinars.id'))
    .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('token_nonce', 'text', (c) => c.notNull())
    .addColumn('manage_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('project', 'text')
    .addColumn('household', 'text')
    .addColumn('horizon', 'text')
    .addColumn('desired_region', 'text')
    .addColumn('heard_from', 'text')
    .addColumn('question', 'text')
    .addColumn('utm_source', 'text')
    .addColumn('utm_medium', 'text')
    .addColumn('utm_campaign', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull().defaultTo('candidate'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .addColumn('cancelled_at', 'text')
    .addColumn('waitlist_rank', 'integer')
    .addColumn('attended', 'integer')
    .addColumn('attended_minutes', 'integer')
    .addUniqueConstraint('registrations_webinar_candidate', ['webinar_id', 'candidate_id'])
    .execute();
  await db.schema
    .createIndex('registrations_webinar_status_created')
    .on('registrations')
    .columns(['webinar_id', 'status', 'created_at'])
    .execute();
  await db.schema.createIndex('registrations_candidate').on('registrations').column('candidate_id').execute();

  await db.schema
    .createTable('submissions')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('webinar_id', 'text', (c) => c.notNull().references('webinars.id'))
    .addColumn('registration_id', 'text', (c) => c.notNull().references('registrations.id'))
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('outbox_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('html', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('attachments', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('headers', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_after', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('last_attempt_at', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('transport', 'text')
    .addColumn('candidate_id', 'text', (c) => c.references('candidates.id'))
    .addColumn('webinar_id', 'text', (c) => c.references('webinars.id'))
    .addColumn('registration_id', 'text', (c) => c.references('registrations.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox_messages').columns(['status', 'run_after']).execute();
  await db.schema.createIndex('outbox_created').on('outbox_messages').column('created_at').execute();
  await db.schema.createIndex('outbox_candidate').on('outbox_messages').column('candidate_id').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text')
    .addColumn('subject_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('details', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  await db.schema.createIndex('audit_log_subject').on('audit_log').columns(['subject_type', 'subject_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['audit_log', 'outbox_messages', 'submissions', 'registrations', 'candidates', 'webinars', 'meta']) {
    await db.schema.dropTable(t).execute();
  }
}
