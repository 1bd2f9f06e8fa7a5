import { randomBytes } from 'node:crypto';
import type { Territory } from '../territory/territory.ts';
import { renderRegistrationEmail, type RegistrationEmailContext, type RegistrationEmailKind, type RenderedEmail } from './registration-emails.tsx';

/*
 * Registering renders a confirmation inside the transaction (ADR 0003: e-mails are rendered when they
 * are enqueued). Rendering one costs about a millisecond, most of it in the .ics: ical-generator folds
 * lines by measuring each character with a new TextEncoder. Yet two confirmations of one Rencontre
 * differ only by the person's first name, their private token and the calendar's DTSTAMP.
 *
 * So each (kind, Rencontre as it is now, territory, public address) is rendered once with stand-ins
 * for those three, and each person's copy is made by filling the holes they left. The copy is byte
 * for byte what renderRegistrationEmail writes (registration-email-templates.test.ts compares them on
 * awkward names, titles and zones): the token is base64url, the same length as its stand-in and
 * escaped by nobody, and a DTSTAMP is always as long, so the .ics folds (ical-generator's rule) at
 * the same places whatever fills it: they are found once, on the template; the first name is
 * escaped as hono/jsx escapes text.
 */

/** A random stand-in shaped like a token (43 base64url characters): no title or name can contain it by chance. */
const TOKEN = randomBytes(32).toString('base64url');
/** `~` never occurs in a token, so a token can never be mistaken for the name's stand-in. */
const FIRST_NAME = `~${randomBytes(9).toString('hex')}~`;
const DTSTAMP_LINE = /^DTSTAMP:\d{8}T\d{6}Z$/m;
/** Kinds whose e-mail depends on the person only through the name and the token. */
const TEMPLATED: ReadonlySet<RegistrationEmailKind> = new Set(['confirmed', 'promoted', 'cancelled']);
const MAX_TEMPLATES_PER_TERRITORY = 64;

/** What fills a hole: the token, the first name (escaped for HTML or as typed), the DTSTAMP's value. */
interface Fill {
  token: string;
  name: string;
  stamp: string;
}
/** Literal text, or one fill: whole, or its characters `from` to `to` (a fill cut by a fold). */
type Piece = string | { fill: keyof Fill; from?: number; to?: number };

interface Template {
  subject: string;
  html: Piece[];
  text: Piece[];
  /** Folded, with holes for the token and the DTSTAMP. */
  attachments: Array<{ filename: string; contentType: string; pieces: Piece[] }>;
}

const cache = new WeakMap<Territory, Map<string, Template | null>>();

/**
 * The same e-mail as renderRegistrationEmail, from a per-Rencontre template when the kind allows it.
 * Keeps what the e-mail says exactly as a full render would say it.
 */
export async function renderRegistrationEmailFast(kind: RegistrationEmailKind, c: RegistrationEmailContext): Promise<RenderedEmail> {
  if (!TEMPLATED.has(kind) || c.token.length !== TOKEN.length || !/^[A-Za-z0-9_-]+$/.test(c.token)) return renderRegistrationEmail(kind, c);
  let byKey = cache.get(c.territory);
  if (!byKey) cache.set(c.territory, (byKey = new Map()));
  const key = JSON.stringify([kind, c.publicUrl, c.wasConfirmed ?? null, c.webinar]);
  let template = byKey.get(key);
  if (template === undefined) {
    template = await buildTemplate(kind, c);
    if (byKey.size >= MAX_TEMPLATES_PER_TERRITORY) byKey.clear();
    byKey.set(key, template);
  }
  if (template === null) return renderRegistrationEmail(kind, c);
  // Only the template's holes are filled: a name that happened to contain a stand-in stays as typed.
  const raw: Fill = { token: c.token, name: c.firstName, stamp: icsUtc(new Date()) };
  const escaped: Fill = { ...raw, name: escapeHtmlText(c.firstName) };
  return {
    subject: template.subject,
    html: fill(template.html, escaped),
    text: fill(template.text, raw),
    attachments: template.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: fill(a.pieces, raw) })),
  };
}

function fill(pieces: Piece[], with_: Fill): string {
  let out = '';
  for (const p of pieces) out += typeof p === 'string' ? p : p.to === undefined ? with_[p.fill] : with_[p.fill].slice(p.from, p.to);
  return out;
}

