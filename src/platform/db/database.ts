import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type Compilable, type DatabaseConnection, type KyselyPlugin, type QueryResult, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type DialectName = 'sqlite' | 'postgres';

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string; poolSize?: number };

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: DialectName;
  /** Runs `fn` in a write transaction: BEGIN IMMEDIATE on SQLite, READ COMMITTED on PostgreSQL. */
  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  /**
   * Like transaction(), with group commit on SQLite (ADR 0008): calls that arrive together run one
   * after the other in a shared BEGIN IMMEDIATE … COMMIT, each in its own savepoint, and each settles
   * only once that COMMIT is durable. For short use cases that only touch the database. Absent on
   * wrappers (a Db inside an already open transaction): use {@link groupTransaction}.
   */
  readonly groupTransaction?: <T>(fn: (trx: Transaction<Database>) => Promise<T>) => Promise<T>;
  /**
   * A value that changes whenever the data may have changed, read synchronously and cheaply (a cache of
   * rendered pages compares it, ADR 0018). Read it BEFORE reading the data it guards: a stamp can then
   * only be older than the data, never newer. SQLite: the rows this connection has changed (committed
   * or not) and the commits of other connections (`data_version`), so it is exact across processes.
   * PostgreSQL: the writes of this process only (rows affected, transactions ended); other processes'
   * writes are not seen, so what it guards must also expire.
   */
  changeStamp(): string;
  close(): Promise<void>;
}

/** db.groupTransaction when the Db has one, else an ordinary transaction. */
export function groupTransaction<T>(db: Db, fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db.groupTransaction ? db.groupTransaction(fn) : db.transaction(fn);
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
  // Statement journals (the undo of one statement, of a savepoint) are temporary files by default,
  // spilled to disk past 64 KiB: a statement with triggers late in a big transaction wrote its pages
  // to /var/tmp, ~55 write() calls per registration. They live and die within a transaction; the WAL,
  // which makes a commit durable, is not concerned.
  raw.pragma('temp_store = MEMORY');
  const journal = raw.pragma('journal_mode', { simple: true });
  const sync = raw.pragma('synchronous', { simple: true });
  const fk = raw.pragma('foreign_keys', { simple: true });
  const busy = raw.pragma('busy_timeout', { simple: true });
  const temp = raw.pragma('temp_store', { simple: true });
  if ((file !== ':memory:' && journal !== 'wal') || sync !== 2 || fk !== 1 || !(Number(busy) > 0) || temp !== 2) {
    raw.close();
    throw new Error(`SQLite pragmas not applied (journal=${journal}, synchronous=${sync}, foreign_keys=${fk}, busy_timeout=${busy}, temp_store=${temp})`);
  }
  return raw;
}

/** What the group committer needs to know of the one SQLite connection. */
interface ConnectionWatch {
  /** How many statements that may write (sqlite3_stmt_readonly false) were run so far. */
  writes: number;
  readonly inTransaction: boolean;
}

/**
 * better-sqlite3 statements are reusable: Kysely prepares one per query, we hand back a cached one.
 * Kysely prepares every statement it runs, so this is also where those that may write are counted.
 */
function withStatementCache(raw: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const watch: ConnectionWatch = {
    writes: 0,
    get inTransaction() {
      return raw.inTransaction;
    },
  };
  const database = {
    close: () => raw.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = raw.prepare(sql);
        if (cache.size > 500) cache.clear();
        cache.set(sql, stmt);
      }
      if (!stmt.readonly) watch.writes++;
      return stmt;
    },
  };
  return { database, watch };
}

