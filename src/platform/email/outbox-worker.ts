import { groupTransaction, type Db } from '../db/database.ts';
import type { Kysely, Transaction, Updateable } from 'kysely';
// The one exception to "platform imports no feature": a message to a person is a fact of their
// file's timeline, written with the outcome that makes it true.
import { recordEmailOutcome } from '../../features/candidates/journey-events.ts';
import type { Database, OutboxMessageRow, OutboxMessageTable } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import type { Clock } from '../time.ts';
import type { MailTransport, SendFailure } from './transport.ts';

/**
 * Sends what the outbox holds. At-least-once: a message is claimed (status "sending" with a lease),
 * sent, then marked "sent"; a crash between the SMTP 250 and the update can send one duplicate, which
 * carries the same Message-ID. Temporary failures back off; permanent ones are marked "failed" for agents.
 */

const QUICK_RETRY_SECONDS = [10, 30, 60, 300, 900, 1800];
const SLOW_RETRY_SECONDS = [60, 300, 600, 1200, 1800];
/** After this long a message still failing temporarily is marked failed for an agent to look at. */
const GIVE_UP_AFTER_MS = 3 * 24 * 3600 * 1000;
/** How long a claimed message belongs to the worker that claimed it; after that another worker may take it over. */
export const OUTBOX_LEASE_MS = 2 * 60 * 1000;

/** Outcomes of sends are gathered this long at most, or this many, before being recorded together. */
const RECORD_DELAY_MS = 20;
const RECORD_GROUP = 50;

type Delivery = { ok: true } | { ok: false; failure: unknown };

export type RetryDecision = { kind: 'retry'; delaySeconds: number } | { kind: 'fail' };

/** pretix's strategy: 4xx and socket errors retry quickly, a refused recipient without 5xx slowly, other 5xx fail. */
export function retryDecision(error: SendFailure, attempts: number): RetryDecision {
  const code = error.responseCode;
  const pick = (list: number[]) => list[Math.min(attempts - 1, list.length - 1)] ?? list[list.length - 1]!;
  if (code === undefined) return { kind: 'retry', delaySeconds: pick(QUICK_RETRY_SECONDS) };
  if (code === 432) return { kind: 'retry', delaySeconds: Math.min(30 + attempts * 10, 1800) };
  if (code >= 400 && code < 500) {
    const slow = error.code === 'EENVELOPE' && /mailbox|full|quota|too large/i.test(error.message);
    return { kind: 'retry', delaySeconds: pick(slow ? SLOW_RETRY_SECONDS : QUICK_RETRY_SECONDS) };
  }
  return { kind: 'fail' };
}

export interface OutboxWorkerOptions {
  db: Db;
  transport: MailTransport;
  clock: Clock;
  logger: Logger;
  from: string;
  replyTo?: string;
  messageIdDomain: string;
  batchSize?: number;
  concurrency?: number;
  pollMs?: number;
}

export class OutboxWorker {
  readonly #o: Required<Omit<OutboxWorkerOptions, 'replyTo'>> & { replyTo?: string };
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;
  #stopped = true;
  #again = false;

  constructor(o: OutboxWorkerOptions) {
    this.#o = { batchSize: 50, concurrency: 5, pollMs: 1000, ...o };
  }

