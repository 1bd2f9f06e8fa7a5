import type { Kysely } from 'kysely';

// Frozen in time: the candidate file (household, project, stage, referent), its timeline, tasks,
// referents' appointment slots, installations and their follow-ups, the first contact form, saved
// views, and the communes of the territory (from the official administrative data).

export async function up(db: Kysely<any>): Promise<void> {
  for (const [col, type] of [
    ['stage', 'text'],
    ['stage_changed_at', 'text'],
    ['abandon_reason', 'text'],
    ['referent_id', 'text'],
    ['project_type', 'text'],
    ['project_sector', 'text'],
    ['project_maturity', 'text'],
    ['desired_commune', 'text'],
    ['housing_plan', 'text'],
    ['driving_licence', 'integer'],
    ['merged_into_id', 'text'],
    ['last_activity_at', 'text'],
  ] as const) {
    await db.schema.alterTable('candidates').addColumn(col, type).execute();
  }
  await db.schema.createIndex('candidates_stage').on('candidates').columns(['stage', 'last_activity_at']).execute();
  await db.schema.createIndex('candidates_referent').on('candidates').columns(['referent_id', 'stage']).execute();
  await db.schema.createIndex('candidates_created').on('candidates').column('created_at').execute();
  await db.schema.createIndex('candidates_phone').on('candidates').column('phone').execute();

  await db.schema
    .createTable('household_members')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text')
    .addColumn('age', 'integer')
    .addColumn('occupation', 'text')
    .addColumn('needs_job', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('school_need', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('household_members_candidate').on('household_members').column('candidate_id').execute();

  await db.schema
    .createTable('timeline_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    /** What happened once is written once, whoever reports it (retries, imports, redeliveries). */
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('subject_type', 'text')
    .addColumn('subject_id', 'text')
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  await db.schema.createIndex('timeline_candidate_at').on('timeline_events').columns(['candidate_id', 'at']).execute();
  await db.schema.createIndex('timeline_kind_at').on('timeline_events').columns(['kind', 'at']).execute();

  await db.schema
    .createTable('stage_changes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
    .addColumn('from_stage', 'text')
    .addColumn('to_stage', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .execute();
  await db.schema.createIndex('stage_changes_candidate').on('stage_changes').columns(['candidate_id', 'at']).execute();
  await db.schema.createIndex('stage_changes_to_at').on('stage_changes').columns(['to_stage', 'at']).execute();

  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('candidate_id', 'text', (c) => c.references('candidates.id'))
    .addColumn('assignee_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('due_on', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .addColumn('reminded_at', 'text')
    .execute();
  await db.schema.createIndex('tasks_assignee_due').on('tasks').columns(['assignee_id', 'status', 'due_on']).execute();
  await db.schema.createIndex('tasks_candidate').on('tasks').column('candidate_id').execute();

  await db.schema
    .createTable('saved_views')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('appointment_slots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('agent_id', 'text', (c) => c.notNull().references('agents.id'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    /** open, booked or withdrawn; a booking takes an open slot with one conditional update. */
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('video_url', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('appointment_slots_open').on('appointment_slots').columns(['status', 'starts_at']).execute();

  await db.schema
    .createTable('appointments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slot_id', 'text', (c) => c.notNull().references('appointment_slots.id'))
    .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('topic', 'text')
    .addColumn('token_nonce', 'text', (c) => c.notNull())
    .addColumn('manage_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('booked_at', 'text', (c) => c.notNull())
    .addColumn('cancelled_at', 'text')
    .execute();
  await db.schema.createIndex('appointments_slot').on('appointments').column('slot_id').execute();
  await db.schema.createIndex('appointments_candidate').on('appointments').column('candidate_id').execute();

  await db.schema
    .createTable('installations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
    .addColumn('installed_on', 'text', (c) => c.notNull())
    .addColumn('commune_code', 'text')
    .addColumn('commune_name', 'text', (c) => c.notNull())
    .addColumn('region_key', 'text')
    .addColumn('adults', 'integer', (c) => c.notNull())
    .addColumn('children', 'integer', (c) => c.notNull())
    .addColumn('activity', 'text', (c) => c.notNull())
    .addColumn('employer', 'text')
    .addColumn('housing', 'text')
    .addColumn('left_on', 'text')
    .addColumn('left_reason', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('installations_candidate').on('installations').column('candidate_id').execute();
  await db.schema.createIndex('installations_on').on('installations').column('installed_on').execute();

  await db.schema
    .createTable('follow_ups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('installation_id', 'text', (c) => c.notNull().references('installations.id'))
    .addColumn('candidate_id', 'text', (c) => c.notNull().references('candidates.id'))
    .addColumn('months', 'integer', (c) => c.notNull())
    .addColumn('due_on', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('token_nonce', 'text', (c) => c.notNull())
    .addColumn('answer_token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('sent_at', 'text')
    .addColumn('answered_at', 'text')
    .addColumn('wellbeing', 'integer')
    .addColumn('needs_help', 'integer')
    .addColumn('message', 'text')
    .addColumn('still_there', 'integer')
    .addUniqueConstraint('follow_ups_installation_months', ['installation_id', 'months'])
    .execute();
  await db.schema.createIndex('follow_ups_due').on('follow_ups').columns(['status', 'due_on']).execute();

  await db.schema
    .createTable('contact_forms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('step', 'text', (c) => c.notNull())
    .addColumn('candidate_id', 'text', (c) => c.references('candidates.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'text')
    .execute();

  await db.schema
    .createTable('communes')
    .addColumn('code', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    /** Lower case, no accents, hyphens and apostrophes as spaces: what a search compares. */
    .addColumn('name_search', 'text', (c) => c.notNull())
    .addColumn('postcodes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('population', 'integer')
    .addColumn('epci_code', 'text')
    .addColumn('epci_name', 'text')
    .addColumn('region_key', 'text')
    .execute();
  await db.schema.createIndex('communes_name_search').on('communes').column('name_search').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['communes', 'contact_forms', 'follow_ups', 'installations', 'appointments', 'appointment_slots', 'saved_views', 'tasks', 'stage_changes', 'timeline_events', 'household_members']) {
    await db.schema.dropTable(t).execute();
  }
  for (const i of ['candidates_phone', 'candidates_created', 'candidates_referent', 'candidates_stage']) await db.schema.dropIndex(i).execute();
  for (const col of ['last_activity_at', 'merged_into_id', 'driving_licence', 'housing_plan', 'desired_commune', 'project_maturity', 'project_sector', 'project_type', 'referent_id', 'abandon_reason', 'stage_changed_at', 'stage']) {
    await db.schema.alterTable('candidates').dropColumn(col).execute();
  }
}
