/** The bench's result file, its table of targets, and the human summary in bench/results/latest.md. */
import type { PageWeight } from './page-weight.ts';
import type { DiskProbe, LoadResult, RegistrationCheck, SequentialResult } from './protocol.ts';

export type RunResult = Omit<LoadResult, 'submissionKeys'>;

export interface Target {
  what: string;
  target: string;
  value: string;
  pass: boolean;
  skipped?: boolean;
}

export interface AdminTable {
  database: 'sqlite' | 'postgres';
  registrations: number;
  seedSeconds: number;
  variants: Array<{ label: string; path: string; serverCpuMs: number } & SequentialResult>;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  name: string;
  machine: { node: string; cpuModel: string; cores: number; kernel: string; loadavgBefore: string; loadavgAfter: string };
  git: { commit: string; srcDirty: boolean };
  settings: Record<string, unknown>;
  ceiling: { runs: RunResult[]; medianRps: number };
  /** The Rencontre page asked for as Chromium asks (gzip accepted). */
  page: { path: string; runs: RunResult[]; medianRps: number; ratioToCeiling: number };
  /** The same page by a client that takes no compression (for information). */
  pagePlain: { path: string; runs: RunResult[]; medianRps: number; ratioToCeiling: number };
  registration: {
    path: string;
    runs: RunResult[];
    medianRps: number;
    medianP99: number;
    worstP99: number;
    /** 303 answers over warm-up and runs: each one a registration acknowledged to its sender. */
    total303: number;
    unexpected: number;
    check: (RegistrationCheck & { keysAcknowledged: number }) | null;
  };
  registrationInlineWorker: { run: RunResult; check: RegistrationCheck & { keysAcknowledged: number } } | null;
  /** The disk's commit rate, probed after each registration run. */
  disk: DiskProbe[];
  pageWeight: PageWeight | null;
  adminTable: { sqlite: AdminTable | { skipped: string } | null; postgres: AdminTable | { skipped: string } | null };
  /** bench/scenarios/stats.ts's results (bench/results/stats.json), or why it was not run. */
  statistics: StatisticsBench | { skipped: string } | null;
  memory: Record<string, Record<string, number>>;
  targets: Target[];
}

type Timing = { runs: number; medianMs: number; p95Ms: number; maxMs: number; medianCpuMs: number };
/** The part of bench/results/stats.json the report reads. */
export interface StatisticsBench {
  date: string;
  targetMs: number;
  dataSet: { webinars: number; households: number; registrations: number; years: number[] };
  results: Record<
    string,
    {
      yearDashboard: Timing;
      yearJson: Timing;
      yearDashboardAfterWrites: Timing;
      freshStart: Timing;
      freshStartBeforeRefresh: Timing & { tenYearsMs: number };
      tenYearsDashboard: Timing & { firstMs: number };
      nothingCached: { viewBeforeRefreshMs: number; refresh: { year2025ReadyMs: number; allYearsMs: number } };
      loadAverage: string;
    }
  >;
}

/** Issue 6's target (under 200 ms of server time for the year's dashboard at a national scale), per database. */
export function statisticsTargets(stats: BenchReport['statistics']): Target[] {
  if (!stats) return [];
  if ('skipped' in stats) return [{ what: 'Statistics dashboard, national scale', target: 'p95 < 200 ms', value: stats.skipped, pass: true, skipped: true }];
  const t: Target[] = [];
  for (const [db, r] of Object.entries(stats.results)) {
    const row = (what: string, x: Timing, limit: 'p95' | 'max') => {
      const v = limit === 'p95' ? x.p95Ms : x.maxMs;
      t.push({ what: `Statistics ${db}: ${what}`, target: `${limit} < ${stats.targetMs} ms`, value: `median ${x.medianMs} ms, p95 ${x.p95Ms} ms, max ${x.maxMs} ms (CPU ${x.medianCpuMs} ms), ${x.runs} views`, pass: v < stats.targetMs });
    };
    row('year dashboard, nothing changed', r.yearDashboard, 'p95');
    row('year JSON', r.yearJson, 'p95');
    row('year dashboard right after writes', r.yearDashboardAfterWrites, 'p95');
    row('year dashboard, first view in a new process', r.freshStart, 'max');
  }
  return t;
}

