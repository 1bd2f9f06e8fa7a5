import { newId } from '../ids.ts';
import type { Kysely, Transaction } from 'kysely';
import type { Db } from '../db/database.ts';
import type { Database, JobRow } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import type { Clock } from '../time.ts';

/**
 * Background jobs in a table: a row per thing to do, with run_after, attempts and the last error.
 * Handlers take the job's payload (ids, never whole objects), are idempotent, and may run again after
 * a crash: a claimed job holds a lease, and a lease that expired is taken over by the next worker.
 */

export interface JobContext {
  job: JobRow;
  payload: Record<string, unknown>;
  /** Records how far a long job has gone, for the agent watching it. */
  progress(done: number, total: number | null): Promise<void>;
  /** Extends the lease of a long job so that no other worker takes it over while it is alive. */
  heartbeat(): Promise<void>;
}

export type JobHandler = (ctx: JobContext) => Promise<void>;

/** Thrown by a handler to say "not now, try again at this instant" without counting a failure. */
export class RetryLater extends Error {
  constructor(
    readonly at: Date,
    message = 'retry later',
  ) {
    super(message);
  }
}

export async function enqueueJob(
  trx: Transaction<Database> | Kysely<Database>,
  now: Date,
  job: { kind: string; dedupeKey: string; payload?: Record<string, unknown>; runAfter?: Date },
): Promise<boolean> {
  const r = await trx
    .insertInto('jobs')
    .values({
      id: newId(),
      kind: job.kind,
      dedupe_key: job.dedupeKey,
      payload: JSON.stringify(job.payload ?? {}),
      status: 'queued',
      run_after: (job.runAfter ?? now).toISOString(),
      attempts: 0,
      locked_until: null,
      last_error: null,
      progress_done: 0,
      progress_total: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export function findJob(db: Kysely<Database>, dedupeKey: string) {
  return db.selectFrom('jobs').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst();
}

const RETRY_SECONDS = [30, 120, 600, 1800, 3600];
const MAX_ATTEMPTS = 8;
export const JOB_LEASE_MS = 5 * 60 * 1000;

export interface JobRunnerOptions {
  db: Db;
  clock: Clock;
  logger: Logger;
  handlers: Record<string, JobHandler>;
  /** Periodic tasks run by the same loop (reminder scan…), each at most every `everyMs`. */
  periodic?: Array<{ name: string; everyMs: number; run: () => Promise<void> }>;
  pollMs?: number;
}

export class JobRunner {
  readonly #o: Required<JobRunnerOptions>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  readonly #lastPeriodic = new Map<string, number>();

  constructor(o: JobRunnerOptions) {
    this.#o = { periodic: [], pollMs: 1000, ...o };
  }

  start() {
    this.#stopped = false;
    this.#schedule(0);
  }

  notify() {
    if (!this.#stopped && !this.#running) this.#schedule(0);
  }

  async stop() {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(ms: number) {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), ms);
    this.#timer.unref?.();
  }

  async #tick() {
    this.#timer = undefined;
    if (this.#running) return;
    let didWork = false;
    this.#running = (async () => {
      try {
        await this.runPeriodic();
        didWork = (await this.runOnce()) > 0;
      } catch (err) {
        this.#o.logger.error('job tick failed', { err });
      }
    })();
    await this.#running;
    this.#running = undefined;
    this.#schedule(didWork ? 0 : this.#o.pollMs);
  }

  /** Runs the periodic tasks that are due (by the injected clock). */
  async runPeriodic(force = false) {
    const now = this.#o.clock.now().getTime();
    for (const p of this.#o.periodic) {
      const last = this.#lastPeriodic.get(p.name) ?? -Infinity;
      if (!force && now - last < p.everyMs) continue;
      this.#lastPeriodic.set(p.name, now);
      try {
        await p.run();
      } catch (err) {
        this.#o.logger.error('periodic task failed', { task: p.name, err });
      }
    }
  }

  /** Runs every due job until none is left; for tests and the CLI. */
  async drain(): Promise<number> {
    let total = 0;
    for (let n = await this.runOnce(); n > 0; n = await this.runOnce()) total += n;
    return total;
  }

  /** Claims and runs due jobs, one at a time; returns how many ran. */
  async runOnce(limit = 10): Promise<number> {
    let ran = 0;
    for (; ran < limit; ran++) {
      const job = await this.#claim();
      if (!job) break;
      await this.#run(job);
    }
    return ran;
  }

  async #claim(): Promise<JobRow | undefined> {
    const { db, clock } = this.#o;
    const now = clock.now();
    const nowIso = now.toISOString();
    const lease = new Date(now.getTime() + JOB_LEASE_MS).toISOString();
    return db.transaction(async (trx) => {
      let q = trx
        .selectFrom('jobs')
        .selectAll()
        .where((eb) => eb.or([eb.and([eb('status', '=', 'queued'), eb('run_after', '<=', nowIso)]), eb.and([eb('status', '=', 'running'), eb('locked_until', '<', nowIso)])]))
        .where('kind', 'in', Object.keys(this.#o.handlers).length ? Object.keys(this.#o.handlers) : ['-'])
        .orderBy('run_after')
        .limit(1);
      if (db.dialect === 'postgres') q = q.forUpdate().skipLocked();
      const job = await q.executeTakeFirst();
      if (!job) return undefined;
      await trx
        .updateTable('jobs')
        .set((eb) => ({ status: 'running', locked_until: lease, attempts: eb('attempts', '+', 1), updated_at: nowIso }))
        .where('id', '=', job.id)
        .execute();
      return { ...job, status: 'running' as const, locked_until: lease, attempts: job.attempts + 1 };
    });
  }

  async #run(job: JobRow) {
    const { db, clock, logger, handlers } = this.#o;
    const handler = handlers[job.kind]!;
    const mine = (q: ReturnType<typeof db.kysely.updateTable<'jobs'>>) => q.where('id', '=', job.id).where('locked_until', '=', job.locked_until);
    let lease = job.locked_until;
    const ctx: JobContext = {
      job,
      payload: JSON.parse(job.payload),
      progress: async (done, total) => {
        await db.kysely.updateTable('jobs').set({ progress_done: done, progress_total: total, updated_at: clock.now().toISOString() }).where('id', '=', job.id).execute();
      },
      heartbeat: async () => {
        const next = new Date(clock.now().getTime() + JOB_LEASE_MS).toISOString();
        await db.kysely.updateTable('jobs').set({ locked_until: next }).where('id', '=', job.id).where('locked_until', '=', lease).execute();
        lease = next;
      },
    };
    try {
      await handler(ctx);
      await db.kysely.updateTable('jobs').set({ status: 'done', locked_until: null, last_error: null, updated_at: clock.now().toISOString() }).where('id', '=', job.id).where('locked_until', '=', lease).execute();
      logger.debug('job done', { jobId: job.id, kind: job.kind });
    } catch (e) {
      const now = clock.now();
      if (e instanceof RetryLater) {
        // Not a failure: the attempt is given back.
        await mine(db.kysely.updateTable('jobs').set({ status: 'queued', run_after: e.at.toISOString(), locked_until: null, attempts: job.attempts - 1, last_error: e.message, updated_at: now.toISOString() })).execute();
        return;
      }
      const message = String((e as Error)?.message ?? e).slice(0, 500);
      const failed = job.attempts >= MAX_ATTEMPTS;
      const delay = RETRY_SECONDS[Math.min(job.attempts - 1, RETRY_SECONDS.length - 1)]!;
      await db.kysely
        .updateTable('jobs')
        .set(failed ? { status: 'failed', locked_until: null, last_error: message, updated_at: now.toISOString() } : { status: 'queued', run_after: new Date(now.getTime() + delay * 1000).toISOString(), locked_until: null, last_error: message, updated_at: now.toISOString() })
        .where('id', '=', job.id)
        .where('locked_until', '=', lease)
        .execute();
      logger.warn('job failed', { jobId: job.id, kind: job.kind, attempt: job.attempts, final: failed, error: message });
    }
  }
}
