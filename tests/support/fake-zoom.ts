import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ZoomConfig } from '../../src/config.ts';
import type { Clock } from '../../src/platform/time.ts';

/**
 * A small local stand-in for Zoom, over real HTTP on 127.0.0.1, for the endpoints the Zoom adapter uses — with
 * Zoom's paths, parameters, field names, pagination (`page_size` ≤ 300, `next_page_token` valid 15 minutes) and
 * error bodies (`{code, message}`; OAuth errors as `{reason, error}`). Sources: Zoom's API reference as carried by
 * its OpenAPI-generated clients, the server-to-server OAuth page, Indico's vc_zoom plugin, and Zoom's devforum.
 * Where Zoom's behaviour is not documented the choice is marked UNVERIFIED below, and the adapter must not depend
 * on the detail.
 *
 * Time comes from the injected clock (tokens and page tokens expire on it). Tests seed what only a real webinar
 * would produce (participants, recordings) and can expire or revoke tokens, or make the next calls fail (429…).
 */

export type RegistrantStatus = 'approved' | 'pending' | 'denied';

export interface FakeRegistrant {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  status: RegistrantStatus;
  create_time: string;
  join_url: string;
}

export interface FakeWebinar {
  id: number;
  uuid: string;
  host_id: string;
  host_email: string;
  topic: string;
  type: number;
  start_time: string;
  duration: number;
  timezone: string;
  agenda: string;
  created_at: string;
  join_url: string;
  start_url: string;
  registration_url: string;
  settings: Record<string, unknown>;
  registrants: FakeRegistrant[];
}

export interface ParticipantRow {
  id: string;
  name: string;
  user_id: string;
  registrant_id: string;
  user_email: string;
  join_time: string;
  leave_time: string;
  duration: number;
  failover: boolean;
  status: 'in_meeting' | 'in_waiting_room';
  internal_user: boolean;
}

export interface SeededRecording {
  share_url: string;
  recording_play_passcode?: string;
  /** Defaults to one completed MP4. */
  files?: { id?: string; file_type?: string; status?: string }[];
}

export interface FakeZoomOptions {
  clock: Clock;
  accountId?: string;
  clientId?: string;
  clientSecret?: string;
  hostEmail?: string;
  tokenTtlSeconds?: number;
  /**
   * What Zoom does when an e-mail already registered (approved or pending) is added again. UNVERIFIED: reported
   * both ways; the adapter must cope with either. A cancelled (denied) registrant is always refused (devforum
   * thread 39340: "subsequent attempts to re-register this user using the same e-mail address will fail").
   */
  duplicateRegistrant?: 'return-existing' | 'error';
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
}

interface Failure {
  method?: string;
  path: RegExp;
  status: number;
  body: unknown;
  headers: Record<string, string>;
  times: number;
}

interface PageCursor {
  list: string;
  offset: number;
  expiresAt: number;
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const INVALID_TOKEN = { code: 124, message: 'Invalid access token.' };
/** UNVERIFIED code and wording: Zoom refuses the e-mail but its error is not documented. */
export const FAKE_DUPLICATE_REGISTRANT_ERROR = { code: 3000, message: 'This e-mail is already registered for this webinar.' };
const PAGE_TOKEN_TTL_MS = 15 * 60 * 1000;

export class FakeZoom {
  readonly accountId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly hostEmail: string;
  readonly hostId = `h${token(10)}`;
  readonly requests: LoggedRequest[] = [];
  readonly webinars = new Map<number, FakeWebinar>();
  duplicateRegistrant: 'return-existing' | 'error';
  #clock: Clock;
  #ttl: number;
  #server: Server | null = null;
  #port = 0;
  #tokens = new Map<string, { expiresAt: number; revoked: boolean }>();
  #appActive = true;
  #failures: Failure[] = [];
  #cursors = new Map<string, PageCursor>();
  #participants = new Map<string, ParticipantRow[]>();
  #recordings = new Map<string, SeededRecording>();
  #nextWebinarId = 81_234_567_890;

