import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { SmtpPeer } from '../../../tests/support/smtp.ts';
import { connect, groupTransaction, type Db } from '../db/database.ts';
import { createLogger } from '../logger.ts';
import { enqueueEmail } from './outbox.ts';
import { OUTBOX_LEASE_MS, OutboxWorker, retryDecision } from './outbox-worker.ts';
import { createSmtpTransport, type MailToSend, type MailTransport, type SendFailure } from './transport.ts';

const silent = createLogger('silent');
const smtpError = (responseCode: number | undefined, code: string, message: string): SendFailure => ({ responseCode, code, message });

describe('retryDecision: what to do with a failed send, by SMTP reply', () => {
  const delays = (e: SendFailure, n: number) => Array.from({ length: n }, (_, i) => retryDecision(e, i + 1));

  it('a socket error (peer down, timeout) retries quickly, then keeps trying every 30 minutes', () => {
    const refused = smtpError(undefined, 'ESOCKET', 'connect ECONNREFUSED 127.0.0.1:2525');
    expect(delays(refused, 8)).toEqual([10, 30, 60, 300, 900, 1800, 1800, 1800].map((delaySeconds) => ({ kind: 'retry', delaySeconds })));
    expect(retryDecision(smtpError(undefined, 'ETIMEDOUT', 'Connection timeout'), 1)).toEqual({ kind: 'retry', delaySeconds: 10 });
  });

  it.each([
    [421, 'EPROTOCOL', 'Invalid greeting. response=421 Service not available'],
    [421, 'ECONNECTION', 'Server closed the connection: 421 Service not available'],
    [451, 'EENVELOPE', "Can't send mail - all recipients were rejected: 451 Requested action aborted"],
    [451, 'EMESSAGE', 'Message failed: 451 Requested action aborted: local error in processing'],
    [450, 'EMESSAGE', 'Message failed: 450 Greylisted, try again later'],
  ])('%i (%s) is temporary: quick backoff that grows', (code, kind, msg) => {
    const e = smtpError(code, kind, msg);
    expect(delays(e, 5).map((d) => (d.kind === 'retry' ? d.delaySeconds : null))).toEqual([10, 30, 60, 300, 900]);
  });

  it('432 (Exchange Online throttling) backs off linearly, capped at 30 minutes', () => {
    const e = smtpError(432, 'EMESSAGE', 'Message failed: 432 4.3.2 Concurrent connections limit exceeded');
    expect(retryDecision(e, 1)).toEqual({ kind: 'retry', delaySeconds: 40 });
    expect(retryDecision(e, 2)).toEqual({ kind: 'retry', delaySeconds: 50 });
    expect(retryDecision(e, 1000)).toEqual({ kind: 'retry', delaySeconds: 1800 });
  });

  it('a recipient refused without a 5xx because the mailbox is full retries slowly', () => {
    const e = smtpError(452, 'EENVELOPE', "Can't send mail - all recipients were rejected: 452 Mailbox full");
    expect(delays(e, 6).map((d) => (d.kind === 'retry' ? d.delaySeconds : null))).toEqual([60, 300, 600, 1200, 1800, 1800]);
  });

  it.each([
    [550, 'EENVELOPE', "Can't send mail - all recipients were rejected: 550 Mailbox unavailable"],
    [550, 'EMESSAGE', 'Message failed: 550 Rejected as spam'],
    [554, 'EMESSAGE', 'Message failed: 554 Transaction failed'],
    [535, 'EAUTH', 'Invalid login: 535 Authentication failed'],
  ])('%i (%s) is permanent: failed at once, whatever the attempt', (code, kind, msg) => {
    const e = smtpError(code, kind, msg);
    expect(retryDecision(e, 1)).toEqual({ kind: 'fail' });
    expect(retryDecision(e, 7)).toEqual({ kind: 'fail' });
  });
});

