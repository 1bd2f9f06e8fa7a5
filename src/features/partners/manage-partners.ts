import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { isUniqueViolation } from '../../platform/db/database.ts';
import type { Database, PartnerRow, PartnerUserRow } from '../../platform/db/schema.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { passwordProblem } from '../agents/agent.ts';
import { hashPassword } from '../agents/passwords.ts';
import { normalizeEmail } from '../registrations/registration.ts';
import { slugify } from './partner.ts';
import { renderPartnerLinkEmail } from './partner-emails.tsx';
import type { PartnerForm } from './partner-schemas.ts';
import { endAllPartnerSessions, endPartnerSessionsOfOrganisation } from './partner-sessions.ts';
import { findPartnerById, findPartnerUserById } from './partners-repository.ts';

const INVITE_HOURS = 72;
const RESET_HOURS = 24;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function columns(f: PartnerForm) {
  return {
    name: f.name,
    role: f.role,
    themes: JSON.stringify(f.themes),
    regions: JSON.stringify(f.regions),
    email: f.email,
    phone: f.phone,
    website: f.website,
    address: f.address,
    contact_name: f.contactName,
    contact_title: f.contactTitle,
    contact_email: f.contactEmail,
    contact_phone: f.contactPhone,
  };
}

/** A slug of the name no other partner has: "chambre-d-agriculture", then "-2", "-3"… */
async function freeSlug(trx: Transaction<Database>, name: string): Promise<string> {
  const base = slugify(name);
  const taken = new Set((await trx.selectFrom('partners').select('slug').where('slug', 'like', `${base}%`).execute()).map((r) => r.slug));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** Adds an organisation to the partner directory. Keeps: one partner per name (case and accents aside). */
export async function createPartner(s: Services, input: { form: PartnerForm; actor: Actor }): Promise<PartnerRow> {
  const now = s.clock.now().toISOString();
  return s.db.transaction(async (trx) => {
    const same = await trx.selectFrom('partners').select(['name']).execute();
    if (same.some((p) => slugify(p.name) === slugify(input.form.name))) throw new DomainError('partner-exists', 'Un partenaire porte déjà ce nom');
    const row: PartnerRow = { id: randomUUID(), slug: await freeSlug(trx, input.form.name), ...columns(input.form), status: 'active', created_at: now, updated_at: now };
    await trx.insertInto('partners').values(row).execute();
    await recordAudit(trx, s.clock.now(), input.actor, 'partner.created', { type: 'partner', id: row.id }, { name: row.name });
    return row;
  });
}

/** Changes a partner's directory entry; its address (slug) stays, so that links already sent keep working. */
export async function updatePartner(s: Services, input: { partnerId: string; form: PartnerForm; actor: Actor }): Promise<PartnerRow> {
  const now = s.clock.now();
  return s.db.transaction(async (trx) => {
    const p = await findPartnerById(trx, input.partnerId);
    if (!p) throw new NotFound('Partenaire introuvable');
    const others = await trx.selectFrom('partners').select(['name']).where('id', '!=', p.id).execute();
    if (others.some((o) => slugify(o.name) === slugify(input.form.name))) throw new DomainError('partner-exists', 'Un autre partenaire porte déjà ce nom');
    const patch = { ...columns(input.form), updated_at: now.toISOString() };
    await trx.updateTable('partners').set(patch).where('id', '=', p.id).execute();
    await recordAudit(trx, now, input.actor, 'partner.updated', { type: 'partner', id: p.id });
    return { ...p, ...patch };
  });
}

/**
 * Archives a partner or makes it active again. Archiving ends its users' sessions at once (they can
 * no longer sign in) and takes its published offers off the public pages (they expire); referrals
 * already made stay on the candidates' files.
 */
export async function setPartnerStatus(s: Services, input: { partnerId: string; status: 'active' | 'archived'; actor: Actor }): Promise<{ offersExpired: number }> {
  const now = s.clock.now();
  return s.db.transaction(async (trx) => {
    const p = await findPartnerById(trx, input.partnerId);
    if (!p) throw new NotFound('Partenaire introuvable');
    if (p.status === input.status) return { offersExpired: 0 };
    await trx.updateTable('partners').set({ status: input.status, updated_at: now.toISOString() }).where('id', '=', p.id).execute();
    let offersExpired = 0;
    if (input.status === 'archived') {
      await endPartnerSessionsOfOrganisation(trx, p.id);
      const r = await trx
        .updateTable('offers')
        .set({ status: 'expired', expired_at: now.toISOString(), updated_at: now.toISOString(), confirm_token_hash: null })
        .where('partner_id', '=', p.id)
        .where('status', '=', 'published')
        .executeTakeFirst();
      offersExpired = Number(r.numUpdatedRows ?? 0n);
    }
    await recordAudit(trx, now, input.actor, input.status === 'archived' ? 'partner.archived' : 'partner.reactivated', { type: 'partner', id: p.id }, { offersExpired });
    return { offersExpired };
  });
}

async function sendPartnerUserLink(s: Services, trx: Transaction<Database>, user: PartnerUserRow, partner: PartnerRow, purpose: 'invite' | 'reset', now: Date) {
  const token = randomBytes(32).toString('base64url');
  const hours = purpose === 'invite' ? INVITE_HOURS : RESET_HOURS;
  // A new link replaces the ones not used yet.
  await trx.deleteFrom('partner_user_tokens').where('partner_user_id', '=', user.id).where('used_at', 'is', null).execute();
  await trx
    .insertInto('partner_user_tokens')
    .values({ token_hash: sha256(token), partner_user_id: user.id, purpose, created_at: now.toISOString(), expires_at: new Date(now.getTime() + hours * 3600_000).toISOString(), used_at: null })
    .execute();
  const mail = await renderPartnerLinkEmail(purpose, { territory: s.territory, publicUrl: s.config.publicUrl, name: user.name, partnerName: partner.name, link: `${s.config.publicUrl}/partenaires/lien/${token}`, validHours: hours });
  await enqueueEmail(trx, now, { dedupeKey: `partner-user:${user.id}:${purpose}:${sha256(token).slice(0, 16)}`, kind: `partner-user-${purpose}`, to: user.email, ...mail });
}

/**
 * An admin invites a person of a partner organisation: the account waits for them to choose a
 * password through a one-time link sent by e-mail. Keeps: one partner user per e-mail; only for an
 * active partner.
 */
export async function invitePartnerUser(s: Services, input: { partnerId: string; name: string; email: string; actor: Actor }): Promise<PartnerUserRow> {
  const now = s.clock.now();
  try {
    const user = await s.db.transaction(async (trx) => {
      const partner = await findPartnerById(trx, input.partnerId);
      if (!partner) throw new NotFound('Partenaire introuvable');
      if (partner.status !== 'active') throw new DomainError('partner-archived', 'Ce partenaire est archivé : réactivez-le avant d’inviter quelqu’un');
      const row: PartnerUserRow = {
        id: randomUUID(),
        partner_id: partner.id,
        email: input.email.trim(),
        email_normalized: normalizeEmail(input.email),
        name: input.name.trim(),
        status: 'invited',
        password_hash: null,
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        last_sign_in_at: null,
      };
      await trx.insertInto('partner_users').values(row).execute();
      await sendPartnerUserLink(s, trx, row, partner, 'invite', now);
      await recordAudit(trx, now, input.actor, 'partner-user.invited', { type: 'partner-user', id: row.id }, { partnerId: partner.id });
      return row;
    });
    s.mailQueued();
    return user;
  } catch (e) {
    if (isUniqueViolation(e)) throw new DomainError('partner-user-exists', 'Une personne a déjà un accès partenaire avec cette adresse e-mail');
    throw e;
  }
}

/** Sends a partner user a new one-time link (an invitation again, or a new password); their password stays valid until they use it. */
export async function sendPartnerUserNewLink(s: Services, input: { partnerId: string; userId: string; actor: Actor }): Promise<void> {
  const now = s.clock.now();
  await s.db.transaction(async (trx) => {
    const user = await findPartnerUserById(trx, input.userId);
    const partner = await findPartnerById(trx, input.partnerId);
    if (!user || !partner || user.partner_id !== partner.id) throw new NotFound('Utilisateur introuvable');
    if (user.status === 'disabled') throw new DomainError('partner-user-disabled', 'Cet accès est désactivé : réactivez-le d’abord');
    if (partner.status !== 'active') throw new DomainError('partner-archived', 'Ce partenaire est archivé');
    await sendPartnerUserLink(s, trx, user, partner, user.status === 'invited' ? 'invite' : 'reset', now);
    await recordAudit(trx, now, input.actor, 'partner-user.link-sent', { type: 'partner-user', id: user.id });
  });
  s.mailQueued();
}

/** Disables or enables a partner user; disabling ends their sessions at once (ASVS 7.4.2). */
export async function setPartnerUserEnabled(s: Services, input: { partnerId: string; userId: string; enabled: boolean; actor: Actor }): Promise<void> {
  const now = s.clock.now();
  await s.db.transaction(async (trx) => {
    const user = await findPartnerUserById(trx, input.userId);
    if (!user || user.partner_id !== input.partnerId) throw new NotFound('Utilisateur introuvable');
    const status = input.enabled ? (user.password_hash ? 'active' : 'invited') : 'disabled';
    if (status === user.status) return;
    await trx.updateTable('partner_users').set({ status, updated_at: now.toISOString() }).where('id', '=', user.id).execute();
    if (!input.enabled) {
      await endAllPartnerSessions(trx, user.id);
      await trx.updateTable('partner_user_tokens').set({ used_at: now.toISOString() }).where('partner_user_id', '=', user.id).where('used_at', 'is', null).execute();
    }
    await recordAudit(trx, now, input.actor, input.enabled ? 'partner-user.enabled' : 'partner-user.disabled', { type: 'partner-user', id: user.id });
  });
}

/** The partner user behind a one-time link, if it is unused, unexpired, and their organisation active. */
export async function partnerUserForLink(s: Services, token: string) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const row = await s.db.kysely
    .selectFrom('partner_user_tokens as t')
    .innerJoin('partner_users as u', 'u.id', 't.partner_user_id')
    .innerJoin('partners as p', 'p.id', 'u.partner_id')
    .select(['t.token_hash', 't.purpose', 't.expires_at', 't.used_at', 'u.id', 'u.name', 'u.email', 'u.status', 'p.name as partnerName', 'p.status as partnerStatus'])
    .where('t.token_hash', '=', sha256(token))
    .executeTakeFirst();
  if (!row || row.used_at || row.status === 'disabled' || row.partnerStatus !== 'active' || new Date(row.expires_at).getTime() <= s.clock.now().getTime()) return null;
  return row;
}

