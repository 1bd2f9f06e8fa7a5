import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import type { Logger } from '../logger.ts';
import type { Clock } from '../time.ts';
import { securityHeaderList } from './security.ts';

/**
 * Rendered public pages served again without going through the app (ADR 0018).
 *
 * The Rencontre page is the landing page of the sponsored posts: everyone gets the same page, except
 * for one thing, the form's submission key, which must be each visitor's own (it is the idempotency
 * key of the registration and the address of its receipt). A page is therefore kept as a template
 * with a hole of fixed length, filled with a fresh key for each response, in plain and in gzip form:
 * the gzip is made once, with the hole as a stored (uncompressed) deflate block, so filling it costs
 * a copy and a CRC, not a compression.
 *
 * An entry is used only while the database's change stamp is the one read before the page's data was
 * (Db.changeStamp: any write, in this process or, on SQLite, another one, makes it miss) and for one
 * second at most (what the page shows that depends on the hour, and PostgreSQL writes by other
 * processes). A miss goes to the app, which renders (or finds its own copy) and stores the page again.
 */

/** The fill of the hole: a version-4 UUID, 36 ASCII characters. */
export const HOLE_LENGTH = 36;

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);

/**
 * The CRC-32 of `after` continued from any CRC, in constant time. zlib's crc32(after, c) is affine in
 * c over GF(2): crc32(after, c) = M·c ⊕ crc32(after, 0). M is found from the 32 unit vectors and kept
 * as four tables of 256 entries (one per byte of c).
 */
function crcContinuation(after: Buffer): (c: number) => number {
  // zlib's crc32 answers 0 for no data at all (a null buffer), not the CRC it was given.
  if (after.length === 0) return (c) => c;
  const base = zlib.crc32(after, 0);
  const unit: number[] = [];
  for (let bit = 0; bit < 32; bit++) unit.push((zlib.crc32(after, (1 << bit) >>> 0) ^ base) >>> 0);
  const tables = [0, 1, 2, 3].map((byte) => {
    const t = new Uint32Array(256);
    for (let v = 1; v < 256; v++) {
      let x = 0;
      for (let b = 0; b < 8; b++) if (v & (1 << b)) x ^= unit[byte * 8 + b]!;
      t[v] = x >>> 0;
    }
    return t;
  });
  const [t0, t1, t2, t3] = tables as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  return (c) => (base ^ t0[c & 0xff]! ^ t1[(c >>> 8) & 0xff]! ^ t2[(c >>> 16) & 0xff]! ^ t3[c >>> 24]!) >>> 0;
}

/** A page with one hole of {@link HOLE_LENGTH} ASCII bytes (or none), ready to be sent plain or gzipped. */
export class PageTemplate {
  /** Whether the page has a hole (a page without a form has none: every response is the same). */
  readonly hasHole: boolean;
  readonly #before: Buffer;
  readonly #after: Buffer;
  readonly #gzipHead: Buffer;
  readonly #gzipTail: Buffer;
  readonly #crcBefore: number;
  readonly #crcAfter: (c: number) => number;
  readonly #length: number;

