import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { AgentRow, Database, SessionRow } from '../../platform/db/schema.ts';

/** ASVS 7.3: a session ends after two hours without activity, and after twelve hours whatever happens. */
export const SESSION_IDLE_MS = 2 * 3600 * 1000;
export const SESSION_ABSOLUTE_MS = 12 * 3600 * 1000;
/** last_seen_at is written at most once a minute, not on every request. */
const TOUCH_EVERY_MS = 60 * 1000;

type Q = Kysely<Database> | Transaction<Database>;

export function sessionCookieName(isHttps: boolean): string {
  // The __Host- prefix needs Secure, hence HTTPS; on plain http (a laptop) the plain name is used.
  return isHttps ? '__Host-nv_session' : 'nv_session';
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * The mechanics every kind of session shares (the agents' here, the partner users' in their own table):
 * a random token in the cookie and only its SHA-256 in the table, a CSRF token per session, the idle
 * and absolute timeouts.
 */
export function newSessionSecrets(now: Date, meta: { ip: string | null; userAgent: string | null }) {
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(32).toString('base64url');
  const columns = {
    id_hash: sha256(token),
    csrf_token: csrf,
    created_at: now.toISOString(),
    last_seen_at: now.toISOString(),
    expires_at: new Date(now.getTime() + SESSION_ABSOLUTE_MS).toISOString(),
    ip: meta.ip,
    user_agent: meta.userAgent?.slice(0, 300) ?? null,
  };
  return { token, csrf, columns };
}

/** The key of the session a cookie names, or null for a value that cannot be a token of ours. */
export function sessionKey(token: string | undefined): string | null {
  return token && /^[A-Za-z0-9_-]{43}$/.test(token) ? sha256(token) : null;
}

/** Whether a session is past one of its timeouts, or due for its last-seen time to be written again. */
export function sessionTiming(session: { expires_at: string; last_seen_at: string }, now: Date): 'expired' | 'touch' | 'fresh' {
  const t = now.getTime();
  const idle = t - new Date(session.last_seen_at).getTime();
  if (t >= new Date(session.expires_at).getTime() || idle >= SESSION_IDLE_MS) return 'expired';
  return idle >= TOUCH_EVERY_MS ? 'touch' : 'fresh';
}

/** Sessions last seen before this instant are past the idle timeout. */
export const idleSince = (now: Date) => new Date(now.getTime() - SESSION_IDLE_MS).toISOString();

export async function createSession(db: Q, agentId: string, now: Date, meta: { ip: string | null; userAgent: string | null }): Promise<{ token: string; csrf: string }> {
  const { token, csrf, columns } = newSessionSecrets(now, meta);
  await db
    .insertInto('sessions')
    .values({ ...columns, agent_id: agentId })
    .execute();
  return { token, csrf };
}

export interface ActiveSession {
  session: SessionRow;
  agent: AgentRow;
}

/** The session behind a cookie, if it is still alive and its agent still active; an expired one is deleted. */
export async function loadSession(db: Q, token: string | undefined, now: Date): Promise<ActiveSession | null> {
  const idHash = sessionKey(token);
  if (!idHash) return null;
  const row = await db
    .selectFrom('sessions')
    .innerJoin('agents', 'agents.id', 'sessions.agent_id')
    .selectAll('sessions')
    .select(['agents.email', 'agents.email_normalized', 'agents.name', 'agents.role', 'agents.status', 'agents.password_hash', 'agents.updated_at', 'agents.last_sign_in_at', 'agents.created_at as agent_created_at'])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return null;
  const timing = sessionTiming(row, now);
  if (timing === 'expired' || row.status !== 'active') {
    await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    return null;
  }
  if (timing === 'touch') {
    await db.updateTable('sessions').set({ last_seen_at: now.toISOString() }).where('id_hash', '=', idHash).execute();
  }
  const session: SessionRow = {
    id_hash: row.id_hash,
    agent_id: row.agent_id,
    csrf_token: row.csrf_token,
    created_at: row.created_at,
    last_seen_at: row.last_seen_at,
    expires_at: row.expires_at,
    ip: row.ip,
    user_agent: row.user_agent,
  };
  const agent: AgentRow = {
    id: row.agent_id,
    email: row.email,
    email_normalized: row.email_normalized,
    name: row.name,
    role: row.role,
    status: row.status,
    password_hash: row.password_hash,
    created_at: row.agent_created_at,
    updated_at: row.updated_at,
    last_sign_in_at: row.last_sign_in_at,
  };
  return { session, agent };
}

export async function endSession(db: Q, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', sha256(token)).execute();
}

/** ASVS 7.4.2: disabling an agent or changing their password ends every session they have. */
export async function endAllSessions(db: Q, agentId: string): Promise<void> {
  await db.deleteFrom('sessions').where('agent_id', '=', agentId).execute();
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function purgeExpiredSessions(db: Q, now: Date): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<=', idleSince(now))]))
    .execute();
}
