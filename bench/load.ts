/**
 * The load generator, started by bench/run.ts as `taskset -c 1 node --import tsx bench/load.ts`: it
 * receives one job over IPC, runs it against the server pinned to the other core, replies and exits.
 *
 * - autocannon "hello" / "page": GET the same path as fast as the server answers; "page" asks for it as
 *   Chromium does (Accept-Encoding: gzip, deflate, br, zstd), "page-plain" without compression.
 * - autocannon "register": POST the registration form, each request with its own e-mail, its own
 *   submission key and its own client address (X-Forwarded-For, the server trusts its proxy), so that
 *   every request is a new person and the rate limits see a crowd, not one robot.
 * - sequential: one request at a time with a session cookie (the back-office table), timed here.
 */
import autocannon from 'autocannon';
import type { LatencySummary, LoadMessage, LoadRequest, LoadResult, SequentialResult } from './protocol.ts';

const reply = (m: LoadMessage) =>
  new Promise<void>((resolve) => {
    process.send!(m, () => resolve());
  });

function formBody(n: number, runTag: string, submission: string): string {
  const first = ['Élise', 'Thomas', 'Camille', 'Nicolas', 'Léa', 'Julien'][n % 6]!;
  return new URLSearchParams({
    submission,
    website: '',
    utm_source: 'facebook',
    utm_medium: 'social',
    utm_campaign: 'bench',
    firstName: first,
    lastName: 'Martin',
    email: `personne.${runTag}.${n}@exemple.fr`,
    phone: '06 12 34 56 78',
    livesIn: 'france',
    postcode: '69003',
    town: 'Lyon',
    country: '',
    project: 'salarie',
    household: 'enfants',
    horizon: '6-12-mois',
    desiredRegion: 'margeride',
    heardFrom: 'facebook',
    question: '',
    newsOptIn: n % 2 ? 'oui' : '',
  }).toString();
}

function latencyOf(r: autocannon.Result): LatencySummary {
  const l = r.latency;
  return { p50: l.p50, p90: l.p90, p97_5: l.p97_5, p99: l.p99, max: l.max, mean: l.average };
}

async function runAutocannon(job: Extract<LoadRequest, { cmd: 'autocannon' }>): Promise<LoadResult> {
  const keys: string[] = [];
  const statusCodes: Record<string, number> = {};
  let requests: autocannon.Request[] | undefined;
  if (job.scenario === 'register') {
    const origin = new URL(job.url).origin;
    let n = 0;
    requests = [
      {
        method: 'POST',
        path: job.path,
        setupRequest: (req: autocannon.Request) => {
          const i = n++;
          const submission = `bench-${job.runTag}-${i.toString(36).padStart(8, '0')}`;
          return {
            ...req,
            body: formBody(i, job.runTag, submission),
            headers: {
              'content-type': 'application/x-www-form-urlencoded',
              origin,
              'sec-fetch-site': 'same-origin',
              'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
            },
          };
        },
        onResponse: (status: number, _body: string, _ctx: unknown, headers?: Record<string, string | string[]>) => {
          const location = headers?.location ?? headers?.Location;
          if (status === 303 && typeof location === 'string') {
            const m = /\/inscription\/recu\/([A-Za-z0-9-]+)$/.exec(location);
            if (m) keys.push(m[1]!);
          }
        },
      } as autocannon.Request,
    ];
  }
  const instance = autocannon({
    url: job.url + job.path,
    ...(job.scenario === 'page' ? { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } } : {}),
    connections: job.connections,
    duration: job.duration,
    pipelining: 1,
    // autocannon records only 2xx latencies unless told: a registration answers 303.
    includeErrorStats: true,
    ...(requests ? { requests } : {}),
  });
  const result: autocannon.Result = await new Promise((resolve, reject) => {
    instance.on('done', resolve);
    instance.on('error', reject);
  });
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = v.count;
  const total = Object.values(statusCodes).reduce((a, b) => a + b, 0);
  // A page answers 200, a form post 303 (Post/Redirect/Get): anything else is a failure.
  const expected = job.scenario === 'register' ? /^3/ : /^2/;
  const unexpected = Object.entries(statusCodes).reduce((a, [code, n]) => (expected.test(code) ? a : a + n), 0);
  return {
    // autocannon's "Req/Sec" average: completed requests per one-second sample.
    requestsPerSecond: result.requests.average,
    unexpected: unexpected + result.errors + result.timeouts,
    errors: result.errors,
    timeouts: result.timeouts,
    total,
    statusCodes,
    latency: latencyOf(result),
    durationSeconds: result.duration,
    ...(job.scenario === 'register' ? { submissionKeys: keys } : {}),
  };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

async function runSequential(job: Extract<LoadRequest, { cmd: 'sequential' }>): Promise<SequentialResult> {
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  let bytes = 0;
  for (let i = 0; i < job.warmup + job.samples; i++) {
    const t0 = performance.now();
    const res = await fetch(job.url + job.path, { headers: { cookie: job.cookie }, redirect: 'manual' });
    const body = await res.arrayBuffer();
    const ms = performance.now() - t0;
    if (i < job.warmup) continue;
    times.push(ms);
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    bytes = body.byteLength;
  }
  times.sort((a, b) => a - b);
  return { samples: times.length, statuses, p50: quantile(times, 0.5), p95: quantile(times, 0.95), max: times[times.length - 1]!, bytes };
}

if (!process.send) throw new Error('bench/load.ts is started by bench/run.ts with an IPC channel');
process.once('message', (job: LoadRequest) => {
  const work: Promise<unknown> = job.cmd === 'autocannon' ? runAutocannon(job) : runSequential(job);
  work
    .then((value) => reply({ type: 'result', ok: true, value }))
    .catch((err: unknown) => reply({ type: 'result', ok: false, error: err instanceof Error ? `${err.message}\n${err.stack}` : String(err) }))
    .finally(() => process.disconnect());
});