export function connect(target: DatabaseTarget): Db {
  if (target.kind === 'sqlite') {
    const raw = openSqlite(target.file);
    const { database, watch } = withStatementCache(raw);
    const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database }) });
    const stamp = raw.prepare('select total_changes() as t, (select data_version from pragma_data_version) as v').raw(true);
    const live = new WeakSet<Transaction<Database>>();
    const checkpoints = target.file === ':memory:' ? undefined : checkpointsUnderLoad(raw, target.file);
    sqliteRunners.set(kysely.getExecutor().adapter, { live, run: (sql, parameters) => runOnSqlite(database, sql, parameters) });
    return {
      kysely,
      dialect: 'sqlite',
      transaction: (fn) =>
        kysely.transaction().execute(async (trx) => {
          live.add(trx);
          try {
            return await fn(trx);
          } finally {
            live.delete(trx);
          }
        }),
      groupTransaction: groupCommitter(kysely, watch, live, () => checkpoints?.committed()),
      changeStamp: () => {
        const [t, v] = stamp.get() as [number, number];
        return `${t}:${v}`;
      },
      close: async () => {
        await checkpoints?.close();
        await kysely.destroy();
      },
    };
  }
  // A statement waiting on a row lock gives up rather than hanging a request forever (pretix uses 3 s).
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolSize ?? 10,
    // random_page_cost 1.1: the usual value on SSDs; at the default 4 PostgreSQL scans whole tables
    // where a narrow index answers (offer keywords: 50 ms against 10 ms, bench/scenarios/offers.ts).
    options: '-c lock_timeout=5000 -c statement_timeout=30000 -c TimeZone=UTC -c random_page_cost=1.1',
  });
  // An idle connection closed by the server (restart, failover) must not take the process down:
  // the pool drops it and the next query opens a new one.
  pool.on('error', () => undefined);
  const writes = new WriteCounter();
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [writes] });
  return {
    kysely,
    dialect: 'postgres',
    transaction: (fn) => kysely.transaction().setIsolationLevel('read committed').execute(fn).finally(() => writes.bump()),
    changeStamp: () => String(writes.count),
    close: () => kysely.destroy(),
  };
}

/** Counts the statements of this process that changed rows (PostgreSQL's changeStamp). */
class WriteCounter implements KyselyPlugin {
  count = 0;
  bump() {
    this.count++;
  }
  transformQuery: KyselyPlugin['transformQuery'] = (args) => args.node;
  transformResult: KyselyPlugin['transformResult'] = async (args) => {
    const n = args.result.numAffectedRows;
    if (n !== undefined && n > 0n) this.count++;
    return args.result;
  };
}

/** Groups committed by a connection before its checkpoints move to a thread (a test's database never gets there). */
export const CHECKPOINT_THREAD_AFTER_GROUPS = 200;
const CHECKPOINT_EVERY_MS = 50;
/** The main connection's own checkpoint once a thread does them: a safety net (40 MB of WAL). */
const WAL_SAFETY_NET_PAGES = 10_000;

// CommonJS, evaluated in a worker thread: its own connection to the file, a PASSIVE checkpoint every
// few milliseconds when something was committed since the last one.
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}');
db.pragma('synchronous = FULL');
const commits = new Int32Array(workerData.commits);
let seen = 0;
const timer = setInterval(() => {
  const now = Atomics.load(commits, 0);
  if (now === seen) return;
  seen = now;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next turn */ }
}, workerData.everyMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

/**
 * A checkpoint copies the WAL's pages into the database file and syncs it: several milliseconds that
 * SQLite spends inside the COMMIT that crosses wal_autocheckpoint, holding the event loop. It is no
 * part of any commit's durability (the WAL already is on disk), so under sustained group commits it
 * moves to a worker thread with its own connection once the connection has committed a few hundred
 * groups (a test's database, a CLI command never start it); the main connection keeps its own
 * checkpoint only as a safety net. Idle, the thread only reads a counter every 50 ms.
 */
