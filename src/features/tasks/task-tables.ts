import type { ColumnType } from 'kysely';

/**
 * Columns migration 0007 added to `tasks`. Their type lives with the feature that owns them and is
 * added to a query builder with Kysely's `withTables`, which changes types only.
 */
export type TaskTables = {
  tasks: {
    /** Set on the tasks the platform makes, one per cause (a follow-up asking for help…). */
    dedupe_key: ColumnType<string | null, string | null | undefined, string | null>;
    cancelled_at: ColumnType<string | null, string | null | undefined, string | null>;
    updated_at: ColumnType<string | null, string | null | undefined, string | null>;
  };
};
