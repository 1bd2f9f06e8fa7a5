import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../runtime.ts';
import { createAgent } from '../agents/manage-agents.ts';
import { registerCandidate } from '../registrations/register-candidate.ts';
import { registrationToken } from '../registrations/registration-token.ts';
import { createWebinar, parsedForm } from '../../../tests/support/fixtures.ts';
import { dialects, type TestDb } from '../../../tests/support/harness.ts';
import { startTestServer, type TestServer } from '../../../tests/support/http-server.ts';
import { publishSlots } from './manage-slots.ts';

/**
 * Cal.com's booking race as a test (booking-race-condition.e2e.ts expects [200, 409]): two people
 * confirm the last slot of a referent at the same instant, over real HTTP against the real server.
 */
describe.each(dialects())('two people confirming the last slot at the same instant, over real HTTP, on %s', (dialect) => {
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

  it('one is booked (303 to the appointment), the other is told “ce créneau vient d’être pris” (409), and the slot holds one appointment', async () => {
    const s = server.runtime.services;
    const agent = await createAgent(s, { email: 'julien@lozere.example', name: 'Julien Rouvière', role: 'referent', password: 'un mot de passe assez long', actor: { type: 'system', id: null } });
    // The server runs on the real clock: the slot is next week, whatever today is.
    const day = DateTime.now().setZone('Europe/Paris').plus({ days: 7 }).toISODate()!;
    await publishSlots(s, { form: { mode: 'phone', day, from: '10:00', to: '10:30', duration: 30, videoUrl: '' }, by: agent });
    const slot = await testDb.db.kysely.selectFrom('appointment_slots').select('id').executeTakeFirstOrThrow();
    const past = DateTime.now().setZone('Europe/Paris').minus({ days: 10 }).toISODate()!;
    const w = await createWebinar(testDb.db, { date: past });
    const links = [];
    for (const email of ['anne@example.org', 'bruno@example.org']) {
      const r = await registerCandidate(s, { webinarId: w.id as string, submissionKey: randomUUID(), form: parsedForm({ email }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'agent', id: null }, createdBy: 'agent' });
      const reg = await testDb.db.kysely.selectFrom('registrations').select(['id', 'token_nonce']).where('id', '=', r.registrationId).executeTakeFirstOrThrow();
      links.push(`/mon-inscription/${registrationToken(s.tokenKey, reg.id, reg.token_nonce)}/rendez-vous/confirmer`);
    }
    const confirm = (link: string) =>
      fetch(`${server.url}${link}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
        body: new URLSearchParams({ slot: slot.id, phone: '06 11 22 33 44', topic: '' }).toString(),
      });
    const answers = await Promise.all(links.map(confirm));
    expect(answers.map((a) => a.status).sort()).toEqual([303, 409]);
    const winner = answers.find((a) => a.status === 303)!;
    expect(winner.headers.get('location')).toMatch(/^\/rendez-vous\/[A-Za-z0-9_-]{43}\?confirme=1$/);
    const loser = await answers.find((a) => a.status === 409)!.text();
    expect(loser).toContain('<title>Erreur : Prendre rendez-vous avec un référent');
    expect(loser).toContain('Ce créneau vient d’être pris : choisissez-en un autre.');
    await winner.body?.cancel();

    const appointments = await testDb.db.kysely.selectFrom('appointments').select(['status']).where('slot_id', '=', slot.id).execute();
    expect(appointments).toEqual([{ status: 'booked' }]);
    expect((await testDb.db.kysely.selectFrom('appointment_slots').select('status').where('id', '=', slot.id).executeTakeFirstOrThrow()).status).toBe('booked');
    expect(await testDb.db.kysely.selectFrom('outbox_messages').select('id').where('kind', '=', 'appointment-booked').execute()).toHaveLength(1);
  });
});
