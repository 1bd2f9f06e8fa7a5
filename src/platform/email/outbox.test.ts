import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { SmtpPeer } from '../../../tests/support/smtp.ts';
import { enqueueEmail, type OutgoingEmail } from './outbox.ts';
import { createSmtpTransport, type MailTransport } from './transport.ts';

const message = (over: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  dedupeKey: randomUUID(),
  kind: 'test',
  to: 'elise.martin@example.org',
  subject: 'Essai',
  html: '<p>Essai</p>',
  text: 'Essai',
  ...over,
});

describe.each(dialects())('writing to the outbox on %s', (dialect) => {
  let peer: SmtpPeer;
  let transport: MailTransport;
  let t: TestContext;
  beforeAll(async () => {
    peer = await SmtpPeer.start();
  });
  afterAll(async () => {
    await peer.stop();
  });
  beforeEach(async () => {
    peer.received.length = 0;
    transport = createSmtpTransport(peer.url);
    t = await createTestContext(dialect, { transport });
  });
  afterEach(async () => {
    await t.close();
    await transport.close();
  });

  const rows = () => t.db.kysely.selectFrom('outbox_messages').selectAll().execute();

  it('a committed transaction leaves one queued message, due now, that the worker delivers', async () => {
    const inserted = await t.db.transaction((trx) => enqueueEmail(trx, t.clock.now(), message()));
    expect(inserted).toBe(true);
    expect(await rows()).toMatchObject([{ status: 'queued', attempts: 0, run_after: t.clock.now().toISOString(), locked_until: null }]);
    expect(await t.worker.drain()).toBe(1);
    expect(peer.received).toHaveLength(1);
    expect(peer.received[0]!.parsed.subject).toBe('Essai');
  });

  it('a rolled-back transaction enqueues nothing, and nothing is ever sent', async () => {
    await expect(
      t.db.transaction(async (trx) => {
        expect(await enqueueEmail(trx, t.clock.now(), message({ subject: 'Ne doit jamais partir' }))).toBe(true);
        // Visible inside the transaction...
        expect(await trx.selectFrom('outbox_messages').select('id').execute()).toHaveLength(1);
        throw new Error('the change that caused the e-mail failed');
      }),
    ).rejects.toThrow('the change that caused the e-mail failed');
    // ...and gone with it.
    expect(await rows()).toHaveLength(0);
    expect(await t.worker.drain()).toBe(0);
    expect(peer.received).toHaveLength(0);
  });

  it('enqueuing the same dedupe key twice keeps the first message only', async () => {
    const key = `registration:${randomUUID()}:confirmed`;
    expect(await t.db.transaction((trx) => enqueueEmail(trx, t.clock.now(), message({ dedupeKey: key, subject: 'Premier' })))).toBe(true);
    t.clock.advance(60_000);
    expect(await t.db.transaction((trx) => enqueueEmail(trx, t.clock.now(), message({ dedupeKey: key, subject: 'Second' })))).toBe(false);
    const all = await rows();
    expect(all).toHaveLength(1);
    expect(all[0]!.subject).toBe('Premier');
    expect(await t.worker.drain()).toBe(1);
    // Even once the first is sent, the key still refuses a second one.
    expect(await t.db.transaction((trx) => enqueueEmail(trx, t.clock.now(), message({ dedupeKey: key, subject: 'Troisième' })))).toBe(false);
    expect(await t.worker.drain()).toBe(0);
    expect(peer.received.map((m) => m.parsed.subject)).toEqual(['Premier']);
  });

  it('five transactions racing with one dedupe key: exactly one inserts, one message goes out', async () => {
    const key = `race:${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => t.db.transaction((trx) => enqueueEmail(trx, t.clock.now(), message({ dedupeKey: key, subject: `Course ${i}` })))));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await rows()).toHaveLength(1);
    expect(await t.worker.drain()).toBe(1);
    expect(peer.received).toHaveLength(1);
  });

  it('a message for later (a reminder) waits until its time', async () => {
    const at = new Date(t.clock.now().getTime() + 3600_000);
    await t.db.transaction((trx) => enqueueEmail(trx, t.clock.now(), message({ runAfter: at })));
    expect(await t.worker.drain()).toBe(0);
    t.clock.set(new Date(at.getTime() - 1));
    expect(await t.worker.drain()).toBe(0);
    expect(peer.received).toHaveLength(0);
    t.clock.set(at);
    expect(await t.worker.drain()).toBe(1);
    expect(peer.received).toHaveLength(1);
  });

  it('keeps the attachments and extra headers it was given, and adds Auto-Submitted', async () => {
    await t.db.transaction((trx) =>
      enqueueEmail(
        trx,
        t.clock.now(),
        message({ attachments: [{ filename: 'liste.csv', contentType: 'text/csv; charset=utf-8', content: 'nom;ville\nÉlise;Lyon\n' }], headers: { 'X-NV-Test': 'oui' } }),
      ),
    );
    await t.worker.drain();
    const m = peer.received[0]!.parsed;
    expect(m.headers.get('auto-submitted')).toBe('auto-generated');
    expect(m.headers.get('x-auto-response-suppress')).toBe('All');
    expect(m.headers.get('x-nv-test')).toBe('oui');
    expect(m.attachments.map((a) => [a.filename, a.contentType, a.content.toString('utf8')])).toEqual([['liste.csv', 'text/csv', 'nom;ville\nÉlise;Lyon\n']]);
  });
});