function statisticsMarkdown(r: BenchReport): string[] {
  const s = r.statistics;
  if (!s) return [];
  if ('skipped' in s) return ['', '## Statistics at a national scale (issue 6)', '', `Not measured: ${s.skipped}.`];
  const md = ['', '## Statistics at a national scale (issue 6)', ''];
  md.push(
    `\`bench/scenarios/stats.ts\` (run by \`npm run bench\`, results in [\`stats.json\`](stats.json), ${s.date}): ${s.dataSet.years.length} years, ${s.dataSet.webinars.toLocaleString('en-US')} Rencontres, ${s.dataSet.households.toLocaleString('en-US')} households, ${s.dataSet.registrations.toLocaleString('en-US')} registrations; server time of \`/admin/statistiques\` for one year in the app's process, CPU beside it.`,
    '',
    '| view | database | median ms | p95 ms | max ms | CPU ms (median) |',
    '|---|---|---:|---:|---:|---:|',
  );
  for (const [db, x] of Object.entries(s.results)) {
    const line = (what: string, v: Timing) => md.push(`| ${what} | ${db} | ${v.medianMs} | ${v.p95Ms} | ${v.maxMs} | ${v.medianCpuMs} |`);
    line('year, nothing changed', x.yearDashboard);
    line('year as JSON', x.yearJson);
    line('year, right after writes', x.yearDashboardAfterWrites);
    line('year, first view in a new process (after the start-up refresh)', x.freshStart);
    line('year, new process before any refresh', x.freshStartBeforeRefresh);
    line('ten years at once', x.tenYearsDashboard);
    md.push(`| after the cache is emptied (a restore), a view before the background refresh | ${db} | ${x.nothingCached.viewBeforeRefreshMs} | | | |`);
  }
  md.push('', `Load average during the scenario: ${Object.entries(s.results).map(([db, x]) => `${db} ${x.loadAverage}`).join('; ')}.`);
  return md;
}

const verdict = (t: Target) => (t.skipped ? 'SKIP' : t.pass ? 'PASS' : 'FAIL');
const r0 = (x: number) => Math.round(x).toLocaleString('en-US');

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  return rows.map((r) => r.map((c, i) => c + ' '.repeat(widths[i]! - [...c].length)).join('  ')).join('\n');
}

function runsLine(runs: RunResult[]) {
  return runs.map((r) => r0(r.requestsPerSecond)).join(' / ');
}

const medianOf = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};

/** The share of its core the server got, and what a request cost it: how to read figures on a shared machine. */
function cpuCell(runs: RunResult[]) {
  const share = medianOf(runs.map((r) => r.serverCpuShare ?? NaN));
  const perCpu = medianOf(runs.map((r) => r.requestsPerServerCpuSecond ?? NaN));
  return Number.isFinite(share) ? `${Math.round(share * 100)} % · ${r0(perCpu)}` : '—';
}

export function renderConsoleTable(r: BenchReport): string {
  const lines = [
    `Nouvelle Vie bench — ${r.startedAt}  node ${r.machine.node}  ${r.machine.cpuModel} × ${r.machine.cores}`,
    `load average before: ${r.machine.loadavgBefore}   after: ${r.machine.loadavgAfter}   (machine shared: absolute figures are noisy, ratios less so)`,
    '',
    pad([
      ['measure (server on core 0, load on core 1)', 'runs (req/s)', 'median req/s', 'p50 / p99 ms (median run)', 'core got · req per CPU-s'],
      ['bare node:http hello (ceiling)', runsLine(r.ceiling.runs), r0(r.ceiling.medianRps), latencyCell(r.ceiling.runs), cpuCell(r.ceiling.runs)],
      [`GET ${r.page.path} (gzip, as browsers ask)`, runsLine(r.page.runs), r0(r.page.medianRps), latencyCell(r.page.runs), cpuCell(r.page.runs)],
      [`GET ${r.pagePlain.path} (no compression)`, runsLine(r.pagePlain.runs), r0(r.pagePlain.medianRps), latencyCell(r.pagePlain.runs), cpuCell(r.pagePlain.runs)],
      [`POST ${r.registration.path} (WORKER=off)`, runsLine(r.registration.runs), r0(r.registration.medianRps), latencyCell(r.registration.runs), cpuCell(r.registration.runs)],
      ...(r.registrationInlineWorker
        ? [['  same, WORKER=inline (1 run, info)', r0(r.registrationInlineWorker.run.requestsPerSecond), r0(r.registrationInlineWorker.run.requestsPerSecond), `${r.registrationInlineWorker.run.latency.p50} / ${r.registrationInlineWorker.run.latency.p99}`, cpuCell([r.registrationInlineWorker.run])]]
        : []),
    ]),
    diskLine(r),
    '',
    pad([['target', 'wanted', 'measured', ''], ...r.targets.map((t) => [t.what, t.target, t.value, verdict(t)])]),
    '',
    `memory (RSS, MB): ${Object.entries(r.memory)
      .map(([k, v]) => `${k} ${Object.entries(v).map(([a, b]) => `${a}=${b}`).join(' ')}`)
      .join(' | ')}`,
  ];
  return lines.join('\n');
}