  private constructor(o: FakeZoomOptions) {
    this.#clock = o.clock;
    this.accountId = o.accountId ?? 'Wk9PTV9BQ0NPVU5UX0lE';
    this.clientId = o.clientId ?? 'fakeClientId';
    this.clientSecret = o.clientSecret ?? `fake-secret-${token(12)}`;
    this.hostEmail = o.hostEmail ?? 'rencontres@lozere.fr';
    this.#ttl = o.tokenTtlSeconds ?? 3599;
    this.duplicateRegistrant = o.duplicateRegistrant ?? 'return-existing';
  }

  static async start(o: FakeZoomOptions): Promise<FakeZoom> {
    const z = new FakeZoom(o);
    const server = createServer((req, res) => void z.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    z.#server = server;
    z.#port = (server.address() as AddressInfo).port;
    return z;
  }

  async stop(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** A configuration for the adapter pointing at this fake (oauthUrl and apiUrl). */
  config(over: Partial<ZoomConfig> = {}): ZoomConfig {
    return {
      accountId: this.accountId,
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      webhookSecretToken: null,
      userId: 'me',
      oauthUrl: this.url,
      apiUrl: `${this.url}/v2`,
      ...over,
    };
  }

  /** Every access token issued so far stops working, as if expired or revoked on Zoom's side; new ones work. */
  expireTokens(): void {
    for (const t of this.#tokens.values()) t.revoked = true;
  }

  /** The app is deactivated: every token stops working and no new one is issued. */
  deactivateApp(): void {
    this.expireTokens();
    this.#appActive = false;
  }

  /** The next `times` requests matching `path` (and `method`) get this answer instead. */
  failNext(f: { method?: string; path: RegExp; status: number; body: unknown; headers?: Record<string, string>; times?: number }): void {
    this.#failures.push({ method: f.method, path: f.path, status: f.status, body: f.body, headers: f.headers ?? {}, times: f.times ?? 1 });
  }

  /** The rows `GET /past_webinars/{key}/participants` serves; key = numeric id or instance UUID. */
  seedParticipants(key: string | number, rows: Partial<ParticipantRow>[]): void {
    this.#participants.set(
      String(key),
      rows.map((r) => ({
        id: r.id ?? token(8),
        name: r.name ?? '',
        user_id: r.user_id ?? String(16_778_240 + Math.floor(Math.random() * 1e6)),
        registrant_id: r.registrant_id ?? '',
        user_email: r.user_email ?? '',
        join_time: r.join_time ?? '',
        leave_time: r.leave_time ?? '',
        duration: r.duration ?? 0,
        failover: r.failover ?? false,
        status: r.status ?? 'in_meeting',
        internal_user: r.internal_user ?? false,
      })),
    );
  }

  /** The cloud recording `GET /meetings/{key}/recordings` serves; key = numeric id or instance UUID. */
  seedRecording(key: string | number, rec: SeededRecording): void {
    this.#recordings.set(String(key), rec);
  }

  /** A registrant as if they had registered through Zoom's own page (or been pushed earlier). */
  seedRegistrant(webinarId: string | number, r: { email: string; first_name?: string; last_name?: string; status?: RegistrantStatus }): FakeRegistrant {
    const w = this.webinars.get(Number(webinarId));
    if (!w) throw new Error(`no webinar ${webinarId}`);
    const reg: FakeRegistrant = {
      id: token(22),
      email: r.email,
      first_name: r.first_name ?? 'Seeded',
      last_name: r.last_name ?? '',
      status: r.status ?? 'approved',
      create_time: this.#clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      join_url: `${this.url}/w/${w.id}?tk=${token(32)}`,
    };
    w.registrants.push(reg);
    return reg;
  }

  /** Every access token handed out, to check that none of them reaches a log. */
  issuedTokens(): string[] {
    return [...this.#tokens.keys()];
  }

  tokenRequests(): number {
    return this.requests.filter((r) => r.path === '/oauth/token').length;
  }

  apiRequests(method?: string, path?: RegExp): LoggedRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/v2/') && (!method || r.method === method) && (!path || path.test(r.path)));
  }

  registrantByJoinUrl(joinUrl: string): FakeRegistrant | undefined {
    for (const w of this.webinars.values()) {
      const r = w.registrants.find((x) => x.join_url === joinUrl);
      if (r) return r;
    }
    return undefined;
  }

  // --- HTTP ---------------------------------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', 'http://fake');
    // The raw path, segments still encoded: Zoom's routing depends on it (double-encoded UUIDs).
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const query = Object.fromEntries(u.searchParams);
    const text = await readBody(req);
    let reply: Reply;
    try {
      reply = this.#failure(req.method ?? 'GET', rawPath) ?? (await this.#route(req, rawPath, u.searchParams, text));
    } catch (e) {
      reply = { status: 500, body: { code: 500, message: (e as Error).message } };
    }
    this.requests.push({ method: req.method ?? 'GET', path: rawPath, query, status: reply.status });
    const headers: Record<string, string> = { ...(reply.headers ?? {}) };
    if (reply.body !== undefined) headers['Content-Type'] = 'application/json;charset=UTF-8';
    res.writeHead(reply.status, headers);
    res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
  }

  #failure(method: string, path: string): Reply | null {
    const f = this.#failures.find((x) => (!x.method || x.method === method) && x.path.test(path));
    if (!f) return null;
    if (--f.times <= 0) this.#failures.splice(this.#failures.indexOf(f), 1);
    return { status: f.status, body: f.body, headers: f.headers };
  }

