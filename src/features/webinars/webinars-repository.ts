import type { Kysely, Transaction } from 'kysely';
import type { Database, NewWebinarRow } from '../../platform/db/schema.ts';
import { webinarFromRow, type Webinar } from './webinar.ts';

type Q = Kysely<Database> | Transaction<Database>;

export async function findWebinarBySlug(db: Q, slug: string): Promise<Webinar | undefined> {
  const row = await db.selectFrom('webinars').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row ? webinarFromRow(row) : undefined;
}

export async function findWebinarById(db: Q, id: string): Promise<Webinar | undefined> {
  const row = await db.selectFrom('webinars').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? webinarFromRow(row) : undefined;
}

/** Published Rencontres that have not ended yet, soonest first. */
export async function listUpcomingWebinars(db: Q, now: Date, limit = 20): Promise<Webinar[]> {
  const rows = await db
    .selectFrom('webinars')
    .selectAll()
    .where('status', 'in', ['published', 'cancelled'])
    .where('ends_at', '>', now.toISOString())
    .orderBy('starts_at', 'asc')
    .limit(limit)
    .execute();
  return rows.map(webinarFromRow);
}

/** Published Rencontres that have ended, latest first, a page at a time. */
export async function listPastWebinars(db: Q, now: Date, limit: number, offset = 0): Promise<{ items: Webinar[]; total: number }> {
  const base = db.selectFrom('webinars').where('status', '=', 'published').where('ends_at', '<=', now.toISOString());
  const [rows, count] = await Promise.all([
    base.selectAll().orderBy('starts_at', 'desc').limit(limit).offset(offset).execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(webinarFromRow), total: Number(count.n) };
}

export async function countConfirmed(db: Q, webinarId: string): Promise<number> {
  const r = await db
    .selectFrom('registrations')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('webinar_id', '=', webinarId)
    .where('status', '=', 'confirmed')
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function countConfirmedByWebinar(db: Q, webinarIds: string[]): Promise<Map<string, number>> {
  if (webinarIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('registrations')
    .select(['webinar_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('webinar_id', 'in', webinarIds)
    .where('status', '=', 'confirmed')
    .groupBy('webinar_id')
    .execute();
  return new Map(rows.map((r) => [r.webinar_id, Number(r.n)]));
}

export async function insertWebinar(db: Q, row: NewWebinarRow): Promise<void> {
  await db.insertInto('webinars').values(row).execute();
}
