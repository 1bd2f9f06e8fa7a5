import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { SignJWT } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBbb } from '../../../../tests/support/fake-bbb.ts';
import type { BbbConfig } from '../../../config.ts';
import { createLogger } from '../../../platform/logger.ts';
import { ManualClock } from '../../../platform/time.ts';
import type { Person, Room, RoomSpec } from '../video-adapter.ts';
import { createBbbAdapter, type BbbAdapter } from './bbb-adapter.ts';
import type { BbbPresenceEvent } from './bbb-attendance.ts';
import { bbbCallbackRoutes, type BbbCallbackEvent } from './bbb-callbacks.ts';
import { signEndToken } from './bbb-callback-token.ts';

const SECRET = 'hV2kq9WmZ4rT7yB1nC5xL8pD3sF6gJ0a';
const silent = createLogger('silent');

const spec: RoomSpec = {
  webinarId: 'b7d0c8f4-3a9e-4d6b-8f51-2c4e6a8b0d12',
  title: 'Rencontre Lozère Nouvelle Vie',
  startsAt: '2027-03-12T11:30:00.000Z',
  endsAt: '2027-03-12T12:30:00.000Z',
  timezone: 'Europe/Paris',
  capacity: 80,
  returnUrl: 'https://nouvellevie.lozere.fr/rencontres/mars',
};
const person = (registrationId: string, firstName: string): Person => ({ registrationId, email: `${firstName.toLowerCase()}@example.org`, firstName, lastName: 'Test' });
const camille = person('reg-camille', 'Camille');
const dominique = person('reg-dominique', 'Dominique');
const agnes = person('agent-agnes', 'Agnès');

