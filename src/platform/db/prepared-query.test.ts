import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, dialects, type TestDb } from '../../../tests/support/harness.ts';
import { preparedQuery } from './database.ts';

const insertMeta = preparedQuery((db, row: { key: string; value: string }) =>
  db
    .insertInto('meta')
    .values(row)
    .onConflict((oc) => oc.column('key').doNothing()),
);
// A constant of the query stays in its place; values come in any order.
const selectMeta = preparedQuery((db, p: { prefix: string; max: string }) =>
  db.selectFrom('meta').select(['key', 'value']).where('key', 'like', p.prefix).where('value', '!=', 'hidden').where('key', '<=', p.max).orderBy('key'),
);

describe.each(dialects())('prepared queries on %s', (dialect) => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb(dialect);
  });
  afterEach(async () => {
    await t.drop();
  });

  it('runs with the values of each call, in and out of a transaction', async () => {
    expect(Number((await insertMeta(t.db.kysely, { key: 'p-1', value: 'one' })).numAffectedRows)).toBe(1);
    expect(Number((await insertMeta(t.db.kysely, { value: 'again', key: 'p-1' })).numAffectedRows)).toBe(0);
    await t.db.transaction(async (trx) => {
      await insertMeta(trx, { key: 'p-2', value: 'two' });
      await insertMeta(trx, { key: 'p-3', value: 'hidden' });
      expect((await selectMeta(trx, { prefix: 'p-%', max: 'p-9' })).rows).toEqual([
        { key: 'p-1', value: 'one' },
        { key: 'p-2', value: 'two' },
      ]);
    });
    expect((await selectMeta(t.db.kysely, { max: 'p-1', prefix: 'p-%' })).rows).toEqual([{ key: 'p-1', value: 'one' }]);
  });

  it('runs inside the transaction it is given: rolled back with it, refused once it is over', async () => {
    let kept: Parameters<Parameters<typeof t.db.transaction>[0]>[0] | undefined;
    await expect(
      t.db.transaction(async (trx) => {
        kept = trx;
        await insertMeta(trx, { key: 't-1', value: 'x' });
        expect((await selectMeta(trx, { prefix: 't-%', max: 't-9' })).rows).toEqual([{ key: 't-1', value: 'x' }]);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await selectMeta(t.db.kysely, { prefix: 't-%', max: 't-9' })).rows).toEqual([]);
    await expect(insertMeta(kept!, { key: 't-2', value: 'x' })).rejects.toThrow();
    expect((await selectMeta(t.db.kysely, { prefix: 't-%', max: 't-9' })).rows).toEqual([]);
  });

  it('refuses a call whose keys are not those it was prepared with', async () => {
    await insertMeta(t.db.kysely, { key: 'k-1', value: 'x' });
    await expect(insertMeta(t.db.kysely, { key: 'k-2' } as never)).rejects.toThrow(/keys/);
    await expect(insertMeta(t.db.kysely, { key: 'k-2', value: 'x', extra: 'y' } as never)).rejects.toThrow(/keys/);
    await expect(insertMeta(t.db.kysely, { key: 'k-2', value: undefined } as never)).rejects.toThrow(/value for value/);
  });

  it('refuses a query that would write a value into its text', async () => {
    const inlined = preparedQuery((db, p: { key: string }) => db.selectFrom('meta').select('key').where('key', '=', sql.lit(p.key)));
    await expect(inlined(t.db.kysely, { key: 'x' })).rejects.toThrow(/parameters/);
  });
});
