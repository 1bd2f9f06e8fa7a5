/**
 * A worker process for crash tests: runs the job runner of the platform against the database named in
 * DATABASE_URL until killed (the test SIGKILLs it in the middle of a job). It sends no e-mail.
 */
import { loadConfig } from '../../src/config.ts';
import { createRuntime } from '../../src/runtime.ts';
import { createLogger } from '../../src/platform/logger.ts';

const config = loadConfig({ ...process.env, NO_DEMO: 'true', WORKER: 'off', PUBLIC_URL: 'http://nv.test', LOG_LEVEL: 'silent' });
const runtime = await createRuntime(config, { tokenKey: Buffer.alloc(32, 7), logger: createLogger('silent') });
process.stdout.write('ready\n');
for (;;) {
  await runtime.jobs.runOnce(1);
  await new Promise((r) => setTimeout(r, 10));
}
