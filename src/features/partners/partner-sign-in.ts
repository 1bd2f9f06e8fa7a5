import { recordAudit } from '../../platform/audit/audit.ts';
import type { Services } from '../../services.ts';
import { passwordMatches } from '../agents/passwords.ts';
import type { SignInResult, SignInThrottle } from '../agents/sign-in.ts';
import { normalizeEmail } from '../registrations/registration.ts';
import { createPartnerSession } from './partner-sessions.ts';
import { findPartnerById, findPartnerUserByEmail } from './partners-repository.ts';

/**
 * Signs a partner user in with e-mail and password, under the same throttle rule as agents (failures
 * counted per account and per address, ASVS 6.3.1) but with counters of its own: a new partner
 * session each time, every attempt in the audit log. An archived organisation's users cannot sign in.
 */
export async function signInPartner(s: Services, throttle: SignInThrottle, input: { email: string; password: string; ip: string; userAgent: string | null }): Promise<SignInResult> {
  const now = s.clock.now();
  const email = normalizeEmail(input.email);
  const blocked = throttle.waitFor(email, input.ip);
  if (blocked) {
    await recordAudit(s.db.kysely, now, { type: 'anonymous', id: null, ip: input.ip }, 'partner-user.sign-in-throttled', null, { email });
    return { ok: false, reason: 'throttled', retryAfterSeconds: blocked };
  }
  const user = await findPartnerUserByEmail(s.db.kysely, email);
  const valid = await passwordMatches(user?.password_hash, input.password);
  const partner = user ? await findPartnerById(s.db.kysely, user.partner_id) : undefined;
  if (!user || !valid || user.status !== 'active' || partner?.status !== 'active') {
    throttle.failed(email, input.ip);
    await recordAudit(s.db.kysely, now, { type: 'anonymous', id: null, ip: input.ip }, 'partner-user.sign-in-failed', user ? { type: 'partner-user', id: user.id } : null, {
      email,
      reason: !user ? 'unknown-account' : !valid ? 'wrong-password' : user.status !== 'active' ? `account-${user.status}` : 'partner-archived',
    });
    return { ok: false, reason: 'invalid' };
  }
  throttle.succeeded(email);
  const { token } = await s.db.transaction(async (trx) => {
    const created = await createPartnerSession(trx, user.id, now, { ip: input.ip, userAgent: input.userAgent });
    await trx.updateTable('partner_users').set({ last_sign_in_at: now.toISOString() }).where('id', '=', user.id).execute();
    await recordAudit(trx, now, { type: 'partner', id: user.id, ip: input.ip }, 'partner-user.sign-in', { type: 'partner-user', id: user.id }, { partnerId: user.partner_id });
    return created;
  });
  return { ok: true, token, accountId: user.id };
}
