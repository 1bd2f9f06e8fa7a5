import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeBbb } from '../../../../tests/support/fake-bbb.ts';
import type { BbbConfig } from '../../../config.ts';
import { createLogger } from '../../../platform/logger.ts';
import { ManualClock } from '../../../platform/time.ts';
import type { Person, Room, RoomSpec } from '../video-adapter.ts';
import { BbbAttendanceUnavailable, bbbMeetingIdFor, bbbMeetingName, createBbbAdapter } from './bbb-adapter.ts';
import { BbbApiError } from './bbb-api.ts';
import { verifyEndToken } from './bbb-callback-token.ts';

const SECRET = 'q8sT3vLx0PzR6nKw2yHm5cJb9dFg4aEu';
const silent = createLogger('silent');
const CALLBACKS = 'https://nouvellevie.lozere.fr';

const spec: RoomSpec = {
  webinarId: '7c1e1c52-7d1a-4f43-9d55-1d2f1f3b2a10',
  title: "Rencontre Lozère Nouvelle Vie : s'installer & entreprendre",
  startsAt: '2027-03-12T11:30:00.000Z',
  endsAt: '2027-03-12T12:30:00.000Z',
  timezone: 'Europe/Paris',
  capacity: 100,
  returnUrl: 'https://nouvellevie.lozere.fr/rencontres/2027-03-12',
};
const camille: Person = { registrationId: '0b8f2a8e-1111-4c5e-9c39-3b0f6d9e0a01', email: 'camille@example.org', firstName: 'Camille', lastName: 'Éluard' };
const agent: Person = { registrationId: 'agent-3', email: 'agent@lozere.fr', firstName: 'Agnès', lastName: 'Team' };

