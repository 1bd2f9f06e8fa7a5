import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { buildApp, type AppOptions } from '../../src/app.tsx';
import { AfterResponse } from '../../src/platform/http/after-response.ts';
import { createJobRunner } from '../../src/background.ts';
import type { JobRunner } from '../../src/platform/jobs/jobs.ts';
import type { VideoTools } from '../../src/features/video/video-jobs.ts';
import { loadTerritory, type Territory } from '../../src/features/territory/territory.ts';
import { connect, type Db, type DialectName } from '../../src/platform/db/database.ts';
import { OutboxWorker } from '../../src/platform/email/outbox-worker.ts';
import type { MailToSend, MailTransport } from '../../src/platform/email/transport.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { ManualClock } from '../../src/platform/time.ts';
import type { Services } from '../../src/services.ts';
import { PG_TEMPLATE_DB, PG_TEST_PREFIX, pgAdminUrl, pgUrlFor, SQLITE_TEMPLATE, TEST_TMP } from './env.ts';

/** The databases this run tests against: SQLite always, PostgreSQL when global setup reached it. */
export function dialects(): DialectName[] {
  return inject('pgAvailable') ? ['sqlite', 'postgres'] : ['sqlite'];
}

export interface TestDb {
  db: Db;
  dialect: DialectName;
  target: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  drop(): Promise<void>;
}

/** A fresh migrated database: a copy of the template file, or a PostgreSQL database made from the template. */
export async function createTestDb(dialect: DialectName, opts: { poolSize?: number } = {}): Promise<TestDb> {
  if (dialect === 'sqlite') {
    const file = path.join(TEST_TMP, `t-${randomUUID()}.sqlite`);
    fs.copyFileSync(SQLITE_TEMPLATE, file);
    const db = connect({ kind: 'sqlite', file });
    return {
      db,
      dialect,
      target: { kind: 'sqlite', file },
      async drop() {
        await db.close();
        for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
      },
    };
  }
  const name = `${PG_TEST_PREFIX}${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${PG_TEMPLATE_DB}"`);
  } finally {
    await admin.end();
  }
  const url = pgUrlFor(name);
  const db = connect({ kind: 'postgres', url, poolSize: opts.poolSize ?? 10 });
  return {
    db,
    dialect,
    target: { kind: 'postgres', url },
    async drop() {
      await db.close();
      const a = new pg.Client({ connectionString: pgAdminUrl });
      await a.connect();
      await a.query(`drop database if exists "${name}" with (force)`).finally(() => a.end());
    },
  };
}

/** An SMTP stand-in for tests that do not need the real peer: records what was sent, can fail on demand. */
export class RecordingTransport implements MailTransport {
  readonly name = 'recording';
  readonly sent: MailToSend[] = [];
  failWith: { responseCode?: number; code?: string; message: string } | null = null;
  async send(m: MailToSend) {
    if (this.failWith) throw Object.assign(new Error(this.failWith.message), this.failWith);
    this.sent.push(m);
  }
  async close() {}
}

export const TEST_NOW = '2027-01-04T09:00:00.000Z';

export interface TestContext {
  s: Services;
  clock: ManualClock;
  testDb: TestDb;
  db: Db;
  territory: Territory;
  transport: MailTransport;
  worker: OutboxWorker;
  /** The job runner with every handler and periodic task of the platform. */
  jobs: JobRunner;
  app: ReturnType<typeof buildApp>;
  /** The work the app's routes go on with after answering (the video tools' notifications): wait for it, never sleep. */
  afterResponse: AfterResponse;
  close(): Promise<void>;
}

export async function createTestContext(
  dialect: DialectName,
  opts: { now?: string; territory?: string; transport?: MailTransport; appOptions?: AppOptions; poolSize?: number; video?: VideoTools } = {},
): Promise<TestContext> {
  const testDb = await createTestDb(dialect, { poolSize: opts.poolSize });
  const clock = new ManualClock(opts.now ?? TEST_NOW);
  const territory = loadTerritory(opts.territory ?? 'lozere');
  const logger = createLogger(process.env.TEST_LOG === '1' ? 'debug' : 'silent');
  const transport = opts.transport ?? new RecordingTransport();
  const worker = new OutboxWorker({ db: testDb.db, transport, clock, logger, from: '"Lozère Nouvelle Vie" <nouvellevie@lozere.fr>', messageIdDomain: 'test.local' });
  const s: Services = {
    config: { publicUrl: 'http://nv.test', isHttps: false, trustProxy: false, env: 'test' },
    db: testDb.db,
    clock,
    territory,
    logger,
    tokenKey: Buffer.alloc(32, 7),
    mailQueued: () => undefined,
    jobQueued: () => undefined,
    video: opts.video ?? {},
  };
  const afterResponse = opts.appOptions?.afterResponse ?? new AfterResponse(logger);
  const app = buildApp(s, { ...opts.appOptions, afterResponse });
  const jobs = createJobRunner(s);
  return {
    s,
    clock,
    testDb,
    db: testDb.db,
    territory,
    transport,
    worker,
    jobs,
    app,
    afterResponse,
    async close() {
      await afterResponse.idle();
      await jobs.stop();
      await worker.stop();
      await testDb.drop();
    },
  };
}
