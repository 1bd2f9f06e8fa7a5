import { randomUUID } from 'node:crypto';
import { registerCandidate } from '../../registrations/register-candidate.ts';
import { systemActor } from '../../../platform/audit/audit.ts';
import type { OfferRow, PartnerRow, PartnerUserRow } from '../../../platform/db/schema.ts';
import { createOffer, type OfferOwner } from '../../offers/save-offer.ts';
import type { OfferForm } from '../../offers/offer-schemas.ts';
import { createPartner, invitePartnerUser, setPartnerPasswordWithLink } from '../manage-partners.ts';
import type { PartnerForm } from '../partner-schemas.ts';
import type { TestContext } from '../../../../tests/support/harness.ts';
import { createWebinar, parsedForm } from '../../../../tests/support/fixtures.ts';
import { signInThrough, type Session } from '../../../../tests/support/admin.ts';

/**
 * Test fixtures of partners, partner users, offers and candidates, made through the use cases
 * themselves (never by writing rows by hand), for the tests of partners, offers and referrals.
 * Test code only: nothing in src/ imports this file.
 */

export const PARTNER_PASSWORD = 'une phrase de passe du partenaire';

let n = 0;

export async function makePartner(t: TestContext, over: Partial<PartnerForm> = {}): Promise<PartnerRow> {
  n++;
  const form: PartnerForm = {
    name: `Partenaire ${n} ${randomUUID().slice(0, 4)}`,
    role: 'Accompagne les nouveaux habitants.',
    themes: ['emploi'],
    regions: [],
    email: null,
    phone: null,
    website: null,
    address: null,
    contactName: null,
    contactTitle: null,
    contactEmail: null,
    contactPhone: null,
    ...over,
  };
  return createPartner(t.s, { form, actor: systemActor });
}

/** The one-time link of the last partner invitation sent to this address, as the e-mail gives it. */
export async function partnerLinkFor(t: TestContext, email: string): Promise<string> {
  const mail = await t.db.kysely.selectFrom('outbox_messages').select('text').where('to_address', '=', email).where('kind', 'like', 'partner-user-%').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  const token = /\/partenaires\/lien\/([A-Za-z0-9_-]{43})/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no partner link in the e-mail to ${email}`);
  return token;
}

/** An active partner user: invited by an admin, password chosen through the link of the e-mail. */
export async function makePartnerUser(t: TestContext, partner: PartnerRow, over: { email?: string; name?: string } = {}): Promise<PartnerUserRow> {
  n++;
  const email = over.email ?? `partenaire${n}.${randomUUID().slice(0, 6)}@partenaire.example`;
  const user = await invitePartnerUser(t.s, { partnerId: partner.id, name: over.name ?? `Utilisatrice ${n}`, email, actor: systemActor });
  await setPartnerPasswordWithLink(t.s, { token: await partnerLinkFor(t, email), password: PARTNER_PASSWORD, ip: '127.0.0.1' });
  return { ...user, status: 'active' };
}

export interface PartnerSignedIn extends Session {
  user: PartnerUserRow;
}

/** Signs a partner user in through the real form; keeps the cookie and the session's CSRF token. */
export async function signInPartnerUser(t: TestContext, user: PartnerUserRow, password = PARTNER_PASSWORD): Promise<PartnerSignedIn> {
  return { user, ...(await signInThrough(t, { signInPath: '/partenaires/connexion', home: '/partenaires', email: user.email, password })) };
}

export function offerForm(over: Partial<OfferForm> = {}): OfferForm {
  return {
    title: 'Boulangerie à reprendre',
    type: 'takeover',
    sector: 'commerce',
    commune: 'Nasbinals',
    region: 'aubrac',
    description: 'Seule boulangerie du village.',
    conditions: '',
    contactName: null,
    contactEmail: null,
    contactPhone: null,
    validFrom: null,
    validUntil: null,
    ...over,
  };
}

/** An offer made through the use case, published unless told otherwise. */
export async function makeOffer(t: TestContext, owner: OfferOwner, over: Partial<OfferForm> & { publish?: boolean; partnerId?: string | null } = {}): Promise<OfferRow> {
  const { publish = true, partnerId = null, ...form } = over;
  const f = offerForm(form);
  return createOffer(t.s, { form: f, commune: { code: null, name: f.commune, regionKey: f.region }, partnerId, publish, owner });
}

/** A person registered to a Rencontre (as the public form does it), with their private link. */
export async function makeCandidate(t: TestContext, over: Parameters<typeof parsedForm>[0] = {}): Promise<{ candidateId: string; registrationId: string; token: string; email: string }> {
  // A Rencontre three weeks after the test clock's now, open to registrations whatever the test did with time.
  const w = await createWebinar(t.db, { date: new Date(t.clock.now().getTime() + 21 * 86_400_000).toISOString().slice(0, 10) });
  const email = over.email ?? `personne.${randomUUID().slice(0, 8)}@example.org`;
  const r = await registerCandidate(t.s, { webinarId: w.id as string, submissionKey: randomUUID(), form: parsedForm({ ...over, email }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } });
  const mail = await t.db.kysely.selectFrom('outbox_messages').select('text').where('registration_id', '=', r.registrationId).orderBy('created_at').executeTakeFirstOrThrow();
  const token = /\/mon-inscription\/([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
  const reg = await t.db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', r.registrationId).executeTakeFirstOrThrow();
  return { candidateId: reg.candidate_id, registrationId: r.registrationId, token, email };
}

/** The consent link of a referral, as the request e-mail gives it. */
export async function consentLinkFor(t: TestContext, email: string): Promise<string> {
  const mail = await t.db.kysely.selectFrom('outbox_messages').select('text').where('to_address', '=', email).where('kind', '=', 'referral-consent').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
  return /\/consentement\/([A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
}