/** A transport that stops in send() until the test lets it go on: a worker frozen mid-send. */
class FrozenTransport implements MailTransport {
  readonly name = 'frozen';
  readonly reached: Promise<void>;
  #reached!: () => void;
  #release!: (outcome: { fail?: SendFailure }) => void;
  readonly #released = new Promise<{ fail?: SendFailure }>((r) => (this.#release = r));
  constructor(private readonly then: MailTransport) {
    this.reached = new Promise<void>((r) => (this.#reached = r));
  }
  async send(m: MailToSend) {
    this.#reached();
    const outcome = await this.#released;
    if (outcome.fail) throw Object.assign(new Error(outcome.fail.message), outcome.fail);
    await this.then.send(m);
  }
  release(outcome: { fail?: SendFailure } = {}) {
    this.#release(outcome);
  }
  async close() {}
}

describe.each(dialects())('the outbox worker against a real SMTP peer, on %s', (dialect) => {
  let peer: SmtpPeer;
  let transport: MailTransport;
  let t: TestContext;
  const extra: { close(): Promise<void> }[] = [];
  beforeAll(async () => {
    peer = await SmtpPeer.start();
  });
  afterAll(async () => {
    await peer.stop();
  });
  beforeEach(async () => {
    if (!peer.isRunning) await peer.restart();
    peer.accept();
    peer.received.length = 0;
    peer.refused.length = 0;
    transport = createSmtpTransport(peer.url);
    t = await createTestContext(dialect, { transport, poolSize: 10 });
  });
  afterEach(async () => {
    for (const x of extra.splice(0)) await x.close();
    await t.close();
    await transport.close();
  });

  const enqueue = (to = 'elise.martin@example.org', subject = 'Essai') =>
    t.db.transaction((trx) => enqueueEmail(trx, t.clock.now(), { dedupeKey: randomUUID(), kind: 'test', to, subject, html: `<p>${subject}</p>`, text: subject }));
  const rows = () => t.db.kysely.selectFrom('outbox_messages').selectAll().orderBy('to_address').execute();
  const only = async () => {
    const all = await rows();
    expect(all).toHaveLength(1);
    return all[0]!;
  };
  const newWorker = (db: Db, tr: MailTransport, batchSize = 50) =>
    new OutboxWorker({ db, transport: tr, clock: t.clock, logger: silent, from: 'nouvellevie@lozere.fr', messageIdDomain: 'test.local', batchSize });
  /**
   * The database as a second worker sees it. PostgreSQL: its own pool, as a second process would have
   * (claims then race, and FOR UPDATE SKIP LOCKED keeps them apart). SQLite: the one connection of the
   * process, whose IMMEDIATE transactions serialise the claims; a second better-sqlite3 connection in
   * the same thread would block that thread while waiting for the first one's lock.
   */
  const secondConnection = () => {
    if (t.testDb.target.kind === 'sqlite') return t.db;
    const db = connect({ kind: 'postgres', url: t.testDb.target.url, poolSize: 5 });
    extra.push(db);
    return db;
  };
  const secondsBetween = (from: string | null, to: string) => (new Date(to).getTime() - new Date(from!).getTime()) / 1000;

  it('temporary refusals and an outage: retrying with growing delays, then delivered once when the peer is back', async () => {
    await enqueue();
    const seen: { status: string; attempts: number; delay: number; error: string | null }[] = [];
    const failOnce = async (arrange: () => Promise<void> | void) => {
      await arrange();
      expect(await t.worker.drain()).toBe(1);
      const r = await only();
      seen.push({ status: r.status, attempts: r.attempts, delay: secondsBetween(r.last_attempt_at, r.run_after), error: r.last_error });
      // Not due yet: a second drain at the same instant sends nothing.
      expect(await t.worker.drain()).toBe(0);
      t.clock.advance(secondsBetween(t.clock.now().toISOString(), r.run_after) * 1000);
    };
    await failOnce(() => void peer.refuse('connect', 421, undefined, 1));
    await failOnce(() => void peer.refuse('rcpt', 451, undefined, 1));
    await failOnce(() => void peer.refuse('data', 421, undefined, 1));
    await failOnce(() => peer.stop());
    await failOnce(() => void peer.refuse('data', 451, undefined, 1).restart());
    expect(peer.received).toHaveLength(0);
    expect(peer.refused.map((r) => `${r.stage} ${r.code}`)).toEqual(['connect 421', 'rcpt 451', 'data 421', 'data 451']);
    expect(seen.map((s) => [s.status, s.attempts, s.delay])).toEqual([
      ['retrying', 1, 10],
      ['retrying', 2, 30],
      ['retrying', 3, 60],
      ['retrying', 4, 300],
      ['retrying', 5, 900],
    ]);
    expect(seen.map((s) => s.error)).toEqual([expect.stringMatching(/^421 /), expect.stringMatching(/^451 /), expect.stringMatching(/^421 /), expect.stringMatching(/ECONNREFUSED/), expect.stringMatching(/^451 /)]);

    // The peer accepts again: delivered, once.
    expect(await t.worker.drain()).toBe(1);
    const r = await only();
    expect(r).toMatchObject({ status: 'sent', attempts: 6, last_error: null, locked_until: null, transport: 'smtp', sent_at: t.clock.now().toISOString() });
    expect(peer.received).toHaveLength(1);
    t.clock.advance(24 * 3600_000);
    expect(await t.worker.drain()).toBe(0);
    expect(peer.received).toHaveLength(1);
  });

  it('an SMTP outage loses nothing: every message queued during it is delivered exactly once afterwards', async () => {
    await peer.stop();
    for (let i = 0; i < 6; i++) await enqueue(`personne${i}@example.org`, `Message ${i}`);
    expect(await t.worker.drain()).toBe(6);
    expect((await rows()).map((r) => r.status)).toEqual(Array(6).fill('retrying'));
    t.clock.advance(10_000);
    expect(await t.worker.drain()).toBe(6);
    expect((await rows()).map((r) => [r.status, r.attempts])).toEqual(Array(6).fill(['retrying', 2]));
    await peer.restart();
    t.clock.advance(30_000);
    expect(await t.worker.drain()).toBe(6);
    expect((await rows()).map((r) => r.status)).toEqual(Array(6).fill('sent'));
    expect(peer.received.map((m) => m.envelope.to[0]).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `personne${i}@example.org`));
  });

  it('a permanent 550 marks the message failed with the reply, and it is never tried again', async () => {
    peer.refuse('rcpt', 550, 'Mailbox unavailable: no such user');
    await enqueue('inconnu@example.org');
    expect(await t.worker.drain()).toBe(1);
    const r = await only();
    expect(r).toMatchObject({ status: 'failed', attempts: 1, locked_until: null, sent_at: null });
    expect(r.last_error).toMatch(/^550 .*no such user/);
    peer.accept();
    for (const hours of [1, 24, 24 * 7]) {
      t.clock.advance(hours * 3600_000);
      expect(await t.worker.drain()).toBe(0);
    }
    expect(peer.refused).toHaveLength(1);
    expect(peer.received).toHaveLength(0);
    expect((await only()).status).toBe('failed');
  });

  it('a permanent refusal of the message itself (554 after DATA) fails it too', async () => {
    peer.refuse('data', 554, 'Transaction failed: message rejected');
    await enqueue();
    expect(await t.worker.drain()).toBe(1);
    expect(await only()).toMatchObject({ status: 'failed', last_error: expect.stringMatching(/^554 /) });
    expect(peer.received).toHaveLength(0);
  });

  it('a message that keeps failing temporarily for three days is marked failed for an agent to see', async () => {
    peer.refuse('rcpt', 451);
    await enqueue();
    const created = t.clock.now().getTime();
    let drains = 0;
    for (;;) {
      expect(await t.worker.drain()).toBe(1);
      drains += 1;
      const r = await only();
      if (r.status === 'failed') break;
      expect(r.status).toBe('retrying');
      t.clock.set(r.run_after);
    }
    const r = await only();
    expect(r.last_error).toMatch(/^451 /);
    expect(t.clock.now().getTime() - created).toBeGreaterThan(3 * 24 * 3600_000);
    // Every 30 minutes at most once the backoff is at its ceiling: a bounded number of tries.
    expect(drains).toBeLessThan(160);
    expect(peer.received).toHaveLength(0);
  });

  it('two workers draining at once (each with its own pool on PostgreSQL) never send a message twice', async () => {
    const n = 40;
    for (let i = 0; i < n; i++) await enqueue(`foule${String(i).padStart(2, '0')}@example.org`, `Message ${i}`);
    const otherTransport = createSmtpTransport(peer.url);
    extra.push(otherTransport);
    const a = newWorker(t.db, transport, 3);
    const b = newWorker(secondConnection(), otherTransport, 3);
    const handled = await Promise.all([a.drain(), b.drain(), a.drain(), b.drain()]);
    expect(handled.reduce((x, y) => x + y, 0)).toBe(n);
    expect(peer.received).toHaveLength(n);
    expect(new Set(peer.received.map((m) => m.parsed.messageId)).size).toBe(n);
    expect(new Set(peer.received.map((m) => m.envelope.to[0])).size).toBe(n);
    const all = await rows();
    expect(all.every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
  });

  it('sends the next message without waiting for the outcome of the last to be written, and writes outcomes together', async () => {
    for (let i = 0; i < 10; i++) await enqueue(`suite${i}@example.org`, `Message ${i}`);
    const events: string[] = [];
    // Writing an outcome is held here until the ten messages are sent (a very slow disk), five seconds
    // at most: a slot that waited for its outcome to be written would send one, then wait out the hold.
    const sends = () => events.filter((e) => e === 'send').length;
    const slowDisk: Db = {
      ...t.db,
      groupTransaction: async (fn) => {
        events.push('write');
        for (const until = Date.now() + 5000; sends() < 10 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 10));
        const value = await groupTransaction(t.db, fn);
        events.push('written');
        return value;
      },
    };
    const watched: MailTransport = { name: 'smtp', send: async (m) => (events.push('send'), transport.send(m)), close: async () => undefined };
    expect(await newWorker(slowDisk, watched).drain()).toBe(10);
    expect(events.filter((e) => e === 'send')).toHaveLength(10);
    expect(events.lastIndexOf('send')).toBeLessThan(events.indexOf('written'));
    expect((await rows()).every((r) => r.status === 'sent')).toBe(true);
    expect(peer.received).toHaveLength(10);
  });

  it('drain() called twice at once on one worker sends each message once', async () => {
    for (let i = 0; i < 12; i++) await enqueue(`double${i}@example.org`);
    const [x, y] = await Promise.all([t.worker.drain(), t.worker.drain()]);
    expect(x + y).toBe(12);
    expect(peer.received).toHaveLength(12);
    expect((await rows()).every((r) => r.status === 'sent' && r.attempts === 1)).toBe(true);
  });

  it('takes over a message left "sending" by a worker that died, once its lease has expired', async () => {
    await enqueue();
    const past = new Date(t.clock.now().getTime() - 1000).toISOString();
    await t.db.kysely.updateTable('outbox_messages').set({ status: 'sending', attempts: 1, locked_until: past, last_attempt_at: past }).execute();
    expect(await t.worker.drain()).toBe(1);
    expect(await only()).toMatchObject({ status: 'sent', attempts: 2, locked_until: null });
    expect(peer.received).toHaveLength(1);
  });

  it('leaves alone a message whose lease is still held by a living worker, until the lease expires', async () => {
    await enqueue();
    const frozen = new FrozenTransport(transport);
    const living = newWorker(t.db, frozen);
    const run = living.runOnce();
    await frozen.reached;
    expect(await only()).toMatchObject({ status: 'sending', attempts: 1 });
    // Another worker, just before the lease ends, finds nothing to do.
    t.clock.advance(OUTBOX_LEASE_MS - 1000);
    expect(await newWorker(secondConnection(), transport).drain()).toBe(0);
    frozen.release();
    expect(await run).toBe(1);
    expect(await only()).toMatchObject({ status: 'sent', attempts: 1 });
    expect(peer.received).toHaveLength(1);
  });

  it('a worker that outlived its lease and then fails does not put back a message the other worker delivered', async () => {
    await enqueue();
    const frozen = new FrozenTransport(transport);
    const slow = newWorker(t.db, frozen);
    const run = slow.runOnce();
    await frozen.reached;
    t.clock.advance(OUTBOX_LEASE_MS + 1000);
    // The lease has expired: a second worker takes the message over and delivers it.
    expect(await newWorker(secondConnection(), transport).drain()).toBe(1);
    expect(await only()).toMatchObject({ status: 'sent', attempts: 2 });
    // The first one wakes up with a temporary failure: it no longer owns the row, so nothing changes.
    frozen.release({ fail: smtpError(451, 'EMESSAGE', 'Message failed: 451 too slow') });
    await run;
    expect(await only()).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
    t.clock.advance(3600_000);
    expect(await t.worker.drain()).toBe(0);
    expect(peer.received).toHaveLength(1);
  });

  it('a worker that outlived its lease and then succeeds gives at most one duplicate, with the same Message-ID', async () => {
    await enqueue();
    const frozen = new FrozenTransport(transport);
    const slow = newWorker(t.db, frozen);
    const run = slow.runOnce();
    await frozen.reached;
    t.clock.advance(OUTBOX_LEASE_MS + 1000);
    expect(await newWorker(secondConnection(), transport).drain()).toBe(1);
    frozen.release();
    await run;
    // At-least-once: SMTP has no idempotency, so the late one went out too, as the same message.
    expect(peer.received).toHaveLength(2);
    expect(peer.received[0]!.parsed.messageId).toBe(peer.received[1]!.parsed.messageId);
    expect(await only()).toMatchObject({ status: 'sent', attempts: 2 });
    t.clock.advance(3600_000);
    expect(await t.worker.drain()).toBe(0);
    expect(peer.received).toHaveLength(2);
  });
});