function checkpointsUnderLoad(raw: BetterSqlite3.Database, file: string) {
  let groups = 0;
  let worker: Worker | undefined;
  const commits = new Int32Array(new SharedArrayBuffer(4));
  const start = () => {
    try {
      const driver = createRequire(import.meta.url).resolve('better-sqlite3');
      const w = new Worker(CHECKPOINTER, { eval: true, workerData: { driver, file, commits: commits.buffer, everyMs: CHECKPOINT_EVERY_MS } });
      w.unref();
      w.on('error', () => {
        worker = undefined;
        if (raw.open) raw.pragma('wal_autocheckpoint = 1000');
      });
      raw.pragma(`wal_autocheckpoint = ${WAL_SAFETY_NET_PAGES}`);
      worker = w;
    } catch {
      // No thread: the main connection goes on checkpointing by itself.
    }
  };
  return {
    committed() {
      if (worker) Atomics.add(commits, 0, 1);
      else if (++groups === CHECKPOINT_THREAD_AFTER_GROUPS) start();
    },
    async close() {
      const w = worker;
      worker = undefined;
      if (!w) return;
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.postMessage('close');
      await exited;
    },
  };
}

/** At most this many use cases share one commit, so that one group never holds the writer for long. */
export const GROUP_COMMIT_MAX = 100;

interface GroupItem {
  fn: (trx: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const SAVEPOINT = CompiledQuery.raw('savepoint group_item');
const RELEASE = CompiledQuery.raw('release group_item');
const ROLLBACK_TO = CompiledQuery.raw('rollback to group_item');

/**
 * Group commit for SQLite (ADR 0008). With `synchronous=FULL` each COMMIT waits for the disk (an fsync
 * of the WAL, 0.2 to 3 ms here) while better-sqlite3 holds the event loop: one commit per registration
 * caps registrations at the disk's fsync rate. Calls that arrive while a group is being written wait
 * for the next group; a group runs its calls one after the other, exactly as separate IMMEDIATE
 * transactions would run them (SQLite has one writer). Nothing is settled before the COMMIT returns:
 * a call's result is given only once it is durable, and if the COMMIT fails, or the transaction was
 * lost under the group (disk full, I/O error, a call that ended it), every call of the group fails.
 *
 * A call's failure is rolled back alone. A SAVEPOINT around each call did that, at a price: inside a
 * savepoint SQLite keeps a copy of every page it changes again, and each registration changes again
 * some forty pages the previous one changed (the ends of the same indexes). So a group runs first
 * without savepoints. A call that fails before running any statement that may write has left the
 * transaction as it found it: it fails alone and the group goes on (the usual failures, a closed
 * registration or an unknown Rencontre, are found by reading). A call that fails after writing cannot
 * be undone alone: the transaction is rolled back and the group runs again from its start, each call
 * in a savepoint this time (when that call was the first, the rollback undid it alone: only the calls
 * after it run again). A call may thus run more than once before its result is given: it must act on
 * nothing but the transaction.
 */
function groupCommitter(kysely: Kysely<Database>, watch: ConnectionWatch, live: WeakSet<Transaction<Database>>, committed: () => void) {
  const queue: GroupItem[] = [];
  let scheduled = false;

  const schedule = () => {
    if (scheduled || queue.length === 0) return;
    scheduled = true;
    // setImmediate, not a microtask: requests whose bytes arrived in the same turn of the event loop
    // get to join the group before it starts.
    setImmediate(() => void runGroup(queue.splice(0, GROUP_COMMIT_MAX)).finally(() => ((scheduled = false), schedule())));
  };

  /**
   * Settles every call with its own outcome; if the group fails (its COMMIT, a lost transaction), every
   * call with it, except a call that had failed by itself, which keeps its own error.
   */
  async function runGroup(group: GroupItem[]) {
    const done: Outcome[] = [];
    const current: Outcome[] = [];
    try {
      await commitGroup(group, done, current);
    } catch (groupError) {
      group.forEach((item, i) => {
        const own = i < done.length ? done[i] : current[i - done.length];
        item.reject(own && !own.ok ? own.error : groupError);
      });
      return;
    }
    group.forEach((item, i) => {
      const o = done[i]!;
      if (o.ok) item.resolve(o.value);
      else item.reject(o.error);
    });
  }

  /** Fills `done` with the outcome of every call; `current` holds those of the transaction under way. */
  async function commitGroup(group: GroupItem[], done: Outcome[], current: Outcome[]): Promise<void> {
    let isolated = false;
    while (done.length < group.length) {
      const items = group.slice(done.length);
      current.length = 0;
      const trx = await kysely.startTransaction().execute();
      live.add(trx);
      try {
        const undo = isolated ? await runIsolated(trx, items, current) : await runOptimistic(trx, items, current);
        live.delete(trx);
        if (undo) {
          await trx.rollback().execute();
          if (current.length === 0) done.push({ ok: false, error: undo.error });
          else isolated = true;
          continue;
        }
        await trx.commit().execute();
        done.push(...current);
        committed();
      } catch (error) {
        live.delete(trx);
        if (!trx.isCommitted && !trx.isRolledBack) await trx.rollback().execute().catch(() => undefined);
        throw error;
      }
    }
  }

  const checkStillInTransaction = () => {
    if (!watch.inTransaction) throw new Error('The group commit’s transaction was ended under it: the group fails as one');
  };

  /** Without savepoints; stops at the first call that failed after writing (`undo`: its error). */
  async function runOptimistic(trx: Transaction<Database>, items: GroupItem[], outcomes: Outcome[]): Promise<{ error: unknown } | undefined> {
    for (const item of items) {
      const writesBefore = watch.writes;
      try {
        outcomes.push({ ok: true, value: await item.fn(trx) });
      } catch (error) {
        checkStillInTransaction();
        if (watch.writes !== writesBefore) return { error };
        outcomes.push({ ok: false, error });
      }
      checkStillInTransaction();
    }
    return undefined;
  }

  /** Each call in its own savepoint, rolled back alone when it fails. */
  async function runIsolated(trx: Transaction<Database>, items: GroupItem[], outcomes: Outcome[]): Promise<undefined> {
    for (const item of items) {
      await trx.executeQuery(SAVEPOINT);
      try {
        const value = await item.fn(trx);
        await trx.executeQuery(RELEASE);
        outcomes.push({ ok: true, value });
      } catch (error) {
        // Throws when SQLite has already rolled the whole transaction back: the group fails as one.
        await trx.executeQuery(ROLLBACK_TO);
        await trx.executeQuery(RELEASE);
        outcomes.push({ ok: false, error });
      }
      checkStillInTransaction();
    }
    return undefined;
  }

  return <T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      schedule();
    });
}

