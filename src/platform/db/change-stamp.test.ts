import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from './database.ts';
import { createTestDb, dialects, type TestDb } from '../../../tests/support/harness.ts';

describe.each(dialects())('change stamp on %s', (dialect) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb(dialect);
  });
  afterEach(async () => {
    await t.drop();
  });

  it('stays the same while nothing is written, and changes with every write of this process', async () => {
    const a = t.db.changeStamp();
    await t.db.kysely.selectFrom('meta').selectAll().execute();
    expect(t.db.changeStamp()).toBe(a);
    await t.db.kysely.insertInto('meta').values({ key: 'stamp-1', value: 'x' }).execute();
    const b = t.db.changeStamp();
    expect(b).not.toBe(a);
    await t.db.transaction(async (trx) => {
      await trx.updateTable('meta').set({ value: 'y' }).where('key', '=', 'stamp-1').execute();
    });
    const c = t.db.changeStamp();
    expect(c).not.toBe(b);
    // An update that changes no row changes nothing.
    await t.db.kysely.updateTable('meta').set({ value: 'z' }).where('key', '=', 'no-such-key').execute();
    expect(t.db.changeStamp()).toBe(c);
    await t.db.kysely.deleteFrom('meta').where('key', '=', 'stamp-1').execute();
    expect(t.db.changeStamp()).not.toBe(c);
  });

  it.runIf(dialect === 'sqlite')('on SQLite, also changes when another connection (another process) commits', async () => {
    const other = connect(t.target);
    try {
      const before = t.db.changeStamp();
      await other.kysely.insertInto('meta').values({ key: 'stamp-other', value: 'x' }).execute();
      expect(t.db.changeStamp()).not.toBe(before);
    } finally {
      await other.close();
    }
  });
});