function diskLine(r: BenchReport): string {
  if (!r.disk.length) return '';
  const single = medianOf(r.disk.map((d) => d.singleRowCommitsPerSecond));
  const p99 = medianOf(r.disk.map((d) => d.commitP99Ms));
  const batch = medianOf(r.disk.map((d) => d.rowsPerSecondIn50RowCommits));
  return `disk under the database (SQLite, WAL, synchronous=FULL, probed after each registration run): ${r0(single)} single-row commits/s (runs ${r.disk.map((d) => r0(d.singleRowCommitsPerSecond)).join(' / ')}; commit p99 ${p99} ms), ${r0(batch)} rows/s in commits of 50`;
}

function latencyCell(runs: RunResult[]) {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const m = sorted[sorted.length >> 1];
  return m ? `${m.latency.p50} / ${m.latency.p99}` : '—';
}

export function renderMarkdown(r: BenchReport, jsonFile: string): string {
  const md: string[] = [];
  md.push('# Bench results — latest run', '');
  md.push(`Run \`npm run bench\` on ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC, commit \`${r.git.commit}\`${r.git.srcDirty ? ' (with uncommitted changes under src/ by the team at the time)' : ''}; raw figures in [\`${jsonFile}\`](${jsonFile}).`, '');
  md.push(`- Machine: ${r.machine.cpuModel}, ${r.machine.cores} cores, Node ${r.machine.node}, Linux ${r.machine.kernel}. **Load average before: \`${r.machine.loadavgBefore}\`**, after: \`${r.machine.loadavgAfter}\`. The machine is shared with other work: the ceiling is measured in the same run, interleaved with the app's figures, so the ratio matters more than the absolute numbers.`);
  md.push(`- Server under test: its own process pinned to core ${String(r.settings.serverCore)} (\`taskset -c ${String(r.settings.serverCore)} node --import tsx bench/server.ts\`), the real app (\`loadConfig\` → \`createRuntime\` → \`startServer\`) on SQLite (WAL, \`synchronous=FULL\`), \`NO_DEMO=true\`, \`LOG_LEVEL=silent\`, \`TRUST_PROXY=true\`, **\`WORKER=off\`** (see below). Load: autocannon in another process pinned to core ${String(r.settings.loadCore)}, ${String(r.settings.connections)} connections, ${String(r.settings.runs)} runs of ${String(r.settings.durationSeconds)} s after a ${String(r.settings.warmupSeconds)} s warm-up; medians of the runs.`);
  md.push('', '## Targets', '', '| target | wanted | measured | |', '|---|---|---|---|');
  for (const t of r.targets) md.push(`| ${t.what} | ${t.target} | ${t.value} | **${verdict(t)}** |`);
  md.push('', '## Throughput, side by side', '', '| measure | runs (req/s) | median req/s | p50 / p99 ms (median run) | share of core 0 the server got · requests per server CPU-second |', '|---|---|---:|---|---|');
  md.push(`| bare \`node:http\` hello — the ceiling | ${runsLine(r.ceiling.runs)} | ${r0(r.ceiling.medianRps)} | ${latencyCell(r.ceiling.runs)} | ${cpuCell(r.ceiling.runs)} |`);
  md.push(`| GET \`${r.page.path}\`, gzip accepted as Chromium asks | ${runsLine(r.page.runs)} | ${r0(r.page.medianRps)} (${Math.round(r.page.ratioToCeiling * 100)} % of ceiling) | ${latencyCell(r.page.runs)} | ${cpuCell(r.page.runs)} |`);
  md.push(`| same page, client without compression (for information) | ${runsLine(r.pagePlain.runs)} | ${r0(r.pagePlain.medianRps)} (${Math.round(r.pagePlain.ratioToCeiling * 100)} % of ceiling) | ${latencyCell(r.pagePlain.runs)} | ${cpuCell(r.pagePlain.runs)} |`);
  md.push(`| POST \`${r.registration.path}\`, WORKER=off | ${runsLine(r.registration.runs)} | ${r0(r.registration.medianRps)} | ${latencyCell(r.registration.runs)} | ${cpuCell(r.registration.runs)} |`);
  if (r.registrationInlineWorker) {
    const i = r.registrationInlineWorker;
    md.push(`| same with WORKER=inline (1 run, for information) | ${r0(i.run.requestsPerSecond)} | ${r0(i.run.requestsPerSecond)} | ${i.run.latency.p50} / ${i.run.latency.p99} | ${cpuCell([i.run])} |`);
  }
  if (r.disk.length) md.push('', `The ${diskLine(r)}: one commit per registration could not go past the first figure; group commit (ADR 0008) writes a group of registrations with one commit.`);
  const perCpu = (runs: RunResult[]) => medianOf(runs.map((x) => x.requestsPerServerCpuSecond ?? NaN));
  if (Number.isFinite(perCpu(r.page.runs)) && Number.isFinite(perCpu(r.registration.runs))) {
    md.push(
      '',
      `Reading: at the cost measured in this run, a server with its whole core would serve about ${r0(perCpu(r.page.runs))} pages/s and ${r0(perCpu(r.registration.runs))} registrations/s (a projection from requests per CPU-second, not a measurement; for registrations it leaves out the time the event loop waits for the disk).`,
    );
  }
  md.push('', 'The last column is read from `/proc/<pid>/stat` of the server process around each run: when other work shares core 0, the server gets less than all of it, and the requests per CPU-second say what a request costs whatever it got. A bare `node:http` server that gets a small share of its core is limited by the load generator on core 1, not by itself.');
  const c = r.registration.check;
  if (c) {
    md.push('', `Registration check after the load: ${c.keysAcknowledged} answers 303 (warm-up included), each one looked up by its submission key: ${c.keysFound} found with their registration, ${c.keysMissing} missing, ${c.keysWithoutOutbox} without their confirmation in the outbox. The Rencontre holds ${c.registrations} registrations, ${c.outboxRows} confirmation e-mails in the outbox and ${c.auditRows} audit entries. Answers other than 3xx, errors and timeouts: ${r.registration.unexpected}.`);
  }
  const inline = r.registrationInlineWorker;
  md.push(
    '',
    `**Why \`WORKER=off\`.** The outbox worker inline would share the server's one core and its one SQLite writer with the requests, at a rate the bench sets, not the product. It was measured once${inline ? `: ${Math.round(inline.run.requestsPerSecond)} registrations/s (p99 ${inline.run.latency.p99} ms) against ${Math.round(r.registration.medianRps)} without it` : ''}. Without \`SMTP_URL\` the worker delivers to the local mailbox, that is it records each message's outcome in the database, each in its own transaction: one fsync per e-mail, on the event loop, against one fsync per group of registrations. At such rates the worker belongs in its own process (\`npm run worker\`), and its outcomes would better be recorded in groups (\`groupTransaction\`, ADR 0008).`,
  );
  const w = r.pageWeight;
  if (w) {
    md.push('', '## Page weight', '', `\`${w.path}\`: ${w.htmlBytes} bytes of HTML (${w.htmlGzipBytes} gzipped); ${w.stylesheets.length} stylesheet (\`${w.stylesheets.join(', ')}\`) of ${w.stylesheetBytes} bytes (${w.stylesheetGzipBytes} gzipped). Addresses the browser fetches by itself: ${w.fetchedUrls.map((u) => `\`${u.length > 60 ? u.slice(0, 57) + '…' : u}\``).join(', ') || 'none'}; on another origin: ${w.thirdPartyFetches.length}. Script tags: ${w.scriptTags}; inline handlers: ${w.inlineHandlers}; the form posts without JavaScript: ${w.formWorksWithoutScript ? 'yes' : 'no'}. Links to other sites (followed only if clicked): ${w.externalLinks.length ? w.externalLinks.map((u) => `\`${u}\``).join(', ') : 'none'}.`);
  }
  md.push('', '## Registrants table with 5,000 registrations (issue 3)', '', 'Time measured by the client, one request at a time with a signed-in session, from request to last byte (an upper bound of the server time: it includes the loopback), after 5 warm-up requests.', '');
  for (const db of ['sqlite', 'postgres'] as const) {
    const a = r.adminTable[db];
    if (!a) continue;
    if ('skipped' in a) {
      md.push(`- ${db}: skipped — ${a.skipped}`);
      continue;
    }
    md.push(
      `**${db}** (5,000 registrations inserted in one transaction in ${a.seedSeconds} s)`,
      '',
      `| view | p50 ms | p95 ms | max ms | server CPU ms per request${db === 'postgres' ? ' (Node only, not PostgreSQL)' : ''} | HTML |`,
      '|---|---:|---:|---:|---:|---:|',
    );
    for (const v of a.variants) md.push(`| ${v.label} (\`${v.path.replace(/^\/admin\/rencontres\/[^?]+/, '…')}\`) | ${v.p50.toFixed(1)} | ${v.p95.toFixed(1)} | ${v.max.toFixed(1)} | ${v.serverCpuMs} | ${Math.round(v.bytes / 1024)} KB |`);
    md.push('');
  }
  md.push(...statisticsMarkdown(r), '');
  md.push('## Memory (RSS of the server process, MB)', '');
  for (const [k, v] of Object.entries(r.memory)) md.push(`- ${k}: ${Object.entries(v).map(([a, b]) => `${a} ${b}`).join(', ')}`);
  md.push('');
  return md.join('\n');
}
