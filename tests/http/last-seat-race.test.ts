import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/runtime.ts';
import { createWebinar, formFields } from '../support/fixtures.ts';
import { dialects, type TestDb } from '../support/harness.ts';
import { startTestServer, type TestServer } from '../support/http-server.ts';

const RACERS = 50;

describe.each(dialects())('fifty people sending the form at once for the last seat, over real HTTP, on %s', (dialect) => {
  let testDb: TestDb;
  let server: RunningServer;
  let running: TestServer;

  beforeEach(async () => {
    running = await startTestServer(dialect);
    ({ testDb, server } = running);
  });
  afterEach(async () => {
    await running.stop();
  });

  it('confirms exactly one, puts the 49 others on the waiting list in order, and answers every one of them 303', async () => {
    // The server runs on the real clock: the Rencontre is a month from today, whatever today is.
    const date = DateTime.now().setZone('Europe/Paris').plus({ days: 30 }).toISODate()!;
    const w = await createWebinar(testDb.db, { date, capacity: 2 });
    const post = (email: string) =>
      fetch(`${server.url}/rencontres/${w.slug}/inscription`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
        body: new URLSearchParams(formFields({ email })).toString(),
      });
    const first = await post('deja.inscrite@example.org');
    expect(first.status).toBe(303);

    const answers = await Promise.all(Array.from({ length: RACERS }, (_, i) => post(`personne${i}@example.org`)));
    expect(answers.map((r) => r.status)).toEqual(Array(RACERS).fill(303));
    const receipts = answers.map((r) => r.headers.get('location')!);
    expect(receipts.every((l) => /^\/inscription\/recu\/[A-Za-z0-9-]+$/.test(l))).toBe(true);
    expect(new Set(receipts).size).toBe(RACERS);

    const rows = await testDb.db.kysely
      .selectFrom('registrations')
      .innerJoin('candidates', 'candidates.id', 'registrations.candidate_id')
      .select(['registrations.status', 'registrations.waitlist_rank', 'candidates.email'])
      .where('registrations.webinar_id', '=', w.id)
      .where('candidates.email', 'like', 'personne%')
      .execute();
    expect(rows).toHaveLength(RACERS);
    expect(rows.filter((r) => r.status === 'confirmed')).toHaveLength(1);
    const waiting = rows.filter((r) => r.status === 'waitlisted');
    expect(waiting).toHaveLength(RACERS - 1);
    const ranks = waiting.map((r) => r.waitlist_rank!).sort((a, b) => a - b);
    expect(ranks).toEqual(ranks.map((_, i) => ranks[0]! + i));

    // Each person was told which: the receipt says it, and one e-mail each is waiting in the outbox.
    const titles = await Promise.all(receipts.map(async (l) => /<title>([^–<]*)/.exec(await (await fetch(`${server.url}${l}`)).text())?.[1]?.trim()));
    expect(titles.filter((x) => x === 'Inscription confirmée')).toHaveLength(1);
    expect(titles.filter((x) => x === 'Vous êtes sur la liste d’attente')).toHaveLength(RACERS - 1);
    const mails = await testDb.db.kysely.selectFrom('outbox_messages').select(['kind']).where('webinar_id', '=', w.id).where('to_address', 'like', 'personne%').execute();
    expect(mails.filter((m) => m.kind === 'registration-confirmed')).toHaveLength(1);
    expect(mails.filter((m) => m.kind === 'registration-waitlisted')).toHaveLength(RACERS - 1);
  });
});
