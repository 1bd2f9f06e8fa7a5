import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SignJWT } from 'jose';
import type { Clock } from '../../src/platform/time.ts';

/**
 * A small BigBlueButton for tests: a real HTTP server on 127.0.0.1 that answers the API calls the
 * adapter makes as BBB's documentation (docs/docs/development/api.md, webhooks.md) and bbb-web's
 * templates describe them: paths under /bigbluebutton/api/, the checksum over the raw query string
 * (checksum parameter removed, algorithm told by its length), XML answers with returncode, messageKey
 * and message, idempotent create, join with createTime and a redirect to the client, end, getMeetingInfo,
 * isMeetingRunning, getRecordings with offset/limit (2.6+) and the 2.7 <totalElements>, and the
 * bbb-webhooks hooks/create. It calls back as BBB does: the end callback (GET, recordingmarks appended),
 * the recording-ready callback (POST signed_parameters, a JWT HS256 with the secret) and webhook events
 * (POST event=[…], checksum in the URL).
 *
 * Not emulated: POST API calls, passwords (attendeePW/moderatorPW), breakouts, guests, presentations,
 * the HTML5 client beyond one page, and the exact page BBB shows on a join error (here: its XML).
 */

export type FakeChecksumAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface FakeBbbOptions {
  secret: string;
  clock: Clock;
  /** bbb-web's supportedChecksumAlgorithms (all four by default). */
  supportedChecksumAlgorithms?: FakeChecksumAlgorithm[];
  /** Servers before the passwordless duplicate rule: a second create of a running meeting is idNotUnique. */
  legacyDuplicateCreate?: boolean;
  /** 'unsupported': a server before 2.6 that ignores offset and limit. */
  pagination?: 'totalElements' | 'unsupported';
  /** The algorithm bbb-webhooks signs its callbacks with (sha1 in its documentation). */
  webhookChecksumAlgorithm?: FakeChecksumAlgorithm;
  /** false: a server without the bbb-webhooks package, where hooks/* is not found. */
  webhooksInstalled?: boolean;
}

export interface FakeAttendee {
  userID: string;
  internalUserId: string;
  fullName: string;
  role: 'MODERATOR' | 'VIEWER';
}

export interface FakeMeeting {
  meetingID: string;
  internalMeetingID: string;
  name: string;
  createTime: number;
  startTime: number;
  endTime: number;
  createParams: URLSearchParams;
  /** meta_* parameters, keys lower-cased as bbb-web stores them. */
  metadata: Map<string, string>;
  record: boolean;
  duration: number;
  maxParticipants: number;
  hasUserJoined: boolean;
  forciblyEnded: boolean;
  recordingMarks: boolean;
  attendees: Map<string, FakeAttendee>;
  pending: Map<string, FakeAttendee>;
}

export interface FakeRecording {
  recordID: string;
  meetingID: string;
  internalMeetingID: string;
  name: string;
  published: boolean;
  state: 'processing' | 'processed' | 'published' | 'unpublished' | 'deleted';
  startTime: number;
  endTime: number;
  participants: number;
  metadata: Map<string, string>;
  formats: { type: string; url: string; length: number }[];
}

export interface ApiCallSeen {
  call: string;
  params: URLSearchParams;
  rawQuery: string;
  returncode: 'SUCCESS' | 'FAILED' | 'REDIRECT';
  messageKey: string | null;
}

export interface CallbackSent {
  kind: 'end' | 'recording-ready' | 'webhook';
  url: string;
  body: string | null;
  status: number | null;
  error: string | null;
}

interface Hook {
  hookID: number;
  callbackURL: string;
  meetingID: string | null;
  eventIDs: string[] | null;
  getRaw: boolean;
}

const ALGORITHM_BY_LENGTH: Record<number, FakeChecksumAlgorithm> = { 40: 'sha1', 64: 'sha256', 96: 'sha384', 128: 'sha512' };

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}
const el = (tag: string, v: string | number | boolean) => `<${tag}>${esc(String(v))}</${tag}>`;
const ok = (inner: string) => `<response>${el('returncode', 'SUCCESS')}${inner}</response>`;