  async #route(req: IncomingMessage, path: string, q: URLSearchParams, text: string): Promise<Reply> {
    const method = req.method ?? 'GET';
    if (path === '/oauth/token') return method === 'POST' ? this.#token(req, q, text) : { status: 405 };
    if (!path.startsWith('/v2/')) return { status: 404, body: { code: 404, message: 'Not found.' } };
    if (!this.#authorised(req)) return { status: 401, body: INVALID_TOKEN };
    const body = text ? safeJson(text) : undefined;
    if (text && body === undefined) return { status: 400, body: { code: 300, message: 'Request Body should be a valid JSON object.' } };
    const b = (body ?? {}) as Record<string, unknown>;
    let m: RegExpMatchArray | null;
    if ((m = path.match(/^\/v2\/users\/([^/]+)\/webinars$/)) && method === 'POST') return this.#createWebinar(decodeURIComponent(m[1]!), b);
    if ((m = path.match(/^\/v2\/webinars\/(\d+)$/))) {
      const w = this.webinars.get(Number(m[1]));
      if (!w) return webinarNotFound(m[1]!);
      if (method === 'PATCH') return this.#updateWebinar(w, b);
      if (method === 'DELETE') {
        this.webinars.delete(w.id);
        return { status: 204 };
      }
      if (method === 'GET') return { status: 200, body: publicWebinar(w) };
    }
    if ((m = path.match(/^\/v2\/webinars\/(\d+)\/registrants(\/status)?$/))) {
      const w = this.webinars.get(Number(m[1]));
      if (!w) return webinarNotFound(m[1]!);
      if (m[2] && method === 'PUT') return this.#registrantStatus(w, b);
      if (!m[2] && method === 'POST') return this.#addRegistrant(w, b);
      if (!m[2] && method === 'GET') return this.#listRegistrants(w, q);
    }
    if ((m = path.match(/^\/v2\/past_webinars\/([^/]+)\/participants$/)) && method === 'GET') {
      const key = instanceKey(m[1]!);
      const rows = key === null ? undefined : this.#participants.get(key);
      if (!rows) return webinarNotFound(key ?? m[1]!);
      const wantsRegistrantId = (q.get('include_fields') ?? '').split(',').includes('registrant_id');
      // UNVERIFIED strict reading: one description of this endpoint says registrant_id needs include_fields.
      const shown = rows.map((r) => (wantsRegistrantId ? r : withoutRegistrantId(r)));
      return this.#page(`participants:${key}`, shown, q, 'participants');
    }
    if ((m = path.match(/^\/v2\/meetings\/([^/]+)\/recordings$/)) && method === 'GET') {
      const key = instanceKey(m[1]!);
      const rec = key === null ? undefined : this.#recordings.get(key);
      if (!rec || key === null) return { status: 404, body: { code: 3301, message: 'This recording does not exist.' } };
      return { status: 200, body: this.#recordingBody(key, rec) };
    }
    return { status: 404, body: { code: 404, message: 'Not found.' } };
  }

  #token(req: IncomingMessage, q: URLSearchParams, text: string): Reply {
    // Zoom takes the parameters in the query string or in a form body.
    const form = new URLSearchParams(text);
    const grant = q.get('grant_type') ?? form.get('grant_type');
    const account = q.get('account_id') ?? form.get('account_id');
    const expected = `Basic ${Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64')}`;
    // UNVERIFIED wording of the reasons; the {reason, error} shape is Zoom's OAuth error shape.
    if (req.headers.authorization !== expected || !this.#appActive) return { status: 401, body: { reason: 'Invalid client_id or client_secret', error: 'invalid_client' } };
    if (grant !== 'account_credentials') return { status: 400, body: { reason: 'Unsupported grant type', error: 'unsupported_grant_type' } };
    if (account !== this.accountId) return { status: 400, body: { reason: 'Invalid request : Account ID is invalid.', error: 'invalid_request' } };
    const access = `eyJ${token(40)}`;
    this.#tokens.set(access, { expiresAt: this.#clock.now().getTime() + this.#ttl * 1000, revoked: false });
    return {
      status: 200,
      body: {
        access_token: access,
        token_type: 'bearer',
        expires_in: this.#ttl,
        scope: 'webinar:read:webinar:admin webinar:write:webinar:admin webinar:update:webinar:admin webinar:delete:webinar:admin webinar:read:list_registrants:admin webinar:write:registrant:admin webinar:update:registrant_status:admin',
        api_url: this.url,
      },
    };
  }

  #authorised(req: IncomingMessage): boolean {
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const t = m ? this.#tokens.get(m[1]!) : undefined;
    return !!t && !t.revoked && this.#clock.now().getTime() < t.expiresAt;
  }