describe('BigBlueButton adapter against the fake BBB', () => {
  let clock: ManualClock;
  let bbb: FakeBbb;
  let config: BbbConfig;
  beforeEach(async () => {
    clock = new ManualClock('2027-03-12T11:20:00Z');
    bbb = await FakeBbb.start({ secret: SECRET, clock });
    config = { url: bbb.url, secret: SECRET, checksum: 'sha256' };
  });
  afterEach(async () => {
    await bbb.stop();
  });
  const adapter = (extra: Partial<Parameters<typeof createBbbAdapter>[1]> = {}) => createBbbAdapter(config, { clock, logger: silent, callbackBaseUrl: CALLBACKS, ...extra });

  describe('ensureRoom', () => {
    it('checks the secret and keeps what each create needs, without creating a meeting that would expire unused', async () => {
      const room = await adapter().ensureRoom(spec, null);
      expect(room.externalId).toBe(`nouvelle-vie-${spec.webinarId}`);
      expect(room.joinUrl).toBeNull();
      expect(room.data).toEqual({
        meetingId: `nouvelle-vie-${spec.webinarId}`,
        name: "Rencontre Lozère Nouvelle Vie : s'installer & entreprendre",
        welcome: 'Bienvenue à la Rencontre « Rencontre Lozère Nouvelle Vie : s\'installer &amp; entreprendre » ! Posez vos questions à l’équipe dans la discussion publique.',
        logoutUrl: spec.returnUrl,
        startsAt: spec.startsAt,
        endsAt: spec.endsAt,
        maxParticipants: 110,
      });
      expect(JSON.stringify(room.data)).not.toContain(SECRET);
      expect(bbb.calls.map((c) => c.call)).toEqual(['isMeetingRunning']);
      expect(bbb.meetings.size).toBe(0);
    });

    it('fails at once, with BBB’s reason, when the secret is wrong', async () => {
      const wrong = createBbbAdapter({ ...config, secret: 'something-else' }, { clock, logger: silent, callbackBaseUrl: CALLBACKS });
      await expect(wrong.ensureRoom(spec, null)).rejects.toMatchObject({ name: 'BbbApiError', messageKey: 'checksumError' });
    });

    it('keeps the meeting id of an existing room when the Rencontre changes', async () => {
      const a = adapter();
      const first = await a.ensureRoom(spec, null);
      const moved = await a.ensureRoom({ ...spec, title: 'Rencontre déplacée', startsAt: '2027-03-19T11:30:00.000Z', endsAt: '2027-03-19T12:30:00.000Z', capacity: null }, first);
      expect(moved.externalId).toBe(first.externalId);
      expect(moved.data).toMatchObject({ name: 'Rencontre déplacée', endsAt: '2027-03-19T12:30:00.000Z', maxParticipants: null });
    });

    it('a room left by another tool (the Rencontre moved from Zoom) does not lend its id', async () => {
      const zoomRoom: Room = { externalId: '81234567890', data: { uuid: 'abc==' }, joinUrl: 'https://zoom.us/j/81234567890' };
      const room = await adapter().ensureRoom(spec, zoomRoom);
      expect(room.externalId).toBe(`nouvelle-vie-${spec.webinarId}`);
      expect(room.joinUrl).toBeNull();
    });

    it('meeting ids and names stay within BBB’s limits', () => {
      expect(bbbMeetingIdFor('abc,def')).toMatch(/^nouvelle-vie-[0-9a-f]{40}$/);
      expect(bbbMeetingName('x'.repeat(80))).toHaveLength(64);
      expect(bbbMeetingName('  A  ')).toBe('Rencontre A');
    });
  });

  describe('joinUrlAtClick', () => {
    it('creates the meeting with our parameters, then signs a personal join URL that BBB accepts', async () => {
      const a = adapter();
      const room = await a.ensureRoom(spec, null);
      const url = await a.joinUrlAtClick(room, camille, 'viewer');

      const create = bbb.callsOf('create');
      expect(create).toHaveLength(1);
      const p = create[0]!.params;
      expect(Object.fromEntries([...p].filter(([k]) => k !== 'checksum' && k !== 'meta_endCallbackUrl'))).toEqual({
        name: room.data.name,
        meetingID: room.externalId,
        record: 'true',
        autoStartRecording: 'false',
        allowStartStopRecording: 'true',
        welcome: room.data.welcome,
        logoutURL: spec.returnUrl,
        // 11:20 → planned end 12:30 is 70 minutes, plus 30 for the questions that overrun.
        duration: '100',
        maxParticipants: '110',
        'meta_bbb-origin': 'Nouvelle Vie',
        'meta_bbb-recording-ready-url': `${CALLBACKS}/webhooks/bbb/enregistrement`,
      });
      const end = p.get('meta_endCallbackUrl')!;
      expect(end.startsWith(`${CALLBACKS}/webhooks/bbb/fin/`)).toBe(true);
      expect(verifyEndToken(SECRET, end.slice(`${CALLBACKS}/webhooks/bbb/fin/`.length), clock)).toMatchObject({ ok: true, meetingId: room.externalId });
      // BBB stores meta_ keys lower-cased and calls endcallbackurl back.
      expect(bbb.meetings.get(room.externalId)!.metadata.get('endcallbackurl')).toBe(end);

      const join = new URL(url);
      expect(join.origin + join.pathname).toBe(`${bbb.url}api/join`);
      expect(Object.fromEntries([...join.searchParams].filter(([k]) => k !== 'checksum'))).toEqual({
        fullName: 'Camille Éluard',
        meetingID: room.externalId,
        role: 'VIEWER',
        userID: camille.registrationId,
        createTime: String(bbb.meetings.get(room.externalId)!.createTime),
        redirect: 'true',
      });
      expect(join.searchParams.get('checksum')).toHaveLength(64);

      // The browser follows it: BBB redirects to its client, and the person is in, known by our id.
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const client = await fetch(res.headers.get('location')!);
      expect(client.status).toBe(200);
      const inMeeting = [...bbb.meetings.get(room.externalId)!.attendees.values()];
      expect(inMeeting).toEqual([expect.objectContaining({ userID: camille.registrationId, fullName: 'Camille Éluard', role: 'VIEWER' })]);
    });

    it('create is idempotent: a second click reuses the running session and its createTime', async () => {
      const a = adapter();
      const room = await a.ensureRoom(spec, null);
      const first = new URL(await a.joinUrlAtClick(room, camille, 'viewer'));
      clock.advance(5 * 60_000);
      const second = new URL(await a.joinUrlAtClick(room, agent, 'moderator'));
      expect(bbb.callsOf('create').map((c) => c.messageKey)).toEqual(['', 'duplicateWarning']);
      expect(bbb.meetings.size).toBe(1);
      expect(second.searchParams.get('createTime')).toBe(first.searchParams.get('createTime'));
      expect(second.searchParams.get('role')).toBe('MODERATOR');
      expect((await fetch(second, { redirect: 'manual' })).status).toBe(302);
    });

    it('works with a server that answers idNotUnique to a second create (before the passwordless rule)', async () => {
      const legacy = await FakeBbb.start({ secret: SECRET, clock, legacyDuplicateCreate: true });
      try {
        const a = createBbbAdapter({ ...config, url: legacy.url }, { clock, logger: silent, callbackBaseUrl: CALLBACKS });
        const room = await a.ensureRoom(spec, null);
        const first = new URL(await a.joinUrlAtClick(room, camille, 'viewer'));
        const second = new URL(await a.joinUrlAtClick(room, agent, 'moderator'));
        expect(legacy.callsOf('create').map((c) => c.messageKey)).toEqual(['', 'idNotUnique']);
        expect(second.searchParams.get('createTime')).toBe(first.searchParams.get('createTime'));
        expect((await fetch(second, { redirect: 'manual' })).status).toBe(302);
      } finally {
        await legacy.stop();
      }
    });

    it('a server without bbb-webhooks still lets people in; the missing hook is only a warning', async () => {
      const plain = await FakeBbb.start({ secret: SECRET, clock, webhooksInstalled: false });
      const lines: string[] = [];
      try {
        const a = createBbbAdapter({ ...config, url: plain.url }, { clock, logger: createLogger('warn', {}, (l) => void lines.push(l)), callbackBaseUrl: CALLBACKS, registerWebhooks: true });
        const room = await a.ensureRoom(spec, null);
        const res = await fetch(await a.joinUrlAtClick(room, camille, 'viewer'));
        expect(res.status).toBe(200);
        expect(plain.meetings.get(room.externalId)!.attendees.size).toBe(1);
        expect(lines.map((l) => JSON.parse(l) as { msg: string; level: string })).toEqual([
          expect.objectContaining({ level: 'warn', msg: 'bbb-webhooks hook not registered' }),
          expect.objectContaining({ level: 'warn', msg: 'bbb-webhooks hook not registered' }),
        ]);
        expect(lines.join('\n')).not.toContain(SECRET);
      } finally {
        await plain.stop();
      }
    });

    it('a tampered join URL is refused by BBB: the checksum covers every parameter', async () => {
      const a = adapter();
      const room = await a.ensureRoom(spec, null);
      const url = await a.joinUrlAtClick(room, camille, 'viewer');
      // One parameter changed in the raw string, everything else byte for byte as signed.
      for (const [from, to] of [
        ['role=VIEWER', 'role=MODERATOR'],
        [`userID=${camille.registrationId}`, 'userID=someone-else'],
        ['fullName=Camille%20%C3%89luard', 'fullName=Camille%20Eluard'],
        ['&redirect=true', ''],
      ] as const) {
        expect(url).toContain(from);
        const res = await fetch(url.replace(from, to), { redirect: 'manual' });
        expect(res.status).toBe(200);
        expect(await res.text()).toContain('<messageKey>checksumError</messageKey>');
      }
      expect(bbb.meetings.get(room.externalId)!.attendees.size).toBe(0);
    });

    it('a join URL of an ended session does not open the next one (createTime)', async () => {
      const a = adapter();
      const room = await a.ensureRoom(spec, null);
      const old = await a.joinUrlAtClick(room, camille, 'viewer');
      bbb.endMeeting(room.externalId);
      clock.advance(60_000);
      await a.joinUrlAtClick(room, agent, 'moderator'); // a new session of the same meeting
      const res = await fetch(old, { redirect: 'manual' });
      expect(await res.text()).toContain('<messageKey>mismatchCreateTimeParam</messageKey>');
    });

    it('a title with quotes, accents and more than 64 characters is signed and accepted', async () => {
      const a = adapter();
      const room = await a.ensureRoom({ ...spec, title: `L'été à Mende (« accueil ») : ${'très '.repeat(20)}long` }, null);
      await expect(a.joinUrlAtClick(room, camille, 'viewer')).resolves.toContain('/api/join?');
      expect(bbb.callsOf('create')[0]!.returncode).toBe('SUCCESS');
      expect(bbb.meetings.get(room.externalId)!.name).toHaveLength(64);
    });
  });

  describe('registrants', () => {
    it('BBB knows no registrants: the registration id is the registrant id, and nothing is called', async () => {
      const a = adapter();
      const room = await a.ensureRoom(spec, null);
      const before = bbb.calls.length;
      const registered = await a.addRegistrant(room, camille);
      expect(registered).toEqual({ registrantId: camille.registrationId, joinUrl: null });
      await a.cancelRegistrant(room, camille, registered);
      expect(bbb.calls.length).toBe(before);
    });
  });

  describe('deleteRoom', () => {
    it('ends a running meeting, and is quiet when BBB no longer knows it', async () => {
      const a = adapter();
      const room = await a.ensureRoom(spec, null);
      await fetch(await a.joinUrlAtClick(room, camille, 'viewer'));
      await a.deleteRoom(room);
      expect(bbb.callsOf('end').at(-1)).toMatchObject({ returncode: 'SUCCESS', messageKey: 'sentEndMeetingRequest' });
      expect(bbb.meetings.get(room.externalId)!.forciblyEnded).toBe(true);
      bbb.forget(room.externalId);
      await expect(a.deleteRoom(room)).resolves.toBeUndefined();
      expect(bbb.callsOf('end').at(-1)).toMatchObject({ returncode: 'FAILED', messageKey: 'notFound' });
    });

    it('other failures are not swallowed', async () => {
      const wrong = createBbbAdapter({ ...config, secret: 'nope' }, { clock, logger: silent, callbackBaseUrl: CALLBACKS });
      const room: Room = { externalId: 'nouvelle-vie-x1', data: { meetingId: 'nouvelle-vie-x1', name: 'Rencontre', welcome: '', logoutUrl: '', startsAt: spec.startsAt, endsAt: spec.endsAt, maxParticipants: null }, joinUrl: null };
      await expect(wrong.deleteRoom(room)).rejects.toBeInstanceOf(BbbApiError);
    });
  });

  describe('fetchRecording', () => {
    const slotStart = new Date(spec.startsAt).getTime();

    it('none yet: null', async () => {
      const a = adapter();
      const room = await a.ensureRoom(spec, null);
      expect(await a.fetchRecording(room)).toBeNull();
    });

    it('walks the pages (offset/limit) and returns the published presentation of the Rencontre', async () => {
      const a = adapter();
      const room = await a.ensureRoom(spec, null);
      // A test session the day before, recorded too, then 120 short sessions, then the Rencontre itself.
      bbb.addRecording({ meetingID: room.externalId, recordID: 'rehearsal', startTime: slotStart - 86_400_000, endTime: slotStart - 86_400_000 + 600_000 });
      for (let i = 0; i < 120; i++) bbb.addRecording({ meetingID: room.externalId, recordID: `noise-${i}`, startTime: slotStart - 3_600_000 * (i + 2), endTime: slotStart - 3_600_000 * (i + 2) + 60_000 });
      bbb.addRecording({ meetingID: room.externalId, recordID: 'unpublished', published: false, startTime: slotStart, endTime: slotStart + 3_600_000 });
      bbb.addRecording({ meetingID: room.externalId, recordID: 'the-rencontre', startTime: slotStart + 60_000, endTime: slotStart + 3_500_000 });
      bbb.addRecording({ meetingID: 'someone-else', recordID: 'other', startTime: slotStart, endTime: slotStart + 3_600_000 });

      const rec = await a.fetchRecording(room);
      expect(rec).toEqual({ recordingId: 'the-rencontre', shareUrl: `${bbb.origin}/playback/presentation/2.3/the-rencontre` });
      const pages = bbb.callsOf('getRecordings').map((c) => [c.params.get('meetingID'), c.params.get('state'), c.params.get('offset'), c.params.get('limit')]);
      expect(pages).toEqual([
        [room.externalId, 'published', '0', '50'],
        [room.externalId, 'published', '50', '50'],
        [room.externalId, 'published', '100', '50'],
      ]);
    });

    it('a recording without a presentation playback is not a replay', async () => {
      const a = adapter();
      const room = await a.ensureRoom(spec, null);
      bbb.addRecording({ meetingID: room.externalId, recordID: 'audio-only', formats: [{ type: 'podcast', url: `${bbb.origin}/podcast/a.ogg`, length: 60 }] });
      expect(await a.fetchRecording(room)).toBeNull();
    });

    it('a server without pagination (before 2.6) sends everything once: one call, no loop', async () => {
      const old = await FakeBbb.start({ secret: SECRET, clock, pagination: 'unsupported' });
      try {
        const a = createBbbAdapter({ ...config, url: old.url }, { clock, logger: silent, callbackBaseUrl: CALLBACKS });
        const room = await a.ensureRoom(spec, null);
        for (let i = 0; i < 60; i++) old.addRecording({ meetingID: room.externalId, recordID: `r-${i}`, startTime: slotStart - 3_600_000 * (i + 2) });
        old.addRecording({ meetingID: room.externalId, recordID: 'the-rencontre', startTime: slotStart, endTime: slotStart + 3_600_000 });
        expect(await a.fetchRecording(room)).toMatchObject({ recordingId: 'the-rencontre' });
        expect(old.callsOf('getRecordings')).toHaveLength(1);
      } finally {
        await old.stop();
      }
    });
  });

  describe('fetchAttendance without bbb-webhooks', () => {
    it('says that BBB cannot tell, rather than an empty list that would mark everybody absent', async () => {
      const a = adapter();
      const room = await a.ensureRoom(spec, null);
      await fetch(await a.joinUrlAtClick(room, camille, 'viewer'));
      await expect(a.fetchAttendance(room)).rejects.toBeInstanceOf(BbbAttendanceUnavailable);
    });

    it('with a presence log but no event received: also unavailable once the meeting is over', async () => {
      const a = adapter({ presenceLog: async () => [] });
      const room = await a.ensureRoom(spec, null);
      await expect(a.fetchAttendance(room)).rejects.toMatchObject({ code: 'attendance-unavailable' });
    });
  });
});
