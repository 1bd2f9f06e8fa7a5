import { PostgresAdapter, sql, type Kysely } from 'kysely';
import * as m0008 from './0008-statistics.ts';

// Frozen in time: the funnel by first contact cached per day instead of per month (docs/decisions/
// 0014-statistics-facts-cached-under-versions.md). Migration 0008 kept one counter per UTC month of
// first contact, so that a write to one household made its whole month (about 4,000 households of a
// national deployment) be computed again; a counter per UTC day makes it a thirtieth. The triggers of
// 0008 are replaced by the same ones bumping days, each counter bumped by one upsert instead of an
// insert and an update that evaluated the same subquery twice: the registration insert does less work
// than before, and still never touches a shared counter for a new person (their day's facts see them
// by the count of first contacts, as the months did). The months' tables go; the Rencontres' cached
// facts stay valid (their counters and definitions do not change).

const REPLAYS = `('replay-attended', 'replay-absent')`;

export async function up(db: Kysely<any>): Promise<void> {
  /** Keyed by the UTC day (YYYY-MM-DD) of candidates.created_at: the zone's days are read around it. */
  await db.schema
    .createTable('stats_day_versions')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('stats_day_cache')
    .addColumn('zone', 'text', (c) => c.notNull())
    /** A day of the zone, YYYY-MM-DD. */
    .addColumn('day', 'text', (c) => c.notNull())
    /** What the facts were computed from: the versions of the UTC days around it, the count and last first contact. */
    .addColumn('stamp', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('computed_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('stats_day_cache_pk', ['zone', 'day'])
    .execute();
  if (db.getExecutor().adapter instanceof PostgresAdapter) await postgresTriggers(db);
  else await sqliteTriggers(db);
  await db.schema.dropTable('stats_month_cache').execute();
  await db.schema.dropTable('stats_month_versions').execute();
}

async function sqliteTriggers(db: Kysely<any>) {
  const old = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger' and name like 'stats_%'`.execute(db);
  for (const r of old.rows) await sql.raw(`drop trigger ${r.name}`).execute(db);
  // One upsert per bump; `E` is a subquery of webinar ids, `D` of days (both may give nulls).
  const bumpEditions = (ids: string) => `
    insert into stats_edition_versions (webinar_id, version) select x.id, 1 from (${ids}) x where x.id is not null
      on conflict (webinar_id) do update set version = version + 1;`;
  const bumpDays = (days: string) => `
    insert into stats_day_versions (day, version) select x.d, 1 from (${days}) x where x.d is not null
      on conflict (day) do update set version = version + 1;`;
  /** A registration's own Rencontre and the person's later ones (their "previous Rencontre" changed): two upserts, no union to sort. */
  const bumpOwnAndLater = (r: 'new' | 'old', onlyIf = 'true') => `
    insert into stats_edition_versions (webinar_id, version) select ${r}.webinar_id, 1 where (${onlyIf})
      on conflict (webinar_id) do update set version = version + 1;
    insert into stats_edition_versions (webinar_id, version)
      select r.webinar_id, 1 from registrations r join webinars w on w.id = r.webinar_id
      where (${onlyIf}) and r.candidate_id = ${r}.candidate_id and w.starts_at > (select starts_at from webinars where id = ${r}.webinar_id)
      on conflict (webinar_id) do update set version = version + 1;`;
  const editionsOf = (candidate: string) => `select webinar_id as id from registrations where candidate_id = ${candidate}`;
  const dayOf = (candidate: string) => `select substr(created_at, 1, 10) as d from candidates where id = ${candidate}`;
  const registrationColumns = ['webinar_id', 'candidate_id', 'status', 'attended', 'attended_minutes', 'utm_source', 'project', 'household'];
  const changed = (cols: string[]) => cols.map((c) => `old.${c} is not new.${c}`).join(' or ');

  const triggers = [
    `create trigger stats_registration_insert after insert on registrations begin
      ${bumpOwnAndLater('new')}
      ${bumpDays(`select substr(created_at, 1, 10) as d from candidates where id = new.candidate_id and created_at < new.created_at`)}
    end`,
    `create trigger stats_registration_update after update of ${registrationColumns.join(', ')} on registrations when ${changed(registrationColumns)} begin
      ${bumpOwnAndLater('new')}
      ${bumpOwnAndLater('old', 'old.webinar_id is not new.webinar_id or old.candidate_id is not new.candidate_id')}
      ${bumpDays(`select substr(created_at, 1, 10) as d from candidates where id in (old.candidate_id, new.candidate_id)`)}
    end`,
    `create trigger stats_registration_delete after delete on registrations begin
      ${bumpOwnAndLater('old')}
      ${bumpDays(dayOf('old.candidate_id'))}
    end`,
    `create trigger stats_webinar_update after update of starts_at, status, kind, theme on webinars
      when ${changed(['starts_at', 'status', 'kind', 'theme'])} begin
      ${bumpEditions(`select new.id as id union select r2.webinar_id from registrations r join registrations r2 on r2.candidate_id = r.candidate_id where r.webinar_id = new.id`)}
      ${bumpDays(`select distinct substr(c.created_at, 1, 10) as d from candidates c join registrations r on r.candidate_id = c.id where r.webinar_id = new.id`)}
    end`,
    `create trigger stats_candidate_update after update of postcode, country, created_at, merged_into_id on candidates
      when ${changed(['postcode', 'country', 'created_at', 'merged_into_id'])} begin
      ${bumpEditions(editionsOf('new.id'))}
      ${bumpDays(`select substr(old.created_at, 1, 10) as d union select substr(new.created_at, 1, 10)`)}
    end`,
    `create trigger stats_candidate_delete after delete on candidates begin
      ${bumpDays(`select substr(old.created_at, 1, 10) as d`)}
    end`,
    `create trigger stats_replay_insert after insert on outbox_messages when new.kind in ${REPLAYS} begin
      ${bumpEditions(`select new.webinar_id as id`)}
    end`,
    `create trigger stats_replay_update after update of status on outbox_messages when new.kind in ${REPLAYS} and old.status is not new.status begin
      ${bumpEditions(`select new.webinar_id as id`)}
    end`,
  ];
  // What happens to a household after a Rencontre: its editions' funnels and its day's.
  for (const table of ['accompaniment_requests', 'stage_changes', 'installations']) {
    const own = table === 'accompaniment_requests' ? (r: string) => ` union select ${r}.webinar_id` : () => '';
    triggers.push(
      `create trigger stats_${table}_insert after insert on ${table} begin
        ${bumpEditions(`${editionsOf('new.candidate_id')}${own('new')}`)}
        ${bumpDays(dayOf('new.candidate_id'))}
      end`,
      `create trigger stats_${table}_update after update on ${table} begin
        ${bumpEditions(`${editionsOf('old.candidate_id')} union ${editionsOf('new.candidate_id')}${own('old')}${own('new')}`)}
        ${bumpDays(`${dayOf('old.candidate_id')} union ${dayOf('new.candidate_id')}`)}
      end`,
      `create trigger stats_${table}_delete after delete on ${table} begin
        ${bumpEditions(`${editionsOf('old.candidate_id')}${own('old')}`)}
        ${bumpDays(dayOf('old.candidate_id'))}
      end`,
    );
  }
  for (const t of triggers) await sql.raw(t).execute(db);
}

async function postgresTriggers(db: Kysely<any>) {
  const statements = [
    // One statement a bump. The rows are inserted or updated in the order of their keys, so that two
    // writers bumping the same counters lock them in the same order and wait instead of deadlocking.
    `create or replace function stats_bump_editions(ids text[]) returns void language plpgsql as $$
      begin
        insert into stats_edition_versions as v (webinar_id, version)
          select x, 1 from unnest(ids) x where x is not null group by x order by x
          on conflict (webinar_id) do update set version = v.version + 1;
      end $$`,
    `create function stats_bump_days(days text[]) returns void language plpgsql as $$
      begin
        insert into stats_day_versions as v (day, version)
          select x, 1 from unnest(days) x where x is not null group by x order by x
          on conflict (day) do update set version = v.version + 1;
      end $$`,
    `create function stats_day_of(cid text) returns text[] language sql stable as $$
      select array(select substr(created_at, 1, 10) from candidates where id = cid) $$`,
    `create or replace function stats_on_registration() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          -- The busiest write, in plain statements (their plans are kept by PL/pgSQL).
          insert into stats_edition_versions as v (webinar_id, version)
            select x.id, 1 from (select new.webinar_id as id union select r.webinar_id from registrations r join webinars w on w.id = r.webinar_id
              where r.candidate_id = new.candidate_id and w.starts_at > (select starts_at from webinars where id = new.webinar_id)) x order by x.id
            on conflict (webinar_id) do update set version = v.version + 1;
          insert into stats_day_versions as v (day, version)
            select substr(created_at, 1, 10), 1 from candidates where id = new.candidate_id and created_at < new.created_at
            on conflict (day) do update set version = v.version + 1;
        elsif tg_op = 'UPDATE' then
          if row(old.webinar_id, old.candidate_id, old.status, old.attended, old.attended_minutes, old.utm_source, old.project, old.household)
             is distinct from row(new.webinar_id, new.candidate_id, new.status, new.attended, new.attended_minutes, new.utm_source, new.project, new.household) then
            perform stats_bump_editions(stats_own_and_later(old.candidate_id, old.webinar_id) || stats_own_and_later(new.candidate_id, new.webinar_id));
            perform stats_bump_days(stats_day_of(old.candidate_id) || stats_day_of(new.candidate_id));
          end if;
        else
          perform stats_bump_editions(stats_own_and_later(old.candidate_id, old.webinar_id));
          perform stats_bump_days(stats_day_of(old.candidate_id));
        end if;
        return null;
      end $$`,
    `create or replace function stats_on_webinar() returns trigger language plpgsql as $$
      begin
        if row(old.starts_at, old.status, old.kind, old.theme) is distinct from row(new.starts_at, new.status, new.kind, new.theme) then
          perform stats_bump_editions(array[new.id] || array(select r2.webinar_id from registrations r join registrations r2 on r2.candidate_id = r.candidate_id where r.webinar_id = new.id));
          perform stats_bump_days(array(select substr(c.created_at, 1, 10) from candidates c join registrations r on r.candidate_id = c.id where r.webinar_id = new.id));
        end if;
        return null;
      end $$`,
    `create or replace function stats_on_candidate() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          perform stats_bump_days(array[substr(old.created_at, 1, 10)]);
        elsif row(old.postcode, old.country, old.created_at, old.merged_into_id) is distinct from row(new.postcode, new.country, new.created_at, new.merged_into_id) then
          perform stats_bump_editions(stats_editions_of(new.id));
          perform stats_bump_days(array[substr(old.created_at, 1, 10), substr(new.created_at, 1, 10)]);
        end if;
        return null;
      end $$`,
    `create or replace function stats_on_household_event() returns trigger language plpgsql as $$
      declare
        o jsonb := case when tg_op = 'INSERT' then null else to_jsonb(old) end;
        n jsonb := case when tg_op = 'DELETE' then null else to_jsonb(new) end;
      begin
        perform stats_bump_editions(stats_editions_of(o->>'candidate_id') || stats_editions_of(n->>'candidate_id') || array[o->>'webinar_id', n->>'webinar_id']);
        perform stats_bump_days(stats_day_of(o->>'candidate_id') || stats_day_of(n->>'candidate_id'));
        return null;
      end $$`,
    `drop function stats_bump_months(text[])`,
    `drop function stats_month_of(text)`,
  ];
  // The replay trigger and its function are 0008's, unchanged (they bump editions only).
  for (const s of statements) await sql.raw(s).execute(db);
}

/** Back to 0008: its statistics objects are dropped and made again as it made them (every cache starts empty). */
export async function down(db: Kysely<any>): Promise<void> {
  const isPostgres = db.getExecutor().adapter instanceof PostgresAdapter;
  if (isPostgres) {
    for (const f of ['stats_day_of(text)', 'stats_bump_days(text[])']) await sql.raw(`drop function if exists ${f}`).execute(db);
  }
  await db.schema.dropTable('stats_day_cache').execute();
  await db.schema.dropTable('stats_day_versions').execute();
  // 0008's down expects its month tables.
  await db.schema.createTable('stats_month_versions').addColumn('month', 'text', (c) => c.primaryKey()).addColumn('version', 'integer').execute();
  await db.schema.createTable('stats_month_cache').addColumn('month', 'text', (c) => c.primaryKey()).execute();
  await m0008.down(db);
  await m0008.up(db);
}
