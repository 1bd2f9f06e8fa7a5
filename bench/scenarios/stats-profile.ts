/**
 * Where the statistics dashboard spends its CPU, on the data set of bench/scenarios/stats.ts (run it
 * once first): the views once warm, (WRITES=1) each right after attendance corrections, or (FIRST=1)
 * the first view of a new process.
 *   node --import tsx bench/scenarios/stats-profile.ts [sqlite|postgres] [path, default the 2025 dashboard] [runs]
 * Writes /tmp/stats-<dialect>.cpuprofile (for a profile viewer) and prints the functions that took
 * the most samples, by themselves and with what they call.
 */
import inspector from 'node:inspector/promises';
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { buildApp } from '../../src/app.tsx';
import { createAgent } from '../../src/features/agents/manage-agents.ts';
import { loadTerritory } from '../../src/features/territory/territory.ts';
import { systemActor } from '../../src/platform/audit/audit.ts';
import { connect } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { ManualClock } from '../../src/platform/time.ts';
import type { Services } from '../../src/services.ts';
import { DATA_NOW } from './stats-data.ts';

const dialect = process.argv[2] ?? 'sqlite';
const url = process.argv[3] ?? '/admin/statistiques?annee=2025';
const runs = Number(process.argv[4] ?? 30);
const db = dialect === 'sqlite' ? connect({ kind: 'sqlite', file: 'data/bench-stats/stats.sqlite' }) : connect({ kind: 'postgres', url: 'postgres://nouvellevie:nouvellevie@127.0.0.1:5432/nv_bench_stats' });
await migrateToLatest(db);
const s: Services = { config: { publicUrl: 'http://bench.local', isHttps: false, trustProxy: false, env: 'test' }, db, clock: new ManualClock(DATA_NOW), territory: loadTerritory('lozere'), logger: createLogger('silent'), tokenKey: Buffer.alloc(32, 3), mailQueued: () => undefined, jobQueued: () => undefined, video: {} } as Services;
const app = buildApp(s);
const email = `prof.${randomUUID().slice(0, 8)}@example.org`;
const password = 'mesurer sans attendre les chiffres de toute une année';
await createAgent(s, { email, name: 'Profil', role: 'referent', password, actor: systemActor });
const signIn = await app.request('/connexion', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, password, retour: '/admin' }).toString() });
const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
const target = url;
const once = async () => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const res = await app.request(target, { headers: { Cookie: cookie } });
  const body = await res.text();
  const c = process.cpuUsage(c0);
  if (res.status !== 200) throw new Error(`${res.status} ${body.slice(0, 300)}`);
  return { ms: performance.now() - t0, cpu: (c.user + c.system) / 1000, bytes: body.length };
};
const session = new inspector.Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 100 });
const firstOnly = process.env.FIRST === '1';
if (firstOnly) await session.post('Profiler.start');
const first = await once();
console.log('first', first);
if (!firstOnly) {
  for (let i = 0; i < 5; i++) await once();
  await session.post('Profiler.start');
}
const xs: number[] = [];
const cs: number[] = [];
// WRITES=1: an attendance corrected at three Rencontres of the year before each view.
const pool = process.env.WRITES === '1' ? await db.kysely.selectFrom('registrations').innerJoin('webinars', 'webinars.id', 'registrations.webinar_id').select(['registrations.id', 'registrations.attended']).where('webinars.starts_at', '>=', '2025-03-01T00:00:00.000Z').where('registrations.status', '=', 'confirmed').limit(20_000).execute() : [];
for (let i = 0; i < (firstOnly ? 0 : runs); i++) {
  for (const r of pool.slice((i * 997) % 19_000, ((i * 997) % 19_000) + 3)) await db.kysely.updateTable('registrations').set({ attended: r.attended === 1 ? 0 : 1 }).where('id', '=', r.id).execute();
  const r = await once();
  xs.push(r.ms);
  cs.push(r.cpu);
}
const { profile } = await session.post('Profiler.stop');
fs.writeFileSync(`/tmp/stats-${dialect}.cpuprofile`, JSON.stringify(profile));
xs.sort((a, b) => a - b);
cs.sort((a, b) => a - b);
if (xs.length) console.log(`median ${xs[xs.length >> 1]!.toFixed(1)} ms, cpu ${cs[cs.length >> 1]!.toFixed(1)} ms, p95 ${xs[Math.ceil(0.95 * xs.length) - 1]!.toFixed(1)}`);
// Self time by function, and inclusive by url.
type Node = { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount: number; children?: number[] };
const nodes = new Map<number, Node>((profile.nodes as Node[]).map((n) => [n.id, n]));
const self = new Map<string, number>();
const total = profile.samples!.length;
for (const n of nodes.values()) {
  const key = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/^.*\/work\/main\//, '')}:${n.callFrame.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + n.hitCount);
}
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 40);
for (const [k, v] of top) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
// inclusive by function name (any frame on the stack)
const parent = new Map<number, number>();
for (const n of nodes.values()) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map<string, number>();
for (const n of nodes.values()) {
  if (!n.hitCount) continue;
  const seen = new Set<string>();
  for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
    const f = nodes.get(id)!.callFrame;
    const key = `${f.functionName || '(anon)'} ${f.url.replace(/^.*\/work\/main\//, '')}:${f.lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    incl.set(key, (incl.get(key) ?? 0) + n.hitCount);
  }
}
console.log('--- inclusive');
for (const [k, v] of [...incl].filter(([k]) => /src\//.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
await db.close();
process.exit(0);
