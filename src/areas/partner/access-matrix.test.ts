import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgent, signIn, type SignedIn } from '../../../tests/support/admin.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { keepOffersFresh } from '../../features/offers/offer-freshness.ts';
import { answerReferralConsent } from '../../features/referrals/answer-referral-consent.ts';
import { requestReferral } from '../../features/referrals/request-referral.ts';
import type { OfferRow, PartnerRow, PartnerUserRow } from '../../platform/db/schema.ts';
import { consentLinkFor, makeCandidate, makeOffer, makePartner, makePartnerUser, signInPartnerUser, type PartnerSignedIn } from '../../features/partners/testing/partner-fixtures.ts';

/**
 * Who may reach what, generated from the app's route table (app.routes): every route of the partner
 * portal, the offers, the referrals and their back-office pages is tried by six principals (anonymous,
 * a candidate holding their private links, two partners, a referent, an admin) on every object it
 * can address (offers, partners, partner users, referrals, candidates). Every refusal must be a 403 or
 * a 404 for someone signed in to that area, a sign-in redirect (page) or 401 (write) for someone who
 * is not, and never carry the object's data. A route of these areas without a rule below fails the
 * test; every other /admin route is checked against the partners and the candidate link as well.
 * Allowed pages are opened and must show their object; allowed writes are proven by the functional
 * tests (a write here would change the fixtures), refused writes are sent with a valid CSRF token and
 * a plausible body, and the database must be unchanged after all of them.
 */

type Principal = 'anonymous' | 'candidate' | 'partnerA' | 'partnerB' | 'referent' | 'admin';
const PRINCIPALS: Principal[] = ['anonymous', 'candidate', 'partnerA', 'partnerB', 'referent', 'admin'];
type Area = 'public' | 'partner' | 'admin';

interface Obj {
  label: string;
  params: Record<string, string>;
  query?: string;
  /** Shown on the object's page: present when allowed, never in a refusal. */
  canary?: string;
  /** Fields of a plausible write on this object. */
  body?: Record<string, string | string[]>;
}

interface Rule {
  area: Area;
  objects?: (f: Fixtures) => Obj[];
  allow: (p: Principal, o: Obj, f: Fixtures) => boolean;
  /** What a list shows and must not show, for a principal allowed on it. */
  shows?: (p: Principal, f: Fixtures) => { must: string[]; mustNot: string[] };
  /** Allowed writes whose body is refused by validation, hence safe to send here (the answer must be a 422). */
  safeBody?: Record<string, string>;
  /** The answer of an allowed page when it is not 200 (a signed-in partner is sent on from the sign-in page). */
  allowedStatus?: (p: Principal) => number;
}

interface Fixtures {
  partnerA: PartnerRow;
  partnerB: PartnerRow;
  userA: PartnerUserRow;
  userA2: PartnerUserRow;
  userB: PartnerUserRow;
  offers: Record<'aPub' | 'aDraft' | 'bPub' | 'bDraft' | 'teamPub' | 'teamDraft' | 'old', OfferRow>;
  referrals: Record<'aOk' | 'aWaiting' | 'aWithdrawn' | 'bOk', string>;
  names: Record<'aOk' | 'aWaiting' | 'aWithdrawn' | 'bOk' | 'followed', string>;
  candidate: { id: string; token: string; consent: string };
  followed: string;
  confirmToken: string;
}

const isPartner = (p: Principal) => p === 'partnerA' || p === 'partnerB';
const isAgent = (p: Principal) => p === 'referent' || p === 'admin';
const partnerOf = (p: Principal, f: Fixtures) => (p === 'partnerA' ? f.partnerA.id : p === 'partnerB' ? f.partnerB.id : null);
const BOGUS = 'A'.repeat(43);

const offerObjects = (f: Fixtures): Obj[] =>
  Object.entries(f.offers).map(([k, o]) => ({
    label: `offer ${k}`,
    params: { slug: o.slug },
    canary: o.title,
    body: { title: `Écrit par un autre ${k}`, type: 'job', sector: 'commerce', commune: 'Mende', description: 'x', to: 'filled', action: 'publish' },
  }));
