import type { Db } from '../../src/platform/db/database.ts';

/** Reading the server's HTML as a browser would get it, without a DOM: the markup is our own and regular. */

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'", '&#x27;': "'" };
export const unescapeHtml = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (m) => entities[m]!);

export function titleOf(html: string): string {
  return unescapeHtml(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '');
}

/** The attributes of every <input> of the page, in order. */
export function inputs(html: string): Array<Record<string, string>> {
  return [...html.matchAll(/<input\b([^>]*?)\/?>/g)].map((m) => Object.fromEntries([...m[1]!.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)].map((a) => [a[1]!, unescapeHtml(a[2] ?? '')])));
}

/** What the form sends on its own: its hidden fields (submission key, campaign of the visit). */
export function hiddenFields(html: string): Record<string, string> {
  return Object.fromEntries(inputs(html).filter((i) => i.type === 'hidden').map((i) => [i.name!, i.value ?? '']));
}

export function inputById(html: string, id: string): Record<string, string> | undefined {
  return inputs(html).find((i) => i.id === id);
}

/** The links of the error summary: [target, text]. */
export function errorSummaryLinks(html: string): Array<[string, string]> {
  const summary = /<div class="error-summary"[\s\S]*?<\/ul><\/div>/.exec(html)?.[0] ?? '';
  return [...summary.matchAll(/<a href="(#[^"]+)">([^<]*)<\/a>/g)].map((m) => [m[1]!, unescapeHtml(m[2]!)]);
}

/** The message shown next to a field, without the "Erreur : " read only by screen readers. */
export function inlineError(html: string, fieldId: string): string | undefined {
  const m = new RegExp(`<p id="${fieldId}-error" class="error-message"><span class="visually-hidden">Erreur : </span>([^<]*)</p>`).exec(html);
  return m ? unescapeHtml(m[1]!) : undefined;
}

/** Visible text, tags removed, spaces collapsed: for "the page says …" checks. */
export function textOf(html: string): string {
  return unescapeHtml(html.replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** The private link of a registration, as its confirmation e-mail gives it. */
export async function privateTokenFromEmail(db: Db, registrationId: string): Promise<string> {
  const mail = await db.kysely.selectFrom('outbox_messages').select(['text']).where('registration_id', '=', registrationId).orderBy('created_at').executeTakeFirstOrThrow();
  const token = /\/mon-inscription\/([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no private link in the e-mail of ${registrationId}`);
  return token;
}

/** Rows in the tables a registration writes to: all zero means nothing was written. */
export async function writtenRows(db: Db) {
  const n = async (table: 'candidates' | 'registrations' | 'submissions' | 'outbox_messages' | 'audit_log') =>
    Number((await db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { candidates: await n('candidates'), registrations: await n('registrations'), submissions: await n('submissions'), outbox: await n('outbox_messages'), audit: await n('audit_log') };
}

export const NOTHING_WRITTEN = { candidates: 0, registrations: 0, submissions: 0, outbox: 0, audit: 0 };
