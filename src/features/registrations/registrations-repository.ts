import type { Kysely, Transaction } from 'kysely';
import type { Database, NewRegistrationRow, RegistrationRow, SubmissionTable } from '../../platform/db/schema.ts';

type Q = Kysely<Database> | Transaction<Database>;

export async function findRegistrationByTokenHash(db: Q, hash: string): Promise<RegistrationRow | undefined> {
  return db.selectFrom('registrations').selectAll().where('manage_token_hash', '=', hash).executeTakeFirst();
}

export async function findRegistrationById(db: Q, id: string): Promise<RegistrationRow | undefined> {
  return db.selectFrom('registrations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findRegistration(db: Q, webinarId: string, candidateId: string): Promise<RegistrationRow | undefined> {
  return db.selectFrom('registrations').selectAll().where('webinar_id', '=', webinarId).where('candidate_id', '=', candidateId).executeTakeFirst();
}

export async function insertRegistration(db: Q, row: NewRegistrationRow): Promise<void> {
  await db.insertInto('registrations').values(row).execute();
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

export async function findSubmission(db: Q, key: string) {
  return db.selectFrom('submissions').selectAll().where('key', '=', key).executeTakeFirst();
}

export async function insertSubmission(db: Q, row: SubmissionTable): Promise<void> {
  await db.insertInto('submissions').values(row).execute();
}
