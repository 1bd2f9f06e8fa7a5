import { createHash, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { errors as joseErrors, jwtVerify } from 'jose';
import type { BbbConfig } from '../../../config.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { Clock } from '../../../platform/time.ts';
import { BBB_END_CALLBACK_PATH, BBB_EVENTS_PATH, BBB_RECORDING_READY_PATH } from './bbb-adapter.ts';
import { callBbb, text } from './bbb-api.ts';
import type { BbbPresenceEvent, BbbPresenceKind } from './bbb-attendance.ts';
import { END_TOKEN_MAX_AGE_MS, verifyEndToken } from './bbb-callback-token.ts';

/**
 * What BigBlueButton calls back, verified before anything is believed:
 * - GET  /webhooks/bbb/fin/<token>?recordingmarks=true|false — `meta_endCallbackUrl`, unsigned by BBB:
 *   our own HMAC token in the path; and since every `meta_` value reaches the meeting's client, the end
 *   is only believed once BBB's API says the meeting is no longer running.
 * - POST /webhooks/bbb/enregistrement — `meta_bbb-recording-ready-url`: form field `signed_parameters`,
 *   a JWT that must be HS256 with the shared secret (no other algorithm, "none" included).
 * - POST /webhooks/bbb/evenements?checksum=… — bbb-webhooks: checksum = sha1 (or the configured
 *   algorithm) of callbackURL + raw body + secret.
 * Each answers at once and does the work in the background; the same callback received twice is
 * processed once.
 */

export interface BbbCallbackEvent {
  event: 'meeting-ended' | 'recording-ready';
  meetingId: string;
  recordId?: string;
  /** From the end callback: false means no one pressed "record", so no recording will come. */
  recordingMarks?: boolean;
}

/**
 * Remembers what was already processed. `claim` is true the first time a key is seen (until `until`);
 * `release` forgets a key whose processing failed, so that a later delivery can try again.
 */
export interface ReplayGuard {
  claim(key: string, until: Date): Promise<boolean>;
  release(key: string): Promise<void>;
}

/** A replay guard in this process's memory; the platform may give one backed by its database instead. */
export function memoryReplayGuard(clock: Clock): ReplayGuard {
  const seen = new Map<string, number>();
  return {
    async claim(key, until) {
      const now = clock.now().getTime();
      for (const [k, exp] of seen) if (exp <= now) seen.delete(k);
      if (seen.has(key)) return false;
      seen.set(key, until.getTime());
      return true;
    },
    async release(key) {
      seen.delete(key);
    },
  };
}

/** Runs `work` once per key: a replay is skipped, a failure frees the key for the next delivery. */
async function once(guard: ReplayGuard, key: string, until: Date, work: () => Promise<void>): Promise<boolean> {
  if (!(await guard.claim(key, until))) return false;
  try {
    await work();
    return true;
  } catch (e) {
    await guard.release(key);
    throw e;
  }
}

export interface BbbCallbackOptions {
  config: BbbConfig;
  clock: Clock;
  logger: Logger;
  onEvent: (e: BbbCallbackEvent) => Promise<void>;
  /** bbb-webhooks events (user-joined, user-left, meeting-ended); the route exists only with this and callbackBaseUrl. */
  onPresence?: (e: BbbPresenceEvent) => Promise<void>;
  /** The same base the adapter was given: bbb-webhooks signs the callback URL as it was registered. */
  callbackBaseUrl?: string;
  /** Used to ask BBB whether a meeting said to be over really is. */
  fetch?: typeof fetch;
  replayGuard?: ReplayGuard;
  /** Runs the work after the answer has been sent; by default fire-and-forget with errors logged. */
  runInBackground?: (work: () => Promise<void>) => void;
}

const RECORDING_REPLAY_MS = 30 * 24 * 3600 * 1000;
const WEBHOOK_REPLAY_MS = 24 * 3600 * 1000;
const PRESENCE_KINDS: ReadonlySet<string> = new Set<BbbPresenceKind>(['user-joined', 'user-left', 'meeting-ended']);

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

const ALGORITHM_BY_LENGTH: Record<number, 'sha1' | 'sha256' | 'sha384' | 'sha512'> = { 40: 'sha1', 64: 'sha256', 96: 'sha384', 128: 'sha512' };

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

/** One mapped bbb-webhooks event (getRaw=false) → a presence event, or null for events we do not use. */
export function presenceFromWebhookEvent(raw: unknown): BbbPresenceEvent | null {
  const data = obj(obj(raw).data);
  const id = str(data.id);
  if (!id || !PRESENCE_KINDS.has(id)) return null;
  const attrs = obj(data.attributes);
  const meeting = obj(attrs.meeting);
  const user = obj(attrs.user);
  const meetingId = str(meeting['external-meeting-id']);
  const ts = Number(obj(data.event).ts);
  if (!meetingId || !Number.isFinite(ts) || ts <= 0) return null;
  const role = str(user.role);
  return {
    kind: id as BbbPresenceKind,
    meetingId,
    internalMeetingId: str(meeting['internal-meeting-id']),
    userId: str(user['external-user-id']),
    internalUserId: str(user['internal-user-id']),
    name: str(user.name),
    role: role === 'MODERATOR' || role === 'VIEWER' ? role : null,
    at: new Date(ts).toISOString(),
  };
}

export function bbbCallbackRoutes(opts: BbbCallbackOptions) {
  const app = new Hono();
  const log = opts.logger.child({ videoTool: 'bbb', area: 'callbacks' });
  const guard = opts.replayGuard ?? memoryReplayGuard(opts.clock);
  const background =
    opts.runInBackground ??
    ((work: () => Promise<void>) => {
      void work().catch((err: unknown) => log.error('bbb callback work failed', { err: err as Error }));
    });
  const jwtKey = new TextEncoder().encode(opts.config.secret);

  app.get(`${BBB_END_CALLBACK_PATH}:token`, (c) => {
    const token = c.req.param('token');
    const check = verifyEndToken(opts.config.secret, token, opts.clock);
    if (!check.ok) {
      log.warn('bbb end callback refused', { reason: check.reason });
      return c.text('Jeton invalide', 401);
    }
    const marks = c.req.query('recordingmarks');
    const recordingMarks = marks === 'true' ? true : marks === 'false' ? false : undefined;
    background(async () => {
      // The token is readable by the meeting's participants: believe the end only when BBB confirms it.
      const r = await callBbb(opts.config, 'isMeetingRunning', [['meetingID', check.meetingId]], { fetch: opts.fetch });
      if (text(r.running) === 'true') {
        log.warn('bbb end callback for a meeting still running: ignored', { meetingId: check.meetingId });
        return;
      }
      const processed = await once(guard, `end:${token}`, new Date(check.issuedAt.getTime() + END_TOKEN_MAX_AGE_MS), async () => {
        const at = opts.clock.now().toISOString();
        if (opts.onPresence) {
          await opts.onPresence({ kind: 'meeting-ended', meetingId: check.meetingId, internalMeetingId: null, userId: null, internalUserId: null, name: null, role: null, at });
        }
        await opts.onEvent({ event: 'meeting-ended', meetingId: check.meetingId, ...(recordingMarks === undefined ? {} : { recordingMarks }) });
      });
      if (!processed) log.info('bbb end callback already processed', { meetingId: check.meetingId });
    });
    return c.text('ok', 202);
  });

  app.post(BBB_RECORDING_READY_PATH, async (c) => {
    const form = new URLSearchParams(await c.req.text());
    const signed = form.get('signed_parameters');
    if (!signed) return c.text('signed_parameters manquant', 400);
    let payload: Json;
    try {
      ({ payload } = await jwtVerify(signed, jwtKey, { algorithms: ['HS256'] }));
    } catch (e) {
      const reason = e instanceof joseErrors.JOSEError ? e.code : 'invalid';
      log.warn('bbb recording-ready refused', { reason });
      // 401 is what BBB's documentation gives for "the shared secret does not match".
      return c.text('Signature invalide', 401);
    }
    const meetingId = str(payload.meeting_id);
    const recordId = str(payload.record_id);
    if (!meetingId || !recordId) return c.text('meeting_id et record_id attendus', 400);
    background(async () => {
      const until = new Date(opts.clock.now().getTime() + RECORDING_REPLAY_MS);
      const processed = await once(guard, `recording:${recordId}`, until, () => opts.onEvent({ event: 'recording-ready', meetingId, recordId }));
      if (!processed) log.info('bbb recording-ready already processed', { meetingId, recordId });
    });
    return c.text('ok', 202);
  });

  const onPresence = opts.onPresence;
  if (onPresence && opts.callbackBaseUrl) {
    const callbackUrl = `${opts.callbackBaseUrl.replace(/\/+$/, '')}${BBB_EVENTS_PATH}`;
    const accepted = new Set(['sha1', opts.config.checksum]);
    app.post(BBB_EVENTS_PATH, async (c) => {
      const body = await c.req.text();
      const checksum = c.req.query('checksum') ?? '';
      const algorithm = ALGORITHM_BY_LENGTH[checksum.length];
      const expected = algorithm && accepted.has(algorithm) ? createHash(algorithm).update(callbackUrl + body + opts.config.secret, 'utf8').digest('hex') : null;
      if (!expected || !sameHex(checksum.toLowerCase(), expected)) {
        log.warn('bbb webhook refused: checksum');
        return c.text('Checksum invalide', 401);
      }
      let events: unknown[];
      try {
        const parsed: unknown = JSON.parse(new URLSearchParams(body).get('event') ?? '');
        events = Array.isArray(parsed) ? parsed : [parsed];
      } catch {
        return c.text('event illisible', 400);
      }
      const presence = events.map(presenceFromWebhookEvent).filter((e): e is BbbPresenceEvent => e !== null);
      if (presence.length > 0) {
        background(async () => {
          const until = new Date(opts.clock.now().getTime() + WEBHOOK_REPLAY_MS);
          for (const e of presence) {
            // bbb-webhooks retries with the same event until it gets a 2xx: take each event once.
            await once(guard, `presence:${e.kind}|${e.internalMeetingId}|${e.internalUserId ?? e.userId}|${e.at}`, until, () => onPresence(e));
          }
        });
      }
      return c.text('ok', 200);
    });
  }

  return app;
}
