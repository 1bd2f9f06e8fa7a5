import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { BbbConfig } from '../../../config.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { Clock } from '../../../platform/time.ts';
import type { AttendanceEntry, Person, Recording, RegisteredPerson, Room, RoomSpec, VideoAdapter } from '../video-adapter.ts';
import { BbbApiError, callBbb, list, node, signedBbbUrl, text, type BbbParams, type BbbXml } from './bbb-api.ts';
import { attendanceFromPresence, type BbbPresenceEvent } from './bbb-attendance.ts';
import { signEndToken } from './bbb-callback-token.ts';

/**
 * BigBlueButton behind the VideoAdapter interface.
 *
 * When the meeting is created: at each click, not when the Rencontre is planned. BBB's `create` is
 * idempotent and its documentation recommends calling it before every join; a meeting created weeks
 * ahead would be removed after `meetingExpireIfNoUserJoinedInMinutes` (5 by default) and fire the end
 * callback for nothing. So `ensureRoom` only checks that the server answers to our secret and keeps in
 * `Room.data` what each `create` needs; `joinUrlAtClick` calls `create`, then signs a `join` for that
 * person bound to that session (`createTime`), so a leaked link does not open a later session.
 */

export const BBB_MEETING_PREFIX = 'nouvelle-vie-';
/** Callback paths, relative to `callbackBaseUrl`; bbb-callbacks.ts serves them. */
export const BBB_END_CALLBACK_PATH = '/webhooks/bbb/fin/';
export const BBB_RECORDING_READY_PATH = '/webhooks/bbb/enregistrement';
export const BBB_EVENTS_PATH = '/webhooks/bbb/evenements';
/** The events asked of bbb-webhooks: the ones attendance is computed from. */
export const BBB_WEBHOOK_EVENTS = ['user-joined', 'user-left', 'meeting-ended'] as const;

/** BBB 2.4 refused names over 64 characters (newer versions allow 256): we stay within 64. */
const MAX_NAME = 64;
/** The meeting may run this long after the planned end before BBB closes it (the Q&A often overruns). */
const OVERRUN_MINUTES = 30;
/** Seats on top of the capacity: the team, speakers, someone on two devices. */
const DEFAULT_EXTRA_SEATS = 10;
const RECORDINGS_PAGE = 50;

export interface BbbAdapterDeps {
  fetch?: typeof fetch;
  clock: Clock;
  logger: Logger;
  /** Our public address, without trailing slash: BBB calls us back there. */
  callbackBaseUrl: string;
  /** Seats added to the Rencontre's capacity for maxParticipants (default 10). */
  extraSeats?: number;
  /**
   * The bbb-webhooks events stored for a meeting (see bbb-callbacks.ts). Without it BBB gives no
   * history of presence, and fetchAttendance says so with BbbAttendanceUnavailable.
   */
  presenceLog?: (meetingId: string) => Promise<BbbPresenceEvent[]>;
  /** Registers a bbb-webhooks hook for each meeting (needs the bbb-webhooks package on the BBB server). */
  registerWebhooks?: boolean;
}

/** BBB cannot say who attended: no presence history is available for this meeting. */
export class BbbAttendanceUnavailable extends Error {
  readonly code = 'attendance-unavailable';
  constructor(message: string) {
    super(message);
    this.name = 'BbbAttendanceUnavailable';
  }
}

const roomDataSchema = z.object({
  meetingId: z.string().min(2).max(256),
  name: z.string().min(2).max(MAX_NAME),
  welcome: z.string(),
  logoutUrl: z.string(),
  startsAt: z.string(),
  endsAt: z.string(),
  maxParticipants: z.number().int().positive().nullable(),
});
export type BbbRoomData = z.infer<typeof roomDataSchema>;

/** Our meetingID for a Rencontre: stable, ASCII letters, digits and dashes as BBB advises, no comma. */
export function bbbMeetingIdFor(webinarId: string): string {
  const safe = /^[A-Za-z0-9_-]{1,200}$/.test(webinarId) ? webinarId : createHash('sha256').update(webinarId).digest('hex').slice(0, 40);
  return `${BBB_MEETING_PREFIX}${safe}`;
}