class Failed extends Error {
  constructor(
    readonly messageKey: string,
    message: string,
  ) {
    super(message);
  }
}

export class FakeBbb {
  readonly calls: ApiCallSeen[] = [];
  readonly callbacks: CallbackSent[] = [];
  readonly meetings = new Map<string, FakeMeeting>();
  readonly recordings: FakeRecording[] = [];
  readonly hooks: Hook[] = [];
  readonly #opts: Required<FakeBbbOptions>;
  #server: http.Server | null = null;
  #sockets = new Set<Socket>();
  #pending = new Set<Promise<void>>();
  #port = 0;
  #nextHookId = 1;

  private constructor(opts: FakeBbbOptions) {
    this.#opts = {
      supportedChecksumAlgorithms: ['sha1', 'sha256', 'sha384', 'sha512'],
      legacyDuplicateCreate: false,
      pagination: 'totalElements',
      webhookChecksumAlgorithm: 'sha1',
      webhooksInstalled: true,
      ...opts,
    };
  }

  static async start(opts: FakeBbbOptions): Promise<FakeBbb> {
    const fake = new FakeBbb(opts);
    const server = http.createServer((req, res) => {
      fake.#handle(req, res).catch((e: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end(String(e));
      });
    });
    server.on('connection', (s) => {
      fake.#sockets.add(s);
      s.on('close', () => fake.#sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.#server = server;
    fake.#port = (server.address() as AddressInfo).port;
    return fake;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The API base as `bbb-conf --secret` prints it: the adapter appends api/<call>. */
  get url(): string {
    return `${this.origin}/bigbluebutton/`;
  }

  async stop(): Promise<void> {
    await this.settled();
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** Waits until every callback the fake has started (end, recording-ready, webhooks) got its answer. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  callsOf(call: string): ApiCallSeen[] {
    return this.calls.filter((c) => c.call === call);
  }

  // ---- what happens in the meeting, driven by tests ----

  /** A moderator pressed "Start recording": the end callback will say recordingmarks=true. */
  pressRecord(meetingID: string): void {
    this.#live(meetingID).recordingMarks = true;
  }

  /**
   * Someone closes a tab: that connection leaves the meeting (user-left to the hooks). A person in on
   * two devices has two connections; the oldest leaves first.
   */
  leave(meetingID: string, userID: string): void {
    const m = this.#live(meetingID);
    const found = [...m.attendees].find(([, a]) => a.userID === userID);
    if (!found) throw new Error(`fake BBB: ${userID} is not in ${meetingID}`);
    const [id, a] = found;
    m.attendees.delete(id);
    this.#emit(m, 'user-left', { user: { 'internal-user-id': a.internalUserId, 'external-user-id': a.userID } });
  }

  /** The meeting ends as when a moderator ends it or its duration runs out: same as the end API call. */
  endMeeting(meetingID: string): void {
    this.#end(this.#live(meetingID));
  }

  /** bbb-web forgets an ended meeting after a while: getMeetingInfo answers notFound from then on. */
  forget(meetingID: string): void {
    this.meetings.delete(meetingID);
  }

  /** Adds a recording as the recording scripts would leave it, without calling anybody back. */
  addRecording(r: Partial<FakeRecording> & { meetingID: string }): FakeRecording {
    const start = r.startTime ?? this.#opts.clock.now().getTime();
    const internal = r.internalMeetingID ?? `${createHash('sha1').update(r.meetingID).digest('hex')}-${start}`;
    const recordID = r.recordID ?? internal;
    const rec: FakeRecording = {
      recordID,
      meetingID: r.meetingID,
      internalMeetingID: internal,
      name: r.name ?? r.meetingID,
      published: r.published ?? true,
      state: r.state ?? (r.published === false ? 'unpublished' : 'published'),
      startTime: start,
      endTime: r.endTime ?? start + 3_600_000,
      participants: r.participants ?? 0,
      metadata: r.metadata ?? new Map([['meetingid', r.meetingID]]),
      formats: r.formats ?? [
        { type: 'podcast', url: `${this.origin}/podcast/${recordID}/audio.ogg`, length: 60 },
        { type: 'presentation', url: `${this.origin}/playback/presentation/2.3/${recordID}`, length: 60 },
      ],
    };
    this.recordings.push(rec);
    return rec;
  }

  /**
   * The recording of the meeting's last session is processed and published: BBB then POSTs
   * signed_parameters to meta_bbb-recording-ready-url. Resolves with the callback's HTTP status.
   */
  async publishRecording(meetingID: string, opts: { participants?: number; jwt?: string } = {}): Promise<{ recording: FakeRecording; status: number | null }> {
    const m = this.meetings.get(meetingID);
    if (!m) throw new Error(`fake BBB: no meeting ${meetingID}`);
    const recording = this.addRecording({
      meetingID,
      internalMeetingID: m.internalMeetingID,
      name: m.name,
      startTime: m.startTime,
      endTime: m.endTime || this.#opts.clock.now().getTime(),
      participants: opts.participants ?? 0,
      metadata: new Map([...m.metadata, ['meetingid', meetingID], ['meetingname', m.name], ['isbreakout', 'false']]),
    });
    const url = m.metadata.get('bbb-recording-ready-url');
    if (!url) return { recording, status: null };
    const jwt =
      opts.jwt ??
      (await new SignJWT({ meeting_id: meetingID, record_id: recording.recordID })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(new TextEncoder().encode(this.#opts.secret)));
    const sent = await this.#send('recording-ready', url, 'POST', new URLSearchParams({ signed_parameters: jwt }).toString());
    return { recording, status: sent.status };
  }

  // ---- HTTP ----

  async #handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q === -1 ? raw : raw.slice(0, q);
    const rawQuery = q === -1 ? '' : raw.slice(q + 1);
    const xml = (status: number, body: string): void => void res.writeHead(status, { 'Content-Type': 'text/xml;charset=utf-8' }).end(body);

    if (path === '/html5client/join') return this.#clientJoin(new URLSearchParams(rawQuery).get('sessionToken'), res);
    if (path === '/bigbluebutton/api' || path === '/bigbluebutton/api/') {
      return xml(200, ok(`${el('version', '2.0')}${el('apiVersion', '2.0')}${el('bbbVersion', 'fake')}`));
    }
    if (!path.startsWith('/bigbluebutton/api/')) return void res.writeHead(404).end();
    if (req.method !== 'GET') return void res.writeHead(405, { Allow: 'GET' }).end();
    const call = path.slice('/bigbluebutton/api/'.length);
    if (call.startsWith('hooks/') && !this.#opts.webhooksInstalled) return void res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body>404 Not Found</body></html>');
    const params = new URLSearchParams(rawQuery);
    const seen: ApiCallSeen = { call, params, rawQuery, returncode: 'SUCCESS', messageKey: null };
    this.calls.push(seen);
    try {
      this.#checkChecksum(call, params, rawQuery);
      const out = this.#api(call, params);
      if (out.redirect) {
        seen.returncode = 'REDIRECT';
        return void res.writeHead(302, { Location: out.redirect }).end();
      }
      const key = /<messageKey>([^<]*)<\/messageKey>/.exec(out.body);
      seen.messageKey = key?.[1] ?? null;
      return xml(200, out.body);
    } catch (e) {
      if (!(e instanceof Failed)) throw e;
      seen.returncode = 'FAILED';
      seen.messageKey = e.messageKey;
      return xml(200, `<response>${el('returncode', 'FAILED')}${el('messageKey', e.messageKey)}${el('message', e.message)}</response>`);
    }
  }

  /** As bbb-web's ParamsProcessorUtil: the checksum param cut out of the raw query, the rest hashed. */
  #checkChecksum(call: string, params: URLSearchParams, rawQuery: string): void {
    const checksum = params.get('checksum');
    if (!checksum) throw new Failed('checksumError', 'Checksums do not match');
    const query = rawQuery.replace(`&checksum=${checksum}`, '').replace(`checksum=${checksum}&`, '').replace(`checksum=${checksum}`, '');
    const algorithm = ALGORITHM_BY_LENGTH[checksum.length];
    if (!algorithm || !this.#opts.supportedChecksumAlgorithms.includes(algorithm)) throw new Failed('checksumError', 'Checksums do not match');
    const expected = createHash(algorithm).update(call + query + this.#opts.secret, 'utf8').digest('hex');
    if (expected !== checksum) throw new Failed('checksumError', 'Checksums do not match');
  }

  #api(call: string, p: URLSearchParams): { body: string; redirect?: string } {
    switch (call) {
      case 'create':
        return { body: this.#create(p) };
      case 'join':
        return this.#join(p);
      case 'end':
        return { body: this.#endCall(p) };
      case 'isMeetingRunning': {
        const m = this.meetings.get(this.#required(p, 'meetingID', 'missingParamMeetingID', 'You must specify a meeting ID for the meeting.'));
        return { body: ok(el('running', Boolean(m && m.hasUserJoined && !m.forciblyEnded))) };
      }
      case 'getMeetingInfo':
        return { body: this.#meetingInfo(p) };
      case 'getRecordings':
        return { body: this.#getRecordings(p) };
      case 'hooks/create':
        return { body: this.#hooksCreate(p) };
      case 'hooks/list':
        return { body: ok(`<hooks>${this.hooks.map((h) => `<hook>${el('hookID', h.hookID)}${el('callbackURL', h.callbackURL)}${h.meetingID ? el('meetingID', h.meetingID) : ''}${el('permanentHook', false)}${el('rawData', h.getRaw)}</hook>`).join('')}</hooks>`) };
      default:
        throw new Failed('unsupportedRequest', 'This request is not supported.');
    }
  }

  #required(p: URLSearchParams, name: string, key: string, message: string): string {
    const v = p.get(name)?.trim();
    if (!v) throw new Failed(key, message);
    return v;
  }

  #create(p: URLSearchParams): string {
    const meetingID = this.#required(p, 'meetingID', 'missingParamMeetingID', 'You must specify a meeting ID for the meeting.');
    if (meetingID.length < 2 || meetingID.length > 256) throw new Failed('validationError', 'Meeting ID must be between 2 and 256 characters');
    if (meetingID.includes(',')) throw new Failed('validationError', "Meeting ID cannot contain ','");
    const name = p.get('name') ?? '';
    if (name.length < 2 || name.length > 256) throw new Failed('validationError', 'Meeting name must be between 2 and 256 characters');
    const existing = this.meetings.get(meetingID);
    if (existing && !existing.forciblyEnded) {
      if (this.#opts.legacyDuplicateCreate) throw new Failed('idNotUnique', 'A meeting already exists with that meeting ID.  Please use a different meeting ID.');
      // bbb-web keeps the first create's parameters: the later ones only get a warning.
      return this.#createResponse(existing, 'duplicateWarning', 'This conference was already in existence and may currently be in progress.');
    }
    const now = this.#opts.clock.now().getTime();
    const metadata = new Map<string, string>();
    for (const [k, v] of p) if (k.startsWith('meta_')) metadata.set(k.slice(5).toLowerCase(), v);
    const m: FakeMeeting = {
      meetingID,
      internalMeetingID: `${createHash('sha1').update(meetingID).digest('hex')}-${now}`,
      name,
      createTime: now,
      startTime: now,
      endTime: 0,
      createParams: new URLSearchParams(p),
      metadata,
      record: p.get('record') === 'true',
      duration: Number(p.get('duration') ?? 0) || 0,
      maxParticipants: Number(p.get('maxParticipants') ?? 0) || 0,
      hasUserJoined: false,
      forciblyEnded: false,
      recordingMarks: false,
      attendees: new Map(),
      pending: new Map(),
    };
    this.meetings.set(meetingID, m);
    return this.#createResponse(m, '', '');
  }

  #createResponse(m: FakeMeeting, key: string, message: string): string {
    return ok(
      [
        el('meetingID', m.meetingID),
        el('internalMeetingID', m.internalMeetingID),
        el('parentMeetingID', 'bbb-none'),
        el('createTime', m.createTime),
        el('voiceBridge', '70757'),
        el('dialNumber', '613-555-1234'),
        el('createDate', new Date(m.createTime).toUTCString()),
        el('hasUserJoined', m.hasUserJoined),
        el('duration', m.duration),
        el('hasBeenForciblyEnded', m.forciblyEnded),
        el('messageKey', key),
        el('message', message),
      ].join(''),
    );
  }

  #join(p: URLSearchParams): { body: string; redirect?: string } {
    const fullName = this.#required(p, 'fullName', 'missingParamFullName', 'You must specify a name for the attendee who will be joining the meeting.');
    const meetingID = this.#required(p, 'meetingID', 'missingParamMeetingID', 'You must specify a meeting ID for the meeting.');
    const m = this.meetings.get(meetingID);
    if (!m) throw new Failed('invalidMeetingIdentifier', 'The meeting ID that you supplied did not match any existing meetings');
    const createTime = p.get('createTime');
    if (createTime !== null && Number(createTime) !== m.createTime) {
      throw new Failed('mismatchCreateTimeParam', 'The createTime parameter submitted mismatches with the current meeting.');
    }
    if (m.forciblyEnded) throw new Failed('meetingForciblyEnded', 'You can not re-join a meeting that has already been forcibly ended.');
    const role = (p.get('role') ?? '').toUpperCase();
    if (role !== 'MODERATOR' && role !== 'VIEWER') throw new Failed('invalidPassword', 'You must specify either password parameter or role parameter');
    if (m.maxParticipants > 0 && m.attendees.size + m.pending.size >= m.maxParticipants) {
      throw new Failed('maxParticipantsReached', 'The number of participants allowed for this meeting has been reached.');
    }
    const internalUserId = `w_${randomBytes(6).toString('hex')}`;
    const sessionToken = randomBytes(8).toString('hex');
    m.pending.set(sessionToken, { userID: p.get('userID') || internalUserId, internalUserId, fullName, role });
    const clientUrl = `${this.origin}/html5client/join?sessionToken=${sessionToken}`;
    if (p.get('redirect') !== 'false') return { body: '', redirect: clientUrl };
    return {
      body: ok(
        [
          el('messageKey', 'successfullyJoined'),
          el('message', 'You have joined successfully.'),
          el('meeting_id', m.internalMeetingID),
          el('user_id', internalUserId),
          el('auth_token', randomBytes(6).toString('hex')),
          el('session_token', sessionToken),
          el('url', clientUrl),
        ].join(''),
      ),
    };
  }

  /** The HTML5 client loads: the person is now in the meeting (getMeetingInfo, user-joined). */
  #clientJoin(sessionToken: string | null, res: http.ServerResponse): void {
    for (const m of this.meetings.values()) {
      const a = sessionToken ? m.pending.get(sessionToken) : undefined;
      if (!a || m.forciblyEnded) continue;
      m.pending.delete(sessionToken!);
      m.attendees.set(a.internalUserId, a);
      m.hasUserJoined = true;
      this.#emit(m, 'user-joined', { user: { 'internal-user-id': a.internalUserId, 'external-user-id': a.userID, name: a.fullName, role: a.role, presenter: 'false' } });
      res.writeHead(200, { 'Content-Type': 'text/html;charset=utf-8' }).end(`<!doctype html><title>${esc(m.name)}</title><p>${esc(a.fullName)} (${a.role})</p>`);
      return;
    }
    res.writeHead(401, { 'Content-Type': 'text/html;charset=utf-8' }).end('<!doctype html><title>Session expirée</title>');
  }

  #endCall(p: URLSearchParams): string {
    const meetingID = this.#required(p, 'meetingID', 'missingParamMeetingID', 'You must specify a meeting ID for the meeting.');
    const m = this.meetings.get(meetingID);
    if (!m) throw new Failed('notFound', 'We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?');
    this.#end(m);
    return ok(
      el('messageKey', 'sentEndMeetingRequest') +
        el('message', 'A request to end the meeting was sent.  Please wait a few seconds, and then use the getMeetingInfo or isMeetingRunning API calls to verify that it was ended'),
    );
  }

  #end(m: FakeMeeting): void {
    if (m.forciblyEnded) return;
    m.forciblyEnded = true;
    m.endTime = this.#opts.clock.now().getTime();
    m.attendees.clear();
    m.pending.clear();
    this.#emit(m, 'meeting-ended', {});
    const url = m.metadata.get('endcallbackurl');
    if (url) {
      const marks = m.record && m.recordingMarks;
      void this.#send('end', `${url}${url.includes('?') ? '&' : '?'}recordingmarks=${marks}`, 'GET', null);
    }
  }

  #meetingInfo(p: URLSearchParams): string {
    const meetingID = this.#required(p, 'meetingID', 'missingParamMeetingID', 'You must specify a meeting ID for the meeting.');
    const m = this.meetings.get(meetingID);
    if (!m) throw new Failed('notFound', 'We could not find a meeting with that meeting ID - perhaps the meeting is not yet running?');
    const attendees = [...m.attendees.values()];
    return ok(
      [
        el('meetingName', m.name),
        el('meetingID', m.meetingID),
        el('internalMeetingID', m.internalMeetingID),
        el('createTime', m.createTime),
        el('createDate', new Date(m.createTime).toUTCString()),
        el('voiceBridge', '70757'),
        el('dialNumber', '613-555-1234'),
        el('running', m.hasUserJoined && !m.forciblyEnded),
        el('duration', m.duration),
        el('hasUserJoined', m.hasUserJoined),
        el('recording', m.record),
        el('hasBeenForciblyEnded', m.forciblyEnded),
        el('startTime', m.startTime),
        el('endTime', m.endTime),
        el('participantCount', attendees.length),
        el('listenerCount', 0),
        el('voiceParticipantCount', 0),
        el('videoCount', 0),
        el('maxUsers', m.maxParticipants),
        el('moderatorCount', attendees.filter((a) => a.role === 'MODERATOR').length),
        `<attendees>${attendees
          .map(
            (a) =>
              `<attendee>${el('userID', a.userID)}${el('fullName', a.fullName)}${el('role', a.role)}${el('isPresenter', false)}${el('isListeningOnly', false)}${el('hasJoinedVoice', false)}${el('hasVideo', false)}${el('clientType', 'HTML5')}</attendee>`,
          )
          .join('')}</attendees>`,
        `<metadata>${[...m.metadata].map(([k, v]) => el(k, v)).join('')}</metadata>`,
        el('isBreakout', false),
      ].join(''),
    );
  }

  #getRecordings(p: URLSearchParams): string {
    const ids = (v: string | null) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
    const recordIDs = ids(p.get('recordID'));
    const meetingIDs = ids(p.get('meetingID'));
    const states = ids(p.get('state'));
    const wantedStates = states.length === 0 ? ['published', 'unpublished'] : states;
    const meta = [...p].filter(([k]) => k.startsWith('meta_')).map(([k, v]) => [k.slice(5).toLowerCase(), v] as const);
    const paged = this.#opts.pagination === 'totalElements' && (p.has('limit') || p.has('offset'));
    // 2.6: without ids and without limit, nothing rather than a slow answer with every recording.
    if (this.#opts.pagination === 'totalElements' && recordIDs.length === 0 && meetingIDs.length === 0 && !p.has('limit')) {
      return ok(`<recordings></recordings>${el('messageKey', 'noRecordings')}${el('message', 'There are no recordings for the meeting(s).')}`);
    }
    let matching = this.recordings.filter((r) => {
      // recordID wins over meetingID; a recordID may be given by its first characters.
      if (recordIDs.length > 0) return recordIDs.some((id) => r.recordID.startsWith(id));
      return meetingIDs.length === 0 || meetingIDs.includes(r.meetingID);
    });
    matching = matching.filter((r) => wantedStates.includes('any') || wantedStates.includes(r.state));
    matching = matching.filter((r) => meta.every(([k, v]) => r.metadata.get(k) === v));
    let page = matching;
    if (paged) {
      const offset = Math.max(0, Number(p.get('offset') ?? 0) || 0);
      // Documented range 1..100; what bbb-web answers outside it is not documented: clamped here.
      const limit = Math.min(100, Math.max(1, Number(p.get('limit') ?? 100) || 100));
      page = matching.slice(offset, offset + limit);
    }
    const total = paged ? el('totalElements', matching.length) : '';
    if (page.length === 0) {
      return ok(`<recordings></recordings>${total}${el('messageKey', 'noRecordings')}${el('message', 'There are no recordings for the meeting(s).')}`);
    }
    return ok(`<recordings>${page.map((r) => this.#recordingXml(r)).join('')}</recordings>${total}`);
  }

  #recordingXml(r: FakeRecording): string {
    return `<recording>${[
      el('recordID', r.recordID),
      el('meetingID', r.meetingID),
      el('internalMeetingID', r.internalMeetingID),
      el('name', r.name),
      el('isBreakout', false),
      el('published', r.published),
      el('state', r.state),
      el('startTime', r.startTime),
      el('endTime', r.endTime),
      el('participants', r.participants),
      `<metadata>${[...r.metadata].map(([k, v]) => el(k, v)).join('')}</metadata>`,
      `<playback>${r.formats
        .map((f) => `<format>${el('type', f.type)}${el('url', f.url)}${el('processingTime', 0)}${el('length', f.length)}</format>`)
        .join('')}</playback>`,
    ].join('')}</recording>`;
  }

  #hooksCreate(p: URLSearchParams): string {
    const callbackURL = this.#required(p, 'callbackURL', 'missingParamCallbackURL', 'You must specify a callbackURL in the parameters.');
    const meetingID = p.get('meetingID') || null;
    const existing = this.hooks.find((h) => h.callbackURL === callbackURL);
    if (existing) return ok(`${el('hookID', existing.hookID)}${el('messageKey', 'duplicateWarning')}${el('message', 'There is already a hook for this callback URL.')}`);
    const eventIDs = p.get('eventID') ? p.get('eventID')!.split(',').map((s) => s.trim().toLowerCase()) : null;
    const hook: Hook = { hookID: this.#nextHookId++, callbackURL, meetingID, eventIDs, getRaw: p.get('getRaw') === 'true' };
    this.hooks.push(hook);
    return ok(`${el('hookID', hook.hookID)}${el('permanentHook', false)}${el('rawData', hook.getRaw)}`);
  }

  // ---- calling back ----

  #live(meetingID: string): FakeMeeting {
    const m = this.meetings.get(meetingID);
    if (!m || m.forciblyEnded) throw new Error(`fake BBB: no running meeting ${meetingID}`);
    return m;
  }

  /** A mapped bbb-webhooks event (getRaw=false) to every hook of this meeting or global. */
  #emit(m: FakeMeeting, id: string, attributes: Record<string, unknown>): void {
    const event = {
      data: {
        type: 'event',
        id,
        attributes: { meeting: { 'internal-meeting-id': m.internalMeetingID, 'external-meeting-id': m.meetingID }, ...attributes },
        event: { ts: this.#opts.clock.now().getTime() },
      },
    };
    for (const h of this.hooks) {
      if (h.meetingID !== null && h.meetingID !== m.meetingID) continue;
      if (h.eventIDs && !h.eventIDs.includes(id)) continue;
      // As bbb-webhooks' callback emitter: keys in alphabetical order, the event in a JSON array.
      const body = new URLSearchParams({ domain: '127.0.0.1', event: `[${JSON.stringify(event)}]`, timestamp: String(this.#opts.clock.now().getTime()) }).toString();
      const checksum = createHash(this.#opts.webhookChecksumAlgorithm).update(`${h.callbackURL}${body}${this.#opts.secret}`).digest('hex');
      void this.#send('webhook', `${h.callbackURL}${h.callbackURL.includes('?') ? '&' : '?'}checksum=${checksum}`, 'POST', body);
    }
  }

  #send(kind: CallbackSent['kind'], url: string, method: 'GET' | 'POST', body: string | null): Promise<CallbackSent> {
    const entry: CallbackSent = { kind, url, body, status: null, error: null };
    this.callbacks.push(entry);
    const work = (async () => {
      try {
        const res = await fetch(url, {
          method,
          redirect: 'manual',
          ...(body !== null ? { body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } } : {}),
        });
        entry.status = res.status;
        await res.arrayBuffer();
      } catch (e) {
        entry.error = (e as Error).message;
      }
    })();
    const tracked = work.finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
    return tracked.then(() => entry);
  }
}
