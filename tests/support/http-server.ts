import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { createRuntime, startServer, type RunningServer } from '../../src/runtime.ts';
import type { DialectName } from '../../src/platform/db/database.ts';
import { createTestDb, type TestDb } from './harness.ts';

export interface TestServer {
  testDb: TestDb;
  server: RunningServer;
  /** Stops the server (its after-response work included), drops the database and removes the data folder. */
  stop(): Promise<void>;
}

/**
 * The real server over real HTTP, as `npm start` runs it (page cache, after-response work, graceful
 * stop) on a fresh copy of the migrated database: no demo, no inline worker, an ephemeral port.
 */
export async function startTestServer(dialect: DialectName, opts: { env?: Record<string, string>; runtime?: Parameters<typeof createRuntime>[1] } = {}): Promise<TestServer> {
  const testDb = await createTestDb(dialect);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nv-server-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: testDb.target.kind === 'sqlite' ? `sqlite:${testDb.target.file}` : testDb.target.url,
    DATA_DIR: dataDir,
    NO_DEMO: 'true',
    WORKER: 'off',
    LOG_LEVEL: 'silent',
    ...opts.env,
  });
  const server = await startServer(config, await createRuntime(config, opts.runtime));
  return {
    testDb,
    server,
    async stop() {
      await server.stop();
      await testDb.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