async function buildTemplate(kind: RegistrationEmailKind, c: RegistrationEmailContext): Promise<Template | null> {
  const m = await renderRegistrationEmail(kind, { ...c, token: TOKEN, firstName: FIRST_NAME });
  if (m.subject.includes(TOKEN) || m.subject.includes(FIRST_NAME)) return null;
  const attachments: Template['attachments'] = [];
  for (const a of m.attachments) {
    const unfolded = unfoldIcsLines(a.content);
    const stamps = [...unfolded.matchAll(new RegExp(DTSTAMP_LINE.source, 'gm'))];
    // Refuse anything the holes could not reproduce: a name in the calendar, a second DTSTAMP, or a
    // file that folding again would not give back unchanged.
    if (unfolded.includes(FIRST_NAME) || stamps.length > 1 || foldIcsLines(unfolded) !== a.content) return null;
    const holes: Hole[] = [...unfolded.matchAll(new RegExp(TOKEN, 'g'))].map((t) => ({ fill: 'token', at: t.index, length: TOKEN.length }));
    if (stamps[0]) holes.push({ fill: 'stamp', at: stamps[0].index + 'DTSTAMP:'.length, length: STAMP_LENGTH });
    const pieces = holedPieces(unfolded, holes, foldPoints(unfolded));
    if (fill(pieces, { token: TOKEN, name: FIRST_NAME, stamp: stamps[0]?.[0].slice('DTSTAMP:'.length) ?? '' }) !== a.content) return null;
    attachments.push({ filename: a.filename, contentType: a.contentType, pieces });
  }
  const byStandIns = (s: string) => holedPieces(s, [...s.matchAll(STAND_INS)].map((x) => ({ fill: x[0] === TOKEN ? 'token' : 'name', at: x.index, length: x[0].length })), []);
  return { subject: m.subject, html: byStandIns(m.html), text: byStandIns(m.text), attachments };
}

const STAND_INS = new RegExp(`${TOKEN}|${FIRST_NAME}`, 'g');
/** 20270108T113000Z */
const STAMP_LENGTH = 16;

interface Hole {
  fill: keyof Fill;
  at: number;
  length: number;
}

/** `s` cut at its holes and at its fold points (where `\r\n ` goes in), holes never overlapping. */
function holedPieces(s: string, holes: Hole[], folds: number[]): Piece[] {
  const cuts = [...new Set([0, s.length, ...folds, ...holes.flatMap((h) => [h.at, h.at + h.length])])].sort((a, b) => a - b);
  const foldAt = new Set(folds);
  const pieces: Piece[] = [];
  const literal = (text: string) => {
    if (typeof pieces[pieces.length - 1] === 'string') pieces[pieces.length - 1] += text;
    else pieces.push(text);
  };
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [from, to] = [cuts[i]!, cuts[i + 1]!];
    if (foldAt.has(from)) literal('\r\n ');
    const hole = holes.find((h) => h.at <= from && to <= h.at + h.length);
    if (hole) pieces.push(from === hole.at && to === hole.at + hole.length ? { fill: hole.fill } : { fill: hole.fill, from: from - hole.at, to: to - hole.at });
    else literal(s.slice(from, to));
  }
  return pieces;
}

/** RFC 5545 §3.1 unfolding: a CRLF followed by one space continues the previous line. */
function unfoldIcsLines(ics: string): string {
  return ics.replaceAll('\r\n ', '');
}

/** Where foldIcsLines breaks `ics`: the indexes of the characters a `\r\n ` goes before. */
function foldPoints(ics: string): number[] {
  const points: number[] = [];
  let start = 0;
  for (const line of ics.split('\r\n')) {
    if (line.length * 3 > 74) {
      let octets = 0;
      for (let i = 0; i < line.length; i++) {
        const at = i;
        const code = line.charCodeAt(i);
        let ch = line.charAt(i);
        if (code >= 0xd800 && code <= 0xdbff) ch += line.charAt(++i);
        const size = code < 0x80 ? 1 : Buffer.byteLength(ch, 'utf8');
        octets += size;
        if (octets > 74) {
          points.push(start + at);
          octets = size;
        }
      }
    }
    start += line.length + 2;
  }
  return points;
}

/**
 * ical-generator's folding rule, character for character: a line is broken before the character that
 * would take it over 74 octets, and the continuation starts with one space.
 */
export function foldIcsLines(ics: string): string {
  return ics
    .split('\r\n')
    .map((line) => {
      if (line.length * 3 <= 74) return line;
      let out = '';
      let octets = 0;
      for (let i = 0; i < line.length; i++) {
        const code = line.charCodeAt(i);
        let ch = line.charAt(i);
        if (code >= 0xd800 && code <= 0xdbff) ch += line.charAt(++i);
        const size = code < 0x80 ? 1 : Buffer.byteLength(ch, 'utf8');
        octets += size;
        if (octets > 74) {
          out += '\r\n ';
          octets = size;
        }
        out += ch;
      }
      return out;
    })
    .join('\r\n');
}

/** DTSTAMP as ical-generator writes a UTC instant: 20270108T113000Z. */
function icsUtc(d: Date): string {
  const s = d.toISOString();
  return `${s.slice(0, 4)}${s.slice(5, 7)}${s.slice(8, 13)}${s.slice(14, 16)}${s.slice(17, 19)}Z`;
}

/** hono/jsx's escaping of text, so that a substituted name reads as a rendered one. */
function escapeHtmlText(s: string): string {
  return s.replace(/[&<>'"]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === "'" ? '&#39;' : '&quot;'));
}