export function bbbMeetingName(title: string): string {
  const t = title.replace(/\s+/g, ' ').trim();
  const name = t.length > MAX_NAME ? `${t.slice(0, MAX_NAME - 1).trimEnd()}…` : t;
  return name.length >= 2 ? name : `Rencontre ${name}`.trim();
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function welcomeFor(title: string): string {
  // BBB shows the welcome message in the chat with a little HTML: the title is escaped.
  return `Bienvenue à la Rencontre « ${escapeHtml(title.trim())} » ! Posez vos questions à l’équipe dans la discussion publique.`;
}

function roomData(room: Room): BbbRoomData {
  const parsed = roomDataSchema.safeParse(room.data);
  if (!parsed.success) throw new Error(`BigBlueButton room ${room.externalId}: data is not a BBB room (${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return parsed.data;
}

function isoFromMillis(v: string): Date | null {
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? new Date(n) : null;
}

/** The VideoAdapter for BBB: it always has a freshly signed address to give at the click. */
export interface BbbAdapter extends VideoAdapter {
  readonly kind: 'bbb';
  joinUrlAtClick(room: Room, person: Person, role: 'viewer' | 'moderator'): Promise<string>;
}

export function createBbbAdapter(config: BbbConfig, deps: BbbAdapterDeps): BbbAdapter {
  const base = deps.callbackBaseUrl.replace(/\/+$/, '');
  const log = deps.logger.child({ videoTool: 'bbb' });
  const call = (name: string, params: BbbParams) => callBbb(config, name, params, { fetch: deps.fetch });
  const extraSeats = deps.extraSeats ?? DEFAULT_EXTRA_SEATS;

  async function registerHook(meetingId: string): Promise<void> {
    if (!deps.registerWebhooks) return;
    try {
      // Awaited at the first click of a session, so kept short: the person is waiting for the room.
      await callBbb(config, 'hooks/create', [
        ['callbackURL', `${base}${BBB_EVENTS_PATH}`],
        ['meetingID', meetingId],
        ['eventID', BBB_WEBHOOK_EVENTS.join(',')],
        ['getRaw', false],
      ], { fetch: deps.fetch, timeoutMs: 3000 });
    } catch (e) {
      // Without the hook only attendance is lost, not the Rencontre: people must still get in.
      log.warn('bbb-webhooks hook not registered', { meetingId, err: e as Error });
    }
  }

  /** `create`, idempotent: returns the session's createTime whether this call created it or not. */
  async function createMeeting(d: BbbRoomData): Promise<{ createTime: string; isNew: boolean }> {
    const now = deps.clock.now();
    const minutesLeft = Math.ceil((new Date(d.endsAt).getTime() - now.getTime()) / 60_000);
    const duration = Math.max(0, minutesLeft) + OVERRUN_MINUTES;
    const params: BbbParams = [
      ['name', d.name],
      ['meetingID', d.meetingId],
      ['record', true],
      ['autoStartRecording', false],
      ['allowStartStopRecording', true],
      ['welcome', d.welcome],
      ['logoutURL', d.logoutUrl],
      ['duration', duration],
      ['maxParticipants', d.maxParticipants],
      ['meta_bbb-origin', 'Nouvelle Vie'],
      ['meta_endCallbackUrl', `${base}${BBB_END_CALLBACK_PATH}${signEndToken(config.secret, d.meetingId, now)}`],
      ['meta_bbb-recording-ready-url', `${base}${BBB_RECORDING_READY_PATH}`],
    ];
    try {
      const r = await call('create', params);
      const isNew = text(r.messageKey) !== 'duplicateWarning';
      if (isNew) {
        log.info('bbb meeting created', { meetingId: d.meetingId });
        await registerHook(d.meetingId);
      }
      return { createTime: text(r.createTime), isNew };
    } catch (e) {
      // Servers before the passwordless duplicate rule answer idNotUnique when the meeting runs.
      if (!(e instanceof BbbApiError && e.messageKey === 'idNotUnique')) throw e;
      const info = await call('getMeetingInfo', [['meetingID', d.meetingId]]);
      return { createTime: text(info.createTime), isNew: false };
    }
  }

  async function meetingInfo(meetingId: string): Promise<BbbXml | null> {
    try {
      return await call('getMeetingInfo', [['meetingID', meetingId]]);
    } catch (e) {
      if (e instanceof BbbApiError && e.messageKey === 'notFound') return null;
      throw e;
    }
  }

  return {
    kind: 'bbb',

    async ensureRoom(spec: RoomSpec, existing: Room | null): Promise<Room> {
      // A room of another tool (the Rencontre moved from Zoom to BBB) does not lend its id.
      const meetingId = existing && roomDataSchema.safeParse(existing.data).success ? existing.externalId : bbbMeetingIdFor(spec.webinarId);
      const data: BbbRoomData = {
        meetingId,
        name: bbbMeetingName(spec.title),
        welcome: welcomeFor(spec.title),
        logoutUrl: spec.returnUrl,
        startsAt: new Date(spec.startsAt).toISOString(),
        endsAt: new Date(spec.endsAt).toISOString(),
        maxParticipants: spec.capacity === null ? null : spec.capacity + extraSeats,
      };
      // Proves the address and the secret (and its algorithm) now, while an agent is looking, rather than
      // at 12:29 on the day. A wrong secret answers checksumError.
      await call('isMeetingRunning', [['meetingID', meetingId]]);
      await registerHook(meetingId);
      return { externalId: meetingId, data: { ...data }, joinUrl: null };
    },

    async deleteRoom(room: Room): Promise<void> {
      try {
        await call('end', [['meetingID', roomData(room).meetingId]]);
      } catch (e) {
        if (e instanceof BbbApiError && e.messageKey === 'notFound') return;
        throw e;
      }
    },

    async addRegistrant(_room: Room, person: Person): Promise<RegisteredPerson> {
      // BBB knows no registrants: the person is known by the userID we sign into their join URL.
      return { registrantId: person.registrationId, joinUrl: null };
    },

    async cancelRegistrant(): Promise<void> {
      // Nothing to call: our /mon-inscription/<token>/rejoindre refuses a cancelled registration, and
      // join URLs are only signed at the click.
    },

    async joinUrlAtClick(room: Room, person: Person, role: 'viewer' | 'moderator'): Promise<string> {
      const d = roomData(room);
      const { createTime } = await createMeeting(d);
      const fullName = `${person.firstName} ${person.lastName}`.replace(/\s+/g, ' ').trim() || 'Participant';
      return signedBbbUrl(config, 'join', [
        ['fullName', fullName],
        ['meetingID', d.meetingId],
        ['role', role === 'moderator' ? 'MODERATOR' : 'VIEWER'],
        ['userID', person.registrationId],
        ['createTime', createTime || null],
        ['redirect', true],
      ]);
    },

    async fetchAttendance(room: Room): Promise<AttendanceEntry[]> {
      const d = roomData(room);
      if (!deps.presenceLog) {
        throw new BbbAttendanceUnavailable(
          'BigBlueButton ne garde pas l’historique des présences : sans les événements de bbb-webhooks, les présences se cochent à la main.',
        );
      }
      const info = await meetingInfo(d.meetingId);
      const running = info !== null && text(info.running) === 'true';
      const presentNow = running ? new Set(list(node(info!.attendees).attendee).map((a) => text(a.userID))) : null;
      const events = await deps.presenceLog(d.meetingId);
      if (events.length === 0 && !running) {
        throw new BbbAttendanceUnavailable('Aucun événement de présence reçu de BigBlueButton pour cette Rencontre : les présences se cochent à la main.');
      }
      return attendanceFromPresence(events, {
        now: deps.clock.now(),
        presentNow,
        endedAt: info ? isoFromMillis(text(info.endTime)) : null,
        plannedEnd: new Date(d.endsAt),
      });
    },

    async fetchRecording(room: Room): Promise<Recording | null> {
      const d = roomData(room);
      const found: { recordId: string; url: string; start: number; end: number }[] = [];
      for (let offset = 0; ; offset += RECORDINGS_PAGE) {
        const r = await call('getRecordings', [
          ['meetingID', d.meetingId],
          ['state', 'published'],
          ['offset', offset],
          ['limit', RECORDINGS_PAGE],
        ]);
        const page = list(node(r.recordings).recording);
        for (const rec of page) {
          if (text(rec.published) !== 'true' || text(rec.meetingID) !== d.meetingId) continue;
          const presentation = list(node(rec.playback).format).find((f) => text(f.type) === 'presentation' && text(f.url));
          if (!presentation) continue;
          found.push({ recordId: text(rec.recordID), url: text(presentation.url), start: Number(text(rec.startTime)) || 0, end: Number(text(rec.endTime)) || 0 });
        }
        // 2.7 puts totalElements at the top, 2.6 and 3.0 inside <pagination>; a server without
        // pagination ignores offset and limit and sends everything at once.
        const total = Number(text(r.totalElements) || text(node(r.pagination).totalElements));
        if (!Number.isFinite(total) || total <= 0 || page.length === 0 || offset + RECORDINGS_PAGE >= total) break;
      }
      if (found.length === 0) return null;
      // A test session the day before may have been recorded too: the replay is the recording that
      // covers most of the planned slot, the latest one when none does.
      const slotStart = new Date(d.startsAt).getTime();
      const slotEnd = new Date(d.endsAt).getTime();
      const overlap = (x: { start: number; end: number }) => Math.max(0, Math.min(x.end, slotEnd) - Math.max(x.start, slotStart));
      found.sort((a, b) => overlap(b) - overlap(a) || b.start - a.start);
      const best = found[0]!;
      return { shareUrl: best.url, recordingId: best.recordId };
    },
  };
}
