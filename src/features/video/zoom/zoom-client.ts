import type { ZoomConfig } from '../../../config.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { Clock } from '../../../platform/time.ts';

/**
 * A Zoom REST API call that Zoom refused. Carries Zoom's own `code` and `message` (the `{code, message}` body of
 * its errors) and, on a 429, how long Zoom asked us to wait. Never carries the token.
 */
export class ZoomApiError extends Error {
  override readonly name = 'ZoomApiError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly code: number | null,
    readonly zoomMessage: string,
    /** Seconds to wait before trying again, from Retry-After (429 only); null when Zoom did not say. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(
      `Zoom API ${method} ${path} failed: HTTP ${status}` +
        (code !== null ? `, code ${code}` : '') +
        (zoomMessage ? ` — ${zoomMessage}` : '') +
        (retryAfterSeconds !== null ? ` (retry after ${retryAfterSeconds} s)` : ''),
    );
  }

  get isRateLimited(): boolean {
    return this.status === 429;
  }
}

/** Zoom's OAuth server refused to give a token (wrong credentials, wrong account id, app deactivated). */
export class ZoomAuthError extends Error {
  override readonly name = 'ZoomAuthError';
  constructor(
    readonly status: number,
    /** OAuth error, e.g. `invalid_client`. */
    readonly error: string,
    readonly reason: string,
  ) {
    super(`Zoom OAuth token request failed: HTTP ${status}${error ? `, ${error}` : ''}${reason ? ` — ${reason}` : ''}`);
  }
}

export interface ZoomClientDeps {
  fetch?: typeof fetch;
  clock: Clock;
  logger: Logger;
  /** Per-request timeout; Zoom answers in well under a second normally. */
  timeoutMs?: number;
}

export interface ZoomRequest {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

export interface ZoomClient {
  /** Calls `{apiUrl}{path}`; `path` must already have its segments encoded (see `pathSegment`). Null for 204. */
  request<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, req?: ZoomRequest): Promise<T | null>;
}

/** The global API address: an account's token tells us its regional one, which we prefer when this is configured. */
export const ZOOM_GLOBAL_API_URL = 'https://api.zoom.us/v2';

interface CachedToken {
  accessToken: string;
  /** Epoch ms after which we ask for a new one (a little before Zoom's expiry). */
  renewAt: number;
  apiBase: string;
}

interface TokenResponse {
  access_token?: unknown;
  token_type?: unknown;
  expires_in?: unknown;
  scope?: unknown;
  api_url?: unknown;
}

/**
 * Server-to-Server OAuth and the REST calls. The token (one hour, no refresh token) is cached until shortly before
 * it expires; when the API still answers 401 (token revoked or expired early on Zoom's side) we ask for a new one
 * once and repeat the call once — never in a loop.
 */
export function createZoomClient(config: ZoomConfig, deps: ZoomClientDeps): ZoomClient {
  const doFetch = deps.fetch ?? fetch;
  const timeoutMs = deps.timeoutMs ?? 15_000;
  const log = deps.logger;
  let cached: CachedToken | null = null;
  let inflight: Promise<CachedToken> | null = null;

  async function requestToken(): Promise<CachedToken> {
    const url = `${config.oauthUrl}/oauth/token?grant_type=account_credentials&account_id=${encodeURIComponent(config.accountId)}`;
    const basic = Buffer.from(`${config.clientId}:${config.clientSecret}`, 'utf8').toString('base64');
    let res: Response;
    try {
      res = await doFetch(url, { method: 'POST', headers: { Authorization: `Basic ${basic}`, Accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      throw new Error(`Zoom OAuth server unreachable: ${(e as Error).message}`);
    }
    const text = await res.text();
    const body = parseJson(text) as (TokenResponse & { reason?: unknown; error?: unknown }) | null;
    if (!res.ok || !body || typeof body.access_token !== 'string') {
      throw new ZoomAuthError(res.status, typeof body?.error === 'string' ? body.error : '', typeof body?.reason === 'string' ? body.reason : res.ok ? 'no access_token in the answer' : '');
    }
    const ttlMs = (typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600) * 1000;
    // "Shortly before": five minutes on Zoom's one-hour tokens, a tenth of the lifetime on shorter ones.
    const margin = Math.min(300_000, ttlMs / 10);
    const now = deps.clock.now().getTime();
    const apiBase = chooseApiBase(config.apiUrl, body.api_url);
    log.info('zoom: new access token', { expiresInSeconds: ttlMs / 1000, apiBase });
    return { accessToken: body.access_token, renewAt: now + ttlMs - margin, apiBase };
  }

  async function token(): Promise<CachedToken> {
    if (cached && deps.clock.now().getTime() < cached.renewAt) return cached;
    // Concurrent callers share one token request.
    inflight ??= requestToken()
      .then((t) => {
        cached = t;
        return t;
      })
      .finally(() => {
        inflight = null;
      });
    return inflight;
  }

  async function send(tok: CachedToken, method: string, path: string, req: ZoomRequest): Promise<Response> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined && v !== '') qs.set(k, String(v));
    const search = qs.toString();
    const url = `${tok.apiBase}${path}${search ? `?${search}` : ''}`;
    const headers: Record<string, string> = { Authorization: `Bearer ${tok.accessToken}`, Accept: 'application/json' };
    if (req.body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await doFetch(url, {
        method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      throw new Error(`Zoom API ${method} ${path} unreachable: ${(e as Error).message}`);
    }
  }

  return {
    async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, req: ZoomRequest = {}): Promise<T | null> {
      const first = await token();
      let res = await send(first, method, path, req);
      if (res.status === 401) {
        await res.body?.cancel();
        log.warn('zoom: access token refused, asking for a new one and trying once more', { method, path });
        if (cached?.accessToken === first.accessToken) cached = null;
        res = await send(await token(), method, path, req);
      }
      const text = await res.text();
      if (!res.ok) {
        const err = parseJson(text) as { code?: unknown; message?: unknown } | null;
        const code = typeof err?.code === 'number' ? err.code : null;
        const message = typeof err?.message === 'string' ? err.message : text.slice(0, 200);
        const retryAfter = res.status === 429 ? parseRetryAfter(res.headers.get('retry-after'), deps.clock) : null;
        const error = new ZoomApiError(method, path, res.status, code, message, retryAfter);
        log.warn('zoom: api error', { method, path, status: res.status, code, zoomMessage: message, retryAfterSeconds: retryAfter });
        throw error;
      }
      log.debug('zoom: api call', { method, path, status: res.status });
      if (res.status === 204 || text === '') return null;
      const data = parseJson(text);
      if (data === null) throw new Error(`Zoom API ${method} ${path}: answer is not JSON`);
      return data as T;
    },
  };
}

/** One path segment for Zoom: a UUID that starts with "/" or contains "//" must be encoded twice (Zoom's rule). */
export function pathSegment(idOrUuid: string): string {
  const once = encodeURIComponent(idOrUuid);
  return idOrUuid.startsWith('/') || idOrUuid.includes('//') ? encodeURIComponent(once) : once;
}

/**
 * The configured API address, unless it is the global default and the token names the account's regional address
 * (`api_url`, e.g. https://api-eu.zoom.us), which then wins — as Indico's Zoom plugin does. Only an https address
 * (or a loopback one, for local fakes) is accepted, since the bearer token is sent there.
 */
function chooseApiBase(configured: string, fromToken: unknown): string {
  if (configured !== ZOOM_GLOBAL_API_URL || typeof fromToken !== 'string' || !fromToken) return configured;
  try {
    const u = new URL(fromToken);
    const loopback = u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]';
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) return configured;
    return `${u.origin}/v2`;
  } catch {
    return configured;
  }
}

function parseRetryAfter(value: string | null, clock: Clock): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - clock.now().getTime()) / 1000));
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