async function listen(fetchHandler: (req: Request) => Response | Promise<Response>): Promise<{ base: string; close: () => Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: fetchHandler, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function form(fields: Record<string, string>): RequestInit {
  return { method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };
}

describe('BigBlueButton callbacks, with the fake BBB calling our routes over HTTP', () => {
  let clock: ManualClock;
  let bbb: FakeBbb;
  let config: BbbConfig;
  let events: BbbCallbackEvent[];
  let presence: BbbPresenceEvent[];
  let work: Promise<void>[];
  let failures: Error[];
  let failNextEvent: boolean;
  let server: { base: string; close: () => Promise<void> };
  let adapter: BbbAdapter;
  let room: Room;

  /** Everything BBB started has been answered and every background task of ours has finished. */
  async function settle() {
    for (;;) {
      await bbb.settled();
      if (work.length === 0) return;
      await Promise.all(work.splice(0));
    }
  }

  async function enter(who: Person, role: 'viewer' | 'moderator' = 'viewer') {
    const res = await fetch(await adapter.joinUrlAtClick(room, who, role));
    expect(res.status).toBe(200);
    await settle();
  }

  beforeEach(async () => {
    clock = new ManualClock('2027-03-12T11:25:00Z');
    bbb = await FakeBbb.start({ secret: SECRET, clock });
    config = { url: bbb.url, secret: SECRET, checksum: 'sha256' };
    events = [];
    presence = [];
    work = [];
    failures = [];
    failNextEvent = false;
    let callbackBaseUrl = '';
    const routes = () =>
      bbbCallbackRoutes({
        config,
        clock,
        logger: silent,
        callbackBaseUrl,
        onEvent: async (e) => {
          if (failNextEvent) {
            failNextEvent = false;
            throw new Error('database unavailable');
          }
          events.push(e);
        },
        onPresence: async (e) => void presence.push(e),
        runInBackground: (w) => void work.push(w().catch((e: Error) => void failures.push(e))),
      });
    // The routes need the address they are served at (bbb-webhooks signs the callback URL): bind first.
    let app: ReturnType<typeof bbbCallbackRoutes> | null = null;
    server = await listen((req) => app!.fetch(req));
    callbackBaseUrl = server.base;
    app = routes();
    adapter = createBbbAdapter(config, {
      clock,
      logger: silent,
      callbackBaseUrl: server.base,
      registerWebhooks: true,
      presenceLog: async (meetingId) => presence.filter((e) => e.meetingId === meetingId),
    });
    room = await adapter.ensureRoom(spec, null);
  });

  afterEach(async () => {
    await settle();
    expect(failures).toEqual([]);
    await bbb.stop();
    await server.close();
  });

  describe('end of meeting (meta_endCallbackUrl)', () => {
    it('BBB’s GET with recordingmarks is accepted, confirmed with isMeetingRunning, and processed once even if replayed', async () => {
      await enter(agnes, 'moderator');
      bbb.pressRecord(room.externalId);
      clock.advance(65 * 60_000);
      bbb.endMeeting(room.externalId);
      await settle();
      const sent = bbb.callbacks.filter((c) => c.kind === 'end');
      expect(sent).toHaveLength(1);
      expect(sent[0]!.url).toMatch(new RegExp(`^${server.base}/webhooks/bbb/fin/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}\\?recordingmarks=true$`));
      expect(sent[0]!.status).toBe(202);
      expect(events).toEqual([{ event: 'meeting-ended', meetingId: room.externalId, recordingMarks: true }]);
      expect(bbb.callsOf('isMeetingRunning').at(-1)!.params.get('meetingID')).toBe(room.externalId);

      const replay = await fetch(sent[0]!.url);
      expect(replay.status).toBe(202);
      await settle();
      expect(events).toHaveLength(1);
    });

    it('a session without recording says recordingmarks=false: no replay will come', async () => {
      await enter(agnes, 'moderator');
      bbb.endMeeting(room.externalId);
      await settle();
      expect(events).toEqual([{ event: 'meeting-ended', meetingId: room.externalId, recordingMarks: false }]);
    });

    it('a bad, foreign or expired token is refused with 401 and nothing happens', async () => {
      await enter(agnes, 'moderator');
      bbb.endMeeting(room.externalId);
      await settle();
      const good = bbb.callbacks.find((c) => c.kind === 'end')!.url;
      events.length = 0;
      const url = new URL(good);
      const token = url.pathname.split('/').at(-1)!;
      const flipped = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
      const foreign = signEndToken('another-secret', room.externalId, clock.now());
      for (const t of [flipped, foreign, 'not-a-token', `${token}x`]) {
        const res = await fetch(`${server.base}/webhooks/bbb/fin/${t}?recordingmarks=true`);
        expect(res.status).toBe(401);
      }
      clock.advance(4 * 24 * 3600_000);
      expect((await fetch(good)).status).toBe(401);
      await settle();
      expect(events).toEqual([]);
    });

    it('an end callback while BBB says the meeting still runs (the token is visible to participants) is not believed', async () => {
      await enter(camille);
      const early = signEndToken(SECRET, room.externalId, clock.now());
      const res = await fetch(`${server.base}/webhooks/bbb/fin/${early}?recordingmarks=false`);
      expect(res.status).toBe(202);
      await settle();
      expect(events).toEqual([]);
      // The real end is still processed afterwards.
      bbb.endMeeting(room.externalId);
      await settle();
      expect(events).toEqual([{ event: 'meeting-ended', meetingId: room.externalId, recordingMarks: false }]);
    });
  });

  describe('recording ready (meta_bbb-recording-ready-url, JWT HS256)', () => {
    const url = () => `${server.base}/webhooks/bbb/enregistrement`;
    const sign = (payload: Record<string, unknown>, secret = SECRET, alg = 'HS256') =>
      new SignJWT(payload).setProtectedHeader({ alg, typ: 'JWT' }).sign(new TextEncoder().encode(secret));

    it('the JWT BBB posts is verified, answered 202, processed once, and the recording is then found', async () => {
      await enter(agnes, 'moderator');
      bbb.pressRecord(room.externalId);
      clock.advance(60 * 60_000);
      bbb.endMeeting(room.externalId);
      await settle();
      const { recording, status } = await bbb.publishRecording(room.externalId, { participants: 2 });
      expect(status).toBe(202);
      await settle();
      expect(events.filter((e) => e.event === 'recording-ready')).toEqual([{ event: 'recording-ready', meetingId: room.externalId, recordId: recording.recordID }]);
      expect(await adapter.fetchRecording(room)).toEqual({ recordingId: recording.recordID, shareUrl: `${bbb.origin}/playback/presentation/2.3/${recording.recordID}` });

      // The same notification again (BBB retrying, or someone replaying it): 2xx, nothing more.
      const again = bbb.callbacks.filter((c) => c.kind === 'recording-ready')[0]!;
      expect((await fetch(url(), { method: 'POST', body: again.body!, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).status).toBe(202);
      await settle();
      expect(events.filter((e) => e.event === 'recording-ready')).toHaveLength(1);
    });

    it('when our side fails to take the notification, the next delivery is processed', async () => {
      await enter(agnes, 'moderator');
      bbb.endMeeting(room.externalId);
      await settle();
      events.length = 0;
      failNextEvent = true;
      const { recording } = await bbb.publishRecording(room.externalId);
      await settle();
      expect(failures.splice(0).map((e) => e.message)).toEqual(['database unavailable']);
      expect(events).toEqual([]);
      const sent = bbb.callbacks.filter((c) => c.kind === 'recording-ready')[0]!;
      expect((await fetch(url(), form(Object.fromEntries(new URLSearchParams(sent.body!))))).status).toBe(202);
      await settle();
      expect(events).toEqual([{ event: 'recording-ready', meetingId: room.externalId, recordId: recording.recordID }]);
    });

    it('a JWT signed with another secret, with another algorithm, or unsigned (alg none) is refused with 401', async () => {
      const payload = { meeting_id: room.externalId, record_id: 'abc-123' };
      const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`;
      const noneWithSig = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.${(await sign(payload)).split('.')[2]}`;
      const tampered = (await sign(payload)).replace(/\.[^.]+\./, `.${b64({ ...payload, record_id: 'other' })}.`);
      for (const jwt of [await sign(payload, 'another-secret'), await sign(payload, SECRET, 'HS512'), none, noneWithSig, tampered, 'garbage']) {
        const res = await fetch(url(), form({ signed_parameters: jwt }));
        expect(res.status).toBe(401);
      }
      await settle();
      expect(events).toEqual([]);
    });

    it('a missing field or a payload without meeting_id and record_id is a 400', async () => {
      expect((await fetch(url(), form({ other: 'x' }))).status).toBe(400);
      expect((await fetch(url(), form({ signed_parameters: await sign({ meeting_id: room.externalId }) }))).status).toBe(400);
      await settle();
      expect(events).toEqual([]);
    });
  });

  describe('bbb-webhooks events and attendance', () => {
    it('registers a hook for the meeting, and computes minutes from the join/leave events, two devices counted once', async () => {
      await enter(agnes, 'moderator'); // 11:25
      expect(bbb.hooks).toEqual([
        expect.objectContaining({ callbackURL: `${server.base}/webhooks/bbb/evenements`, meetingID: room.externalId, eventIDs: ['user-joined', 'user-left', 'meeting-ended'] }),
      ]);
      clock.set('2027-03-12T11:30:00Z');
      await enter(camille); // laptop
      clock.set('2027-03-12T11:40:00Z');
      await enter(camille); // and phone
      clock.set('2027-03-12T11:50:00Z');
      bbb.leave(room.externalId, camille.registrationId); // closes the laptop
      clock.set('2027-03-12T12:00:00Z');
      await enter(dominique);
      clock.set('2027-03-12T12:05:00Z');
      bbb.leave(room.externalId, dominique.registrationId);
      clock.set('2027-03-12T12:08:00Z');
      await enter(dominique);
      await settle();

      // While it runs: open segments count up to now, from BBB's live list.
      clock.set('2027-03-12T12:10:00Z');
      const live = await adapter.fetchAttendance(room);
      expect(Object.fromEntries(live.map((e) => [e.registrantId, e.minutes]))).toEqual({ 'agent-agnes': 45, 'reg-camille': 40, 'reg-dominique': 7 });

      clock.set('2027-03-12T12:35:00Z');
      bbb.endMeeting(room.externalId);
      await settle();
      clock.set('2027-03-12T13:30:00Z');
      bbb.forget(room.externalId); // long over: BBB no longer knows the meeting
      const after = await adapter.fetchAttendance(room);
      expect(after.sort((a, b) => a.registrantId!.localeCompare(b.registrantId!))).toEqual([
        { registrantId: 'agent-agnes', email: null, name: 'Agnès Test', minutes: 70, joinedAt: '2027-03-12T11:25:00.000Z' },
        { registrantId: 'reg-camille', email: null, name: 'Camille Test', minutes: 65, joinedAt: '2027-03-12T11:30:00.000Z' },
        { registrantId: 'reg-dominique', email: null, name: 'Dominique Test', minutes: 32, joinedAt: '2027-03-12T12:00:00.000Z' },
      ]);
      expect(presence.filter((e) => e.kind === 'user-joined')).toHaveLength(5);
    });

    it('a webhook with a bad checksum is refused; the same webhook delivered twice is taken once', async () => {
      await enter(camille);
      const delivered = bbb.callbacks.filter((c) => c.kind === 'webhook');
      expect(delivered).toHaveLength(1);
      expect(delivered[0]!.status).toBe(200);
      expect(presence).toHaveLength(1);

      const { url, body } = delivered[0]!;
      const post = (u: string, b: string) => fetch(u, { method: 'POST', body: b, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
      expect((await post(url, body!)).status).toBe(200); // bbb-webhooks retrying
      const hookUrl = url.slice(0, url.indexOf('?'));
      const forgedBody = body!.replace('reg-camille', 'reg-intruder');
      expect((await post(url, forgedBody)).status).toBe(401);
      const otherSecret = createHash('sha1').update(`${hookUrl}${forgedBody}another-secret`).digest('hex');
      expect((await post(`${hookUrl}?checksum=${otherSecret}`, forgedBody)).status).toBe(401);
      expect((await post(hookUrl, body!)).status).toBe(401);
      await settle();
      expect(presence).toHaveLength(1);
      expect(presence[0]).toMatchObject({ kind: 'user-joined', meetingId: room.externalId, userId: 'reg-camille', name: 'Camille Test', role: 'VIEWER', at: '2027-03-12T11:25:00.000Z' });
    });
  });
});
