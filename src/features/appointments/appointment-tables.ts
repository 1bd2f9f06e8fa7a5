import type { ColumnType } from 'kysely';

/**
 * The column migration 0007 added to `appointments`; its type lives with the feature and is added to
 * a query builder with Kysely's `withTables`, which changes types only.
 */
export type AppointmentTables = {
  appointments: {
    /** candidate or agent: whoever cancelled, so that the other is the one told. */
    cancelled_by: ColumnType<'candidate' | 'agent' | null, 'candidate' | 'agent' | null | undefined, 'candidate' | 'agent' | null>;
  };
};
