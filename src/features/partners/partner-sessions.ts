import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database, PartnerRow, PartnerSessionRow, PartnerUserRow } from '../../platform/db/schema.ts';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../agents/sessions.ts';

/**
 * Partner users' sessions: the agents' mechanics (a random token in the cookie, its SHA-256 in the
 * table, a CSRF token per session, idle and absolute timeouts of ASVS 7.3) in a table and a cookie of
 * their own. An agent's cookie is never looked up here and a partner's never in the agents' table, so
 * neither can be taken for the other.
 */

type Q = Kysely<Database> | Transaction<Database>;
const TOUCH_EVERY_MS = 60 * 1000;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export { SESSION_ABSOLUTE_MS as PARTNER_SESSION_ABSOLUTE_MS };

export function partnerCookieName(isHttps: boolean): string {
  return isHttps ? '__Host-nv_partner' : 'nv_partner';
}

export async function createPartnerSession(db: Q, partnerUserId: string, now: Date, meta: { ip: string | null; userAgent: string | null }): Promise<{ token: string; csrf: string }> {
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(32).toString('base64url');
  await db
    .insertInto('partner_sessions')
    .values({
      id_hash: sha256(token),
      partner_user_id: partnerUserId,
      csrf_token: csrf,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString(),
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return { token, csrf };
}

export interface ActivePartnerSession {
  session: PartnerSessionRow;
  user: PartnerUserRow;
  partner: PartnerRow;
}

/**
 * The session behind a partner cookie, if it is alive, its user active and its organisation not
 * archived; an expired one is deleted.
 */
export async function loadPartnerSession(db: Q, token: string | undefined, now: Date): Promise<ActivePartnerSession | null> {
  if (!token || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const idHash = sha256(token);
  const session = await db.selectFrom('partner_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  if (!session) return null;
  const user = await db.selectFrom('partner_users').selectAll().where('id', '=', session.partner_user_id).executeTakeFirst();
  const partner = user ? await db.selectFrom('partners').selectAll().where('id', '=', user.partner_id).executeTakeFirst() : undefined;
  const t = now.getTime();
  const dead = !user || !partner || user.status !== 'active' || partner.status !== 'active' || t >= new Date(session.expires_at).getTime() || t - new Date(session.last_seen_at).getTime() >= SESSION_IDLE_MS;
  if (dead) {
    await db.deleteFrom('partner_sessions').where('id_hash', '=', idHash).execute();
    return null;
  }
  if (t - new Date(session.last_seen_at).getTime() >= TOUCH_EVERY_MS) {
    await db.updateTable('partner_sessions').set({ last_seen_at: now.toISOString() }).where('id_hash', '=', idHash).execute();
  }
  return { session, user, partner };
}

export async function endPartnerSession(db: Q, token: string): Promise<void> {
  await db.deleteFrom('partner_sessions').where('id_hash', '=', sha256(token)).execute();
}

/** ASVS 7.4.2: disabling a partner user, archiving their organisation or a new password ends their sessions. */
export async function endAllPartnerSessions(db: Q, partnerUserId: string): Promise<void> {
  await db.deleteFrom('partner_sessions').where('partner_user_id', '=', partnerUserId).execute();
}

export async function endPartnerSessionsOfOrganisation(db: Q, partnerId: string): Promise<void> {
  await db
    .deleteFrom('partner_sessions')
    .where('partner_user_id', 'in', (eb) => eb.selectFrom('partner_users').select('id').where('partner_id', '=', partnerId))
    .execute();
}

export async function purgeExpiredPartnerSessions(db: Q, now: Date): Promise<void> {
  await db
    .deleteFrom('partner_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<=', new Date(now.getTime() - SESSION_IDLE_MS).toISOString())]))
    .execute();
}
