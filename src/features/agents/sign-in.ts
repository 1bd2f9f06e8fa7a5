import { recordAudit } from '../../platform/audit/audit.ts';
import { RateLimiter } from '../../platform/http/rate-limit.ts';
import type { Services } from '../../services.ts';
import { normalizeEmail } from '../registrations/registration.ts';
import { findAgentByEmail } from './agents-repository.ts';
import { passwordMatches } from './passwords.ts';
import { createSession } from './sessions.ts';

/**
 * Failed sign-ins are counted per account and per address over 15 minutes (ASVS 6.3.1): enough to stop
 * guessing, short enough that the real agent is never locked out for long. Only failures count.
 */
export class SignInThrottle {
  private readonly perAccount: RateLimiter;
  private readonly perIp: RateLimiter;
  constructor(s: Pick<Services, 'clock'>, limits = { perAccount: 5, perIp: 30, windowMs: 15 * 60 * 1000 }) {
    this.perAccount = new RateLimiter(limits.perAccount, limits.windowMs, s.clock);
    this.perIp = new RateLimiter(limits.perIp, limits.windowMs, s.clock);
  }

  /** Seconds to wait when the account or the address is throttled, else 0: asked before the password is even checked. */
  waitFor(email: string, ip: string): number {
    return this.perAccount.peek(`account:${email}`) || this.perIp.peek(`ip:${ip}`);
  }

  failed(email: string, ip: string): void {
    this.perAccount.hit(`account:${email}`);
    this.perIp.hit(`ip:${ip}`);
  }

  /** A success clears the account's failures, not the address's: one right password does not reopen guessing others. */
  succeeded(email: string): void {
    this.perAccount.reset(`account:${email}`);
  }
}

export type SignInResult =
  | { ok: true; token: string; accountId: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/** Signs an agent in with e-mail and password: a new session each time, every attempt in the audit log. */
export async function signIn(s: Services, throttle: SignInThrottle, input: { email: string; password: string; ip: string; userAgent: string | null }): Promise<SignInResult> {
  const now = s.clock.now();
  const email = normalizeEmail(input.email);
  const blocked = throttle.waitFor(email, input.ip);
  if (blocked) {
    await recordAudit(s.db.kysely, now, { type: 'anonymous', id: null, ip: input.ip }, 'agent.sign-in-throttled', null, { email });
    return { ok: false, reason: 'throttled', retryAfterSeconds: blocked };
  }
  const agent = await findAgentByEmail(s.db.kysely, email);
  const valid = await passwordMatches(agent?.password_hash, input.password);
  if (!agent || !valid || agent.status !== 'active') {
    throttle.failed(email, input.ip);
    await recordAudit(s.db.kysely, now, { type: 'anonymous', id: null, ip: input.ip }, 'agent.sign-in-failed', agent ? { type: 'agent', id: agent.id } : null, {
      email,
      reason: !agent ? 'unknown-account' : agent.status !== 'active' ? `account-${agent.status}` : 'wrong-password',
    });
    return { ok: false, reason: 'invalid' };
  }
  throttle.succeeded(email);
  const { token } = await s.db.transaction(async (trx) => {
    const created = await createSession(trx, agent.id, now, { ip: input.ip, userAgent: input.userAgent });
    await trx.updateTable('agents').set({ last_sign_in_at: now.toISOString() }).where('id', '=', agent.id).execute();
    await recordAudit(trx, now, { type: 'agent', id: agent.id, ip: input.ip }, 'agent.sign-in', { type: 'agent', id: agent.id });
    return created;
  });
  return { ok: true, token, accountId: agent.id };
}

