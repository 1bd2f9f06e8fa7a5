import { recordAudit } from '../../platform/audit/audit.ts';
import { RateLimiter } from '../../platform/http/rate-limit.ts';
import type { Services } from '../../services.ts';
import { normalizeEmail } from '../registrations/registration.ts';
import { findAgentByEmail } from './agents-repository.ts';
import { dummyHash, verifyPassword } from './passwords.ts';
import { createSession } from './sessions.ts';

/**
 * Failed sign-ins are counted per account and per address over 15 minutes (ASVS 6.3.1): enough to stop
 * guessing, short enough that the real agent is never locked out for long. Only failures count.
 */
export class SignInThrottle {
  readonly perAccount: RateLimiter;
  readonly perIp: RateLimiter;
  constructor(s: Pick<Services, 'clock'>, limits = { perAccount: 5, perIp: 30, windowMs: 15 * 60 * 1000 }) {
    this.perAccount = new RateLimiter(limits.perAccount, limits.windowMs, s.clock);
    this.perIp = new RateLimiter(limits.perIp, limits.windowMs, s.clock);
  }
}

export type SignInResult =
  | { ok: true; token: string; agentId: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/** Signs an agent in with e-mail and password: a new session each time, every attempt in the audit log. */
export async function signIn(s: Services, throttle: SignInThrottle, input: { email: string; password: string; ip: string; userAgent: string | null }): Promise<SignInResult> {
  const now = s.clock.now();
  const email = normalizeEmail(input.email);
  const accountKey = `account:${email}`;
  const ipKey = `ip:${input.ip}`;
  // Peek: a throttled account or address is refused before the password is even checked.
  const blocked = throttle.perAccount.peek(accountKey) || throttle.perIp.peek(ipKey);
  if (blocked) {
    await recordAudit(s.db.kysely, now, { type: 'anonymous', id: null, ip: input.ip }, 'agent.sign-in-throttled', null, { email });
    return { ok: false, reason: 'throttled', retryAfterSeconds: blocked };
  }
  const agent = await findAgentByEmail(s.db.kysely, email);
  const valid = agent?.password_hash ? await verifyPassword(agent.password_hash, input.password) : (await verifyPassword(await dummyHash(), input.password), false);
  if (!agent || !valid || agent.status !== 'active') {
    throttle.perAccount.hit(accountKey);
    throttle.perIp.hit(ipKey);
    await recordAudit(s.db.kysely, now, { type: 'anonymous', id: null, ip: input.ip }, 'agent.sign-in-failed', agent ? { type: 'agent', id: agent.id } : null, {
      email,
      reason: !agent ? 'unknown-account' : agent.status !== 'active' ? `account-${agent.status}` : 'wrong-password',
    });
    return { ok: false, reason: 'invalid' };
  }
  throttle.perAccount.reset(accountKey);
  const { token } = await s.db.transaction(async (trx) => {
    const created = await createSession(trx, agent.id, now, { ip: input.ip, userAgent: input.userAgent });
    await trx.updateTable('agents').set({ last_sign_in_at: now.toISOString() }).where('id', '=', agent.id).execute();
    await recordAudit(trx, now, { type: 'agent', id: agent.id, ip: input.ip }, 'agent.sign-in', { type: 'agent', id: agent.id });
    return created;
  });
  return { ok: true, token, agentId: agent.id };
}

