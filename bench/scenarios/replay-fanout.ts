/**
 * The replay fan-out of issue 4: 10,000 personalised e-mails (each with its own private links) written
 * by the replay job and sent by the outbox worker to a local SMTP peer, in messages per second, next to
 * the raw rate of the same SMTP client (nodemailer, same pool) sending 10,000 ready-made messages to the
 * same peer in the same run. The difference is what the platform costs on top of SMTP: rendering each
 * message, writing it to the outbox in batches, claiming and marking it sent.
 *
 *   node --import tsx bench/scenarios/replay-fanout.ts [--people=10000] [--connections=5]
 *
 * SQLite file with synchronous=FULL, as the app runs it. Writes bench/results/replay-fanout.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createJobRunner } from '../../src/background.ts';
import { requestReplay } from '../../src/features/replay/send-replay.ts';
import { newRegistrationToken } from '../../src/features/registrations/registration-token.ts';
import { loadTerritory } from '../../src/features/territory/territory.ts';
import { connect } from '../../src/platform/db/database.ts';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import type { NewCandidateRow, NewRegistrationRow } from '../../src/platform/db/schema.ts';
import { OutboxWorker } from '../../src/platform/email/outbox-worker.ts';
import { createSmtpTransport } from '../../src/platform/email/transport.ts';
import { newId } from '../../src/platform/ids.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { ManualClock } from '../../src/platform/time.ts';
import type { Services } from '../../src/services.ts';
import { SmtpPeer } from '../../tests/support/smtp.ts';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const PEOPLE = arg('people', 10_000);
const CONNECTIONS = arg('connections', 5);
const here = path.dirname(fileURLToPath(import.meta.url));

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nv-bench-replay-'));
  const file = path.join(dir, 'bench.sqlite');
  const db = connect({ kind: 'sqlite', file });
  await migrateToLatest(db);
  const clock = new ManualClock('2027-02-01T09:00:00.000Z');
  const logger = createLogger('silent');
  const territory = loadTerritory('lozere');
  const tokenKey = Buffer.alloc(32, 3);
  const s: Services = {
    config: { publicUrl: 'https://lozere-nouvelle-vie.example', isHttps: true, trustProxy: false, env: 'production' },
    db,
    clock,
    territory,
    logger,
    tokenKey,
    mailQueued: () => undefined,
    jobQueued: () => undefined,
    video: {},
  };

  // A past Rencontre with 10,000 registrants, two in five present.
  const webinarId = newId();
  const at = '2027-01-15T11:30:00.000Z';
  await db.kysely
    .insertInto('webinars')
    .values({ id: webinarId, slug: 'rencontre-2027-01-15', title: 'Rencontre Lozère Nouvelle Vie', kind: 'generic', theme: null, status: 'published', starts_at: at, ends_at: '2027-01-15T12:30:00.000Z', capacity: null, video_tool: 'link', join_url: null, replay_url: null, summary: '', description: '', programme: '[]', speakers: '[]', partners: '[]', promotion_cost_cents: null, created_at: at, updated_at: at })
    .execute();
  const t0 = performance.now();
  await db.transaction(async (trx) => {
    for (let i = 0; i < PEOPLE; i += 500) {
      const cands: NewCandidateRow[] = [];
      const regs: NewRegistrationRow[] = [];
      for (let j = i; j < Math.min(i + 500, PEOPLE); j++) {
        const cid = newId();
        const email = `personne${j}@example.org`;
        cands.push({ id: cid, email, email_normalized: email, first_name: `Prénom${j}`, last_name: 'Nom', phone: null, postcode: null, town: null, country: 'France', project: null, household: null, horizon: null, desired_region: null, news_opt_in: 0, news_opt_in_at: null, first_source: null, first_webinar_id: webinarId, created_at: at, updated_at: at, last_contact_at: at });
        const rid = newId();
        const tok = newRegistrationToken(tokenKey, rid);
        regs.push({ id: rid, webinar_id: webinarId, candidate_id: cid, status: 'confirmed', token_nonce: tok.nonce, manage_token_hash: tok.hash, project: null, household: null, horizon: null, desired_region: null, heard_from: null, question: null, utm_source: null, utm_medium: null, utm_campaign: null, created_by: 'candidate', created_at: at, confirmed_at: at, cancelled_at: null, waitlist_rank: null, attended: j % 5 < 2 ? 1 : 0, attended_minutes: j % 5 < 2 ? 40 : 0 });
      }
      await trx.insertInto('candidates').values(cands).execute();
      await trx.insertInto('registrations').values(regs).execute();
    }
  });
  const fillSeconds = (performance.now() - t0) / 1000;

  const peer = await SmtpPeer.start();

  // 1. The raw rate of the SMTP client: the same transport, ready-made messages, no database.
  const raw = createSmtpTransport(peer.url, { maxConnections: CONNECTIONS });
  const r0 = performance.now();
  const queue = Array.from({ length: PEOPLE }, (_, i) => i);
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        await raw.send({ messageId: `<raw-${i}@bench>`, from: 'bench@example.org', to: `raw${i}@example.org`, subject: 'Le replay de la Rencontre', html: '<p>Bonjour, voici le replay.</p>', text: 'Bonjour, voici le replay.', attachments: [], headers: {} });
      }
    }),
  );
  const rawSeconds = (performance.now() - r0) / 1000;
  await raw.close();
  peer.received.length = 0;

  // 2. The fan-out: the replay job writes 10,000 personalised e-mails, the worker sends them.
  const transport = createSmtpTransport(peer.url, { maxConnections: CONNECTIONS });
  const worker = new OutboxWorker({ db, transport, clock, logger, from: '"Lozère Nouvelle Vie" <nouvellevie@lozere.fr>', messageIdDomain: 'bench.local', batchSize: 200, concurrency: CONNECTIONS });
  const jobs = createJobRunner(s);
  const f0 = performance.now();
  await requestReplay(s, { webinarId, replayUrl: 'https://videos.example.org/rencontre-janvier', actor: { type: 'agent', id: null } });
  await jobs.drain();
  const writtenSeconds = (performance.now() - f0) / 1000;
  await worker.drain();
  const totalSeconds = (performance.now() - f0) / 1000;
  const sentSeconds = totalSeconds - writtenSeconds;
  await transport.close();

  const received = peer.received.length;
  const distinct = new Set(peer.received.flatMap((m) => m.envelope.to)).size;
  const attendedMails = peer.received.filter((m) => m.parsed.subject?.startsWith('Merci')).length;
  await peer.stop();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });

  const result = {
    when: new Date().toISOString(),
    node: process.version,
    loadAverage: os.loadavg(),
    people: PEOPLE,
    smtpConnections: CONNECTIONS,
    fillSeconds: round(fillSeconds),
    rawSmtpClient: { messages: PEOPLE, seconds: round(rawSeconds), perSecond: round(PEOPLE / rawSeconds) },
    fanOut: {
      received,
      distinctRecipients: distinct,
      thankedAttendees: attendedMails,
      writeSeconds: round(writtenSeconds),
      writePerSecond: round(PEOPLE / writtenSeconds),
      sendSeconds: round(sentSeconds),
      sendPerSecond: round(PEOPLE / sentSeconds),
      endToEndSeconds: round(totalSeconds),
      endToEndPerSecond: round(PEOPLE / totalSeconds),
    },
    shareOfRawRate: round(PEOPLE / totalSeconds / (PEOPLE / rawSeconds)),
    checks: { everyoneOnce: received === PEOPLE && distinct === PEOPLE, rightMessagePerGroup: attendedMails === Math.ceil((PEOPLE * 2) / 5) },
  };
  fs.mkdirSync(path.join(here, '..', 'results'), { recursive: true });
  fs.writeFileSync(path.join(here, '..', 'results', 'replay-fanout.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(
    [
      `Replay fan-out of ${PEOPLE} personalised e-mails to a local SMTP peer (${CONNECTIONS} connections), load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`,
      `  raw SMTP client, same peer:   ${result.rawSmtpClient.perSecond} messages/s`,
      `  fan-out end to end:           ${result.fanOut.endToEndPerSecond} messages/s (${(100 * result.shareOfRawRate).toFixed(0)} % of the raw rate)`,
      `    writing (replay job):       ${result.fanOut.writePerSecond} e-mails/s`,
      `    sending (outbox worker):    ${result.fanOut.sendPerSecond} messages/s`,
      `  received ${received}, distinct recipients ${distinct}, thanked attendees ${attendedMails}: ${result.checks.everyoneOnce && result.checks.rightMessagePerGroup ? 'PASS' : 'FAIL'}`,
    ].join('\n'),
  );
}

const round = (x: number) => Math.round(x * 100) / 100;

await main();
