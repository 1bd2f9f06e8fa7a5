/**
 * Messages between the bench orchestrator (bench/run.ts) and its two kinds of child processes: the
 * server under test (bench/server.ts, pinned to core 0) and the load generator (bench/load.ts, pinned
 * to core 1). They talk over Node's IPC channel; nothing here runs while a measurement is in flight.
 */

export type ServerRequest =
  | { id: number; cmd: 'create-webinar'; slug: string; capacity: number | null }
  | { id: number; cmd: 'seed-registrations'; webinarId: string; count: number }
  | { id: number; cmd: 'create-agent'; email: string; password: string }
  | { id: number; cmd: 'verify-registrations'; webinarId: string; submissionKeys: string[] }
  | { id: number; cmd: 'count'; webinarId: string }
  | { id: number; cmd: 'memory' }
  | { id: number; cmd: 'disk-probe'; dir: string; seconds: number }
  | { id: number; cmd: 'stop' };

export type ServerMessage =
  | { type: 'ready'; url: string; pid: number; worker: 'inline' | 'off' | 'none'; database: 'sqlite' | 'postgres' | 'none' }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

export interface WebinarCreated {
  id: string;
  slug: string;
}

export interface RegistrationCheck {
  /** Registrations of the Rencontre. */
  registrations: number;
  /** Submissions whose key was answered 303 and that lead to a registration with its outbox row. */
  keysFound: number;
  keysMissing: number;
  keysWithoutOutbox: number;
  /** Outbox rows of the Rencontre's registrations (the confirmation e-mail). */
  outboxRows: number;
  /** Audit entries naming one of the Rencontre's registrations. */
  auditRows: number;
}

/** What the disk under the database allows: SQLite commits with synchronous=FULL, as the app opens it. */
export interface DiskProbe {
  singleRowCommitsPerSecond: number;
  commitP50Ms: number;
  commitP99Ms: number;
  /** 50 rows a commit, as a group of registrations would write them (rows per second). */
  rowsPerSecondIn50RowCommits: number;
}

export interface LatencySummary {
  /** Milliseconds. */
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  max: number;
  mean: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Answers other than the expected class (2xx for a page, 3xx for a form post), errors and timeouts. */
  unexpected: number;
  errors: number;
  timeouts: number;
  total: number;
  statusCodes: Record<string, number>;
  latency: LatencySummary;
  durationSeconds: number;
  /** CPU seconds the server process used during the run, and that over the run's length: the share of its core it got. */
  serverCpuSeconds?: number;
  serverCpuShare?: number;
  /** Requests per CPU second of the server: what the app costs, whatever else ran on its core. */
  requestsPerServerCpuSecond?: number;
  /** Keys from the Location of each 303 (registration runs only). */
  submissionKeys?: string[];
}

export interface SequentialResult {
  samples: number;
  statuses: Record<string, number>;
  /** Milliseconds, measured by the client from request sent to last byte, one request at a time. */
  p50: number;
  p95: number;
  max: number;
  bytes: number;
}

export type LoadRequest =
  | { cmd: 'autocannon'; scenario: 'hello' | 'page' | 'page-plain'; url: string; path: string; duration: number; connections: number }
  | { cmd: 'autocannon'; scenario: 'register'; url: string; path: string; duration: number; connections: number; runTag: string }
  | { cmd: 'sequential'; url: string; path: string; cookie: string; samples: number; warmup: number };

export type LoadMessage = { type: 'result'; ok: true; value: unknown } | { type: 'result'; ok: false; error: string };
