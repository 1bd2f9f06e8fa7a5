import type { Kysely } from 'kysely';

// Frozen in time: the figures of a period, stored beside a fingerprint of everything they were
// computed from (docs/decisions/0014-statistics-facts-cached-under-versions.md), so that a process
// that has just started gives a year's dashboard from one row instead of summing a thousand
// Rencontres' facts. The fingerprint names the versions, stamps, small tables, day and code the
// figures came from: a row is used only when the fingerprint computed now is the same.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('stats_period_cache')
    .addColumn('zone', 'text', (c) => c.notNull())
    /** "2025-01-01..2025-12-31" */
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('stats_period_cache_pk', ['zone', 'period'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('stats_period_cache').execute();
}
