/**
 * The server under test, started by bench/run.ts as `taskset -c 0 node --import tsx bench/server.ts …`.
 *
 *   bench/server.ts bare            a bare node:http "hello" server: the ceiling of this core
 *   bench/server.ts app '<env>'     the real app: loadConfig(env) → createRuntime → startServer
 *
 * The orchestrator drives it over IPC to prepare data (a Rencontre, 5,000 registrations, an agent)
 * and to check the database after a load, between measurements, never during one.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningServer } from '../src/runtime.ts';
import type { ServerMessage, ServerRequest } from './protocol.ts';

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
