import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { BbbConfig } from '../../../config.ts';

/**
 * The BigBlueButton API as its documentation describes it (docs/docs/development/api.md): every call is
 * `${url}api/${call}?${query}&checksum=${hash(call + query + secret)}`, the answer is XML with a
 * `returncode` of SUCCESS or FAILED and, on failure, a stable `messageKey`.
 */

export type ChecksumAlgorithm = BbbConfig['checksum'];

export type BbbParams = ReadonlyArray<readonly [string, string | number | boolean | null | undefined]>;

/** hash(callName + queryString + sharedSecret), in hex: BBB's checksum, on the query string exactly as sent. */
export function bbbChecksum(callName: string, queryString: string, secret: string, algorithm: ChecksumAlgorithm): string {
  return createHash(algorithm).update(callName + queryString + secret, 'utf8').digest('hex');
}

/**
 * Percent-encodes everything but RFC 3986's unreserved characters. encodeURIComponent alone leaves
 * `!'()*` as they are, and the WHATWG URL parser that fetch uses encodes `'` in a query: BBB would then
 * hash a query string that differs from the one we signed ("Rencontre d'été" → checksumError).
 */
export function encodeBbbValue(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The query string in the given order, empty values kept, null and undefined left out. */
export function bbbQueryString(params: BbbParams): string {
  return params
    .filter((p): p is readonly [string, string | number | boolean] => p[1] !== null && p[1] !== undefined)
    .map(([k, v]) => `${encodeBbbValue(k)}=${encodeBbbValue(String(v))}`)
    .join('&');
}

/** A signed GET address for a call: what we fetch, or what a person's browser is sent to (join). */
export function signedBbbUrl(config: Pick<BbbConfig, 'url' | 'secret' | 'checksum'>, call: string, params: BbbParams): string {
  const query = bbbQueryString(params);
  const checksum = bbbChecksum(call, query, config.secret, config.checksum);
  return `${config.url}api/${call}?${query ? `${query}&` : ''}checksum=${checksum}`;
}

/** BBB answered FAILED: messageKey says why (checksumError, notFound, idNotUnique…). */
export class BbbApiError extends Error {
  constructor(
    readonly call: string,
    readonly messageKey: string | null,
    message: string,
  ) {
    super(`BigBlueButton ${call}: ${messageKey ?? 'FAILED'}${message ? ` (${message})` : ''}`);
    this.name = 'BbbApiError';
  }
}

/** BBB could not be reached, or answered something that is not its XML (a proxy's error page…). */
export class BbbUnreachable extends Error {
  constructor(
    readonly call: string,
    message: string,
  ) {
    super(`BigBlueButton ${call}: ${message}`);
    this.name = 'BbbUnreachable';
  }
}

export type BbbXml = { [key: string]: BbbXmlValue };
export type BbbXmlValue = string | BbbXml | BbbXmlValue[];

const LIST_PATHS = new Set([
  'response.recordings.recording',
  'response.recordings.recording.playback.format',
  'response.attendees.attendee',
  'response.hooks.hook',
]);

const parser = new XMLParser({
  ignoreAttributes: true,
  // Ids are strings even when they look like numbers ("0123" must stay "0123").
  parseTagValue: false,
  trimValues: true,
  isArray: (_name, jpath) => LIST_PATHS.has(String(jpath)),
});

/** Parses a BBB answer into plain objects and strings; lists of recordings, formats, attendees are always arrays. */
export function parseBbbXml(xml: string): BbbXml {
  const doc = parser.parse(xml) as unknown;
  if (!doc || typeof doc !== 'object' || !('response' in doc) || typeof (doc as { response: unknown }).response !== 'object') {
    throw new Error('not a BigBlueButton <response>');
  }
  return (doc as { response: BbbXml }).response;
}

export function text(v: BbbXmlValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

export function node(v: BbbXmlValue | undefined): BbbXml {
  return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
}

export function list(v: BbbXmlValue | undefined): BbbXml[] {
  return Array.isArray(v) ? v.map((x) => node(x)) : v && typeof v === 'object' ? [v] : [];
}

export interface BbbClientDeps {
  fetch?: typeof fetch;
  /** A call that takes longer than this is given up (BBB answers API calls in milliseconds). */
  timeoutMs?: number;
}

/**
 * Makes one signed GET call and returns the <response> element; FAILED becomes a BbbApiError. The
 * signed address is never logged: for `join` it is someone's personal way in.
 */
export async function callBbb(config: BbbConfig, call: string, params: BbbParams, deps: BbbClientDeps = {}): Promise<BbbXml> {
  const doFetch = deps.fetch ?? globalThis.fetch;
  let body: string;
  let status: number;
  try {
    const res = await doFetch(signedBbbUrl(config, call, params), {
      method: 'GET',
      redirect: 'manual',
      signal: AbortSignal.timeout(deps.timeoutMs ?? 15_000),
      headers: { Accept: 'application/xml, text/xml' },
    });
    status = res.status;
    body = await res.text();
  } catch (e) {
    throw new BbbUnreachable(call, (e as Error).message);
  }
  let response: BbbXml;
  try {
    response = parseBbbXml(body);
  } catch {
    throw new BbbUnreachable(call, `HTTP ${status}, not a BigBlueButton answer`);
  }
  const code = text(response.returncode).toUpperCase();
  if (code !== 'SUCCESS') throw new BbbApiError(call, text(response.messageKey) || null, text(response.message));
  return response;
}