  /** `html` must contain `standIn` (HOLE_LENGTH ASCII characters) once at most. */
  constructor(html: string, standIn: string) {
    if (Buffer.byteLength(standIn) !== HOLE_LENGTH || standIn.length !== HOLE_LENGTH) throw new Error(`the stand-in must be ${HOLE_LENGTH} ASCII characters`);
    const at = html.indexOf(standIn);
    if (at >= 0 && html.indexOf(standIn, at + 1) >= 0) throw new Error('the stand-in must appear once at most in the page');
    this.hasHole = at >= 0;
    if (!this.hasHole) {
      this.#before = Buffer.from(html);
      this.#after = Buffer.alloc(0);
      this.#length = this.#before.length;
      this.#gzipHead = zlib.gzipSync(this.#before, { level: 9 });
      this.#gzipTail = Buffer.alloc(0);
      this.#crcBefore = 0;
      this.#crcAfter = (c) => c;
      return;
    }
    this.#before = Buffer.from(html.slice(0, at));
    this.#after = Buffer.from(html.slice(at + HOLE_LENGTH));
    this.#length = this.#before.length + HOLE_LENGTH + this.#after.length;
    // Deflate (RFC 1951): the part before, ending on a byte boundary without a final block (sync flush);
    // the hole as a stored block (header byte 0, LEN, NLEN, the bytes); the part after, compressed
    // with the part before as its dictionary (and zeros where the hole is: HTML has no NUL byte, so no
    // match can copy the hole), ending with the final block. Gzip (RFC 1952) wraps it with a CRC-32 and
    // the length, written per response.
    const front = zlib.deflateRawSync(this.#before, { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    const stored = Buffer.from([0, HOLE_LENGTH & 0xff, HOLE_LENGTH >> 8, ~HOLE_LENGTH & 0xff, (~HOLE_LENGTH >> 8) & 0xff]);
    const dictionary = Buffer.concat([this.#before, Buffer.alloc(HOLE_LENGTH)]);
    const back = zlib.deflateRawSync(this.#after, { level: 9, dictionary: dictionary.subarray(Math.max(0, dictionary.length - 32768)) });
    this.#gzipHead = Buffer.concat([GZIP_HEADER, front, stored]);
    this.#gzipTail = back;
    this.#crcBefore = zlib.crc32(this.#before, 0);
    this.#crcAfter = crcContinuation(this.#after);
  }

  /** The page with `fill` in the hole, as bytes: gzipped or plain. */
  render(fill: string, gzip: boolean): Buffer {
    if (fill.length !== HOLE_LENGTH) throw new Error(`the fill must be ${HOLE_LENGTH} ASCII characters`);
    if (!this.hasHole) return gzip ? this.#gzipHead : this.#before;
    if (!gzip) {
      const out = Buffer.allocUnsafe(this.#length);
      this.#before.copy(out, 0);
      out.write(fill, this.#before.length, 'latin1');
      this.#after.copy(out, this.#before.length + HOLE_LENGTH);
      return out;
    }
    const head = this.#gzipHead;
    const tail = this.#gzipTail;
    const out = Buffer.allocUnsafe(head.length + HOLE_LENGTH + tail.length + 8);
    head.copy(out, 0);
    out.write(fill, head.length, 'latin1');
    tail.copy(out, head.length + HOLE_LENGTH);
    const crc = this.#crcAfter(zlib.crc32(out.subarray(head.length, head.length + HOLE_LENGTH), this.#crcBefore));
    const end = head.length + HOLE_LENGTH + tail.length;
    out.writeUInt32LE(crc, end);
    out.writeUInt32LE(this.#length >>> 0, end + 4);
    return out;
  }
}

/** Whether an Accept-Encoding header allows gzip (a q of 0 refuses it; "*" allows it). */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let star: boolean | undefined;
  for (const part of header.split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const allowed = q === undefined || Number.parseFloat(q.slice(2)) > 0;
    if (token === 'gzip' || token === 'x-gzip') return allowed;
    if (token === '*') star = allowed;
  }
  return star ?? false;
}

const REQUEST_ID = /^[A-Za-z0-9-]{8,64}$/;

/** The request id a response carries: the caller's when it is well formed, otherwise a new one. */
export function requestIdFrom(header: string | undefined): string {
  return header && REQUEST_ID.test(header) ? header : randomUUID();
}

interface Entry {
  template: PageTemplate;
  stamp: string;
  renderedAt: number;
  expiresAt: number;
}

/** Distinct addresses kept at most; beyond, the cache starts again (a flood of made-up addresses cannot grow it). */
const MAX_ENTRIES = 500;
/** An entry is never used longer than this after its data was read. */
export const PAGE_CACHE_TTL_MS = 1000;

export class PageCache {
  readonly #entries = new Map<string, Entry>();
  readonly #headers: Array<[string, string]>;
  readonly #stamp: () => string;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(o: { changeStamp: () => string; clock: Clock; logger: Logger; isHttps: boolean }) {
    this.#stamp = o.changeStamp;
    this.#clock = o.clock;
    this.#logger = o.logger;
    this.#headers = [...PageCache.pageHeaders(), ...securityHeaderList(o.isHttps)];
  }

  /** Headers of a cached page's response beside the security headers (the app's path sends them too). */
  static pageHeaders(): Array<[string, string]> {
    return [
      ['Content-Type', 'text/html; charset=UTF-8'],
      // Each response carries its own submission key: no shared cache may keep it.
      ['Cache-Control', 'private, no-cache'],
      ['Vary', 'Accept-Encoding'],
    ];
  }

  /** The change stamp to read before reading what a page is made of. */
  stamp(): string {
    return this.#stamp();
  }

  /**
   * Keeps a page for the raw request target `url` (path and query as the client sent them), made of
   * data read after `stamp` was; it expires after a second or at `until` if sooner (a Rencontre's start).
   */
  store(url: string, template: PageTemplate, stamp: string, until?: number) {
    const now = this.#clock.now().getTime();
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    const expiresAt = until !== undefined && until > now ? Math.min(until, now + PAGE_CACHE_TTL_MS) : now + PAGE_CACHE_TTL_MS;
    this.#entries.set(url, { template, stamp, renderedAt: now, expiresAt });
  }

  /** Forgets every page (tests; a change the stamp cannot see). */
  clear() {
    this.#entries.clear();
  }

  /** The body and content headers of a response for a template, for the app's own path. */
  static body(template: PageTemplate, acceptEncoding: string | undefined): { body: Buffer; headers: Record<string, string> } {
    const gzip = acceptsGzip(acceptEncoding);
    const headers: Record<string, string> = Object.fromEntries(PageCache.pageHeaders());
    if (gzip) headers['Content-Encoding'] = 'gzip';
    return { body: template.render(randomUUID(), gzip), headers };
  }

  /** Answers a GET from the cache when it holds a fresh page for its address; false otherwise. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET') return false;
    const url = req.url;
    if (url === undefined) return false;
    const entry = this.#entries.get(url);
    if (!entry) return false;
    const now = this.#clock.now().getTime();
    if (now >= entry.expiresAt || now < entry.renderedAt || entry.stamp !== this.#stamp()) {
      this.#entries.delete(url);
      return false;
    }
    const started = performance.now();
    const gzip = acceptsGzip(req.headers['accept-encoding']);
    const body = entry.template.render(randomUUID(), gzip);
    const requestId = requestIdFrom(req.headers['x-request-id'] as string | undefined);
    const headers: OutgoingHttpHeaders = {};
    for (const [k, v] of this.#headers) headers[k] = v;
    if (gzip) headers['Content-Encoding'] = 'gzip';
    headers['Content-Length'] = body.length;
    headers['X-Request-Id'] = requestId;
    res.writeHead(200, headers);
    res.end(body);
    this.#logger.debug('request', { requestId, method: 'GET', path: url, status: 200, ms: Math.round((performance.now() - started) * 10) / 10, cached: true });
    return true;
  }

  /** A request listener that answers from the cache when it can and hands everything else to `next`. */
  front(next: RequestListener): RequestListener {
    return (req, res) => {
      let served = false;
      try {
        served = this.serve(req, res);
      } catch (err) {
        // Never worse than no cache: the app answers (an exception here would otherwise end the process).
        this.#logger.error('page cache failed', { err, path: req.url });
        this.#entries.clear();
        served = res.headersSent;
      }
      if (!served) next(req, res);
    };
  }
}
