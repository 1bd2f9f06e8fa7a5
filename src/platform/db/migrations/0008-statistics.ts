import { PostgresAdapter, sql, type Kysely } from 'kysely';

// Frozen in time: what makes the statistics fast at a national scale (docs/decisions/0014-statistics-
// facts-cached-under-versions.md). Indexes for the aggregate queries; the facts of each Rencontre and of
// each month of first contact, cached as JSON; and the version counters that say when a cached fact
// is stale. The counters are bumped by triggers, in the transaction of whatever write changed the
// records (a registration, a cancellation, attendance, a request, a stage, an installation, a
// postcode, a replay sent), so no use case has to remember them and no cache can outlive its data.
// A counter is created at its first bump (the demo's wipe empties every table).

const REPLAYS = `('replay-attended', 'replay-absent')`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('registrations_statistics')
    .on('registrations')
    .columns(['webinar_id', 'status', 'attended', 'candidate_id', 'created_at', 'attended_minutes'])
    .execute();
  await db.schema.createIndex('registrations_candidate_statistics').on('registrations').columns(['candidate_id', 'status', 'webinar_id', 'attended']).execute();
  await db.schema.createIndex('outbox_webinar_kind').on('outbox_messages').columns(['webinar_id', 'kind', 'status']).execute();
  await db.schema.createIndex('accompaniment_requests_webinar').on('accompaniment_requests').column('webinar_id').execute();
  await db.schema.createIndex('accompaniment_requests_candidate_created').on('accompaniment_requests').columns(['candidate_id', 'created_at']).execute();
  await db.schema.createIndex('installations_candidate_on').on('installations').columns(['candidate_id', 'installed_on']).execute();
  await db.schema.createIndex('follow_ups_answered').on('follow_ups').columns(['status', 'answered_at']).execute();

  await db.schema
    .createTable('stats_edition_versions')
    .addColumn('webinar_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  /** Keyed by the UTC month (YYYY-MM) of candidates.created_at: the zone's months are read around it. */
  await db.schema
    .createTable('stats_month_versions')
    .addColumn('month', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('stats_edition_cache')
    .addColumn('webinar_id', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('stats_month_cache')
    .addColumn('zone', 'text', (c) => c.notNull())
    .addColumn('month', 'text', (c) => c.notNull())
    /** What the facts were computed from: the versions around the month, the count and last first contact. */
    .addColumn('stamp', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('stats_month_cache_pk', ['zone', 'month'])
    .execute();

  if (db.getExecutor().adapter instanceof PostgresAdapter) await postgresTriggers(db);
  else await sqliteTriggers(db);
}

async function sqliteTriggers(db: Kysely<any>) {
  // Each bump: make sure the counter exists, then add one. `E` is a subquery of webinar ids, `M` of months.
  const bumpEditions = (ids: string) => `
    insert or ignore into stats_edition_versions (webinar_id, version) select x.id, 0 from (${ids}) x where x.id is not null;
    update stats_edition_versions set version = version + 1 where webinar_id in (${ids});`;
  const bumpMonths = (months: string) => `
    insert or ignore into stats_month_versions (month, version) select x.m, 0 from (${months}) x where x.m is not null;
    update stats_month_versions set version = version + 1 where month in (${months});`;
  const ownAndLater = (r: 'new' | 'old') =>
    `select ${r}.webinar_id as id union select r.webinar_id from registrations r join webinars w on w.id = r.webinar_id
       where r.candidate_id = ${r}.candidate_id and w.starts_at > (select starts_at from webinars where id = ${r}.webinar_id)`;
  const editionsOf = (candidate: string) => `select webinar_id as id from registrations where candidate_id = ${candidate}`;
  const monthOf = (candidate: string) => `select substr(created_at, 1, 7) as m from candidates where id = ${candidate}`;
  const registrationColumns = ['webinar_id', 'candidate_id', 'status', 'attended', 'attended_minutes', 'utm_source', 'project', 'household'];
  const changed = (cols: string[]) => cols.map((c) => `old.${c} is not new.${c}`).join(' or ');

  const triggers = [
    `create trigger stats_registration_insert after insert on registrations begin
      ${bumpEditions(ownAndLater('new'))}
      ${bumpMonths(`select substr(created_at, 1, 7) as m from candidates where id = new.candidate_id and created_at < new.created_at`)}
    end`,
    `create trigger stats_registration_update after update of ${registrationColumns.join(', ')} on registrations when ${changed(registrationColumns)} begin
      ${bumpEditions(`${ownAndLater('old')} union ${ownAndLater('new')}`)}
      ${bumpMonths(`select substr(created_at, 1, 7) as m from candidates where id in (old.candidate_id, new.candidate_id)`)}
    end`,
    `create trigger stats_registration_delete after delete on registrations begin
      ${bumpEditions(ownAndLater('old'))}
      ${bumpMonths(monthOf('old.candidate_id'))}
    end`,
    `create trigger stats_webinar_update after update of starts_at, status, kind, theme on webinars
      when ${changed(['starts_at', 'status', 'kind', 'theme'])} begin
      ${bumpEditions(`select new.id as id union select r2.webinar_id from registrations r join registrations r2 on r2.candidate_id = r.candidate_id where r.webinar_id = new.id`)}
      ${bumpMonths(`select substr(c.created_at, 1, 7) as m from candidates c join registrations r on r.candidate_id = c.id where r.webinar_id = new.id`)}
    end`,
    `create trigger stats_candidate_update after update of postcode, country, created_at, merged_into_id on candidates
      when ${changed(['postcode', 'country', 'created_at', 'merged_into_id'])} begin
      ${bumpEditions(editionsOf('new.id'))}
      ${bumpMonths(`select substr(old.created_at, 1, 7) as m union select substr(new.created_at, 1, 7)`)}
    end`,
    `create trigger stats_candidate_delete after delete on candidates begin
      ${bumpMonths(`select substr(old.created_at, 1, 7) as m`)}
    end`,
    `create trigger stats_replay_insert after insert on outbox_messages when new.kind in ${REPLAYS} begin
      ${bumpEditions(`select new.webinar_id as id`)}
    end`,
    `create trigger stats_replay_update after update of status on outbox_messages when new.kind in ${REPLAYS} and old.status is not new.status begin
      ${bumpEditions(`select new.webinar_id as id`)}
    end`,
  ];
  // What happens to a household after a Rencontre: its editions' funnels and its month's.
  for (const table of ['accompaniment_requests', 'stage_changes', 'installations']) {
    const own = table === 'accompaniment_requests' ? (r: string) => ` union select ${r}.webinar_id` : () => '';
    triggers.push(
      `create trigger stats_${table}_insert after insert on ${table} begin
        ${bumpEditions(`${editionsOf('new.candidate_id')}${own('new')}`)}
        ${bumpMonths(monthOf('new.candidate_id'))}
      end`,
      `create trigger stats_${table}_update after update on ${table} begin
        ${bumpEditions(`${editionsOf('old.candidate_id')} union ${editionsOf('new.candidate_id')}${own('old')}${own('new')}`)}
        ${bumpMonths(`${monthOf('old.candidate_id')} union ${monthOf('new.candidate_id')}`)}
      end`,
      `create trigger stats_${table}_delete after delete on ${table} begin
        ${bumpEditions(`${editionsOf('old.candidate_id')}${own('old')}`)}
        ${bumpMonths(monthOf('old.candidate_id'))}
      end`,
    );
  }
  for (const t of triggers) await sql.raw(t).execute(db);
}

async function postgresTriggers(db: Kysely<any>) {
  const statements = [
    // Counters are locked in the order of their keys, so that two writers bumping the same counters
    // wait for one another instead of deadlocking.
    `create function stats_bump_editions(ids text[]) returns void language plpgsql as $$
      begin
        ids := array(select distinct x from unnest(ids) x where x is not null order by 1);
        if cardinality(ids) = 0 then return; end if;
        insert into stats_edition_versions (webinar_id, version) select x, 0 from unnest(ids) x order by 1 on conflict (webinar_id) do nothing;
        perform 1 from stats_edition_versions where webinar_id = any(ids) order by webinar_id for update;
        update stats_edition_versions set version = version + 1 where webinar_id = any(ids);
      end $$`,
    `create function stats_bump_months(months text[]) returns void language plpgsql as $$
      begin
        months := array(select distinct x from unnest(months) x where x is not null order by 1);
        if cardinality(months) = 0 then return; end if;
        insert into stats_month_versions (month, version) select x, 0 from unnest(months) x order by 1 on conflict (month) do nothing;
        perform 1 from stats_month_versions where month = any(months) order by month for update;
        update stats_month_versions set version = version + 1 where month = any(months);
      end $$`,
    `create function stats_own_and_later(cid text, wid text) returns text[] language sql stable as $$
      select array(select wid union select r.webinar_id from registrations r join webinars w on w.id = r.webinar_id
        where r.candidate_id = cid and w.starts_at > (select starts_at from webinars where id = wid)) $$`,
    `create function stats_editions_of(cid text) returns text[] language sql stable as $$
      select array(select webinar_id from registrations where candidate_id = cid) $$`,
    `create function stats_month_of(cid text) returns text[] language sql stable as $$
      select array(select substr(created_at, 1, 7) from candidates where id = cid) $$`,
    `create function stats_on_registration() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          perform stats_bump_editions(stats_own_and_later(new.candidate_id, new.webinar_id));
          perform stats_bump_months(array(select substr(created_at, 1, 7) from candidates where id = new.candidate_id and created_at < new.created_at));
        elsif tg_op = 'UPDATE' then
          if row(old.webinar_id, old.candidate_id, old.status, old.attended, old.attended_minutes, old.utm_source, old.project, old.household)
             is distinct from row(new.webinar_id, new.candidate_id, new.status, new.attended, new.attended_minutes, new.utm_source, new.project, new.household) then
            perform stats_bump_editions(stats_own_and_later(old.candidate_id, old.webinar_id) || stats_own_and_later(new.candidate_id, new.webinar_id));
            perform stats_bump_months(stats_month_of(old.candidate_id) || stats_month_of(new.candidate_id));
          end if;
        else
          perform stats_bump_editions(stats_own_and_later(old.candidate_id, old.webinar_id));
          perform stats_bump_months(stats_month_of(old.candidate_id));
        end if;
        return null;
      end $$`,
    `create trigger stats_registration after insert or update or delete on registrations for each row execute function stats_on_registration()`,
    `create function stats_on_webinar() returns trigger language plpgsql as $$
      begin
        if row(old.starts_at, old.status, old.kind, old.theme) is distinct from row(new.starts_at, new.status, new.kind, new.theme) then
          perform stats_bump_editions(array[new.id] || array(select r2.webinar_id from registrations r join registrations r2 on r2.candidate_id = r.candidate_id where r.webinar_id = new.id));
          perform stats_bump_months(array(select substr(c.created_at, 1, 7) from candidates c join registrations r on r.candidate_id = c.id where r.webinar_id = new.id));
        end if;
        return null;
      end $$`,
    `create trigger stats_webinar after update on webinars for each row execute function stats_on_webinar()`,
    `create function stats_on_candidate() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          perform stats_bump_months(array[substr(old.created_at, 1, 7)]);
        elsif row(old.postcode, old.country, old.created_at, old.merged_into_id) is distinct from row(new.postcode, new.country, new.created_at, new.merged_into_id) then
          perform stats_bump_editions(stats_editions_of(new.id));
          perform stats_bump_months(array[substr(old.created_at, 1, 7), substr(new.created_at, 1, 7)]);
        end if;
        return null;
      end $$`,
    `create trigger stats_candidate after update or delete on candidates for each row execute function stats_on_candidate()`,
    `create function stats_on_replay() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' or old.status is distinct from new.status then
          perform stats_bump_editions(array[new.webinar_id]);
        end if;
        return null;
      end $$`,
    `create trigger stats_replay after insert or update of status on outbox_messages for each row when (new.kind in ${REPLAYS}) execute function stats_on_replay()`,
    // Requests, stages and installations: the household's editions (and a request's own) and its month.
    `create function stats_on_household_event() returns trigger language plpgsql as $$
      declare
        o jsonb := case when tg_op = 'INSERT' then null else to_jsonb(old) end;
        n jsonb := case when tg_op = 'DELETE' then null else to_jsonb(new) end;
      begin
        perform stats_bump_editions(stats_editions_of(o->>'candidate_id') || stats_editions_of(n->>'candidate_id') || array[o->>'webinar_id', n->>'webinar_id']);
        perform stats_bump_months(stats_month_of(o->>'candidate_id') || stats_month_of(n->>'candidate_id'));
        return null;
      end $$`,
  ];
  for (const table of ['accompaniment_requests', 'stage_changes', 'installations']) {
    statements.push(`create trigger stats_${table} after insert or update or delete on ${table} for each row execute function stats_on_household_event()`);
  }
  for (const s of statements) await sql.raw(s).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    for (const t of ['registrations', 'webinars', 'candidates', 'outbox_messages', 'accompaniment_requests', 'stage_changes', 'installations']) {
      for (const name of [`stats_${t}`, 'stats_registration', 'stats_webinar', 'stats_candidate', 'stats_replay']) await sql.raw(`drop trigger if exists ${name} on ${t}`).execute(db);
    }
    for (const f of ['stats_on_household_event()', 'stats_on_replay()', 'stats_on_candidate()', 'stats_on_webinar()', 'stats_on_registration()', 'stats_month_of(text)', 'stats_editions_of(text)', 'stats_own_and_later(text, text)', 'stats_bump_months(text[])', 'stats_bump_editions(text[])']) {
      await sql.raw(`drop function if exists ${f}`).execute(db);
    }
  } else {
    const rows = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and name like 'stats_%'`.execute(db);
    for (const r of rows.rows) await sql.raw(`drop trigger ${r.name}`).execute(db);
  }
  for (const t of ['stats_month_cache', 'stats_edition_cache', 'stats_month_versions', 'stats_edition_versions']) await db.schema.dropTable(t).execute();
  for (const i of ['follow_ups_answered', 'installations_candidate_on', 'accompaniment_requests_candidate_created', 'accompaniment_requests_webinar', 'outbox_webinar_kind', 'registrations_candidate_statistics', 'registrations_statistics']) {
    await db.schema.dropIndex(i).execute();
  }
}
