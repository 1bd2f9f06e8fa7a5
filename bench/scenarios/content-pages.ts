/**
 * The public "Vivre en …" pages (issue 7) against the ceiling of the machine, in the same run: a bare
 * node:http "hello" server and the real app, each pinned to core 0, loaded by autocannon pinned to
 * core 1 (bench/processes.ts). The runs alternate (hello, then each page, round after round) so that
 * a slower moment of the machine weighs on both; the figure kept is the median of the rounds.
 *
 *   node --import tsx bench/scenarios/content-pages.ts [--rounds=3] [--duration=8] [--connections=50]
 *
 * The app is started as in production (NODE_ENV=production, its own SQLite file): at start it loads
 * the communes and the territory's content.json, exactly as `npm start` does. The promise checked:
 * every section page serves at least 25 % of the requests per second of the bare server.
 * Writes bench/results/content-pages.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allowedCpus, LOAD_CORE, runLoad, SERVER_CORE, startServerProcess, type ServerProcess } from '../processes.ts';
import type { LoadResult } from '../protocol.ts';

const argv = process.argv.slice(2);
const option = (name: string, fallback: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const settings = { rounds: Number(option('rounds', '3')), duration: Number(option('duration', '8')), connections: Number(option('connections', '50')) };
const TARGET_SHARE = 0.25;
const PAGES = ['/vivre-en-lozere/acces', '/vivre-en-lozere/emploi', '/vivre-en-lozere/ecoles', '/vivre-en-lozere/regions/margeride', '/vivre-en-lozere'];

const resultsFile = fileURLToPath(new URL('../results/content-pages.json', import.meta.url));
const log = (msg: string) => process.stdout.write(`[content-pages ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

async function load(server: ServerProcess, scenario: 'hello' | 'page', pathname: string): Promise<LoadResult> {
  const cpuBefore = server.cpuSeconds();
  const r = await runLoad<LoadResult>({ cmd: 'autocannon', scenario, url: server.url, path: pathname, duration: settings.duration, connections: settings.connections });
  const cpu = server.cpuSeconds() - cpuBefore;
  const completed = Object.values(r.statusCodes).reduce((a, b) => a + b, 0);
  return { ...r, serverCpuSeconds: Math.round(cpu * 100) / 100, serverCpuShare: Math.round((cpu / r.durationSeconds) * 100) / 100, requestsPerServerCpuSecond: cpu > 0 ? Math.round(completed / cpu) : 0 };
}

async function main() {
  const cpus = allowedCpus();
  if (!cpus.includes(SERVER_CORE) || !cpus.includes(LOAD_CORE)) throw new Error(`needs cores ${SERVER_CORE} and ${LOAD_CORE}; this process may use ${cpus.join(',')}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nv-bench-content-'));
  log(`rounds=${settings.rounds} duration=${settings.duration}s connections=${settings.connections}; data in ${dir}`);
  const bare = await startServerProcess('bare');
  const app = await startServerProcess('app', {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    DATABASE_URL: `sqlite:${path.join(dir, 'nouvelle-vie.sqlite')}`,
    DATA_DIR: dir,
    NO_DEMO: 'true',
    LOG_LEVEL: 'silent',
    WORKER: 'off',
    TERRITORY: 'lozere',
    APP_SECRET: 'bench-secret-bench-secret-bench-secret-0123',
  });
  const runs: Record<string, LoadResult[]> = { hello: [], ...Object.fromEntries(PAGES.map((p) => [p, []])) };
  const pageBytes = new Map<string, number>();
  try {
    // Every page answers, with its content, before anything is measured.
    for (const p of PAGES) {
      const res = await fetch(app.url + p);
      const html = await res.text();
      if (res.status !== 200 || !html.includes('<h1>')) throw new Error(`${p} answered ${res.status}`);
      pageBytes.set(p, Buffer.byteLength(html));
    }
    for (let round = 1; round <= settings.rounds; round++) {
      const hello = await load(bare, 'hello', '/');
      runs.hello!.push(hello);
      log(`round ${round}: bare hello ${Math.round(hello.requestsPerSecond)} req/s`);
      for (const p of PAGES) {
        const r = await load(app, 'page', p);
        runs[p]!.push(r);
        log(`round ${round}: ${p} ${Math.round(r.requestsPerSecond)} req/s (${r.unexpected} unexpected, p99 ${r.latency.p99} ms)`);
      }
    }
  } finally {
    await Promise.allSettled([bare.stop(), app.stop()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const helloRps = median(runs.hello!.map((r) => r.requestsPerSecond));
  const helloPerCpu = median(runs.hello!.map((r) => r.requestsPerServerCpuSecond ?? 0));
  const loadAverage = fs.readFileSync('/proc/loadavg', 'utf8').trim();
  const pages = PAGES.map((p) => {
    const rps = median(runs[p]!.map((r) => r.requestsPerSecond));
    const unexpected = runs[p]!.reduce((n, r) => n + r.unexpected + r.errors + r.timeouts, 0);
    return {
      path: p,
      requestsPerSecond: Math.round(rps),
      shareOfBareHello: Math.round((rps / helloRps) * 1000) / 1000,
      // What a request costs whatever share of core 0 the server got (the machine may be shared).
      requestsPerServerCpuSecond: median(runs[p]!.map((r) => r.requestsPerServerCpuSecond ?? 0)),
      serverCpuShare: median(runs[p]!.map((r) => r.serverCpuShare ?? 0)),
      unexpected,
      p99Ms: median(runs[p]!.map((r) => r.latency.p99)),
      requests: runs[p]!.map((r) => r.total).reduce((a, b) => a + b, 0),
      bytes: pageBytes.get(p) ?? 0,
    };
  });
  const passed = pages.every((p) => p.shareOfBareHello >= TARGET_SHARE && p.unexpected === 0);
  const result = {
    scenario: 'content-pages',
    at: new Date().toISOString(),
    node: process.version,
    settings: { ...settings, serverCore: SERVER_CORE, loadCore: LOAD_CORE },
    target: `each section page at least ${TARGET_SHARE * 100} % of the bare node:http hello, measured in the same run`,
    loadAverageAfter: loadAverage,
    bareHelloRequestsPerSecond: Math.round(helloRps),
    bareHelloRequestsPerServerCpuSecond: helloPerCpu,
    bareHelloServerCpuShare: median(runs.hello!.map((r) => r.serverCpuShare ?? 0)),
    pages,
    passed,
    runs,
  };
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, JSON.stringify(result, null, 2) + '\n');
  log(`bare hello ${Math.round(helloRps)} req/s`);
  for (const p of pages) log(`${p.path}: ${p.requestsPerSecond} req/s = ${(p.shareOfBareHello * 100).toFixed(1)} % of hello (server got ${Math.round(p.serverCpuShare * 100)} % of its core, ${p.requestsPerServerCpuSecond} req per CPU-second; ${p.bytes} B)${p.unexpected ? `, ${p.unexpected} unexpected` : ''}`);
  log(`load average after: ${loadAverage}`);
  log(`${passed ? 'PASSED' : 'FAILED'}: written to ${path.relative(process.cwd(), resultsFile)}`);
  process.exitCode = passed ? 0 : 1;
}

await main();
