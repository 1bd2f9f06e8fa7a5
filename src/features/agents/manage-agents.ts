import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { isUniqueViolation } from '../../platform/db/database.ts';
import type { AgentRow, Database } from '../../platform/db/schema.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { normalizeEmail } from '../registrations/registration.ts';
import type { Role } from './agent.ts';
import { passwordProblem } from './agent.ts';
import { renderAgentLinkEmail } from './agent-emails.tsx';
import { findAgentById } from './agents-repository.ts';
import { hashPassword } from './passwords.ts';
import { endAllSessions } from './sessions.ts';

const INVITE_HOURS = 72;
const RESET_HOURS = 24;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Creates an agent. With a password (the CLI) the account is active at once; without (an admin's
 * invitation) it waits for the agent to choose one through a one-time link sent by e-mail.
 * Keeps: one agent per e-mail; the password rule.
 */
export async function createAgent(s: Services, input: { email: string; name: string; role: Role; password?: string; actor: Actor }): Promise<AgentRow> {
  const email = input.email.trim();
  const emailNormalized = normalizeEmail(email);
  const name = input.name.trim();
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password, { email, name });
    if (problem) throw new DomainError('weak-password', problem);
  }
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null;
  const now = s.clock.now();
  try {
    const agent = await s.db.transaction(async (trx) => {
      const row: AgentRow = {
        id: randomUUID(),
        email,
        email_normalized: emailNormalized,
        name,
        role: input.role,
        status: passwordHash ? 'active' : 'invited',
        password_hash: passwordHash,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        last_sign_in_at: null,
      };
      await trx.insertInto('agents').values(row).execute();
      await recordAudit(trx, now, input.actor, passwordHash ? 'agent.created' : 'agent.invited', { type: 'agent', id: row.id }, { role: row.role });
      if (!passwordHash) await sendAgentLink(s, trx, row, 'invite', now, input.actor);
      return row;
    });
    s.mailQueued();
    return agent;
  } catch (e) {
    if (isUniqueViolation(e)) throw new DomainError('agent-exists', 'Un agent a déjà cette adresse e-mail');
    throw e;
  }
}

async function sendAgentLink(s: Services, trx: Transaction<Database>, agent: AgentRow, purpose: 'invite' | 'reset', now: Date, actor: Actor) {
  const token = randomBytes(32).toString('base64url');
  const hours = purpose === 'invite' ? INVITE_HOURS : RESET_HOURS;
  // A new link replaces the previous ones of the same purpose.
  await trx.deleteFrom('agent_tokens').where('agent_id', '=', agent.id).where('used_at', 'is', null).execute();
  await trx
    .insertInto('agent_tokens')
    .values({ token_hash: sha256(token), agent_id: agent.id, purpose, created_at: now.toISOString(), expires_at: new Date(now.getTime() + hours * 3600_000).toISOString(), used_at: null })
    .execute();
  const inviter = actor.id ? await findAgentById(trx, actor.id) : undefined;
  const mail = await renderAgentLinkEmail(purpose, {
    territory: s.territory,
    publicUrl: s.config.publicUrl,
    name: agent.name,
    link: `${s.config.publicUrl}/connexion/lien/${token}`,
    invitedBy: inviter?.name,
    validHours: hours,
  });
  await enqueueEmail(trx, now, { dedupeKey: `agent:${agent.id}:${purpose}:${sha256(token).slice(0, 16)}`, kind: `agent-${purpose}`, to: agent.email, ...mail });
}

/** An admin sends an agent a one-time link to choose a new password; their sessions end at once. */
export async function sendPasswordReset(s: Services, input: { agentId: string; actor: Actor }): Promise<void> {
  const now = s.clock.now();
  await s.db.transaction(async (trx) => {
    const agent = await findAgentById(trx, input.agentId);
    if (!agent) throw new NotFound('Agent introuvable');
    if (agent.status === 'disabled') throw new DomainError('agent-disabled', 'Cet agent est désactivé : réactivez-le d’abord');
    await sendAgentLink(s, trx, agent, agent.status === 'invited' ? 'invite' : 'reset', now, input.actor);
    await recordAudit(trx, now, input.actor, 'agent.password-reset-sent', { type: 'agent', id: agent.id });
  });
  s.mailQueued();
}

/** The agent behind a one-time link, if it is unused and unexpired. */
export async function agentForLink(s: Services, token: string) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const row = await s.db.kysely
    .selectFrom('agent_tokens')
    .innerJoin('agents', 'agents.id', 'agent_tokens.agent_id')
    .select(['agent_tokens.token_hash', 'agent_tokens.purpose', 'agent_tokens.expires_at', 'agent_tokens.used_at', 'agents.id', 'agents.name', 'agents.email', 'agents.status'])
    .where('agent_tokens.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.used_at || row.status === 'disabled' || new Date(row.expires_at).getTime() <= s.clock.now().getTime()) return null;
  return row;
}

/** Sets the password chosen through a one-time link; the link is spent and earlier sessions end. */
export async function setPasswordWithLink(s: Services, input: { token: string; password: string; ip: string }): Promise<{ agentId: string }> {
  const link = await agentForLink(s, input.token);
  if (!link) throw new DomainError('link-invalid', 'Ce lien n’est plus valable : demandez-en un nouveau à un administrateur');
  const problem = passwordProblem(input.password, { email: link.email, name: link.name });
  if (problem) throw new DomainError('weak-password', problem);
  const hash = await hashPassword(input.password);
  const now = s.clock.now();
  await s.db.transaction(async (trx) => {
    const spent = await trx.updateTable('agent_tokens').set({ used_at: now.toISOString() }).where('token_hash', '=', link.token_hash).where('used_at', 'is', null).executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) throw new DomainError('link-invalid', 'Ce lien a déjà servi');
    await trx.updateTable('agents').set({ password_hash: hash, status: 'active', updated_at: now.toISOString() }).where('id', '=', link.id).execute();
    await endAllSessions(trx, link.id);
    await recordAudit(trx, now, { type: 'agent', id: link.id, ip: input.ip }, link.purpose === 'invite' ? 'agent.invitation-accepted' : 'agent.password-changed', { type: 'agent', id: link.id });
  });
  return { agentId: link.id };
}

/** Disables or enables an agent; disabling ends their sessions at once (ASVS 7.4.2). An admin cannot disable themself. */
export async function setAgentEnabled(s: Services, input: { agentId: string; enabled: boolean; actor: Actor }): Promise<void> {
  if (!input.enabled && input.actor.id === input.agentId) throw new DomainError('self-disable', 'Vous ne pouvez pas désactiver votre propre compte');
  const now = s.clock.now();
  await s.db.transaction(async (trx) => {
    const agent = await findAgentById(trx, input.agentId);
    if (!agent) throw new NotFound('Agent introuvable');
    const status = input.enabled ? (agent.password_hash ? 'active' : 'invited') : 'disabled';
    if (status === agent.status) return;
    if (!input.enabled && agent.role === 'admin') {
      const admins = await trx.selectFrom('agents').select('id').where('role', '=', 'admin').where('status', '=', 'active').execute();
      if (admins.length <= 1) throw new DomainError('last-admin', 'C’est le dernier administrateur actif : il ne peut pas être désactivé');
    }
    await trx.updateTable('agents').set({ status, updated_at: now.toISOString() }).where('id', '=', agent.id).execute();
    if (!input.enabled) await endAllSessions(trx, agent.id);
    await recordAudit(trx, now, input.actor, input.enabled ? 'agent.enabled' : 'agent.disabled', { type: 'agent', id: agent.id });
  });
}
