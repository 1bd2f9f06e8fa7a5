import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestReplay } from '../../src/features/replay/send-replay.ts';
import { newRegistrationToken } from '../../src/features/registrations/registration-token.ts';
import { createSmtpTransport } from '../../src/platform/email/transport.ts';
import type { NewCandidateRow, NewRegistrationRow } from '../../src/platform/db/schema.ts';
import { createWebinar } from '../support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';
import { SmtpPeer } from '../support/smtp.ts';

const PEOPLE = 2000;
const ATTENDED = 800;

/** 2,000 registrants in one go, the first 800 present. */
async function fillWebinar(t: TestContext, webinarId: string) {
  const now = '2026-09-01T10:00:00.000Z';
  const key = Buffer.alloc(32, 7);
  const candidates: NewCandidateRow[] = [];
  const regs: NewRegistrationRow[] = [];
  for (let i = 0; i < PEOPLE; i++) {
    const id = randomUUID();
    const email = `personne${String(i).padStart(4, '0')}@example.org`;
    candidates.push({ id, email, email_normalized: email, first_name: `Prénom${i}`, last_name: 'Nom', phone: null, postcode: null, town: null, country: 'France', project: null, household: null, horizon: null, desired_region: null, news_opt_in: 0, news_opt_in_at: null, first_source: null, first_webinar_id: webinarId, created_at: now, updated_at: now, last_contact_at: now });
    const rid = randomUUID();
    const tok = newRegistrationToken(key, rid);
    regs.push({ id: rid, webinar_id: webinarId, candidate_id: id, status: 'confirmed', token_nonce: tok.nonce, manage_token_hash: tok.hash, project: null, household: null, horizon: null, desired_region: null, heard_from: null, question: null, utm_source: null, utm_medium: null, utm_campaign: null, created_by: 'candidate', created_at: now, confirmed_at: now, cancelled_at: null, waitlist_rank: null, attended: i < ATTENDED ? 1 : 0, attended_minutes: i < ATTENDED ? 45 : 0 });
  }
  await t.db.transaction(async (trx) => {
    for (let i = 0; i < PEOPLE; i += 200) await trx.insertInto('candidates').values(candidates.slice(i, i + 200)).execute();
    for (let i = 0; i < PEOPLE; i += 200) await trx.insertInto('registrations').values(regs.slice(i, i + 200)).execute();
  });
}

const replayRows = (t: TestContext) =>
  t.db.kysely
    .selectFrom('outbox_messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kind', 'in', ['replay-attended', 'replay-absent'])
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));

describe.each(dialects())('the replay fan-out on %s', (dialect) => {
  let t: TestContext;
  let peer: SmtpPeer;
  beforeEach(async () => {
    peer = await SmtpPeer.start();
    t = await createTestContext(dialect, { now: '2026-10-01T08:00:00.000Z', transport: createSmtpTransport(peer.url, { maxConnections: 5 }) });
  });
  afterEach(async () => {
    await t.close();
    await peer.stop();
  });

  it('reaches 2,000 registrants once each, with the right message per group, even when the worker is killed in the middle', { timeout: 120_000 }, async () => {
    const w = await createWebinar(t.db, { date: '2026-09-18' });
    await fillWebinar(t, w.id);
    await requestReplay(t.s, { webinarId: w.id, replayUrl: 'https://videos.example.org/rencontre-septembre', actor: { type: 'agent', id: null } });

    // A separate worker process takes the job, and is killed once it has written part of the e-mails.
    const env = { ...process.env, DATABASE_URL: t.testDb.target.kind === 'sqlite' ? `sqlite:${t.testDb.target.file}` : t.testDb.target.url };
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/run-jobs-child.ts'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let written = 0;
    for (let i = 0; i < 600 && written < 500; i++) {
      await new Promise((r) => setTimeout(r, 50));
      written = await replayRows(t);
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    written = await replayRows(t);
    expect(written).toBeGreaterThanOrEqual(250);
    expect(written).toBeLessThan(PEOPLE);
    const job = await t.db.kysely.selectFrom('jobs').selectAll().where('kind', '=', 'replay.send').executeTakeFirstOrThrow();
    expect(job.status).toBe('running');

    // Back up later: the lease of the dead worker has expired, this runner takes the job over.
    t.clock.set(new Date(Date.now() + 10 * 60 * 1000));
    await t.jobs.drain();
    expect(await replayRows(t)).toBe(PEOPLE);
    const done = await t.db.kysely.selectFrom('jobs').select(['status', 'progress_done', 'progress_total']).where('kind', '=', 'replay.send').executeTakeFirstOrThrow();
    expect(done).toEqual({ status: 'done', progress_done: PEOPLE, progress_total: PEOPLE });

    // Asking again sends nothing more.
    await requestReplay(t.s, { webinarId: w.id, replayUrl: 'https://videos.example.org/rencontre-septembre-v2', actor: { type: 'agent', id: null } });
    await t.jobs.drain();
    expect(await replayRows(t)).toBe(PEOPLE);

    await t.worker.drain();
    expect(peer.received).toHaveLength(PEOPLE);
    const recipients = new Set(peer.received.flatMap((m) => m.envelope.to));
    expect(recipients.size).toBe(PEOPLE);
    const thanked = peer.received.filter((m) => m.parsed.subject?.startsWith('Merci d’être venu·e'));
    expect(thanked).toHaveLength(ATTENDED);
    expect(thanked.every((m) => Number(/personne(\d{4})/.exec(m.envelope.to[0]!)![1]) < ATTENDED)).toBe(true);
    const absent = peer.received.find((m) => m.envelope.to[0] === 'personne1999@example.org')!;
    expect(absent.parsed.subject).toBe('Le replay de la Rencontre du vendredi 18 septembre 2026');
    expect(absent.parsed.text).toContain('https://videos.example.org/rencontre-septembre');
    expect(absent.parsed.text).toMatch(/Je veux être accompagné·e dans mon projet : http:\/\/nv\.test\/mon-inscription\/[A-Za-z0-9_-]{43}\/accompagnement/);
    expect(absent.parsed.text).toMatch(/Votre avis en deux questions : http:\/\/nv\.test\/mon-inscription\/[A-Za-z0-9_-]{43}\/avis/);
  });

  it('refuses a replay before the end, or without an https link, and shows it on the public page once set', async () => {
    const w = await createWebinar(t.db, { date: '2026-10-16' });
    await expect(requestReplay(t.s, { webinarId: w.id, replayUrl: 'https://videos.example.org/x', actor: { type: 'agent', id: null } })).rejects.toMatchObject({ code: 'not-ended' });
    t.clock.set('2026-10-20T08:00:00.000Z');
    await expect(requestReplay(t.s, { webinarId: w.id, replayUrl: 'http://videos.example.org/x', actor: { type: 'agent', id: null } })).rejects.toMatchObject({ code: 'replay-url' });
    await requestReplay(t.s, { webinarId: w.id, replayUrl: 'https://videos.example.org/octobre', actor: { type: 'agent', id: null } });
    const page = await (await t.app.request(`/rencontres/${w.slug}`)).text();
    expect(page).toContain('href="https://videos.example.org/octobre"');
  });
});
