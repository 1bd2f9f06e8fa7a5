import type { Kysely } from 'kysely';

// Frozen in time: background jobs, the video tool of a Rencontre, attendance by source, the next step
// ("concrétiser") and the satisfaction survey.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    /** One job per thing to do (e.g. "replay:<webinar>"): enqueuing it again does nothing. */
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('run_after', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('progress_done', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('progress_total', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_after']).execute();

  // A message not worth sending after this instant (a reminder once the Rencontre has started).
  await db.schema.alterTable('outbox_messages').addColumn('expires_at', 'text').execute();

  await db.schema.alterTable('webinars').addColumn('video_external_id', 'text').execute();
  await db.schema.alterTable('webinars').addColumn('video_data', 'text', (c) => c.notNull().defaultTo('{}')).execute();
  await db.schema.alterTable('webinars').addColumn('replay_requested_at', 'text').execute();

  // The person asked for no more invitations (the one-click link in invitations); confirmations still go.
  await db.schema.alterTable('candidates').addColumn('invitations_opt_out_at', 'text').execute();

  await db.schema.alterTable('registrations').addColumn('video_registrant_id', 'text').execute();
  await db.schema.alterTable('registrations').addColumn('video_join_url', 'text').execute();
  await db.schema.alterTable('registrations').addColumn('attendance_source', 'text').execute();
  await db.schema.alterTable('registrations').addColumn('attendance_overridden', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('registrations').addColumn('no_show_invited_at', 'text').execute();

  await db.schema
    .createTable('accompaniment_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
    .addColumn('registration_id', 'text', (c) => c.references('registrations.id'))
    .addColumn('webinar_id', 'text', (c) => c.references('webinars.id'))
    .addColumn('project', 'text', (c) => c.notNull())
    .addColumn('horizon', 'text', (c) => c.notNull())
    .addColumn('movers', 'text', (c) => c.notNull())
    .addColumn('needs', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('message', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('accompaniment_requests_candidate').on('accompaniment_requests').column('candidate_id').execute();
  await db.schema.createIndex('accompaniment_requests_created').on('accompaniment_requests').column('created_at').execute();

  await db.schema
    .createTable('survey_answers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('registration_id', 'text', (c) => c.notNull().unique().references('registrations.id'))
    .addColumn('webinar_id', 'text', (c) => c.notNull().references('webinars.id'))
    .addColumn('usefulness', 'integer', (c) => c.notNull())
    .addColumn('recommend', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('survey_answers_webinar').on('survey_answers').column('webinar_id').execute();
  await db.schema.createIndex('registrations_video_registrant').on('registrations').column('video_registrant_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('registrations_video_registrant').execute();
  await db.schema.dropTable('survey_answers').execute();
  await db.schema.dropTable('accompaniment_requests').execute();
  for (const c of ['no_show_invited_at', 'attendance_overridden', 'attendance_source', 'video_join_url', 'video_registrant_id']) {
    await db.schema.alterTable('registrations').dropColumn(c).execute();
  }
  for (const c of ['replay_requested_at', 'video_data', 'video_external_id']) await db.schema.alterTable('webinars').dropColumn(c).execute();
  await db.schema.dropTable('jobs').execute();
  await db.schema.alterTable('candidates').dropColumn('invitations_opt_out_at').execute();
  await db.schema.alterTable('outbox_messages').dropColumn('expires_at').execute();
}
