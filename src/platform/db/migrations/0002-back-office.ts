import type { Kysely } from 'kysely';

// Frozen in time: agents, their sessions and one-time links; the calendar sequence of a Rencontre.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('email_normalized', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('last_sign_in_at', 'text')
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_agent').on('sessions').column('agent_id').execute();

  await db.schema
    .createTable('agent_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('agent_tokens_agent').on('agent_tokens').column('agent_id').execute();

  await db.schema.alterTable('webinars').addColumn('calendar_sequence', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('audit_log_actor').on('audit_log').columns(['actor_type', 'actor_id']).execute();
  await db.schema.createIndex('outbox_status_created').on('outbox_messages').columns(['status', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_status_created').execute();
  await db.schema.dropIndex('audit_log_actor').execute();
  await db.schema.alterTable('webinars').dropColumn('calendar_sequence').execute();
  await db.schema.dropTable('agent_tokens').execute();
  await db.schema.dropTable('sessions').execute();
  await db.schema.dropTable('agents').execute();
}
