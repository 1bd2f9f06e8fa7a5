import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, dialects, type TestDb } from '../../../tests/support/harness.ts';
import fs from 'node:fs';
import { CHECKPOINT_THREAD_AFTER_GROUPS, groupTransaction } from './database.ts';

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

  // A group runs without savepoints first (ADR 0008): a call that fails having only read is undone by
  // nothing, and the calls around it run once.
  it.runIf(dialect === 'sqlite')('fails alone a call that failed before writing, without running the others again', async () => {
    const runs = Array(10).fill(0);
    const settled = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        groupTransaction(t.db, async (trx) => {
          runs[i]++;
          const n = Number((await trx.selectFrom('meta').select((eb) => eb.fn.countAll().as('n')).where('key', 'like', 'r-%').executeTakeFirstOrThrow()).n);
          if (i === 4) throw new Error(`closed after ${n}`);
          await trx.insertInto('meta').values({ key: `r-${i}`, value: String(n) }).execute();
          return n;
        }),
      ),
    );
    expect(runs).toEqual(Array(10).fill(1));
    expect((settled[4] as PromiseRejectedResult).reason.message).toBe('closed after 4');
    expect(settled.filter((s) => s.status === 'fulfilled').map((s) => (s as PromiseFulfilledResult<number>).value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await keys(t, 'r-')).toEqual(['r-0', 'r-1', 'r-2', 'r-3', 'r-5', 'r-6', 'r-7', 'r-8', 'r-9']);
  });

  it.runIf(dialect === 'sqlite')('undoes a call that failed after writing, first of its group, and commits the calls after it', async () => {
    const settled = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        groupTransaction(t.db, async (trx) => {
          await trx.insertInto('meta').values({ key: `f-${i}`, value: 'x' }).execute();
          if (i === 0) throw new Error('refused after writing');
          return i;
        }),
      ),
    );
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(await keys(t, 'f-')).toEqual(['f-1', 'f-2', 'f-3', 'f-4']);
  });

  it.runIf(dialect === 'sqlite')('runs a group again, each call in a savepoint, when a call fails after writing: the others are written once', async () => {
    const runs = Array(6).fill(0);
    const settled = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        groupTransaction(t.db, async (trx) => {
          runs[i]++;
          const n = Number((await trx.selectFrom('meta').select((eb) => eb.fn.countAll().as('n')).where('key', 'like', 'a-%').executeTakeFirstOrThrow()).n);
          // A second run of a call already written would fail on the primary key.
          await trx.insertInto('meta').values({ key: `a-${i}`, value: String(n) }).execute();
          if (i === 3) throw new Error('refused after writing');
          return n;
        }),
      ),
    );
    expect(runs).toEqual([2, 2, 2, 2, 1, 1]);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : (s.reason as Error).message))).toEqual([0, 1, 2, 'refused after writing', 3, 4]);
    expect(await keys(t, 'a-')).toEqual(['a-0', 'a-1', 'a-2', 'a-4', 'a-5']);
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

  // Under sustained load the checkpoints (WAL → database file) leave the event loop for a thread.
  it.runIf(dialect === 'sqlite')('under sustained group commits, checkpoints go on in their own thread, which the Db closes', async () => {
    const file = (t.target as { file: string }).file;
    const insert = (key: string) => groupTransaction(t.db, (trx) => trx.insertInto('meta').values({ key, value: 'x' }).execute());
    for (let i = 0; i < CHECKPOINT_THREAD_AFTER_GROUPS; i++) await insert(`k-${String(i).padStart(4, '0')}`);
    // The connection's own checkpoint is now only a safety net, far away.
    expect((await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(t.db.kysely)).rows[0]!.wal_autocheckpoint).toBeGreaterThan(1000);
    const before = fs.statSync(file);
    for (let i = 0; i < 20; i++) await insert(`m-${i}`);
    // The thread copies the WAL into the file within a few tens of milliseconds.
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline && fs.statSync(file).mtimeMs === before.mtimeMs && fs.statSync(file).size === before.size) await new Promise((r) => setTimeout(r, 20));
    expect(fs.statSync(file).mtimeMs !== before.mtimeMs || fs.statSync(file).size !== before.size).toBe(true);
    expect(await keys(t, 'm-')).toHaveLength(20);
    const other = new BetterSqlite3(file, { readonly: true });
    try {
      expect(other.prepare("select count(*) as n from meta where key like 'k-%' or key like 'm-%'").get()).toEqual({ n: CHECKPOINT_THREAD_AFTER_GROUPS + 20 });
    } finally {
      other.close();
    }
  });

  it.runIf(dialect === 'sqlite')('fails the whole group when its transaction is lost, and the next group works', async () => {
    const first = groupTransaction(t.db, async (trx) => {
      await trx.insertInto('meta').values({ key: 'l-1', value: 'x' }).execute();
    });
    const refused = groupTransaction(t.db, async () => {
      throw new Error('refused by itself');
    });
    const second = groupTransaction(t.db, async (trx) => {
      await trx.insertInto('meta').values({ key: 'l-2', value: 'x' }).execute();
      // Ends the transaction under the group's feet, as a disk-full error would: nothing of it may stay.
      await sql`rollback`.execute(trx);
    });
    const third = groupTransaction(t.db, async (trx) => {
      await trx.insertInto('meta').values({ key: 'l-3', value: 'x' }).execute();
    });
    const results = await Promise.allSettled([first, refused, second, third]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    // A call that failed by itself says so; the others fail with the group.
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('refused by itself');
    expect((results[0] as PromiseRejectedResult).reason.message).toMatch(/group/);
    expect(await keys(t, 'l-')).toEqual([]);
    await groupTransaction(t.db, async (trx) => {
      await trx.insertInto('meta').values({ key: 'l-4', value: 'x' }).execute();
    });
    expect(await keys(t, 'l-')).toEqual(['l-4']);
  });
});
