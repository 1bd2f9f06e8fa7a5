import type { Kysely, Transaction } from 'kysely';
import { preparedQuery } from '../../platform/db/database.ts';
import type { Database, NewRegistrationRow, RegistrationRow, SubmissionTable } from '../../platform/db/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

// Registering runs these for every form (prepared: built and compiled once).
const selectRegistration = preparedQuery((db, p: { webinarId: string; candidateId: string }) =>
  db.selectFrom('registrations').selectAll().where('webinar_id', '=', p.webinarId).where('candidate_id', '=', p.candidateId),
);
const insertRegistrationRow = preparedQuery((db, row: Required<NewRegistrationRow>) => db.insertInto('registrations').values(row));
const selectSubmission = preparedQuery((db, p: { key: string }) => db.selectFrom('submissions').selectAll().where('key', '=', p.key));
const insertSubmissionRow = preparedQuery((db, row: SubmissionTable) => db.insertInto('submissions').values(row));

export async function findRegistrationByTokenHash(db: Q, hash: string): Promise<RegistrationRow | undefined> {
  return db.selectFrom('registrations').selectAll().where('manage_token_hash', '=', hash).executeTakeFirst();
}

export async function findRegistrationById(db: Q, id: string): Promise<RegistrationRow | undefined> {
  return db.selectFrom('registrations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findRegistration(db: Q, webinarId: string, candidateId: string): Promise<RegistrationRow | undefined> {
  return (await selectRegistration(db, { webinarId, candidateId })).rows[0];
}

/** Columns a new registration may leave to their defaults (attendance comes later, the video tool's too). */
type LaterColumns = 'attended' | 'attended_minutes' | 'video_registrant_id' | 'video_join_url' | 'attendance_source' | 'attendance_overridden' | 'no_show_invited_at';
export type RegistrationInsert = Required<Omit<NewRegistrationRow, LaterColumns>> & Partial<Pick<NewRegistrationRow, LaterColumns>>;

export async function insertRegistration(db: Q, row: RegistrationInsert): Promise<void> {
  // Every column named, the defaults included, so that every caller runs the one prepared statement.
  await insertRegistrationRow(db, {
    ...row,
    attended: row.attended ?? null,
    attended_minutes: row.attended_minutes ?? null,
    video_registrant_id: row.video_registrant_id ?? null,
    video_join_url: row.video_join_url ?? null,
    attendance_source: row.attendance_source ?? null,
    attendance_overridden: row.attendance_overridden ?? 0,
    no_show_invited_at: row.no_show_invited_at ?? null,
  });
}

/** The person who has waited longest for a seat. */
export async function firstWaitlisted(db: Q, webinarId: string): Promise<RegistrationRow | undefined> {
  return db
    .selectFrom('registrations')
    .selectAll()
    .where('webinar_id', '=', webinarId)
    .where('status', '=', 'waitlisted')
    .orderBy('waitlist_rank', 'asc')
    .limit(1)
    .executeTakeFirst();
}

/** 1-based rank on the waiting list. */
export async function waitlistPosition(db: Q, r: Pick<RegistrationRow, 'webinar_id' | 'waitlist_rank'>): Promise<number> {
  if (r.waitlist_rank === null) return 0;
  const row = await db
    .selectFrom('registrations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('webinar_id', '=', r.webinar_id)
    .where('status', '=', 'waitlisted')
    .where('waitlist_rank', '<=', r.waitlist_rank)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The next rank at the back of the waiting list; the caller holds the Rencontre's lock. */
export async function nextWaitlistRank(db: Q, webinarId: string): Promise<number> {
  const row = await db
    .selectFrom('registrations')
    .select((eb) => eb.fn.max('waitlist_rank').as('m'))
    .where('webinar_id', '=', webinarId)
    .executeTakeFirst();
  return Number(row?.m ?? 0) + 1;
}

export async function findSubmission(db: Q, key: string): Promise<SubmissionTable | undefined> {
  return (await selectSubmission(db, { key })).rows[0];
}

export async function insertSubmission(db: Q, row: SubmissionTable): Promise<void> {
  await insertSubmissionRow(db, row);
}