/**
 * SQLite's transactions that are open, with the one connection they hold (Kysely lets nothing else
 * use it meanwhile): a prepared query run in one of them runs at once, synchronously, as Kysely's
 * SQLite driver would run it, without the half-dozen promises of Kysely's path (each of which costs
 * more once async hooks are on). Anywhere else (outside a transaction, a transaction already ended,
 * PostgreSQL) it goes through Kysely.
 */
const sqliteRunners = new WeakMap<object, { live: WeakSet<Transaction<Database>>; run(sql: string, parameters: readonly unknown[]): QueryResult<unknown> }>();

function runOnSqlite(database: { prepare(sql: string): BetterSqlite3.Statement }, sql: string, parameters: readonly unknown[]): QueryResult<unknown> {
  const stmt = database.prepare(sql);
  if (stmt.reader) return { rows: stmt.all(parameters) };
  const { changes, lastInsertRowid } = stmt.run(parameters);
  return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
}

const STAND_IN = '\u0000prepared:';

interface PreparedSql {
  compiled: CompiledQuery;
  /** For each parameter, the key of the call's values it takes, or undefined for a constant. */
  keys: Array<string | undefined>;
  /** The keys every call gives. */
  names: string[];
}

/**
 * A query built and compiled once per kind of database, then run with each call's values. For the
 * few statements of a hot path: building and compiling a query with Kysely costs more than SQLite
 * takes to run a short one (an insert of forty columns: ~15 µs of JavaScript against ~5). The query is
 * built once with stand-ins for the values of the first call (the same keys every time: every key
 * becomes a parameter, a key missing later is an error, not a column silently left out); each call
 * then puts its own values in their places. The same code path on SQLite and PostgreSQL: each gets its
 * own compilation (placeholders, quoting), and results go through the plugins as usual.
 */