const offerOwner = (p: Principal, o: Obj, f: Fixtures) => {
  const offer = Object.values(f.offers).find((x) => x.slug === o.params.slug)!;
  return isPartner(p) && offer.partner_id === partnerOf(p, f);
};
const offerStatus = (o: Obj, f: Fixtures) => Object.values(f.offers).find((x) => x.slug === o.params.slug)!.status;

const referralObjects = (f: Fixtures): Obj[] =>
  (Object.keys(f.referrals) as Array<keyof Fixtures['referrals']>).map((k) => ({ label: `referral ${k}`, params: { key: f.referrals[k] }, canary: f.names[k], body: { outcome: 'succeeded', note: 'écrit par un autre' } }));
const candidateObjects = (f: Fixtures): Obj[] => [
  { label: 'candidate without referent', params: { id: f.candidate.id }, canary: f.names.aOk, body: { offers: [f.offers.aPub.id], partner: f.partnerB.id, summary: 'Résumé écrit par un autre', proposal: 'x', outcome: 'declined' } },
  { label: 'candidate followed by a colleague', params: { id: f.followed }, canary: f.names.followed, body: { offers: [f.offers.aPub.id], partner: f.partnerB.id, summary: 'Résumé écrit par un autre', proposal: 'x', outcome: 'declined' } },
];
const partnerObjects = (f: Fixtures): Obj[] =>
  [f.partnerA, f.partnerB].map((p) => ({ label: `partner ${p.name}`, params: { slug: p.slug }, canary: p.name, body: { name: `${p.name} renommé`, role: 'x', themes: 'emploi', status: 'archived' } }));
const partnerUserObjects = (f: Fixtures): Obj[] => [
  { label: 'partner A’s user under A', params: { slug: f.partnerA.slug }, query: `utilisateur=${f.userA2.id}&action=desactiver`, canary: f.userA2.name, body: { action: 'desactiver', utilisateur: f.userA2.id } },
  { label: 'partner B’s user under A', params: { slug: f.partnerA.slug }, query: `utilisateur=${f.userB.id}&action=desactiver`, canary: f.userB.name, body: { action: 'desactiver', utilisateur: f.userB.id } },
];
const partnerUserAllowed = (p: Principal, o: Obj, f: Fixtures) => p === 'admin' && o.query!.includes(f.userA2.id);

const everyone = () => true;
const partners = (p: Principal) => isPartner(p);
const agents = (p: Principal) => isAgent(p);
const admins = (p: Principal) => p === 'admin';

