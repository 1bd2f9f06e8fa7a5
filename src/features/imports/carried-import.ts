import { createHmac, timingSafeEqual } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { MAX_REPORT_BYTES } from './zoom-reports.ts';

/**
 * Between the preview and the confirmation, the back-office keeps the uploaded reports in the page
 * itself rather than on the server: a hidden field holds them, compressed, with an HMAC over that
 * field. Nothing is stored for an import the agent abandons (no table, no files to clean up, nothing
 * lost when the process restarts or another process serves the confirmation), and the agent confirms
 * exactly the files whose preview they read, without choosing them again.
 *
 * Trust: the HMAC key is derived from the server's secret key for this use only (so a MAC made here
 * can never pass for a private-link token, and the other way round), and the signed data names the
 * agent and the time, so a copied form is refused to another agent and after {@link CARRY_MAX_AGE_MS}.
 * The content is the agent's own upload, on a page sent with `Cache-Control: no-store`; it is checked
 * again by the import itself when confirmed.
 */

export const CARRY_MAX_AGE_MS = 2 * 3600_000;

export interface CarriedImport {
  registrations: string | null;
  attendees: string | null;
  webinarId: string | null;
  zone: string | null;
  agentId: string;
  /** Milliseconds since the epoch, when the preview was shown. */
  issuedAt: number;
}

function macKey(tokenKey: Buffer): Buffer {
  return createHmac('sha256', tokenKey).update('nouvelle-vie:zoom-import-carry:v1').digest();
}

function mac(tokenKey: Buffer, payload: string): Buffer {
  return createHmac('sha256', macKey(tokenKey)).update(payload, 'utf8').digest();
}

/** The two hidden fields of the confirmation form. */
export function sealImport(tokenKey: Buffer, data: CarriedImport): { payload: string; mac: string } {
  const payload = deflateRawSync(Buffer.from(JSON.stringify(data), 'utf8')).toString('base64url');
  return { payload, mac: mac(tokenKey, payload).toString('base64url') };
}

export type OpenedImport = { ok: true; data: CarriedImport } | { ok: false; reason: 'invalid' | 'expired' };

/** The files back from the form, if and only if this server signed them for this agent, lately. */
export function openImport(tokenKey: Buffer, fields: { payload?: string; mac?: string }, expect: { agentId: string; now: Date }): OpenedImport {
  const { payload, mac: given } = fields;
  if (!payload || !given || !/^[A-Za-z0-9_-]+$/.test(payload)) return { ok: false, reason: 'invalid' };
  const expected = mac(tokenKey, payload);
  const received = Buffer.from(given, 'base64url');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) return { ok: false, reason: 'invalid' };
  let data: CarriedImport;
  try {
    data = JSON.parse(inflateRawSync(Buffer.from(payload, 'base64url'), { maxOutputLength: 3 * MAX_REPORT_BYTES }).toString('utf8')) as CarriedImport;
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  if (data.agentId !== expect.agentId) return { ok: false, reason: 'invalid' };
  const age = expect.now.getTime() - data.issuedAt;
  if (!(age >= -60_000 && age <= CARRY_MAX_AGE_MS)) return { ok: false, reason: 'expired' };
  return { ok: true, data };
}
