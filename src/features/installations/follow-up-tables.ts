import type { ColumnType } from 'kysely';

/**
 * The column migration 0007 added to `follow_ups`; its type lives with the feature and is added to a
 * query builder with Kysely's `withTables`, which changes types only.
 */
export type FollowUpTables = {
  follow_ups: {
    /** JSON array of helpTopics values the answer asked for. */
    help_topics: ColumnType<string, string | undefined, string>;
  };
};
