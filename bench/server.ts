/**
 * The server under test, started by bench/run.ts as `taskset -c 0 node --import tsx bench/server.ts …`.
 *
 *   bench/server.ts bare            a bare node:http "hello" server: the ceiling of this core
 *   bench/server.ts app '<env>'     the real app: loadConfig(env) → createRuntime → startServer
 *
 * The orchestrator drives it over IPC to prepare data (a Rencontre, 5,000 registrations, an agent)
 * and to check the database after a load, between measurements, never during one.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { RunningServer } from '../src/runtime.ts';
import type { DiskProbe, ServerMessage, ServerRequest } from './protocol.ts';

const send = (m: ServerMessage) => process.send!(m);

async function startBare(): Promise<void> {
  const body = 'hello';
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  process.on('message', (m: ServerRequest) => {
    if (m.cmd === 'memory') return send({ type: 'reply', id: m.id, ok: true, value: process.memoryUsage().rss });
    if (m.cmd === 'disk-probe') {
      void probeDisk(m.dir, m.seconds).then(
        (value) => send({ type: 'reply', id: m.id, ok: true, value }),
        (err: unknown) => send({ type: 'reply', id: m.id, ok: false, error: String(err) }),
      );
      return;
    }
    if (m.cmd === 'stop') {
      server.close();
      server.closeAllConnections();
      send({ type: 'reply', id: m.id, ok: true, value: null });
      return void process.disconnect();
    }
    send({ type: 'reply', id: m.id, ok: false, error: `not available on the bare server: ${m.cmd}` });
  });
  send({ type: 'ready', url: `http://127.0.0.1:${port}`, pid: process.pid, worker: 'none', database: 'none' });
}

/**
 * The disk's own limit, measured on this core between the load runs: commits of one row, then of 50,
 * on a SQLite file opened by the app's openSqlite (WAL, synchronous=FULL), in the bench's directory.
 */
async function probeDisk(dir: string, seconds: number): Promise<DiskProbe> {
  const { openSqlite } = await import('../src/platform/db/database.ts');
  const file = path.join(dir, `disk-probe-${process.pid}.sqlite`);
  const db = openSqlite(file);
  try {
    db.exec('create table t (id integer primary key, v text not null)');
    const insert = db.prepare('insert into t (v) values (?)');
    const payload = 'x'.repeat(2000);
    const times: number[] = [];
    const half = (seconds * 1000) / 2;
    let t0 = performance.now();
    while (performance.now() - t0 < half) {
      const c0 = performance.now();
      db.exec('begin immediate');
      insert.run(payload);
      db.exec('commit');
      times.push(performance.now() - c0);
    }
    const singleMs = performance.now() - t0;
    let rows = 0;
    t0 = performance.now();
    while (performance.now() - t0 < half) {
      db.exec('begin immediate');
      for (let i = 0; i < 50; i++) insert.run(payload);
      db.exec('commit');
      rows += 50;
    }
    const batchMs = performance.now() - t0;
    times.sort((a, b) => a - b);
    const q = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]! * 100) / 100;
    return { singleRowCommitsPerSecond: Math.round((times.length / singleMs) * 1000), commitP50Ms: q(0.5), commitP99Ms: q(0.99), rowsPerSecondIn50RowCommits: Math.round((rows / batchMs) * 1000) };
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
  }
}

async function startApp(env: Record<string, string>): Promise<void> {
  // Loaded here, not at the top: the bare server must not carry the app's modules (nor their memory).
  const { loadConfig } = await import('../src/config.ts');
  const { createRuntime, startServer } = await import('../src/runtime.ts');
  const { createAgent } = await import('../src/features/agents/manage-agents.ts');
  const { systemActor } = await import('../src/platform/audit/audit.ts');
  const { createWebinar, seedRegistrations, verifyRegistrations } = await import('./fixtures.ts');
  const config = loadConfig(env);
  const runtime = await createRuntime(config);
  const running: RunningServer = await startServer(config, runtime);
  const s = runtime.services;
  const handlers: { [K in ServerRequest['cmd']]: (m: Extract<ServerRequest, { cmd: K }>) => Promise<unknown> } = {
    'create-webinar': (m) => createWebinar(runtime.db, { slug: m.slug, capacity: m.capacity, now: s.clock.now() }),
    'seed-registrations': (m) => seedRegistrations(runtime.db, s.tokenKey, m.webinarId, m.count, s.clock.now()),
    'create-agent': async (m) => {
      const agent = await createAgent(s, { email: m.email, name: 'Agente de mesure', role: 'admin', password: m.password, actor: systemActor });
      return agent.id;
    },
    'verify-registrations': (m) => verifyRegistrations(runtime.db, m.webinarId, m.submissionKeys),
    count: async (m) => {
      const r = await runtime.db.kysely.selectFrom('registrations').select((eb) => eb.fn.countAll<number>().as('n')).where('webinar_id', '=', m.webinarId).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    memory: async () => process.memoryUsage().rss,
    'disk-probe': (m) => probeDisk(m.dir, m.seconds),
    stop: async () => {
      await running.stop();
      setImmediate(() => process.disconnect());
      return null;
    },
  };
  process.on('message', (m: ServerRequest) => {
    const handler = handlers[m.cmd] as (x: ServerRequest) => Promise<unknown>;
    handler(m).then(
      (value) => send({ type: 'reply', id: m.id, ok: true, value }),
      (err: unknown) => send({ type: 'reply', id: m.id, ok: false, error: err instanceof Error ? `${err.message}\n${err.stack}` : String(err) }),
    );
  });
  const address = running.server.address() as AddressInfo;
  send({ type: 'ready', url: `http://127.0.0.1:${address.port}`, pid: process.pid, worker: config.runWorkerInline ? 'inline' : 'off', database: config.database.kind });
}

const [mode, envJson] = process.argv.slice(2);
if (!process.send) throw new Error('bench/server.ts is started by bench/run.ts with an IPC channel');
if (mode === 'bare') await startBare();
else if (mode === 'app') await startApp(JSON.parse(envJson ?? '{}') as Record<string, string>);
else throw new Error(`unknown mode ${mode}`);