/** The rule of every route of these areas, by "METHOD pattern". */
const RULES: Record<string, Rule> = {
  // Public offers: published ones, for everyone; nothing else, for no one.
  'GET /offres': {
    area: 'public',
    allow: everyone,
    shows: (_p, f) => ({ must: [f.offers.aPub.title, f.offers.bPub.title, f.offers.teamPub.title], mustNot: [f.offers.aDraft.title, f.offers.bDraft.title, f.offers.teamDraft.title] }),
  },
  'GET /offres/:slug': { area: 'public', objects: offerObjects, allow: (_p, o, f) => offerStatus(o, f) === 'published' },
  // The owner's confirmation link is a capability: whoever holds it answers; any other token is a 404.
  'GET /offres/confirmer/:token': {
    area: 'public',
    objects: (f) => [
      { label: 'the link of the e-mail', params: { token: f.confirmToken }, canary: f.offers.old.title },
      { label: 'a made-up link', params: { token: BOGUS } },
    ],
    allow: (_p, o) => o.params.token !== BOGUS,
  },
  'POST /offres/confirmer/:token': { area: 'public', objects: () => [{ label: 'a made-up link', params: { token: BOGUS }, body: { answer: 'filled' } }], allow: () => false },
  'GET /mon-inscription/:token/offres': {
    area: 'public',
    objects: (f) => [
      { label: 'the registration’s link', params: { token: f.candidate.token }, canary: f.offers.aPub.title },
      { label: 'a made-up link', params: { token: BOGUS } },
    ],
    allow: (_p, o) => o.params.token !== BOGUS,
  },
  'GET /consentement/:token': {
    area: 'public',
    objects: (f) => [
      { label: 'the consent link', params: { token: f.candidate.consent }, canary: f.names.aOk },
      { label: 'a made-up link', params: { token: BOGUS } },
    ],
    allow: (_p, o) => o.params.token !== BOGUS,
  },
  'POST /consentement/:token': { area: 'public', objects: () => [{ label: 'a made-up link', params: { token: BOGUS }, body: { answer: 'give' } }], allow: () => false },

  // The portal's doors: open to all.
  'GET /partenaires/connexion': { area: 'public', allow: everyone, allowedStatus: (p) => (isPartner(p) ? 303 : 200) },
  'POST /partenaires/connexion': { area: 'public', allow: everyone, safeBody: { email: '', password: '' } },
  'POST /partenaires/deconnexion': { area: 'public', allow: everyone },
  'GET /partenaires/lien/:token': { area: 'public', objects: () => [{ label: 'a made-up link', params: { token: BOGUS } }], allow: () => false },
  'POST /partenaires/lien/:token': { area: 'public', objects: () => [{ label: 'a made-up link', params: { token: BOGUS }, body: { password: 'un mot de passe de pirate', confirmation: 'un mot de passe de pirate' } }], allow: () => false },

  // The portal: partners only, each its own.
  'GET /partenaires': { area: 'partner', allow: partners, shows: (p, f) => (p === 'partnerA' ? { must: [f.partnerA.name], mustNot: [f.partnerB.name] } : { must: [f.partnerB.name], mustNot: [f.partnerA.name] }) },
  'GET /partenaires/offres': {
    area: 'partner',
    allow: partners,
    shows: (p, f) =>
      p === 'partnerA'
        ? { must: [f.offers.aPub.title, f.offers.aDraft.title], mustNot: [f.offers.bPub.title, f.offers.bDraft.title, f.offers.teamPub.title, f.offers.teamDraft.title] }
        : { must: [f.offers.bPub.title, f.offers.bDraft.title], mustNot: [f.offers.aPub.title, f.offers.aDraft.title, f.offers.teamPub.title, f.offers.teamDraft.title] },
  },
  'GET /partenaires/offres/nouvelle': { area: 'partner', allow: partners },
  'POST /partenaires/offres': { area: 'partner', allow: partners, safeBody: { title: '' } },
  'GET /partenaires/offres/import': { area: 'partner', allow: partners },
  'POST /partenaires/offres/import': { area: 'partner', allow: partners },
  'POST /partenaires/offres/import/confirmer': { area: 'partner', allow: partners, safeBody: { payload: 'x', mac: 'y' } },
  'GET /partenaires/offres/:slug': { area: 'partner', objects: offerObjects, allow: offerOwner },
  'POST /partenaires/offres/:slug': { area: 'partner', objects: offerObjects, allow: offerOwner },
  'GET /partenaires/offres/:slug/statut': { area: 'partner', objects: (f) => offerObjects(f).map((o) => ({ ...o, query: 'vers=filled' })), allow: (p, o, f) => offerOwner(p, o, f) && offerStatus(o, f) === 'published' },
  'POST /partenaires/offres/:slug/statut': { area: 'partner', objects: offerObjects, allow: offerOwner },
  'GET /partenaires/orientations': {
    area: 'partner',
    allow: partners,
    shows: (p, f) => (p === 'partnerA' ? { must: [f.names.aOk], mustNot: [f.names.aWaiting, f.names.aWithdrawn, f.names.bOk, f.names.followed] } : { must: [f.names.bOk], mustNot: [f.names.aOk, f.names.aWaiting, f.names.aWithdrawn, f.names.followed] }),
  },
  'GET /partenaires/orientations/:key': { area: 'partner', objects: referralObjects, allow: (p, o, f) => (p === 'partnerA' && o.params.key === f.referrals.aOk) || (p === 'partnerB' && o.params.key === f.referrals.bOk) },
  'POST /partenaires/orientations/:key': { area: 'partner', objects: referralObjects, allow: (p, o, f) => (p === 'partnerA' && o.params.key === f.referrals.aOk) || (p === 'partnerB' && o.params.key === f.referrals.bOk) },

  // The back-office: agents; the partner directory is read by all agents and managed by admins.
  'GET /admin/offres': { area: 'admin', allow: agents, shows: (_p, f) => ({ must: Object.values(f.offers).map((o) => o.title), mustNot: [] }) },
  'GET /admin/offres/nouvelle': { area: 'admin', allow: agents },
  'POST /admin/offres': { area: 'admin', allow: agents, safeBody: { title: '' } },
  'GET /admin/offres/import': { area: 'admin', allow: agents },
  'POST /admin/offres/import': { area: 'admin', allow: agents },
  'POST /admin/offres/import/confirmer': { area: 'admin', allow: agents, safeBody: { payload: 'x', mac: 'y' } },
  'GET /admin/offres/:slug': { area: 'admin', objects: offerObjects, allow: agents },
  'POST /admin/offres/:slug': { area: 'admin', objects: offerObjects, allow: agents },
  'GET /admin/offres/:slug/statut': { area: 'admin', objects: (f) => offerObjects(f).map((o) => ({ ...o, query: 'vers=filled' })), allow: (p, o, f) => isAgent(p) && offerStatus(o, f) === 'published' },
  'POST /admin/offres/:slug/statut': { area: 'admin', objects: offerObjects, allow: agents },
  'GET /admin/partenaires': { area: 'admin', allow: agents, shows: (_p, f) => ({ must: [f.partnerA.name, f.partnerB.name], mustNot: [] }) },
  'GET /admin/partenaires/nouveau': { area: 'admin', allow: admins },
  'POST /admin/partenaires': { area: 'admin', allow: admins, safeBody: { name: '' } },
  'GET /admin/partenaires/:slug': { area: 'admin', objects: partnerObjects, allow: agents },
  'POST /admin/partenaires/:slug': { area: 'admin', objects: partnerObjects, allow: admins },
  'GET /admin/partenaires/:slug/modifier': { area: 'admin', objects: partnerObjects, allow: admins },
  'GET /admin/partenaires/:slug/statut': { area: 'admin', objects: partnerObjects, allow: admins },
  'POST /admin/partenaires/:slug/statut': { area: 'admin', objects: partnerObjects, allow: admins },
  'GET /admin/partenaires/:slug/acces': { area: 'admin', objects: partnerUserObjects, allow: partnerUserAllowed },
  'POST /admin/partenaires/:slug/acces': { area: 'admin', objects: partnerUserObjects, allow: partnerUserAllowed },
  'GET /admin/candidats/:id/offres': { area: 'admin', objects: candidateObjects, allow: agents },
  'POST /admin/candidats/:id/offres': { area: 'admin', objects: candidateObjects, allow: (p, o, f) => p === 'admin' || (p === 'referent' && o.params.id !== f.followed) },
  'POST /admin/candidats/:id/offres/suite': { area: 'admin', objects: candidateObjects, allow: (p, o, f) => p === 'admin' || (p === 'referent' && o.params.id !== f.followed) },
  'GET /admin/candidats/:id/orientations': { area: 'admin', objects: candidateObjects, allow: agents },
  'POST /admin/candidats/:id/orientations': { area: 'admin', objects: candidateObjects, allow: (p, o, f) => p === 'admin' || (p === 'referent' && o.params.id !== f.followed) },
};

