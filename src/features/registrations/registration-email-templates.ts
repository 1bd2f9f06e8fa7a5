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
 * for those three, and each person's copy is made by substitution. The copy is byte for byte what
 * renderRegistrationEmail writes (registration-email-templates.test.ts compares them on awkward
 * names, titles and zones): the token is base64url, the same length as its stand-in and escaped by
 * nobody, so the .ics is unfolded, substituted and folded again by ical-generator's own rule at the
 * same places; the first name is escaped as hono/jsx escapes text.
 */

/** A random stand-in shaped like a token (43 base64url characters): no title or name can contain it by chance. */
const TOKEN = randomBytes(32).toString('base64url');
/** `~` never occurs in a token, so a token can never be mistaken for the name's stand-in. */
const FIRST_NAME = `~${randomBytes(9).toString('hex')}~`;
const DTSTAMP_LINE = /^DTSTAMP:\d{8}T\d{6}Z$/m;
/** Kinds whose e-mail depends on the person only through the name and the token. */
const TEMPLATED: ReadonlySet<RegistrationEmailKind> = new Set(['confirmed', 'promoted', 'cancelled']);
const MAX_TEMPLATES_PER_TERRITORY = 64;

interface Template {
  subject: string;
  html: string;
  text: string;
  /** Unfolded, with the stand-ins; `null` when a check failed and this key is always rendered in full. */
  attachments: Array<{ filename: string; contentType: string; unfolded: string }>;
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
  const token = c.token;
  const name = c.firstName;
  const stamp = `DTSTAMP:${icsUtc(new Date())}`;
  // The token first: a name that happened to contain the token's stand-in must stay as typed.
  return {
    subject: template.subject,
    html: template.html.replaceAll(TOKEN, token).replaceAll(FIRST_NAME, () => escapeHtmlText(name)),
    text: template.text.replaceAll(TOKEN, token).replaceAll(FIRST_NAME, () => name),
    attachments: template.attachments.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: foldIcsLines(a.unfolded.replaceAll(TOKEN, token).replace(DTSTAMP_LINE, () => stamp)),
    })),
  };
}

async function buildTemplate(kind: RegistrationEmailKind, c: RegistrationEmailContext): Promise<Template | null> {
  const m = await renderRegistrationEmail(kind, { ...c, token: TOKEN, firstName: FIRST_NAME });
  if (m.subject.includes(TOKEN) || m.subject.includes(FIRST_NAME)) return null;
  const attachments: Template['attachments'] = [];
  for (const a of m.attachments) {
    const unfolded = unfoldIcsLines(a.content);
    // Refuse anything the substitution could not reproduce: a name in the calendar, a second DTSTAMP,
    // or a file that folding again would not give back unchanged.
    if (unfolded.includes(FIRST_NAME) || (unfolded.match(new RegExp(DTSTAMP_LINE.source, 'gm')) ?? []).length > 1 || foldIcsLines(unfolded) !== a.content) return null;
    attachments.push({ filename: a.filename, contentType: a.contentType, unfolded });
  }
  return { subject: m.subject, html: m.html, text: m.text, attachments };
}

/** RFC 5545 §3.1 unfolding: a CRLF followed by one space continues the previous line. */
function unfoldIcsLines(ics: string): string {
  return ics.replaceAll('\r\n ', '');
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
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** hono/jsx's escaping of text, so that a substituted name reads as a rendered one. */
function escapeHtmlText(s: string): string {
  return s.replace(/[&<>'"]/g, (ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch === "'" ? '&#39;' : '&quot;'));
}
