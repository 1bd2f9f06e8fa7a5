import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import type { Logger } from '../../../platform/logger.ts';
import type { Clock } from '../../../platform/time.ts';

export type ZoomEventName = 'webinar.ended' | 'recording.completed';

export interface ZoomWebhookEvent {
  event: ZoomEventName;
  /** The webinar's numeric id as a string: `Room.externalId`. */
  webinarExternalId: string;
  /** The UUID of the instance concerned (see `withEndedInstance`). */
  uuid: string | null;
  /** The whole notification as Zoom sent it. `recording.completed` carries a download_token: do not log it. */
  payload: unknown;
}

export interface ZoomWebhookOptions {
  /** The Secret Token of the app's event subscription. */
  secretToken: string;
  clock: Clock;
  logger: Logger;
  /** Runs after Zoom has had its answer; must be idempotent (another process may receive Zoom's retry). */
  onEvent: (e: ZoomWebhookEvent) => Promise<void>;
  /** Where the work after the answer runs (kept track of by the server); on its own otherwise. */
  runInBackground?: (work: () => Promise<void>) => void;
}

/** How far a notification's timestamp may be from our clock, either way. */
export const ZOOM_TIMESTAMP_TOLERANCE_SECONDS = 300;
/** How long we remember notifications already received, to recognise Zoom's redeliveries. */
const REMEMBER_MS = 3 * 60 * 60 * 1000;
const REMEMBER_MAX = 10_000;
const HANDLED: ReadonlySet<string> = new Set<ZoomEventName>(['webinar.ended', 'recording.completed']);

/**
 * `POST /webhooks/zoom`: Zoom's signed notifications. Every request, the URL validation included, must carry a
 * valid `x-zm-signature` over the raw body and a fresh `x-zm-request-timestamp` (401 otherwise): answering an
 * unsigned validation would hand anyone an HMAC of a text of their choosing — a forged signature.
 *
 * A notification received a second time (same signature, or same body re-sent by Zoom with a new timestamp) is
 * answered 200 and not processed again: a 409 would make Zoom deliver it again and again. Handled events are
 * answered at once and processed in the background; failures there are logged.
 */
export function zoomWebhookRoutes(opts: ZoomWebhookOptions): Hono {
  if (!opts.secretToken) throw new Error('zoomWebhookRoutes needs the Secret Token of the Zoom event subscription');
  const log = opts.logger.child({ webhook: 'zoom' });
  const seen = new Map<string, number>();
  const app = new Hono();

  app.post('/webhooks/zoom', async (c) => {
    const raw = await c.req.text();
    const timestamp = c.req.header('x-zm-request-timestamp') ?? '';
    const signature = c.req.header('x-zm-signature') ?? '';
    if (!/^\d{1,12}$/.test(timestamp) || !signature) {
      log.warn('zoom webhook: unsigned request refused');
      return c.json({ error: 'signature missing' }, 401);
    }
    if (!sameText(signature, zoomSignature(opts.secretToken, timestamp, raw))) {
      log.warn('zoom webhook: bad signature refused');
      return c.json({ error: 'bad signature' }, 401);
    }
    const now = opts.clock.now().getTime();
    if (Math.abs(now - Number(timestamp) * 1000) > ZOOM_TIMESTAMP_TOLERANCE_SECONDS * 1000) {
      log.warn('zoom webhook: stale timestamp refused', { timestamp: Number(timestamp) });
      return c.json({ error: 'stale timestamp' }, 401);
    }

    let body: { event?: unknown; payload?: { plainToken?: unknown; object?: { id?: unknown; uuid?: unknown } } };
    try {
      body = JSON.parse(raw);
    } catch {
      return c.json({ error: 'body is not JSON' }, 400);
    }
    const event = typeof body?.event === 'string' ? body.event : '';

    if (event === 'endpoint.url_validation') {
      const plainToken = body.payload?.plainToken;
      if (typeof plainToken !== 'string' || !plainToken) return c.json({ error: 'plainToken missing' }, 400);
      return c.json({ plainToken, encryptedToken: createHmac('sha256', opts.secretToken).update(plainToken).digest('hex') });
    }

    forget(seen, now);
    const keys = [`sig:${signature}`, `body:${createHash('sha256').update(raw).digest('hex')}`];
    if (keys.some((k) => seen.has(k))) {
      log.info('zoom webhook: notification already received, ignored', { event });
      return c.json({ status: 'duplicate' });
    }
    for (const k of keys) remember(seen, k, now + REMEMBER_MS);

    if (!HANDLED.has(event)) return c.json({ status: 'ignored' });
    const object = body.payload?.object;
    const id = object?.id;
    if ((typeof id !== 'number' && typeof id !== 'string') || String(id) === '') {
      log.warn('zoom webhook: notification without a webinar id, ignored', { event });
      return c.json({ status: 'ignored' });
    }
    const e: ZoomWebhookEvent = {
      event: event as ZoomEventName,
      webinarExternalId: String(id),
      uuid: typeof object?.uuid === 'string' && object.uuid ? object.uuid : null,
      payload: body,
    };
    // Zoom wants its answer within 3 seconds: the work goes on after the response.
    const work = () => opts.onEvent(e).catch((err: unknown) => log.error('zoom webhook: processing failed', { event: e.event, webinarExternalId: e.webinarExternalId, err }));
    if (opts.runInBackground) opts.runInBackground(work);
    else void Promise.resolve().then(work);
    return c.json({ status: 'accepted' });
  });

  return app;
}

/** `v0=` + hex HMAC-SHA256(secret, `v0:{timestamp}:{raw body}`), as Zoom signs its notifications. */
export function zoomSignature(secretToken: string, timestamp: string, rawBody: string): string {
  return `v0=${createHmac('sha256', secretToken).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  if (x.length !== y.length) {
    timingSafeEqual(y, y);
    return false;
  }
  return timingSafeEqual(x, y);
}

function forget(seen: Map<string, number>, now: number) {
  // Entries are kept for the same time, so the oldest inserted expire first.
  for (const [k, until] of seen) {
    if (until > now) break;
    seen.delete(k);
  }
}

function remember(seen: Map<string, number>, key: string, until: number) {
  seen.set(key, until);
  // Oldest first in a Map: past the cap, the oldest are dropped (only signed notifications get here).
  while (seen.size > REMEMBER_MAX) {
    const oldest = seen.keys().next().value;
    if (oldest === undefined) break;
    seen.delete(oldest);
  }
}
