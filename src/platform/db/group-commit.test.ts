import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, dialects, type TestDb } from '../../../tests/support/harness.ts';
import { groupTransaction } from './database.ts';

const keys = async (t: TestDb, prefix: string) =>
  (await t.db.kysely.selectFrom('meta').select('key').where('key', 'like', `${prefix}%`).orderBy('key').execute()).map((r) => r.key);

describe.each(dialects())('group commit on %s', (dialect) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb(dialect, { poolSize: 20 });
  });
  afterEach(async () => {
    await t.drop();
  });

  it('commits every call of a group, and rolls back alone the one that fails', async () => {
    await t.db.kysely.insertInto('meta').values({ key: 'taken', value: 'before' }).execute();
    const calls = Array.from({ length: 30 }, (_, i) =>
      groupTransaction(t.db, async (trx) => {
        await trx.insertInto('meta').values({ key: `g-${String(i).padStart(2, '0')}`, value: 'x' }).execute();
        if (i === 7) throw new Error('refused');
        // A duplicate key fails at the database: only this call's savepoint goes back.
        if (i === 12) await trx.insertInto('meta').values({ key: 'taken', value: 'again' }).execute();
        return i;
      }),
    );
    const settled = await Promise.allSettled(calls);
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(2);
    expect((settled[7] as PromiseRejectedResult).reason.message).toBe('refused');
    expect(settled.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<number>).value)).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i !== 7 && i !== 12));
    const written = await keys(t, 'g-');
    expect(written).toHaveLength(28);
    expect(written).not.toContain('g-07');
    expect(written).not.toContain('g-12');
    expect((await t.db.kysely.selectFrom('meta').select('value').where('key', '=', 'taken').executeTakeFirstOrThrow()).value).toBe('before');
  });

  // SQLite has one writer: calls run one after the other, as separate IMMEDIATE transactions would.
  // (PostgreSQL runs them side by side; what must be serialised there takes a row lock.)
  it.runIf(dialect === 'sqlite')('runs the calls of a group one after the other: each sees what the previous ones wrote', async () => {
    const seen = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        groupTransaction(t.db, async (trx) => {
          const before = Number((await trx.selectFrom('meta').select((eb) => eb.fn.countAll().as('n')).where('key', 'like', 's-%').executeTakeFirstOrThrow()).n);
          await trx.insertInto('meta').values({ key: `s-${i}`, value: String(before) }).execute();
          return before;
        }),
      ),
    );
    expect([...seen].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it.runIf(dialect === 'sqlite')('acknowledges a call only once its group is committed: another connection already sees it', async () => {
    const other = new BetterSqlite3((t.target as { file: string }).file, { readonly: true });
    try {
      const seenByOther: boolean[] = [];
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          groupTransaction(t.db, async (trx) => {
            await trx.insertInto('meta').values({ key: `c-${i}`, value: 'x' }).execute();
          }).then(() => seenByOther.push(other.prepare('select 1 from meta where key = ?').get(`c-${i}`) !== undefined)),
        ),
      );
      expect(seenByOther).toEqual(Array(8).fill(true));
    } finally {
      other.close();
    }
  });

  it.runIf(dialect === 'sqlite')('fails the whole group when its transaction is lost, and the next group works', async () => {
    const first = groupTransaction(t.db, async (trx) => {
      await trx.insertInto('meta').values({ key: 'l-1', value: 'x' }).execute();
    });
    const second = groupTransaction(t.db, async (trx) => {
      await trx.insertInto('meta').values({ key: 'l-2', value: 'x' }).execute();
      // Ends the transaction under the group's feet, as a disk-full error would: nothing of it may stay.
      await sql`rollback`.execute(trx);
    });
    const third = groupTransaction(t.db, async (trx) => {
      await trx.insertInto('meta').values({ key: 'l-3', value: 'x' }).execute();
    });
    const results = await Promise.allSettled([first, second, third]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await keys(t, 'l-')).toEqual([]);
    await groupTransaction(t.db, async (trx) => {
      await trx.insertInto('meta').values({ key: 'l-4', value: 'x' }).execute();
    });
    expect(await keys(t, 'l-')).toEqual(['l-4']);
  });
});
