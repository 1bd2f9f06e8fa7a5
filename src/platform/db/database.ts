import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; poolSize?: number };

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: DialectName;
  /** Runs `fn` in a write transaction: BEGIN IMMEDIATE on SQLite, READ COMMITTED on PostgreSQL. */
  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

// int8 (count(*), sum) comes back from pg as a string; our counts fit in a double.
pg.types.setTypeParser(20, (v: string) => Number.parseInt(v, 10));
pg.types.setTypeParser(1700, (v: string) => Number.parseFloat(v));

/**
 * Kysely's SQLite driver begins deferred transactions; a deferred read-then-write transaction can
 * fail at once with SQLITE_BUSY when another process writes, so every transaction here is IMMEDIATE.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: ConstructorParameters<typeof SqliteDialect>[0];
  constructor(config: ConstructorParameters<typeof SqliteDialect>[0]) {
    super(config);
    this.#config = config;
  }
  override createDriver() {
    return new ImmediateSqliteDriver(this.#config);
  }
}

export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** Opens a SQLite file with the pragmas our durability promise rests on, and checks they took. */
export function openSqlite(file: string): BetterSqlite3.Database {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('foreign_keys = ON');
  raw.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  const journal = raw.pragma('journal_mode', { simple: true });
  const sync = raw.pragma('synchronous', { simple: true });
  const fk = raw.pragma('foreign_keys', { simple: true });
  const busy = raw.pragma('busy_timeout', { simple: true });
  if ((file !== ':memory:' && journal !== 'wal') || sync !== 2 || fk !== 1 || !(Number(busy) > 0)) {
    raw.close();
    throw new Error(`SQLite pragmas not applied (journal=${journal}, synchronous=${sync}, foreign_keys=${fk}, busy_timeout=${busy})`);
  }
  return raw;
}

/** better-sqlite3 statements are reusable: Kysely prepares one per query, we hand back a cached one. */
function withStatementCache(raw: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = raw.prepare(sql);
        if (cache.size > 500) cache.clear();
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

export function connect(target: DatabaseTarget): Db {
  if (target.kind === 'sqlite') {
    const raw = openSqlite(target.file);
    const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(raw) }) });
    return {
      kysely,
      dialect: 'sqlite',
      transaction: (fn) => kysely.transaction().execute(fn),
      close: () => kysely.destroy(),
    };
  }
  // A statement waiting on a row lock gives up rather than hanging a request forever (pretix uses 3 s).
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolSize ?? 10,
    options: '-c lock_timeout=5000 -c statement_timeout=30000 -c TimeZone=UTC',
  });
  // An idle connection closed by the server (restart, failover) must not take the process down:
  // the pool drops it and the next query opens a new one.
  pool.on('error', () => undefined);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    dialect: 'postgres',
    transaction: (fn) => kysely.transaction().setIsolationLevel('read committed').execute(fn),
    close: () => kysely.destroy(),
  };
}

/**
 * Takes the row lock that serialises writers of one aggregate (a Rencontre's seats) on PostgreSQL.
 * SQLite has a single writer and our transactions are IMMEDIATE, so nothing more is needed there.
 */
export async function lockRow(db: Db, trx: Transaction<Database>, table: 'webinars' | 'candidates', id: string): Promise<boolean> {
  if (db.dialect === 'postgres') {
    const row = await trx.selectFrom(table).select('id').where('id', '=', id).forUpdate().executeTakeFirst();
    return row !== undefined;
  }
  const row = await trx.selectFrom(table).select('id').where('id', '=', id).executeTakeFirst();
  return row !== undefined;
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