/** Sets the password chosen through a one-time link, with the agents' rule; the link is spent and earlier sessions end. */
export async function setPartnerPasswordWithLink(s: Services, input: { token: string; password: string; ip: string }): Promise<{ userId: string }> {
  const link = await partnerUserForLink(s, input.token);
  if (!link) throw new DomainError('link-invalid', 'Ce lien n’est plus valable : demandez-en un nouveau à l’équipe');
  const problem = passwordProblem(input.password, { email: link.email, name: link.name });
  if (problem) throw new DomainError('weak-password', problem);
  const hash = await hashPassword(input.password);
  const now = s.clock.now();
  await s.db.transaction(async (trx) => {
    const spent = await trx.updateTable('partner_user_tokens').set({ used_at: now.toISOString() }).where('token_hash', '=', link.token_hash).where('used_at', 'is', null).executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) throw new DomainError('link-invalid', 'Ce lien a déjà servi');
    await trx.updateTable('partner_users').set({ password_hash: hash, status: 'active', updated_at: now.toISOString() }).where('id', '=', link.id).execute();
    await endAllPartnerSessions(trx, link.id);
    await recordAudit(trx, now, { type: 'partner', id: link.id, ip: input.ip }, link.purpose === 'invite' ? 'partner-user.invitation-accepted' : 'partner-user.password-changed', { type: 'partner-user', id: link.id });
  });
  return { userId: link.id };
}
