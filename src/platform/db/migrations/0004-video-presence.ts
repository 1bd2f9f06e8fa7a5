import type { Kysely } from 'kysely';

// Frozen in time: who joined and left a BigBlueButton meeting (its webhooks are the only history it
// gives), and the callbacks already processed, shared by every process.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('video_presence')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** meeting | kind | connection | instant: the same event delivered twice is stored once. */
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('meeting_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('internal_user_id', 'text')
    .addColumn('name', 'text')
    .addColumn('role', 'text')
    .addColumn('internal_meeting_id', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('video_presence_meeting').on('video_presence').columns(['meeting_id', 'at']).execute();

  await db.schema
    .createTable('callback_claims')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('until', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('callback_claims').execute();
  await db.schema.dropTable('video_presence').execute();
}
