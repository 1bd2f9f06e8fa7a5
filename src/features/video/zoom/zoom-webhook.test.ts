import { createHmac } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../platform/logger.ts';
import { ManualClock } from '../../../platform/time.ts';
import { zoomWebhookRoutes, type ZoomWebhookEvent } from './zoom-webhook.ts';

const SECRET = 'zoom-webhook-secret-token';

/** Signs as Zoom documents it, independently of the code under test. */
function sign(timestamp: string, raw: string, secret = SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${raw}`).digest('hex')}`;
}

// Formatted the way Zoom sends it, not as JSON.stringify would write it: spaces, an accent.
const endedRaw =
  '{"event": "webinar.ended", "event_ts": 1800014400123, "payload": {"account_id": "AbCdEf", "object": {"uuid": "/aB3//xY+z9Q==", "id": 81234567890, "host_id": "h1", "topic": "Rencontre Lozère", "type": 5, "start_time": "2027-01-15T11:30:00Z", "end_time": "2027-01-15T12:34:00Z", "duration": 60, "timezone": "Europe/Paris"}}}';

describe('Zoom notifications (POST /webhooks/zoom)', () => {
  let clock: ManualClock;
  let events: ZoomWebhookEvent[];
  let errors: string[];
  let onEvent: (e: ZoomWebhookEvent) => Promise<void>;
  let app: ReturnType<typeof zoomWebhookRoutes>;

  const nowSeconds = () => String(Math.floor(clock.now().getTime() / 1000));
  const post = (raw: string, headers: Record<string, string>) =>
    app.request('/webhooks/zoom', { method: 'POST', body: raw, headers: { 'content-type': 'application/json', ...headers } });
  const signed = (raw: string, ts = nowSeconds()) => post(raw, { 'x-zm-request-timestamp': ts, 'x-zm-signature': sign(ts, raw) });

  beforeEach(() => {
    clock = new ManualClock('2027-01-15T12:40:00Z');
    events = [];
    errors = [];
    onEvent = async (e) => {
      events.push(e);
    };
    const logger = createLogger('debug', {}, (line) => {
      if (JSON.parse(line).level === 'error') errors.push(line);
    });
    app = zoomWebhookRoutes({ secretToken: SECRET, clock, logger, onEvent: (e) => onEvent(e) });
  });

  it('answers the URL validation with the plain token and its HMAC', async () => {
    const raw = JSON.stringify({ payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: 1654503849680, event: 'endpoint.url_validation' });
    const res = await signed(raw);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
      encryptedToken: createHmac('sha256', SECRET).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
    });
  });

  it('does not answer an unsigned URL validation: that answer would be a signature of the caller’s choosing', async () => {
    const ts = nowSeconds();
    const forged = `v0:${ts}:{"event":"webinar.ended"}`;
    const raw = JSON.stringify({ payload: { plainToken: forged }, event: 'endpoint.url_validation' });
    const res = await post(raw, { 'x-zm-request-timestamp': ts });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain(createHmac('sha256', SECRET).update(forged).digest('hex'));
  });

  it('accepts a well-signed webinar.ended and hands it over with the webinar id and the instance UUID', async () => {
    const res = await signed(endedRaw);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'accepted' });
    await Promise.resolve();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: 'webinar.ended', webinarExternalId: '81234567890', uuid: '/aB3//xY+z9Q==' });
    expect(events[0]!.payload).toEqual(JSON.parse(endedRaw));
  });

  it('passes recording.completed on too', async () => {
    const raw = JSON.stringify({
      event: 'recording.completed',
      event_ts: 1800015000000,
      payload: { account_id: 'AbCdEf', object: { uuid: 'Zx9==', id: 81234567890, share_url: 'https://zoom.us/rec/share/abc', recording_files: [] } },
      download_token: 'secret-download-token',
    });
    expect((await signed(raw)).status).toBe(200);
    await Promise.resolve();
    expect(events.map((e) => [e.event, e.webinarExternalId, e.uuid])).toEqual([['recording.completed', '81234567890', 'Zx9==']]);
  });

  it('answers before the work is done', async () => {
    let release!: () => void;
    let started!: () => void;
    const hasStarted = new Promise<void>((resolve) => (started = resolve));
    let finished = false;
    onEvent = () =>
      new Promise<void>((resolve) => {
        started();
        release = () => {
          finished = true;
          resolve();
        };
      });
    const res = await signed(endedRaw);
    expect(res.status).toBe(200);
    await hasStarted;
    // The answer came while the work was still waiting to be released.
    expect(finished).toBe(false);
    release();
    expect(finished).toBe(true);
  });

  it('logs a failure of the background work', async () => {
    let logged!: () => void;
    const wasLogged = new Promise<void>((resolve) => (logged = resolve));
    const logger = createLogger('debug', {}, (line) => {
      if (JSON.parse(line).level === 'error') {
        errors.push(line);
        logged();
      }
    });
    app = zoomWebhookRoutes({ secretToken: SECRET, clock, logger, onEvent: async () => Promise.reject(new Error('database unavailable')) });
    expect((await signed(endedRaw)).status).toBe(200);
    await wasLogged;
    expect(errors[0]).toContain('database unavailable');
    expect(errors[0]).toContain('81234567890');
  });

  it('refuses a bad signature with 401 and does nothing', async () => {
    const ts = nowSeconds();
    const res = await post(endedRaw, { 'x-zm-request-timestamp': ts, 'x-zm-signature': sign(ts, endedRaw, 'another-secret') });
    expect(res.status).toBe(401);
    const missing = await post(endedRaw, {});
    expect(missing.status).toBe(401);
    await Promise.resolve();
    expect(events).toHaveLength(0);
  });

  it('refuses a timestamp older than five minutes, or as far in the future, even well signed', async () => {
    const old = String(Math.floor(clock.now().getTime() / 1000) - 301);
    expect((await signed(endedRaw, old)).status).toBe(401);
    const future = String(Math.floor(clock.now().getTime() / 1000) + 301);
    expect((await signed(endedRaw, future)).status).toBe(401);
    const recent = String(Math.floor(clock.now().getTime() / 1000) - 299);
    expect((await signed(endedRaw, recent)).status).toBe(200);
    await Promise.resolve();
    expect(events).toHaveLength(1);
  });

  it('processes a replayed notification once: the same request again, or Zoom’s re-delivery with a new timestamp', async () => {
    const ts = nowSeconds();
    const headers = { 'x-zm-request-timestamp': ts, 'x-zm-signature': sign(ts, endedRaw) };
    expect(await (await post(endedRaw, headers)).json()).toEqual({ status: 'accepted' });
    const replay = await post(endedRaw, headers);
    expect(replay.status).toBe(200);
    expect(await replay.json()).toEqual({ status: 'duplicate' });
    clock.advance(60_000);
    expect(await (await signed(endedRaw)).json()).toEqual({ status: 'duplicate' });
    await Promise.resolve();
    expect(events).toHaveLength(1);
  });

  it('verifies the raw body: the same JSON written again differently fails the signature', async () => {
    const ts = nowSeconds();
    const signature = sign(ts, endedRaw);
    const reserialised = JSON.stringify(JSON.parse(endedRaw));
    expect(reserialised).not.toBe(endedRaw);
    expect((await post(reserialised, { 'x-zm-request-timestamp': ts, 'x-zm-signature': signature })).status).toBe(401);
    expect((await post(endedRaw, { 'x-zm-request-timestamp': ts, 'x-zm-signature': signature })).status).toBe(200);
  });

  it('acknowledges events it does not handle and leaves them alone', async () => {
    const raw = JSON.stringify({ event: 'webinar.participant_joined', event_ts: 1800014400999, payload: { object: { id: 81234567890 } } });
    const res = await signed(raw);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ignored' });
    await Promise.resolve();
    expect(events).toHaveLength(0);
  });

  it('a signed body that is not JSON is a bad request', async () => {
    expect((await signed('not json')).status).toBe(400);
  });
});
