import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import { createWebinar as planWebinar } from '../../src/features/webinars/save-webinar.ts';
import { webinarFormSchema } from '../../src/features/webinars/webinar-schemas.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { ManualClock } from '../../src/platform/time.ts';
import { createRuntime, startServer, type RunningServer } from '../../src/runtime.ts';
import { TEST_TMP } from '../support/env.ts';
import { FakeBbb } from '../support/fake-bbb.ts';
import { parsedForm } from '../support/fixtures.ts';
import { createTestDb, dialects, type TestDb } from '../support/harness.ts';

const SECRET = 'bbb-shared-secret-for-tests';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe.each(dialects())('a Rencontre on BigBlueButton, from planning to replay, over real HTTP on %s', (dialect) => {
  let bbb: FakeBbb;
  let testDb: TestDb;
  let running: RunningServer;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock('2027-02-05T10:00:00.000Z');
    bbb = await FakeBbb.start({ secret: SECRET, clock, webhooksInstalled: true });
    testDb = await createTestDb(dialect, { poolSize: 4 });
    const port = await freePort();
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: testDb.target.kind === 'sqlite' ? `sqlite:${testDb.target.file}` : testDb.target.url,
      DATA_DIR: TEST_TMP,
      WORKER: 'off',
      NO_DEMO: 'true',
      LOG_LEVEL: 'silent',
      APP_SECRET: 'bbb-journey-secret-long-enough-for-config',
      BBB_URL: bbb.url,
      BBB_SECRET: SECRET,
      BBB_WEBHOOKS: 'true',
    });
    const runtime = await createRuntime(config, { clock, logger: createLogger('silent') });
    running = await startServer(config, runtime);
  });
  afterEach(async () => {
    await running.stop();
    await testDb.drop();
    await bbb.stop();
  });

  it('gives a personal signed link, records who stayed from the join and leave events, and sends the recording as the replay', { timeout: 60_000 }, async () => {
    const s = running.runtime.services;
    const jobs = running.runtime.jobs;
    const form = webinarFormSchema(s.territory, ['link', 'bbb']).parse({
      title: 'Rencontre sur BigBlueButton',
      kind: 'generic',
      date: '2027-02-05',
      time: '12:30',
      durationMinutes: '60',
      capacity: '30',
      videoTool: 'bbb',
      status: 'published',
    });
    const w = await planWebinar(s, { form, actor: { type: 'agent', id: null } });
    await jobs.drain();
    const stored = await s.db.kysely.selectFrom('webinars').select(['video_external_id']).where('id', '=', w.id).executeTakeFirstOrThrow();
    expect(stored.video_external_id).toMatch(/^nouvelle-vie-/);
    const meetingId = stored.video_external_id!;

    const reg = await registerCandidate(s, { webinarId: w.id, submissionKey: randomUUID(), form: parsedForm({ email: 'anne@example.org', firstName: 'Anne', lastName: 'Roux' }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } });
    await jobs.drain();
    expect((await s.db.kysely.selectFrom('registrations').select('video_registrant_id').where('id', '=', reg.registrationId).executeTakeFirstOrThrow()).video_registrant_id).toBe(reg.registrationId);
    const mail = await s.db.kysely.selectFrom('outbox_messages').select('text').where('registration_id', '=', reg.registrationId).executeTakeFirstOrThrow();
    const link = /(\/mon-inscription\/[A-Za-z0-9_-]{43}\/rejoindre)/.exec(mail.text)![1]!;

    // At 12:35 Paris time Anne clicks her link: a join URL signed at that moment, for her, as a viewer.
    clock.set('2027-02-05T11:35:00.000Z');
    const ours = await fetch(`${running.url}${link}`, { redirect: 'manual' });
    expect(ours.status).toBe(302);
    const joinUrl = new URL(ours.headers.get('location')!);
    expect(joinUrl.origin).toBe(new URL(bbb.url).origin);
    expect(joinUrl.searchParams.get('userID')).toBe(reg.registrationId);
    expect(joinUrl.searchParams.get('role')).toBe('VIEWER');
    expect(joinUrl.searchParams.get('fullName')).toBe('Anne Roux');
    const entered = await fetch(joinUrl, { redirect: 'follow' });
    expect(entered.ok).toBe(true);
    await bbb.settled();

    // She leaves at 13:10, the meeting ends at 13:31: BBB calls us back.
    clock.set('2027-02-05T12:10:00.000Z');
    bbb.leave(meetingId, reg.registrationId);
    clock.set('2027-02-05T12:31:00.000Z');
    bbb.endMeeting(meetingId);
    await bbb.settled();
    await running.afterResponse.idle();
    const presence = await s.db.kysely.selectFrom('video_presence').select(['kind', 'user_id']).where('meeting_id', '=', meetingId).orderBy('at').execute();
    expect(presence.map((p) => p.kind)).toEqual(['user-joined', 'user-left', 'meeting-ended']);

    clock.set('2027-02-05T12:37:00.000Z');
    await jobs.drain();
    const attended = await s.db.kysely.selectFrom('registrations').select(['attended', 'attended_minutes', 'attendance_source']).where('id', '=', reg.registrationId).executeTakeFirstOrThrow();
    expect(attended).toEqual({ attended: 1, attended_minutes: 35, attendance_source: 'adapter' });

    // The recording is published: BBB posts its signed parameters, the replay goes out.
    const { recording, status } = await bbb.publishRecording(meetingId);
    expect(status).toBe(202);
    await running.afterResponse.idle();
    await jobs.drain();
    const webinar = await s.db.kysely.selectFrom('webinars').select('replay_url').where('id', '=', w.id).executeTakeFirstOrThrow();
    expect(webinar.replay_url).toBe(recording.formats.find((f) => f.type === 'presentation')!.url);
    const replay = await s.db.kysely.selectFrom('outbox_messages').select(['kind', 'to_address']).where('kind', 'in', ['replay-attended', 'replay-absent']).execute();
    expect(replay).toEqual([{ kind: 'replay-attended', to_address: 'anne@example.org' }]);
  });

  it('stopping the server waits for the work a notification started after its answer, with the database still open', async () => {
    const seen: number[] = [];
    running.afterResponse.run('slow notification work', async () => {
      await new Promise((r) => setTimeout(r, 300));
      seen.push((await running.runtime.db.kysely.selectFrom('webinars').select('id').execute()).length);
    });
    await running.stop();
    expect(seen).toEqual([0]);
  });
});
