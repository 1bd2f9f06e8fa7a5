import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebinar, formFields, postForm } from '../../../tests/support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { headerText, SmtpPeer } from '../../../tests/support/smtp.ts';
import { createSmtpTransport, type MailTransport } from '../../platform/email/transport.ts';

/** The registration form posted over HTTP, and what a real SMTP peer receives once the worker drains. */
describe.each(dialects())('registration e-mail over HTTP, to a real SMTP peer, on %s', (dialect) => {
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
    if (!peer.isRunning) await peer.restart();
    peer.accept();
    peer.received.length = 0;
    transport = createSmtpTransport(peer.url);
    t = await createTestContext(dialect, { transport, poolSize: 10 });
  });
  afterEach(async () => {
    await t.close();
    await transport.close();
  });

  const submit = (slug: string, fields: Record<string, string>) => t.app.request(`/rencontres/${slug}/inscription`, postForm(fields));
  const count = async (table: 'registrations' | 'outbox_messages' | 'candidates') => (await t.db.kysely.selectFrom(table).select('id').execute()).length;

  it('five parallel submissions of one form: one registration, identical answers, exactly one e-mail received', async () => {
    const w = await createWebinar(t.db);
    const key = randomUUID();
    const fields = formFields({ submission: key });
    const responses = await Promise.all(Array.from({ length: 5 }, () => submit(w.slug, fields)));
    expect(responses.map((r) => r.status)).toEqual([303, 303, 303, 303, 303]);
    expect(new Set(responses.map((r) => r.headers.get('location')))).toEqual(new Set([`/inscription/recu/${key}`]));
    expect(await count('registrations')).toBe(1);
    expect(await count('candidates')).toBe(1);
    expect(await count('outbox_messages')).toBe(1);

    expect(await t.worker.drain()).toBe(1);
    expect(await t.worker.drain()).toBe(0);
    expect(peer.received).toHaveLength(1);
    const m = peer.received[0]!;
    expect(m.envelope.to).toEqual(['elise.martin@example.org']);
    expect(m.parsed.subject).toBe(`Inscription confirmée : ${w.title}, vendredi 15 janvier 2027`);
    expect(headerText(m.parsed, 'Auto-Submitted')).toBe('auto-generated');
    expect(m.parsed.attachments.map((a) => a.filename)).toEqual(['rencontre.ics']);
  });

  it('the same person sending the form again (a new form, same e-mail in another case) gets no second e-mail', async () => {
    const w = await createWebinar(t.db);
    expect((await submit(w.slug, formFields({ submission: randomUUID() }))).status).toBe(303);
    expect((await submit(w.slug, formFields({ submission: randomUUID(), email: 'ELISE.Martin@example.org' }))).status).toBe(303);
    expect(await count('registrations')).toBe(1);
    expect(await t.worker.drain()).toBe(1);
    expect(peer.received).toHaveLength(1);
  });

  it('an SMTP outage at registration time does not fail the registration; the e-mail goes out once the peer is back', async () => {
    const w = await createWebinar(t.db);
    await peer.stop();
    const key = randomUUID();
    const res = await submit(w.slug, formFields({ submission: key }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/inscription/recu/${key}`);
    const receipt = await t.app.request(`/inscription/recu/${key}`);
    expect(receipt.status).toBe(200);
    expect(await count('registrations')).toBe(1);

    // The worker runs while the peer is still down: the message waits, it is not lost.
    expect(await t.worker.drain()).toBe(1);
    const waiting = await t.db.kysely.selectFrom('outbox_messages').selectAll().executeTakeFirstOrThrow();
    expect(waiting).toMatchObject({ status: 'retrying', attempts: 1, sent_at: null });
    expect(waiting.last_error).toMatch(/ECONNREFUSED/);

    await peer.restart();
    t.clock.set(waiting.run_after);
    expect(await t.worker.drain()).toBe(1);
    expect(await t.db.kysely.selectFrom('outbox_messages').select(['status', 'attempts']).executeTakeFirstOrThrow()).toEqual({ status: 'sent', attempts: 2 });
    expect(peer.received).toHaveLength(1);
    expect(peer.received[0]!.envelope.to).toEqual(['elise.martin@example.org']);
    expect(peer.received[0]!.parsed.subject).toBe(`Inscription confirmée : ${w.title}, vendredi 15 janvier 2027`);
  });

  it('an invalid form sends nothing', async () => {
    const w = await createWebinar(t.db);
    const res = await submit(w.slug, formFields({ submission: randomUUID(), email: 'pas-une-adresse' }));
    expect(res.status).toBe(422);
    expect(await count('outbox_messages')).toBe(0);
    expect(await t.worker.drain()).toBe(0);
    expect(peer.received).toHaveLength(0);
  });
});