/** The routes these rules must cover: the portal, offers, consent, and their back-office pages. */
const isOurs = (pattern: string) =>
  /^\/(partenaires|offres|consentement)(\/|$)/.test(pattern) ||
  /^\/admin\/(partenaires|offres)(\/|$)/.test(pattern) ||
  /^\/admin\/candidats\/:id\/(offres|orientations)(\/|$)/.test(pattern) ||
  pattern === '/mon-inscription/:token/offres';

const concrete = (pattern: string, params: Record<string, string>, query?: string) => pattern.replace(/:([A-Za-z]+)(\{[^}]*\})?/g, (_, n: string) => encodeURIComponent(params[n] ?? 'x')) + (query ? `?${query}` : '');

describe.each(dialects())('access matrix of partners, offers and referrals, generated from the route table, on %s', (dialect) => {
  let t: TestContext;
  let f: Fixtures;
  let admin: SignedIn;
  let referent: SignedIn;
  let pA: PartnerSignedIn;
  let pB: PartnerSignedIn;
  let routes: Array<{ method: string; pattern: string }>;

  beforeAll(async () => {
    t = await createTestContext(dialect);
    const setupAgent = await makeAgent(t, 'admin');
    const partnerA = await makePartner(t, { name: 'Partenaire Alpha CANARY' });
    const partnerB = await makePartner(t, { name: 'Partenaire Bêta CANARY' });
    const userA = await makePartnerUser(t, partnerA, { name: 'Alice Alpha' });
    const userA2 = await makePartnerUser(t, partnerA, { name: 'Albane Alpha-Collègue' });
    const userB = await makePartnerUser(t, partnerB, { name: 'Benoît Bêta' });
    const asA = { kind: 'partner' as const, partnerId: partnerA.id, userId: userA.id };
    const asB = { kind: 'partner' as const, partnerId: partnerB.id, userId: userB.id };
    const asTeam = { kind: 'agent' as const, agentId: setupAgent.id };
    // An offer old enough to have been asked for confirmation: its link is a capability of the matrix.
    const old = await makeOffer(t, asA, { title: 'Offre ancienne CANARY-OLD' });
    t.clock.advance(9 * 7 * 86_400_000);
    await keepOffersFresh(t.s);
    const confirmMail = await t.db.kysely.selectFrom('outbox_messages').select('text').where('kind', '=', 'offer-confirm').executeTakeFirstOrThrow();
    const confirmToken = /\/offres\/confirmer\/([A-Za-z0-9_-]{43})/.exec(confirmMail.text)![1]!;
    const offers = {
      old: (await t.db.kysely.selectFrom('offers').selectAll().where('id', '=', old.id).executeTakeFirstOrThrow()),
      aPub: await makeOffer(t, asA, { title: 'Offre A publiée CANARY-APUB', region: 'aubrac', type: 'takeover' }),
      aDraft: await makeOffer(t, asA, { title: 'Offre A brouillon CANARY-ADRAFT', publish: false }),
      bPub: await makeOffer(t, asB, { title: 'Offre B publiée CANARY-BPUB', type: 'job', sector: 'transport' }),
      bDraft: await makeOffer(t, asB, { title: 'Offre B brouillon CANARY-BDRAFT', publish: false }),
      teamPub: await makeOffer(t, asTeam, { title: 'Offre équipe publiée CANARY-TPUB', type: 'housing', sector: 'logement' }),
      teamDraft: await makeOffer(t, asTeam, { title: 'Offre équipe brouillon CANARY-TDRAFT', publish: false }),
    };
    // Four people referred: to A with consent, to A awaiting it, to A withdrawn, to B with consent.
    const people = {
      aOk: await makeCandidate(t, { firstName: 'Zoé', lastName: 'Consentante-A', project: 'creation-reprise', desiredRegion: 'aubrac' }),
      aWaiting: await makeCandidate(t, { firstName: 'Yves', lastName: 'Attente-A' }),
      aWithdrawn: await makeCandidate(t, { firstName: 'Xavier', lastName: 'Retrait-A' }),
      bOk: await makeCandidate(t, { firstName: 'Wanda', lastName: 'Consentante-B' }),
    };
    const referrals = {} as Fixtures['referrals'];
    const consents = {} as Record<keyof typeof people, string>;
    for (const [k, person] of Object.entries(people) as Array<[keyof typeof people, (typeof people)['aOk']]>) {
      const r = await requestReferral(t.s, { candidateId: person.candidateId, partnerId: k === 'bOk' ? partnerB.id : partnerA.id, summary: `Projet de ${k}`, agentId: setupAgent.id });
      referrals[k] = r.referralId;
      consents[k] = await consentLinkFor(t, person.email);
      if (k !== 'aWaiting') await answerReferralConsent(t.s, { token: consents[k], answer: 'give' });
      if (k === 'aWithdrawn') await answerReferralConsent(t.s, { token: consents[k], answer: 'withdraw' });
    }
    const colleague = await makeAgent(t, 'referent');
    const followedPerson = await makeCandidate(t, { firstName: 'Victor', lastName: 'Suivi-Par-Collègue' });
    await t.db.kysely.updateTable('candidates').set({ referent_id: colleague.id }).where('id', '=', followedPerson.candidateId).execute();
    f = {
      partnerA,
      partnerB,
      userA,
      userA2,
      userB,
      offers,
      referrals,
      names: { aOk: 'Consentante-A', aWaiting: 'Attente-A', aWithdrawn: 'Retrait-A', bOk: 'Consentante-B', followed: 'Suivi-Par-Collègue' },
      candidate: { id: people.aOk.candidateId, token: people.aOk.token, consent: consents.aOk },
      followed: followedPerson.candidateId,
      confirmToken,
    };
    admin = await signIn(t, await makeAgent(t, 'admin'));
    referent = await signIn(t, await makeAgent(t, 'referent'));
    pA = await signInPartnerUser(t, userA);
    pB = await signInPartnerUser(t, userB);
    const seen = new Set<string>();
    routes = t.app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({ method: r.method, pattern: r.path }))
      .filter((r) => !seen.has(`${r.method} ${r.pattern}`) && seen.add(`${r.method} ${r.pattern}`));
  });
  afterAll(async () => {
    await t.close();
  });

  const send = async (p: Principal, method: string, path: string, body?: Record<string, string | string[]>) => {
    const session = p === 'partnerA' ? pA : p === 'partnerB' ? pB : p === 'referent' ? referent : p === 'admin' ? admin : null;
    const headers: Record<string, string> = session ? { Cookie: session.cookie } : {};
    if (method === 'GET') return t.app.request(path, { headers });
    const form = new URLSearchParams();
    // A valid CSRF token of the principal's own session: a refusal must come from the rule, not the token.
    if (session) form.append('_csrf', session.csrf);
    for (const [k, v] of Object.entries(body ?? {})) for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
    return t.app.request(path, { method, headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  };

  /** A refusal as the area gives it: sign-in (or 401) without its session, 403 or 404 with it; never the data. */
  const expectRefused = async (res: Response, p: Principal, area: Area, method: string, label: string, canaries: string[]) => {
    const body = await res.text();
    const hasAreaSession = area === 'admin' ? isAgent(p) : area === 'partner' ? isPartner(p) : true;
    if (hasAreaSession) {
      expect([403, 404], `${label}: refused with 403 or 404`).toContain(res.status);
    } else if (method === 'GET') {
      expect(res.status, `${label}: sent to sign in`).toBe(303);
      expect(res.headers.get('location'), label).toMatch(area === 'admin' ? /^\/connexion\?retour=/ : /^\/partenaires\/connexion\?retour=/);
    } else {
      expect(res.status, `${label}: 401 without a session`).toBe(401);
    }
    for (const c of canaries) expect(body, `${label}: no data in the refusal`).not.toContain(c);
    // Refusals carry the same hardened headers as any page.
    expect(res.headers.get('content-security-policy') ?? '', label).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options'), label).toBe('nosniff');
  };

  const snapshot = async () => {
    const k = t.db.kysely;
    return JSON.stringify({
      offers: await k.selectFrom('offers').select(['id', 'title', 'status', 'confirmed_at', 'partner_id']).orderBy('id').execute(),
      partners: await k.selectFrom('partners').select(['id', 'name', 'status']).orderBy('id').execute(),
      users: await k.selectFrom('partner_users').select(['id', 'status']).orderBy('id').execute(),
      referrals: await k.selectFrom('referrals').select(['id', 'status', 'outcome', 'outcome_note']).orderBy('id').execute(),
      proposals: await k.selectFrom('offer_proposals').select(['id', 'outcome']).orderBy('id').execute(),
      timeline: await k.selectFrom('timeline_events').select('id').orderBy('id').execute(),
      outbox: await k.selectFrom('outbox_messages').select('id').orderBy('id').execute(),
    });
  };

  it('has a rule for every route of the portal, the offers and the referrals (a new route without one fails here)', () => {
    const ours = routes.filter((r) => isOurs(r.pattern));
    const missing = ours.map((r) => `${r.method} ${r.pattern}`).filter((k) => !RULES[k]);
    expect(missing, 'routes without an access rule: add one to RULES').toEqual([]);
    const stale = Object.keys(RULES).filter((k) => !ours.some((r) => `${r.method} ${r.pattern}` === k));
    expect(stale, 'rules of routes that no longer exist').toEqual([]);
    expect(ours.length).toBeGreaterThanOrEqual(45);
  });

  it('opens every page to whom it is for, with its object, and to no one else', async () => {
    let allowed = 0;
    let refused = 0;
    for (const r of routes.filter((x) => isOurs(x.pattern) && x.method === 'GET')) {
      const rule = RULES[`${r.method} ${r.pattern}`]!;
      const objects = rule.objects?.(f) ?? [{ label: '-', params: {} }];
      for (const o of objects) {
        for (const p of PRINCIPALS) {
          const path = concrete(r.pattern, o.params, o.query);
          const label = `${p} GET ${r.pattern} (${o.label})`;
          const res = await send(p, 'GET', path);
          if (rule.allow(p, o, f)) {
            allowed++;
            const body = await res.text();
            expect(res.status, label).toBe(rule.allowedStatus?.(p) ?? 200);
            if (o.canary) expect(body, `${label}: shows its object`).toContain(o.canary);
            const shows = rule.shows?.(p, f);
            for (const m of shows?.must ?? []) expect(body, `${label}: shows ${m}`).toContain(m);
            for (const m of shows?.mustNot ?? []) expect(body, `${label}: never shows ${m}`).not.toContain(m);
          } else {
            refused++;
            await expectRefused(res, p, rule.area, 'GET', label, [o.canary, ...Object.values(f.names), ...Object.values(f.offers).filter((x) => x.status !== 'published').map((x) => x.title)].filter((x): x is string => Boolean(x)));
          }
        }
      }
    }
    expect(allowed).toBeGreaterThan(60);
    expect(refused).toBeGreaterThan(250);
  });

  it('refuses every write to whom it is not for, with a valid CSRF token and a plausible body, and changes nothing', async () => {
    const before = await snapshot();
    let refused = 0;
    for (const r of routes.filter((x) => isOurs(x.pattern) && x.method !== 'GET')) {
      const rule = RULES[`${r.method} ${r.pattern}`]!;
      for (const o of rule.objects?.(f) ?? [{ label: '-', params: {}, body: { title: 'Écrit par un autre', name: 'Écrit par un autre', role: 'x', themes: 'emploi', action: 'inviter', email: 'pirate@example.org', summary: 'x' } }]) {
        for (const p of PRINCIPALS) {
          const label = `${p} ${r.method} ${r.pattern} (${o.label})`;
          if (rule.allow(p, o, f)) {
            if (!rule.safeBody) continue;
            const res = await send(p, r.method, concrete(r.pattern, o.params), rule.safeBody);
            expect(res.status, `${label}: passes the rule, stopped by validation`).toBe(422);
            continue;
          }
          refused++;
          const res = await send(p, r.method, concrete(r.pattern, o.params), o.body);
          await expectRefused(res, p, rule.area, r.method, label, [o.canary, ...Object.values(f.names)].filter((x): x is string => Boolean(x)));
        }
      }
    }
    expect(refused).toBeGreaterThan(150);
    expect(await snapshot()).toBe(before);
    expect(await t.db.kysely.selectFrom('partner_users').select('id').where('email', '=', 'pirate@example.org').execute()).toEqual([]);
  });

  it('keeps every other back-office route from partners and from a candidate link', async () => {
    const others = routes.filter((r) => r.pattern.startsWith('/admin') && !isOurs(r.pattern));
    expect(others.length).toBeGreaterThan(20);
    for (const r of others) {
      const path = concrete(r.pattern, { id: f.candidate.id, token: f.candidate.token });
      for (const p of ['anonymous', 'candidate', 'partnerA', 'partnerB'] as const) {
        const res = await send(p, r.method, path, { name: 'x' });
        await expectRefused(res, p, 'admin', r.method === 'GET' ? 'GET' : 'POST', `${p} ${r.method} ${r.pattern}`, Object.values(f.names));
      }
    }
  });

  it('shows the offers a consented referral allows to the partner, and nothing after the consent is withdrawn', async () => {
    // The same principal, the same address, before and after the person withdraws: the access ends at once.
    const path = `/partenaires/orientations/${f.referrals.bOk}`;
    expect((await pB.get(path)).status).toBe(200);
    const consentB = await t.db.kysely.selectFrom('referrals').select(['id']).where('id', '=', f.referrals.bOk).executeTakeFirstOrThrow();
    const email = (await t.db.kysely.selectFrom('referrals as r').innerJoin('candidates as c', 'c.id', 'r.candidate_id').select('c.email').where('r.id', '=', consentB.id).executeTakeFirstOrThrow()).email;
    await answerReferralConsent(t.s, { token: await consentLinkFor(t, email), answer: 'withdraw' });
    const after = await pB.get(path);
    expect(after.status).toBe(404);
    expect(await after.text()).not.toContain('Consentante-B');
    expect(await (await pB.get('/partenaires/orientations')).text()).not.toContain('Consentante-B');
  });
});
