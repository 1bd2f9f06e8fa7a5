import type { AssignmentMethod } from './referent.ts';

/**
 * Table added by migration 0007. Its type lives with the feature that owns it and is added to a query
 * builder with Kysely's `withTables`, which changes types only.
 */
export interface ReferentAssignmentTable {
  id: string;
  candidate_id: string;
  request_id: string | null;
  agent_id: string;
  previous_agent_id: string | null;
  method: AssignmentMethod;
  at: string;
  actor_type: 'agent' | 'system';
  actor_id: string | null;
  acknowledged_at: string | null;
}

export type ReferentTables = { referent_assignments: ReferentAssignmentTable };