  #createWebinar(userId: string, b: Record<string, unknown>): Reply {
    if (userId !== 'me' && userId !== this.hostEmail && userId !== this.hostId) return { status: 404, body: { code: 1001, message: `User does not exist: ${userId}.` } };
    const type = b.type ?? 5;
    const errors: { field: string; message: string }[] = [];
    if (type !== 5) errors.push({ field: 'type', message: 'Only scheduled webinars (5) in this fake.' });
    if (typeof b.topic !== 'string' || b.topic.length > 200) errors.push({ field: 'topic', message: 'Invalid field.' });
    if (typeof b.start_time !== 'string' || Number.isNaN(Date.parse(b.start_time))) errors.push({ field: 'start_time', message: 'Invalid field.' });
    if (typeof b.duration !== 'number' || b.duration < 1) errors.push({ field: 'duration', message: 'Invalid field.' });
    if (errors.length) return { status: 400, body: { code: 300, message: 'Validation Failed.', errors } };
    const id = this.#nextWebinarId++;
    const w: FakeWebinar = {
      id,
      uuid: `${token(16)}==`,
      host_id: this.hostId,
      host_email: this.hostEmail,
      topic: b.topic as string,
      type: 5,
      start_time: new Date(b.start_time as string).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      duration: b.duration as number,
      timezone: typeof b.timezone === 'string' ? b.timezone : 'UTC',
      agenda: typeof b.agenda === 'string' ? b.agenda : '',
      created_at: this.#clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      join_url: `${this.url}/j/${id}`,
      start_url: `${this.url}/s/${id}?zak=${token(24)}`,
      registration_url: `${this.url}/webinar/register/WN_${token(12)}`,
      // Zoom's defaults for what we do not send (approval_type 2: no registration).
      settings: { approval_type: 2, auto_recording: 'none', ...((b.settings as Record<string, unknown> | undefined) ?? {}) },
      registrants: [],
    };
    this.webinars.set(id, w);
    return { status: 201, body: publicWebinar(w) };
  }