  start() {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Nudges the loop after a commit that enqueued mail, instead of waiting for the next poll. */
  notify() {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#schedule(0);
  }

  async stop() {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
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
    let sent = 0;
    try {
      this.#running = this.runOnce();
      sent = await this.#running;
    } catch (err) {
      this.#o.logger.error('outbox tick failed', { err });
    } finally {
      this.#running = undefined;
    }
    const again = this.#again || sent >= this.#o.batchSize;
    this.#again = false;
    this.#schedule(again ? 0 : this.#o.pollMs);
  }

  /** Sends every message due now, batch after batch; returns how many were handled. For tests and the CLI. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) return total;
    }
  }

  /**
   * Claims one batch of due messages and sends them, `concurrency` at a time. A slot does not wait for
   * the outcome of a message to be recorded before sending the next one: outcomes are gathered for a
   * few milliseconds and recorded together, in one durable commit on SQLite (group commit, ADR 0008),
   * so a batch costs a few fsyncs instead of one per message and the SMTP connections never wait for
   * the disk. The window where a message sent is not yet marked sent (a crash there sends it again,
   * with the same Message-ID) grows by those milliseconds.
   */
  async runOnce(): Promise<number> {
    const batch = await this.#claim();
    if (batch.length === 0) return 0;
    const queue = [...batch];
    const recorded: Promise<void>[] = [];
    let pending: Array<{ message: OutboxMessageRow; outcome: Delivery }> = [];
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const items = pending;
      pending = [];
      // Called in one turn of the event loop, they join one group.
      for (const { message, outcome } of items) {
        // A database error while recording one outcome must not stop the rest of the batch; that row
        // keeps its lease and is taken over when the lease expires.
        recorded.push(this.#record(message, outcome).catch((err: unknown) => this.#o.logger.error('outbox outcome not recorded', { outboxId: message.id, err })));
      }
    };
    const workers = Array.from({ length: Math.min(this.#o.concurrency, queue.length) }, async () => {
      for (let m = queue.shift(); m; m = queue.shift()) {
        const outcome = await this.#deliver(m);
        // Read `pending` after the send: a flush during it has put a new array in its place.
        pending.push({ message: m, outcome });
        if (pending.length >= RECORD_GROUP) flush();
        else timer ??= setTimeout(flush, RECORD_DELAY_MS);
      }
    });
    await Promise.all(workers);
    flush();
    await Promise.all(recorded);
    return batch.length;
  }

  async #claim(): Promise<OutboxMessageRow[]> {
    const { db, clock, batchSize } = this.#o;
    const now = clock.now();
    const nowIso = now.toISOString();
    const leaseIso = new Date(now.getTime() + OUTBOX_LEASE_MS).toISOString();
    return db.transaction(async (trx) => {
      // Messages past their use (a reminder for a Rencontre that has started) are not sent late.
      await trx
        .updateTable('outbox_messages')
        .set({ status: 'cancelled', last_error: 'Expiré avant envoi', locked_until: null })
        .where('status', 'in', ['queued', 'retrying'])
        .where('expires_at', 'is not', null)
        .where('expires_at', '<=', nowIso)
        .execute();
      let q = trx
        .selectFrom('outbox_messages')
        .selectAll()
        .where((eb) =>
          eb.or([
            eb.and([eb('status', 'in', ['queued', 'retrying']), eb('run_after', '<=', nowIso)]),
            // A worker that died mid-send left a lease behind: take it over once it has expired.
            eb.and([eb('status', '=', 'sending'), eb('locked_until', '<', nowIso)]),
          ]),
        )
        .orderBy('run_after')
        .limit(batchSize);
      if (db.dialect === 'postgres') q = q.forUpdate().skipLocked();
      const rows = await q.execute();
      if (rows.length === 0) return [];
      await trx
        .updateTable('outbox_messages')
        .set((eb) => ({ status: 'sending', locked_until: leaseIso, attempts: eb('attempts', '+', 1), last_attempt_at: nowIso }))
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .execute();
      return rows.map((r) => ({ ...r, status: 'sending' as const, attempts: r.attempts + 1, locked_until: leaseIso }));
    });
  }

  /** Sends one message; says what happened, without recording it. */
  async #deliver(m: OutboxMessageRow): Promise<Delivery> {
    const { transport, from, replyTo, messageIdDomain } = this.#o;
    try {
      await transport.send({
        messageId: `<${m.id}@${messageIdDomain}>`,
        from,
        replyTo,
        to: m.to_address,
        subject: m.subject,
        html: m.html,
        text: m.text,
        attachments: JSON.parse(m.attachments),
        headers: {
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
          'X-NV-Correlation': m.id,
          ...JSON.parse(m.headers),
        },
      });
      return { ok: true };
    } catch (e) {
      return { ok: false, failure: e ?? new Error('send failed') };
    }
  }

  async #record(m: OutboxMessageRow, outcome: Delivery) {
    const { transport, clock, logger } = this.#o;
    // Only a failure of the send itself is a reason to retry: once the peer has said 250, an error
    // while recording it must not put the message back in the queue (it would go out twice).
    if (outcome.ok) {
      const updated = await this.#settle(m, { status: 'sent', sent_at: clock.now().toISOString(), locked_until: null, last_error: null, transport: transport.name });
      if (updated) logger.debug('mail sent', { outboxId: m.id, kind: m.kind });
      else logger.warn('mail sent after its lease was taken over', { outboxId: m.id, kind: m.kind });
      return;
    }
    const failure = outcome.failure;
    const error = failure as SendFailure;
    const detail = `${error.responseCode ?? error.code ?? 'ERR'} ${String(error.message ?? failure).slice(0, 300)}`;
    const now = clock.now();
    let decision = retryDecision(error, m.attempts);
    if (decision.kind === 'retry' && now.getTime() - new Date(m.created_at).getTime() > GIVE_UP_AFTER_MS) decision = { kind: 'fail' };
    const updated = await this.#settle(
      m,
      decision.kind === 'retry'
        ? { status: 'retrying', run_after: new Date(now.getTime() + decision.delaySeconds * 1000).toISOString(), locked_until: null, last_error: detail }
        : { status: 'failed', locked_until: null, last_error: detail },
    );
    logger.warn('mail not sent', { outboxId: m.id, kind: m.kind, decision: decision.kind, error: detail, leaseLost: !updated });
  }

  /**
   * Records the outcome only while this worker still holds the lease it claimed. A worker slower than
   * its lease has been replaced: the one that took over owns the row, and a late "failed, retry" from
   * here must not send back to the queue a message the other one has delivered. A message to a person
   * sent or failed for good goes to their file's timeline in the same transaction.
   */
  async #settle(m: OutboxMessageRow, values: Updateable<OutboxMessageTable>): Promise<boolean> {
    const { db, clock } = this.#o;
    const update = async (q: Kysely<Database> | Transaction<Database>) => {
      const r = await q.updateTable('outbox_messages').set(values).where('id', '=', m.id).where('status', '=', 'sending').where('locked_until', '=', m.locked_until!).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    };
    const outcome = values.status === 'sent' || values.status === 'failed' ? values.status : null;
    const candidateId = m.candidate_id;
    // Outcomes recorded at the same moment (the sends of one batch finish together) share one durable
    // commit on SQLite (ADR 0008) instead of one fsync per message.
    if (!candidateId || !outcome) return groupTransaction(db, update);
    return groupTransaction(db, async (trx) => {
      if (!(await update(trx))) return false;
      await recordEmailOutcome(trx, { candidateId, messageId: m.id, kind: m.kind, subject: m.subject, outcome, error: values.last_error ?? null, at: clock.now() });
      return true;
    });
  }
}
