import type { Kysely } from 'kysely';

// Frozen in time: the territory's content base, kept as versions (a save or a restore adds one, none
// is ever changed), the images it shows (stored in the database, under a generated id, so that every
// web process serves them), and each Rencontre's adjustments to its slides.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('content_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** "section:acces", "region:aubrac". */
    .addColumn('page_key', 'text', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    /** The whole page as JSON: title, texts, figures, images, links, travel times. */
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('agents.id'))
    /** The author's name as it was, so that the history still reads after an account is gone. */
    .addColumn('created_by_name', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('restored_from', 'integer')
    /** Two saves from the same version: the second one fails here instead of hiding the first. */
    .addUniqueConstraint('content_versions_page_number', ['page_key', 'number'])
    .execute();

  await db.schema
    .createTable('content_images')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('page_key', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    /** The image as re-encoded for the web, base64: one portable column type on SQLite and PostgreSQL. */
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('agents.id'))
    .execute();
  await db.schema.createIndex('content_images_page').on('content_images').column('page_key').execute();

  await db.schema
    .createTable('slide_decks')
    .addColumn('webinar_id', 'text', (c) => c.primaryKey().references('webinars.id'))
    /** The edition's outline as JSON: slides in order (sections and added ones), hidden or not. */
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.references('agents.id'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['slide_decks', 'content_images', 'content_versions']) await db.schema.dropTable(t).execute();
}