  #updateWebinar(w: FakeWebinar, b: Record<string, unknown>): Reply {
    if (typeof b.topic === 'string') w.topic = b.topic;
    if (typeof b.start_time === 'string') w.start_time = new Date(b.start_time).toISOString().replace(/\.\d{3}Z$/, 'Z');
    if (typeof b.duration === 'number') w.duration = b.duration;
    if (typeof b.timezone === 'string') w.timezone = b.timezone;
    if (typeof b.agenda === 'string') w.agenda = b.agenda;
    if (b.settings && typeof b.settings === 'object') w.settings = { ...w.settings, ...(b.settings as Record<string, unknown>) };
    return { status: 204 };
  }

  #addRegistrant(w: FakeWebinar, b: Record<string, unknown>): Reply {
    const errors: { field: string; message: string }[] = [];
    if (typeof b.email !== 'string' || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(b.email)) errors.push({ field: 'email', message: 'Invalid field.' });
    if (typeof b.first_name !== 'string' || !b.first_name) errors.push({ field: 'first_name', message: 'Invalid field.' });
    if (errors.length) return { status: 400, body: { code: 300, message: 'Validation Failed.', errors } };
    const email = b.email as string;
    const existing = w.registrants.find((r) => r.email.toLowerCase() === email.toLowerCase());
    if (existing) {
      if (existing.status === 'denied' || this.duplicateRegistrant === 'error') return { status: 400, body: FAKE_DUPLICATE_REGISTRANT_ERROR };
      return { status: 201, body: registrantCreated(w, existing) };
    }
    const r: FakeRegistrant = {
      id: token(22),
      email,
      first_name: b.first_name as string,
      last_name: typeof b.last_name === 'string' ? b.last_name : '',
      // The documented body has no auto_approve: under manual approval (1) a new registrant waits.
      status: w.settings.approval_type === 0 ? 'approved' : 'pending',
      create_time: this.#clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      join_url: `${this.url}/w/${w.id}?tk=${token(32)}.DQMAAAA${token(8)}`,
    };
    w.registrants.push(r);
    return { status: 201, body: registrantCreated(w, r) };
  }

  #listRegistrants(w: FakeWebinar, q: URLSearchParams): Reply {
    const status = q.get('status') ?? 'approved';
    if (!['approved', 'pending', 'denied'].includes(status)) return { status: 400, body: { code: 300, message: 'Invalid field.' } };
    const list = w.registrants.filter((r) => r.status === status).map((r) => ({ ...r, custom_questions: [] }));
    return this.#page(`registrants:${w.id}:${status}`, list, q, 'registrants');
  }

  #registrantStatus(w: FakeWebinar, b: Record<string, unknown>): Reply {
    const action = b.action;
    if (action !== 'approve' && action !== 'deny' && action !== 'cancel') return { status: 400, body: { code: 300, message: 'Validation Failed.', errors: [{ field: 'action', message: 'Invalid field.' }] } };
    const wanted = Array.isArray(b.registrants) ? (b.registrants as { id?: unknown; email?: unknown }[]) : [];
    const limit = typeof w.settings.registrants_restrict_number === 'number' ? w.settings.registrants_restrict_number : 0;
    for (const x of wanted) {
      // UNVERIFIED: an unknown registrant is ignored here.
      const r = w.registrants.find((y) => (typeof x.id === 'string' && y.id === x.id) || (!x.id && typeof x.email === 'string' && y.email.toLowerCase() === x.email.toLowerCase()));
      if (!r) continue;
      if (action === 'approve') {
        if (r.status === 'approved') continue;
        const approved = w.registrants.filter((y) => y.status === 'approved').length;
        if (limit > 0 && approved >= limit) return { status: 400, body: { code: 3035, message: 'Webinar has reached maximum attendee capacity.' } };
        r.status = 'approved';
      } else {
        // Cancelling and denying both leave the registrant "denied" (devforum thread 39340).
        r.status = 'denied';
      }
    }
    return { status: 204 };
  }

  #page(list: string, items: unknown[], q: URLSearchParams, field: string): Reply {
    const size = Math.min(300, Math.max(1, Number(q.get('page_size') ?? 30) || 30));
    let offset = 0;
    const pageToken = q.get('next_page_token');
    if (pageToken) {
      const c = this.#cursors.get(pageToken);
      // UNVERIFIED code and wording for an unknown or expired page token.
      if (!c || c.list !== list || c.expiresAt <= this.#clock.now().getTime()) return { status: 400, body: { code: 300, message: 'The next page token is invalid or expired.' } };
      offset = c.offset;
    }
    const slice = items.slice(offset, offset + size);
    let next = '';
    if (offset + size < items.length) {
      next = token(32);
      this.#cursors.set(next, { list, offset: offset + size, expiresAt: this.#clock.now().getTime() + PAGE_TOKEN_TTL_MS });
    }
    return {
      status: 200,
      body: { page_count: Math.ceil(items.length / size), page_size: size, total_records: items.length, next_page_token: next, [field]: slice },
    };
  }

  #recordingBody(key: string, rec: SeededRecording) {
    const w = /^\d+$/.test(key) ? this.webinars.get(Number(key)) : [...this.webinars.values()].find((x) => x.uuid === key);
    const uuid = /^\d+$/.test(key) ? (w?.uuid ?? `${token(16)}==`) : key;
    const start = w?.start_time ?? this.#clock.now().toISOString();
    const files = (rec.files ?? [{}]).map((f) => ({
      id: f.id ?? token(36),
      meeting_id: uuid,
      recording_start: start,
      recording_end: start,
      file_type: f.file_type ?? 'MP4',
      file_extension: f.file_type ?? 'MP4',
      file_size: 123_456_789,
      play_url: `${this.url}/rec/play/${token(20)}`,
      download_url: `${this.url}/rec/download/${token(20)}`,
      status: f.status ?? 'completed',
      recording_type: 'shared_screen_with_speaker_view',
    }));
    return {
      uuid,
      id: w?.id ?? Number(key),
      account_id: this.accountId,
      host_id: this.hostId,
      topic: w?.topic ?? '',
      type: 5,
      start_time: start,
      timezone: w?.timezone ?? 'Europe/Paris',
      duration: w?.duration ?? 60,
      total_size: files.length * 123_456_789,
      recording_count: files.length,
      share_url: rec.share_url,
      ...(rec.recording_play_passcode ? { recording_play_passcode: rec.recording_play_passcode, password: 'abc123' } : {}),
      recording_files: files,
    };
  }
}

/**
 * A UUID path segment as Zoom reads it: decoded once on the way in, where a UUID that starts with "/" or contains
 * "//" breaks the path (hence Zoom's rule to encode those twice), then decoded again when still encoded.
 */
function instanceKey(rawSegment: string): string | null {
  let once: string;
  try {
    once = decodeURIComponent(rawSegment);
  } catch {
    return null;
  }
  if (once.startsWith('/') || once.includes('//')) return null;
  if (!once.includes('%')) return once;
  try {
    return decodeURIComponent(once);
  } catch {
    return null;
  }
}

function webinarNotFound(id: string): Reply {
  return { status: 404, body: { code: 3001, message: `Webinar ${id} not found or has expired.` } };
}

function publicWebinar(w: FakeWebinar) {
  const { registrants: _r, ...rest } = w;
  return rest;
}

function registrantCreated(w: FakeWebinar, r: FakeRegistrant) {
  return { id: w.id, registrant_id: r.id, join_url: r.join_url, topic: w.topic, start_time: w.start_time, occurrences: [] };
}

function withoutRegistrantId(r: ParticipantRow) {
  const { registrant_id: _x, ...rest } = r;
  return rest;
}

function token(n: number): string {
  return randomBytes(n).toString('base64url').slice(0, n);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
