import type { Kysely, Transaction } from 'kysely';
import type { Database, PartnerRow, PartnerSessionRow, PartnerUserRow } from '../../platform/db/schema.ts';
import { idleSince, newSessionSecrets, SESSION_ABSOLUTE_MS, sessionKey, sessionTiming } from '../agents/sessions.ts';

/**
 * Partner users' sessions: the agents' mechanics (a random token in the cookie, its SHA-256 in the
 * table, a CSRF token per session, idle and absolute timeouts of ASVS 7.3) in a table and a cookie of
 * their own. An agent's cookie is never looked up here and a partner's never in the agents' table, so
 * neither can be taken for the other.
 */

type Q = Kysely<Database> | Transaction<Database>;

export { SESSION_ABSOLUTE_MS as PARTNER_SESSION_ABSOLUTE_MS };

export function partnerCookieName(isHttps: boolean): string {
  return isHttps ? '__Host-nv_partner' : 'nv_partner';
}

export async function createPartnerSession(db: Q, partnerUserId: string, now: Date, meta: { ip: string | null; userAgent: string | null }): Promise<{ token: string; csrf: string }> {
  const { token, csrf, columns } = newSessionSecrets(now, meta);
  await db
    .insertInto('partner_sessions')
    .values({ ...columns, partner_user_id: partnerUserId })
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
  const idHash = sessionKey(token);
  if (!idHash) return null;
  const session = await db.selectFrom('partner_sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  if (!session) return null;
  const user = await db.selectFrom('partner_users').selectAll().where('id', '=', session.partner_user_id).executeTakeFirst();
  const partner = user ? await db.selectFrom('partners').selectAll().where('id', '=', user.partner_id).executeTakeFirst() : undefined;
  const timing = sessionTiming(session, now);
  if (!user || !partner || user.status !== 'active' || partner.status !== 'active' || timing === 'expired') {
    await db.deleteFrom('partner_sessions').where('id_hash', '=', idHash).execute();
    return null;
  }
  if (timing === 'touch') {
    await db.updateTable('partner_sessions').set({ last_seen_at: now.toISOString() }).where('id_hash', '=', idHash).execute();
  }
  return { session, user, partner };
}

export async function endPartnerSession(db: Q, token: string): Promise<void> {
  const idHash = sessionKey(token);
  if (idHash) await db.deleteFrom('partner_sessions').where('id_hash', '=', idHash).execute();
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
    .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<=', idleSince(now))]))
    .execute();
}
