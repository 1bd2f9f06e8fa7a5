import { sql, type Kysely } from 'kysely';

// Frozen in time: who was given which household and how (the rotation's memory and the referent's
// "new requests"), system tasks made once per cause, the help a follow-up answer asks for, who
// cancelled an appointment, and a slot that can hold one booked appointment only.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('referent_assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
    .addColumn('request_id', 'text', (c) => c.references('accompaniment_requests.id'))
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('previous_agent_id', 'text', (c) => c.references('agents.id'))
    /** rotation, region, project, theme (the territory's mapping) or manual (an agent chose). */
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    /** When the referent said they had it in hand: until then it is a new request on their list. */
    .addColumn('acknowledged_at', 'text')
    .execute();
  await db.schema.createIndex('referent_assignments_agent').on('referent_assignments').columns(['agent_id', 'at']).execute();
  await db.schema.createIndex('referent_assignments_candidate').on('referent_assignments').columns(['candidate_id', 'at']).execute();

  // A task the platform makes (a follow-up asking for help, a first contact) is made once per cause.
  await db.schema.alterTable('tasks').addColumn('dedupe_key', 'text').execute();
  await db.schema.createIndex('tasks_dedupe_key').unique().on('tasks').column('dedupe_key').execute();
  await db.schema.alterTable('tasks').addColumn('cancelled_at', 'text').execute();
  await db.schema.alterTable('tasks').addColumn('updated_at', 'text').execute();

  // JSON array of the help a follow-up answer asks for: job, spouse-job, housing, schools, other.
  await db.schema.alterTable('follow_ups').addColumn('help_topics', 'text', (c) => c.notNull().defaultTo('[]')).execute();

  await db.schema.alterTable('appointments').addColumn('cancelled_by', 'text').execute();
  // Besides the conditional update that books a slot: the database itself refuses a second booked
  // appointment on one slot.
  await db.schema.createIndex('appointments_one_booked_per_slot').unique().on('appointments').column('slot_id').where(sql.ref('status'), '=', 'booked').execute();
  await db.schema.createIndex('appointment_slots_agent').on('appointment_slots').columns(['agent_id', 'starts_at']).execute();
  await db.schema.createIndex('follow_ups_candidate').on('follow_ups').column('candidate_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('follow_ups_candidate').execute();
  await db.schema.dropIndex('appointment_slots_agent').execute();
  await db.schema.dropIndex('appointments_one_booked_per_slot').execute();
  await db.schema.alterTable('appointments').dropColumn('cancelled_by').execute();
  await db.schema.alterTable('follow_ups').dropColumn('help_topics').execute();
  await db.schema.alterTable('tasks').dropColumn('updated_at').execute();
  await db.schema.alterTable('tasks').dropColumn('cancelled_at').execute();
  await db.schema.dropIndex('tasks_dedupe_key').execute();
  await db.schema.alterTable('tasks').dropColumn('dedupe_key').execute();
  await db.schema.dropTable('referent_assignments').execute();
}
