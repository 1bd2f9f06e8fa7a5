import type { Kysely } from 'kysely';

// Frozen in time: what the candidates list, its search and the duplicates finder read.
// - search_text: name, e-mail and phone digits, lower case and without accents, so that "helene"
//   finds "Hélène" and "0612" finds "06 12 …" on SQLite as on PostgreSQL (neither folds accents in
//   a portable way);
// - phone_key: the phone as a French national number (digits only), to find two files with one phone;
// - name_key: first name, last name and town without accents, to find two files of one household;
// - files written before 0005 get the stage "contact" dated from their creation, and their last
//   activity from their last contact, so that the stage and "last contact" filters see them;
// - indexes for the list (each order, the search, the board) and the duplicates' keys.
// The folding below is a copy of the application's at the time (candidate-file.ts), on purpose.

function fold(s: string | null | undefined): string {
  return (s ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9@.]+/g, ' ')
    .trim();
}

function phoneKey(phone: string | null): string | null {
  let d = (phone ?? '').replace(/\D/g, '');
  if (d.startsWith('0033')) d = `0${d.slice(4)}`;
  else if (d.startsWith('33') && d.length === 11) d = `0${d.slice(2)}`;
  return d.length >= 9 ? d : null;
}

export async function up(db: Kysely<any>): Promise<void> {
  for (const col of ['search_text', 'phone_key', 'name_key']) await db.schema.alterTable('candidates').addColumn(col, 'text').execute();

  await db.updateTable('candidates').set((eb: any) => ({ stage: 'contact', stage_changed_at: eb.ref('created_at') })).where('stage', 'is', null).execute();
  await db.updateTable('candidates').set((eb: any) => ({ last_activity_at: eb.ref('last_contact_at') })).where('last_activity_at', 'is', null).execute();

  let after = '';
  for (;;) {
    const rows: Array<{ id: string; first_name: string; last_name: string; email_normalized: string; phone: string | null; town: string | null }> = await db
      .selectFrom('candidates')
      .select(['id', 'first_name', 'last_name', 'email_normalized', 'phone', 'town'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(500)
      .execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      const phone = phoneKey(r.phone);
      const name = `${fold(r.first_name)} ${fold(r.last_name)}`.trim();
      await db
        .updateTable('candidates')
        .set({
          search_text: [fold(r.first_name), fold(r.last_name), r.email_normalized, phone ?? ''].join(' ').trim(),
          phone_key: phone,
          name_key: name && r.town ? `${name}|${fold(r.town)}` : null,
        })
        .where('id', '=', r.id)
        .execute();
    }
    after = rows[rows.length - 1]!.id;
  }

  // The list reads ids from an index that holds every filter (covering: the table is read for the 50
  // rows shown only), in the order of the page; one such index per order offered, one for the search,
  // one by stage (the board, the stage filter), by referent (their files) and by source (its list). Partial, on the files still alive (merged_into_id null), so that
  // PostgreSQL too reads them in order (it does not take "IS NULL" on a first column as an equality);
  // merged_into_id last all the same, or SQLite would not see that the index covers the query.
  const filters = ['stage', 'referent_id', 'project_type', 'project', 'desired_region', 'first_source', 'horizon'];
  const list = (name: string, columns: string[]) =>
    db.schema
      .createIndex(name)
      .on('candidates')
      .columns([...columns, 'merged_into_id'])
      .where('merged_into_id', 'is', null)
      .execute();
  await list('candidates_list_activity', ['last_activity_at', 'id', ...filters]);
  await list('candidates_list_name', ['last_name', 'first_name', 'id', ...filters, 'last_activity_at']);
  await list('candidates_list_search', ['search_text', 'last_activity_at', 'id']);
  await list('candidates_list_stage', ['stage', 'last_activity_at', 'id', ...filters.filter((c) => c !== 'stage')]);
  await list('candidates_list_referent', ['referent_id', 'last_activity_at', 'id', 'stage']);
  await list('candidates_list_source', ['first_source', 'last_activity_at', 'id']);
  // Which files were merged into this one: a handful of rows, never the ones a list reads.
  await db.schema.createIndex('candidates_merged_into').on('candidates').column('merged_into_id').where('merged_into_id', 'is not', null).execute();
  await db.schema.createIndex('candidates_phone_key').on('candidates').column('phone_key').execute();
  await db.schema.createIndex('candidates_name_key').on('candidates').column('name_key').execute();
  await db.schema.createIndex('saved_views_agent').on('saved_views').columns(['agent_id', 'name']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const i of ['saved_views_agent', 'candidates_name_key', 'candidates_phone_key', 'candidates_merged_into', 'candidates_list_source', 'candidates_list_referent', 'candidates_list_stage', 'candidates_list_search', 'candidates_list_name', 'candidates_list_activity']) await db.schema.dropIndex(i).execute();
  for (const col of ['name_key', 'phone_key', 'search_text']) await db.schema.alterTable('candidates').dropColumn(col).execute();
}
