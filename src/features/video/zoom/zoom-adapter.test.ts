import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeZoom } from '../../../../tests/support/fake-zoom.ts';
import { createLogger } from '../../../platform/logger.ts';
import { ManualClock } from '../../../platform/time.ts';
import type { Person, Room, RoomSpec, VideoAdapter } from '../video-adapter.ts';
import { createZoomAdapter, withEndedInstance } from './zoom-adapter.ts';
import { ZOOM_GLOBAL_API_URL, ZoomApiError, ZoomAuthError } from './zoom-client.ts';

const spec: RoomSpec = {
  webinarId: 'w-1',
  title: 'Rencontre Lozère Nouvelle Vie — janvier',
  startsAt: '2027-01-15T11:30:00.000Z',
  endsAt: '2027-01-15T12:30:00.000Z',
  timezone: 'Europe/Paris',
  capacity: 150,
  returnUrl: 'https://nouvellevie.lozere.fr/rencontres/w-1',
};

const person = (n: number, over: Partial<Person> = {}): Person => ({
  registrationId: `reg-${n}`,
  email: `personne${n}@example.org`,
  firstName: `Prénom${n}`,
  lastName: `Nom${n}`,
  ...over,
});

describe('Zoom adapter against the local fake Zoom', () => {
  let clock: ManualClock;
  let zoom: FakeZoom;
  let logLines: string[];
  let adapter: VideoAdapter;

  beforeEach(async () => {
    clock = new ManualClock('2027-01-10T09:00:00Z');
    zoom = await FakeZoom.start({ clock });
    logLines = [];
    adapter = createZoomAdapter(zoom.config(), { clock, logger: createLogger('debug', {}, (l) => logLines.push(l)) });
  });
  afterEach(async () => {
    await zoom.stop();
  });

  const webinarOf = (room: Room) => zoom.webinars.get(Number(room.externalId))!;

  describe('rooms', () => {
    it('creates a scheduled webinar with manual approval, no Zoom e-mails, cloud recording and the capacity', async () => {
      const room = await adapter.ensureRoom(spec, null);
      const w = webinarOf(room);
      expect(room.externalId).toBe(String(w.id));
      expect(room.data).toEqual({ uuid: w.uuid });
      expect(room.joinUrl).toBeNull();
      expect(w).toMatchObject({ type: 5, topic: spec.title, start_time: '2027-01-15T11:30:00Z', duration: 60, timezone: 'Europe/Paris' });
      expect(w.settings).toMatchObject({
        approval_type: 1,
        registrants_confirmation_email: false,
        registrants_email_notification: false,
        attendees_and_panelists_reminder_email_notification: { enable: false },
        follow_up_attendees_email_notification: { enable: false },
        follow_up_absentees_email_notification: { enable: false },
        auto_recording: 'cloud',
        registrants_restrict_number: 150,
      });
      // The host's start link is a credential: it is not kept.
      expect(JSON.stringify(room)).not.toContain(w.start_url);
      expect(zoom.apiRequests('POST').map((r) => r.path)).toEqual(['/v2/users/me/webinars']);
    });

    it('updates the title and time of an existing webinar instead of creating another', async () => {
      const room = await adapter.ensureRoom(spec, null);
      webinarOf(room).settings.approval_type = 0; // switched to automatic approval in Zoom's web portal
      const moved = { ...spec, title: 'Rencontre reportée', startsAt: '2027-01-22T11:30:00Z', endsAt: '2027-01-22T13:00:00Z' };
      const again = await adapter.ensureRoom(moved, room);
      expect(again).toEqual({ externalId: room.externalId, data: room.data, joinUrl: null });
      expect(zoom.webinars.size).toBe(1);
      expect(webinarOf(room)).toMatchObject({ topic: 'Rencontre reportée', start_time: '2027-01-22T11:30:00Z', duration: 90 });
      expect(webinarOf(room).settings).toMatchObject({ approval_type: 1, auto_recording: 'cloud' });
      expect(zoom.apiRequests('PATCH')).toHaveLength(1);
    });

    it('creates a new webinar when the known one was deleted on Zoom, with a new id', async () => {
      const room = await adapter.ensureRoom(spec, null);
      zoom.webinars.delete(Number(room.externalId));
      const again = await adapter.ensureRoom(spec, room);
      expect(again.externalId).not.toBe(room.externalId);
      expect(zoom.webinars.has(Number(again.externalId))).toBe(true);
    });

    it('deletes the webinar, and a webinar already gone is not an error', async () => {
      const room = await adapter.ensureRoom(spec, null);
      await adapter.deleteRoom(room);
      expect(zoom.webinars.size).toBe(0);
      await expect(adapter.deleteRoom(room)).resolves.toBeUndefined();
      expect(zoom.apiRequests('DELETE').map((r) => r.status)).toEqual([204, 404]);
    });

    it('has no better join link at click time than the personal one', async () => {
      const room = await adapter.ensureRoom(spec, null);
      expect(await adapter.joinUrlAtClick(room, person(1), 'viewer')).toBeNull();
    });
  });

  describe('registrants', () => {
    it('registers each person with a personal join link, approved by us', async () => {
      const room = await adapter.ensureRoom(spec, null);
      const a = await adapter.addRegistrant(room, person(1));
      const b = await adapter.addRegistrant(room, person(2));
      expect(a.registrantId).toBeTruthy();
      expect(a.joinUrl).not.toBe(b.joinUrl);
      expect(zoom.registrantByJoinUrl(a.joinUrl!)).toMatchObject({ id: a.registrantId, email: 'personne1@example.org', first_name: 'Prénom1', last_name: 'Nom1', status: 'approved' });
      expect(zoom.registrantByJoinUrl(b.joinUrl!)).toMatchObject({ id: b.registrantId, status: 'approved' });
      // Pushed (pending under manual approval), then approved.
      expect(zoom.apiRequests('PUT', /registrants\/status$/)).toHaveLength(2);
    });

    it('someone who registers through a leaked Zoom registration link stays pending', async () => {
      const room = await adapter.ensureRoom(spec, null);
      const stranger = zoom.seedRegistrant(room.externalId, { email: 'inconnu@example.org', status: 'pending' });
      await adapter.addRegistrant(room, person(1));
      expect(webinarOf(room).registrants.find((r) => r.id === stranger.id)?.status).toBe('pending');
    });

    it('adding the same e-mail twice gives the same registration when Zoom returns the existing one', async () => {
      const room = await adapter.ensureRoom(spec, null);
      const first = await adapter.addRegistrant(room, person(1));
      const again = await adapter.addRegistrant(room, person(1, { email: 'PERSONNE1@example.org' }));
      expect(again).toEqual(first);
      expect(webinarOf(room).registrants).toHaveLength(1);
    });

    it('adding the same e-mail twice gives the same registration when Zoom refuses it, found over several pages', async () => {
      zoom.duplicateRegistrant = 'error';
      const room = await adapter.ensureRoom({ ...spec, capacity: null }, null);
      for (let i = 0; i < 650; i++) zoom.seedRegistrant(room.externalId, { email: `autre${i}@example.org` });
      const first = await adapter.addRegistrant(room, person(1));
      const again = await adapter.addRegistrant(room, person(1));
      expect(again).toEqual(first);
      const lists = zoom.apiRequests('GET', /\/registrants$/);
      expect(lists.map((r) => [r.query.status, r.query.page_size, Boolean(r.query.next_page_token)])).toEqual([
        ['approved', '300', false],
        ['approved', '300', true],
        ['approved', '300', true],
      ]);
    });

    it('cancels a registrant: their personal link stops working; registering again brings the same link back', async () => {
      const room = await adapter.ensureRoom(spec, null);
      const p = person(1);
      const reg = await adapter.addRegistrant(room, p);
      await adapter.cancelRegistrant(room, p, reg);
      expect(zoom.registrantByJoinUrl(reg.joinUrl!)?.status).toBe('denied');
      expect(zoom.apiRequests('PUT', /registrants\/status$/).length).toBe(2);

      // Zoom refuses a denied e-mail: the adapter finds it and approves it again.
      const back = await adapter.addRegistrant(room, p);
      expect(back).toEqual(reg);
      expect(zoom.registrantByJoinUrl(reg.joinUrl!)?.status).toBe('approved');
    });

    it('cancels by e-mail when the registrant id was not kept, and a cancelled webinar is not an error', async () => {
      const room = await adapter.ensureRoom(spec, null);
      const reg = await adapter.addRegistrant(room, person(1));
      await adapter.cancelRegistrant(room, person(1), { registrantId: null, joinUrl: null });
      expect(zoom.registrantByJoinUrl(reg.joinUrl!)?.status).toBe('denied');
      await adapter.deleteRoom(room);
      await expect(adapter.cancelRegistrant(room, person(1), reg)).resolves.toBeUndefined();
    });

    it('a full webinar refuses the approval with Zoom’s code and message', async () => {
      const room = await adapter.ensureRoom({ ...spec, capacity: 1 }, null);
      await adapter.addRegistrant(room, person(1));
      const err = await adapter.addRegistrant(room, person(2)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ZoomApiError);
      expect(err).toMatchObject({ status: 400, code: 3035, zoomMessage: 'Webinar has reached maximum attendee capacity.' });
    });
  });

  describe('attendance', () => {
    it('follows every page and adds up the segments of people who rejoined; the registrant id matches when the e-mail is empty', async () => {
      const room = await adapter.ensureRoom(spec, null);
      const seg = (minuteFrom: number, minuteTo: number) => ({
        join_time: new Date(Date.parse('2027-01-15T11:30:00Z') + minuteFrom * 60_000).toISOString().replace('.000', ''),
        leave_time: new Date(Date.parse('2027-01-15T11:30:00Z') + minuteTo * 60_000).toISOString().replace('.000', ''),
        duration: (minuteTo - minuteFrom) * 60,
      });
      const filler = Array.from({ length: 697 }, (_, i) => ({ name: `Participant ${i}`, registrant_id: `filler-${i}`, user_email: '', ...seg(0, 60) }));
      // Élise (outside the host's account: no e-mail) drops twice: three segments spread over three pages.
      const elise = { name: 'Élise Martin', registrant_id: 'reg-elise', user_email: '' };
      const rows = [
        { ...elise, ...seg(2, 20) },
        ...filler.slice(0, 340),
        { ...elise, ...seg(25, 40) },
        ...filler.slice(340),
        { ...elise, ...seg(45, 60) },
        // Someone in the waiting room was never admitted.
        { name: 'En attente', registrant_id: 'reg-wait', status: 'in_waiting_room' as const, ...seg(0, 60) },
      ];
      zoom.seedParticipants(room.externalId, rows);
      const entries = await adapter.fetchAttendance(room);

      const pages = zoom.apiRequests('GET', /^\/v2\/past_webinars\//);
      expect(pages).toHaveLength(3);
      expect(pages.every((p) => p.query.page_size === '300' && p.query.include_fields === 'registrant_id')).toBe(true);
      expect(entries).toHaveLength(698);
      expect(entries.find((e) => e.registrantId === 'reg-elise')).toEqual({ registrantId: 'reg-elise', email: null, name: 'Élise Martin', minutes: 48, joinedAt: '2027-01-15T11:32:00.000Z' });
      expect(entries.find((e) => e.registrantId === 'reg-wait')).toBeUndefined();
    });

    it('reads the instance that took place when Zoom told us its UUID, double-encoding a UUID with "//"', async () => {
      const room = withEndedInstance(await adapter.ensureRoom(spec, null), '/aB3//xY+z9Q==');
      zoom.seedParticipants('/aB3//xY+z9Q==', [{ name: 'Jean', user_email: 'jean@example.org', join_time: '2027-01-15T11:30:00Z', leave_time: '2027-01-15T12:00:00Z', duration: 1800 }]);
      expect(await adapter.fetchAttendance(room)).toEqual([{ registrantId: null, email: 'jean@example.org', name: 'Jean', minutes: 30, joinedAt: '2027-01-15T11:30:00.000Z' }]);
      expect(zoom.apiRequests('GET', /past_webinars/)[0]!.path).toBe('/v2/past_webinars/%252FaB3%252F%252FxY%252Bz9Q%253D%253D/participants');
    });

    it('a report Zoom does not have yet is an error to retry, not an empty attendance', async () => {
      const room = await adapter.ensureRoom(spec, null);
      await expect(adapter.fetchAttendance(room)).rejects.toMatchObject({ status: 404, code: 3001 });
    });
  });

  describe('recording', () => {
    it('is null until Zoom has it, then gives the share link with its passcode and the recording id', async () => {
      const room = await adapter.ensureRoom(spec, null);
      expect(await adapter.fetchRecording(room)).toBeNull();
      zoom.seedRecording(room.externalId, { share_url: `${zoom.url}/rec/share/AbC123`, recording_play_passcode: 'p4ss.Word', files: [{ status: 'processing' }] });
      expect(await adapter.fetchRecording(room)).toBeNull();
      zoom.seedRecording(room.externalId, { share_url: `${zoom.url}/rec/share/AbC123`, recording_play_passcode: 'p4ss.Word' });
      expect(await adapter.fetchRecording(room)).toEqual({ shareUrl: `${zoom.url}/rec/share/AbC123?pwd=p4ss.Word`, recordingId: webinarOf(room).uuid });
    });
  });

  describe('authentication and errors', () => {
    it('asks for a token with Basic auth and the account id once, and again only shortly before it expires', async () => {
      const room = await adapter.ensureRoom(spec, null);
      await adapter.addRegistrant(room, person(1));
      expect(zoom.tokenRequests()).toBe(1);
      const tokenCall = zoom.requests.find((r) => r.path === '/oauth/token')!;
      expect(tokenCall.query).toEqual({ grant_type: 'account_credentials', account_id: zoom.accountId });
      clock.advance(3599_000 - 301_000);
      await adapter.addRegistrant(room, person(2));
      expect(zoom.tokenRequests()).toBe(1);
      clock.advance(2_000);
      await adapter.addRegistrant(room, person(3));
      expect(zoom.tokenRequests()).toBe(2);
      // Never a refused call on the way: the new token came before the old one expired.
      expect(zoom.requests.some((r) => r.status === 401)).toBe(false);
    });

    it('a token expired or revoked on Zoom’s side is replaced once and the call repeated once', async () => {
      const room = await adapter.ensureRoom(spec, null);
      zoom.expireTokens();
      const reg = await adapter.addRegistrant(room, person(1));
      expect(reg.joinUrl).toBeTruthy();
      expect(zoom.tokenRequests()).toBe(2);
      expect(zoom.apiRequests('POST', /registrants$/).map((r) => r.status)).toEqual([401, 201]);
    });

    it('a deactivated app fails clearly, after one attempt at a new token', async () => {
      const room = await adapter.ensureRoom(spec, null);
      zoom.deactivateApp();
      const err = await adapter.addRegistrant(room, person(1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ZoomAuthError);
      expect(String(err)).toContain('invalid_client');
      expect(zoom.tokenRequests()).toBe(2);
      expect(zoom.apiRequests('POST', /registrants$/)).toHaveLength(1);
    });

    it('a token the API keeps refusing ends in Zoom’s error, not in a loop', async () => {
      const room = await adapter.ensureRoom(spec, null);
      zoom.failNext({ path: /^\/v2\/webinars\/\d+\/registrants$/, status: 401, body: { code: 124, message: 'Invalid access token.' }, times: 5 });
      const err = await adapter.addRegistrant(room, person(1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ZoomApiError);
      expect(err).toMatchObject({ status: 401, code: 124, zoomMessage: 'Invalid access token.' });
      expect(zoom.apiRequests('POST', /registrants$/)).toHaveLength(2);
      expect(zoom.tokenRequests()).toBe(2);
    });

    it('a 429 becomes an error that says when to try again', async () => {
      const room = await adapter.ensureRoom(spec, null);
      zoom.failNext({
        path: /registrants$/,
        status: 429,
        body: { code: 429, message: 'You have reached the maximum per-second rate limit for this API. Try again later.' },
        headers: { 'Retry-After': '7' },
      });
      const err = (await adapter.addRegistrant(room, person(1)).catch((e: unknown) => e)) as ZoomApiError;
      expect(err).toBeInstanceOf(ZoomApiError);
      expect(err.isRateLimited).toBe(true);
      expect(err).toMatchObject({ code: 429, retryAfterSeconds: 7 });
      expect(err.message).toContain('retry after 7 s');
      await expect(adapter.addRegistrant(room, person(1))).resolves.toMatchObject({ registrantId: expect.any(String) });
    });

    it('wrong credentials are refused by the OAuth server, and the secret is in no message', async () => {
      const bad = createZoomAdapter(zoom.config({ clientSecret: 'not-the-secret' }), { clock, logger: createLogger('debug', {}, (l) => logLines.push(l)) });
      const err = await bad.ensureRoom(spec, null).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ZoomAuthError);
      expect(err).toMatchObject({ status: 401, error: 'invalid_client' });
      expect(String(err)).not.toContain('not-the-secret');
    });

    it('uses the regional API address the token gives when the global one is configured', async () => {
      const regional = createZoomAdapter(zoom.config({ apiUrl: ZOOM_GLOBAL_API_URL }), { clock, logger: createLogger('silent') });
      const room = await regional.ensureRoom(spec, null);
      expect(zoom.webinars.has(Number(room.externalId))).toBe(true);
    });

    it('never writes the client secret or an access token to the logs', async () => {
      const room = await adapter.ensureRoom(spec, null);
      const reg = await adapter.addRegistrant(room, person(1));
      zoom.expireTokens();
      await adapter.cancelRegistrant(room, person(1), reg);
      zoom.failNext({ path: /registrants/, status: 429, body: { code: 429, message: 'Too many requests.' }, headers: { 'Retry-After': '1' } });
      await adapter.addRegistrant(room, person(2)).catch(() => undefined);
      const logs = logLines.join('\n');
      expect(logLines.length).toBeGreaterThan(3);
      expect(zoom.issuedTokens()).toHaveLength(2);
      for (const secret of [zoom.clientSecret, ...zoom.issuedTokens(), Buffer.from(`${zoom.clientId}:${zoom.clientSecret}`).toString('base64')]) {
        expect(logs).not.toContain(secret);
      }
    });
  });
});
