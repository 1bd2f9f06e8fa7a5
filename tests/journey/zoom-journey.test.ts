import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cancelRegistration } from '../../src/features/registrations/cancel-registration.ts';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import { createZoomAdapter } from '../../src/features/video/zoom/zoom-adapter.ts';
import { zoomSignature } from '../../src/features/video/zoom/zoom-webhook.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { ManualClock } from '../../src/platform/time.ts';
import { makeAgent, signIn } from '../support/admin.ts';
import { parsedForm } from '../support/fixtures.ts';
import { FakeZoom } from '../support/fake-zoom.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';

const SECRET = 'zoom-webhook-secret-token';

describe.each(dialects())('a Rencontre on Zoom, from planning to replay, on %s', (dialect) => {
  let t: TestContext;
  let zoom: FakeZoom;
  let clock: ManualClock;
  beforeEach(async () => {
    clock = new ManualClock('2027-01-04T09:00:00.000Z');
    zoom = await FakeZoom.start({ clock });
    const adapter = createZoomAdapter(zoom.config(), { clock, logger: createLogger('silent') });
    t = await createTestContext(dialect, { now: '2027-01-04T09:00:00.000Z', video: { zoom: adapter }, appOptions: { zoomWebhookSecretToken: SECRET } });
  });
  afterEach(async () => {
    await t.close();
    await zoom.stop();
  });

  const at = (iso: string) => {
    t.clock.set(iso);
    clock.set(iso);
  };

  async function notify(event: string, object: Record<string, unknown>) {
    const body = JSON.stringify({ event, event_ts: t.clock.now().getTime(), payload: { account_id: zoom.accountId, object } });
    const ts = String(Math.floor(t.clock.now().getTime() / 1000));
    const res = await t.app.request('/webhooks/zoom', { method: 'POST', headers: { 'Content-Type': 'application/json', 'x-zm-request-timestamp': ts, 'x-zm-signature': zoomSignature(SECRET, ts, body) }, body });
    expect(res.status).toBe(200);
    // The work is done after Zoom has its answer: wait for it.
    await t.afterResponse.idle();
  }

  it('creates the webinar, gives each person a personal link, takes cancellations off, reads attendance and sends the replay', async () => {
    const agent = await signIn(t, await makeAgent(t, 'referent'));
    const form = await (await agent.get('/admin/rencontres/nouvelle')).text();
    expect(form).toContain('Zoom, créé par la plateforme');
    const res = await agent.post('/admin/rencontres', {
      title: 'Rencontre sur Zoom',
      kind: 'generic',
      date: '2027-01-15',
      time: '12:30',
      durationMinutes: '60',
      capacity: '50',
      videoTool: 'zoom',
      joinUrl: 'https://ignored.example.org',
      summary: '',
      description: '',
      speakers: '',
      partners: '',
      promotionCost: '',
      status: 'published',
    });
    expect(res.status).toBe(303);
    const w = await t.db.kysely.selectFrom('webinars').selectAll().executeTakeFirstOrThrow();
    expect(w.video_tool).toBe('zoom');
    expect(w.join_url).toBeNull();
    await t.jobs.drain();
    const room = await t.db.kysely.selectFrom('webinars').select(['video_external_id', 'video_data']).executeTakeFirstOrThrow();
    const zw = zoom.webinars.get(Number(room.video_external_id))!;
    expect(zw.topic).toBe('Rencontre sur Zoom');
    expect(zw.start_time).toBe('2027-01-15T11:30:00Z');
    expect(zw.settings.approval_type).toBe(1);

    const register = (email: string, firstName: string) => registerCandidate(t.s, { webinarId: w.id, submissionKey: randomUUID(), form: parsedForm({ email, firstName }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } });
    const anne = await register('anne@example.org', 'Anne');
    const paul = await register('paul@example.org', 'Paul');
    const lea = await register('lea@example.org', 'Léa');
    await t.jobs.drain();
    const regs = await t.db.kysely.selectFrom('registrations').select(['id', 'video_registrant_id', 'video_join_url']).execute();
    expect(regs.every((r) => r.video_registrant_id && r.video_join_url)).toBe(true);
    expect(new Set(regs.map((r) => r.video_join_url)).size).toBe(3);
    expect(zw.registrants.filter((r) => r.status === 'approved')).toHaveLength(3);

    // Our personal link leads to the person's own Zoom link.
    const mail = await t.db.kysely.selectFrom('outbox_messages').select('text').where('registration_id', '=', anne.registrationId).executeTakeFirstOrThrow();
    const link = /http:\/\/nv\.test(\/mon-inscription\/[A-Za-z0-9_-]{43}\/rejoindre)/.exec(mail.text)![1]!;
    const join = await t.app.request(link);
    expect(join.status).toBe(302);
    const anneZoom = regs.find((r) => r.id === anne.registrationId)!;
    expect(join.headers.get('location')).toBe(anneZoom.video_join_url);

    // Léa cancels: Zoom takes her off, her link no longer lets her in.
    await cancelRegistration(t.s, { registrationId: lea.registrationId, actor: { type: 'candidate', id: null } });
    await t.jobs.drain();
    const leaZoom = regs.find((r) => r.id === lea.registrationId)!;
    expect(zoom.registrantByJoinUrl(leaZoom.video_join_url!)!.status).toBe('denied');

    // The Rencontre takes place: Anne stays 50 minutes in two segments, Paul 4 minutes.
    const paulZoom = regs.find((r) => r.id === paul.registrationId)!;
    zoom.seedParticipants(zw.uuid, [
      { name: 'Anne', user_email: '', registrant_id: anneZoom.video_registrant_id!, join_time: '2027-01-15T11:30:00Z', leave_time: '2027-01-15T11:55:00Z', duration: 1500 },
      { name: 'Anne', user_email: '', registrant_id: anneZoom.video_registrant_id!, join_time: '2027-01-15T11:58:00Z', leave_time: '2027-01-15T12:23:00Z', duration: 1500 },
      { name: 'Paul', user_email: 'paul@example.org', registrant_id: paulZoom.video_registrant_id!, join_time: '2027-01-15T11:40:00Z', leave_time: '2027-01-15T11:44:00Z', duration: 240 },
      { name: 'Invité', user_email: 'guest@example.org', registrant_id: '', join_time: '2027-01-15T11:31:00Z', leave_time: '2027-01-15T12:30:00Z', duration: 3540 },
    ]);
    at('2027-01-15T12:31:00.000Z');
    await notify('webinar.ended', { id: zw.id, uuid: zw.uuid, topic: zw.topic, start_time: zw.start_time, duration: 60 });
    // Zoom builds its reports after the end: attendance is read a few minutes later.
    await t.jobs.drain();
    expect((await t.db.kysely.selectFrom('registrations').select('attended').where('id', '=', anne.registrationId).executeTakeFirstOrThrow()).attended).toBeNull();
    at('2027-01-15T12:37:00.000Z');
    await t.jobs.drain();
    const attendance = await t.db.kysely.selectFrom('registrations').select(['id', 'attended', 'attended_minutes', 'attendance_source']).where('status', '=', 'confirmed').execute();
    expect(attendance.find((r) => r.id === anne.registrationId)).toMatchObject({ attended: 1, attended_minutes: 50, attendance_source: 'adapter' });
    expect(attendance.find((r) => r.id === paul.registrationId)).toMatchObject({ attended: 0, attended_minutes: 4 });

    // The recording is ready: it becomes the replay and goes to everyone.
    zoom.seedRecording(zw.uuid, { share_url: 'https://zoom.us/rec/share/abc' });
    await notify('recording.completed', { id: zw.id, uuid: zw.uuid, topic: zw.topic, share_url: 'https://zoom.us/rec/share/abc', recording_files: [] });
    await t.jobs.drain();
    const replays = await t.db.kysely.selectFrom('outbox_messages').select(['kind', 'to_address']).where('kind', 'in', ['replay-attended', 'replay-absent']).orderBy('to_address').execute();
    expect(replays).toEqual([
      { kind: 'replay-attended', to_address: 'anne@example.org' },
      { kind: 'replay-absent', to_address: 'lea@example.org' },
      { kind: 'replay-absent', to_address: 'paul@example.org' },
    ]);
    expect((await t.db.kysely.selectFrom('webinars').select('replay_url').executeTakeFirstOrThrow()).replay_url).toBe('https://zoom.us/rec/share/abc');
    // The same notification again does nothing more.
    await notify('recording.completed', { id: zw.id, uuid: zw.uuid, topic: zw.topic, share_url: 'https://zoom.us/rec/share/abc', recording_files: [] });
    await t.jobs.drain();
    expect(await t.db.kysely.selectFrom('outbox_messages').select('id').where('kind', 'in', ['replay-attended', 'replay-absent']).execute()).toHaveLength(3);
  });

  it('refuses a notification with a bad signature', async () => {
    const res = await t.app.request('/webhooks/zoom', { method: 'POST', headers: { 'Content-Type': 'application/json', 'x-zm-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-zm-signature': 'v0=00' }, body: '{"event":"webinar.ended"}' });
    expect(res.status).toBe(401);
  });
});