export function preparedQuery<P extends object, R = unknown>(build: (db: Kysely<Database>, values: P) => Compilable<R>) {
  // Keyed by the dialect's adapter, shared by a Kysely instance and all its transactions.
  const byAdapter = new WeakMap<object, PreparedSql>();
  return (db: Kysely<Database>, values: P): Promise<QueryResult<R>> => {
    try {
      const adapter = db.getExecutor().adapter;
      const compiled = compiledFor(db, adapter, values);
      const sqlite = sqliteRunners.get(adapter);
      if (sqlite?.live.has(db as Transaction<Database>)) return Promise.resolve(sqlite.run(compiled.sql, compiled.parameters) as QueryResult<R>);
      return db.executeQuery<R>(compiled);
    } catch (error) {
      return Promise.reject(error);
    }
  };

  function compiledFor(db: Kysely<Database>, adapter: object, values: P): CompiledQuery<R> {
    let prepared = byAdapter.get(adapter);
    if (!prepared) byAdapter.set(adapter, (prepared = prepare(db, values)));
    const { compiled, keys, names } = prepared;
    let count = 0;
    for (const _ in values) count++;
    if (count !== names.length) throw new Error(`A prepared query takes the keys ${names.join(', ')}: ${Object.keys(values).join(', ')} given`);
    const parameters = new Array<unknown>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i];
      if (key === undefined) {
        parameters[i] = compiled.parameters[i];
        continue;
      }
      const value = (values as Record<string, unknown>)[key];
      if (value === undefined) throw new Error(`A prepared query needs a value for ${key} (null for none)`);
      parameters[i] = value;
    }
    return { query: compiled.query, queryId: compiled.queryId, sql: compiled.sql, parameters };
  }

  function prepare(db: Kysely<Database>, values: P): PreparedSql {
    const names = Object.keys(values);
    const standIns = Object.fromEntries(names.map((k) => [k, `${STAND_IN}${k}`])) as P;
    const compiled = build(db, standIns).compile();
    if (compiled.sql.includes(STAND_IN)) throw new Error(`A prepared query must take its values as parameters: ${compiled.sql}`);
    const keys = compiled.parameters.map((p) => (typeof p === 'string' && p.startsWith(STAND_IN) ? p.slice(STAND_IN.length) : undefined));
    return { compiled, keys, names };
  }
}

/**
 * Takes the row lock that serialises writers of one aggregate (a Rencontre's seats) on PostgreSQL.
 * SQLite has a single writer and our transactions are IMMEDIATE, so nothing more is needed there.
 */
export async function lockRow(db: Db, trx: Transaction<Database>, table: 'webinars' | 'candidates', id: string): Promise<boolean> {
  const query = db.dialect === 'postgres' ? lockRowQueries[table] : readRowQueries[table];
  return (await query(trx, { id })).rows.length > 0;
}

const lockRowQueries = {
  webinars: preparedQuery((db, p: { id: string }) => db.selectFrom('webinars').select('id').where('id', '=', p.id).forUpdate()),
  candidates: preparedQuery((db, p: { id: string }) => db.selectFrom('candidates').select('id').where('id', '=', p.id).forUpdate()),
};
const readRowQueries = {
  webinars: preparedQuery((db, p: { id: string }) => db.selectFrom('webinars').select('id').where('id', '=', p.id)),
  candidates: preparedQuery((db, p: { id: string }) => db.selectFrom('candidates').select('id').where('id', '=', p.id)),
};

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return e?.code === '23505' || e?.code === 'SQLITE_CONSTRAINT_UNIQUE' || e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
