import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgent, signIn, type SignedIn } from '../../../tests/support/admin.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { errorSummaryLinks, inlineError, textOf, titleOf } from '../../../tests/http/html.ts';
import type { PartnerRow } from '../../platform/db/schema.ts';
import { makeCandidate, makeOffer, makePartner, makePartnerUser, signInPartnerUser, type PartnerSignedIn } from '../partners/testing/partner-fixtures.ts';

const offerFields = (over: Record<string, string> = {}) => ({
  title: 'Infirmier·e en EHPAD',
  type: 'job',
  sector: 'sante-social',
  commune: 'Florac Trois Rivières',
  region: 'cevennes-mont-lozere',
  description: 'EHPAD de 80 lits au cœur des Cévennes.',
  conditions: 'CDI.',
  contactName: '',
  contactEmail: 'recrutement@ehpad.example',
  contactPhone: '',
  validFrom: '',
  validUntil: '',
  action: 'publish',
  ...over,
});

describe.each(dialects())('offers over HTTP: public pages, the back-office, the partner portal, on %s', (dialect) => {
  let t: TestContext;
  let admin: SignedIn;
  let referent: SignedIn;
  let partnerA: PartnerRow;
  let partnerB: PartnerRow;
  let userA: PartnerSignedIn;
  let userB: PartnerSignedIn;

  beforeAll(async () => {
    t = await createTestContext(dialect);
    admin = await signIn(t, await makeAgent(t, 'admin'));
    referent = await signIn(t, await makeAgent(t, 'referent', { name: 'Sandrine Pagès' }));
    partnerA = await makePartner(t, { name: 'CCI Lozère', themes: ['commerce'] });
    partnerB = await makePartner(t, { name: 'France Travail Lozère', themes: ['emploi'] });
    userA = await signInPartnerUser(t, await makePartnerUser(t, partnerA));
    userB = await signInPartnerUser(t, await makePartnerUser(t, partnerB));
  });
  afterAll(async () => {
    await t.close();
  });

  it('a partner publishes an offer from its portal; the form says what is wrong in French, keeping what was typed', async () => {
    const bad = await userA.post('/partenaires/offres', offerFields({ title: '', type: 'autre', sector: 'boulangerie', commune: '', description: '', contactEmail: 'pas-une-adresse', validFrom: '2027-03-01', validUntil: '2027-02-01' }));
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(titleOf(html)).toMatch(/^Erreur : /);
    expect(errorSummaryLinks(html).map(([href]) => href)).toEqual(['#f-title', '#f-type', '#f-sector', '#f-commune', '#f-description', '#f-contactEmail', '#f-validUntil']);
    expect(inlineError(html, 'f-validUntil')).toBe('La date de fin doit être après la date de début');
    expect(inlineError(html, 'f-type')).toBe('Choisissez le type d’offre : emploi, entreprise à reprendre, local, exploitation agricole ou logement');
    expect(html).toContain('value="pas-une-adresse"');
    // A date typed the French way is read as such.
    const ok = await userA.post('/partenaires/offres', offerFields({ title: 'Épicerie multiservice à reprendre', type: 'takeover', sector: 'commerce', commune: 'Le Malzieu-Ville', region: 'margeride', description: 'Épicerie et point poste.', validUntil: '31/12/2027' }));
    expect(ok.status).toBe(303);
    const slug = /\/partenaires\/offres\/([^?]+)/.exec(ok.headers.get('location')!)![1]!;
    const row = await t.db.kysely.selectFrom('offers').selectAll().where('slug', '=', slug).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'published', partner_id: partnerA.id, created_by_type: 'partner', created_by_id: userA.user.id, valid_until: '2027-12-31', region_key: 'margeride', confirmed_at: t.clock.now().toISOString() });
    expect((await t.app.request(`/offres/${slug}`)).status).toBe(200);
  });

  it('a partner sees and changes only its own offers: another partner’s are "introuvable"', async () => {
    const mine = await makeOffer(t, { kind: 'partner', partnerId: partnerA.id, userId: userA.user.id }, { title: 'Boucherie à reprendre', commune: 'Fournels' });
    const theirs = await makeOffer(t, { kind: 'partner', partnerId: partnerB.id, userId: userB.user.id }, { title: 'Conducteur·rice poids lourd', type: 'job', sector: 'transport' });
    const list = textOf(await (await userA.get('/partenaires/offres')).text());
    expect(list).toContain('Boucherie à reprendre');
    expect(list).not.toContain('Conducteur·rice poids lourd');
    expect((await userA.get(`/partenaires/offres/${mine.slug}`)).status).toBe(200);
    for (const path of [`/partenaires/offres/${theirs.slug}`, `/partenaires/offres/${theirs.slug}/statut?vers=filled`]) expect((await userA.get(path)).status, path).toBe(404);
    expect((await userA.post(`/partenaires/offres/${theirs.slug}`, offerFields({ title: 'Pris par A' }))).status).toBe(404);
    expect((await userA.post(`/partenaires/offres/${theirs.slug}/statut`, { to: 'filled' })).status).toBe(404);
    const after = await t.db.kysely.selectFrom('offers').select(['title', 'status']).where('id', '=', theirs.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ title: 'Conducteur·rice poids lourd', status: 'published' });
  });

  it('marking an offer filled goes through a confirmation page, and takes it off the public pages', async () => {
    const o = await makeOffer(t, { kind: 'partner', partnerId: partnerA.id, userId: userA.user.id }, { title: 'Local commercial à Langogne', type: 'premises', commune: 'Langogne', region: 'margeride' });
    const confirm = await userA.get(`/partenaires/offres/${o.slug}/statut?vers=filled`);
    expect(textOf(await confirm.text())).toContain('Marquer l’offre comme pourvue ?');
    expect((await t.db.kysely.selectFrom('offers').select('status').where('id', '=', o.id).executeTakeFirstOrThrow()).status).toBe('published');
    expect((await userA.post(`/partenaires/offres/${o.slug}/statut`, { to: 'filled' })).status).toBe(303);
    const gone = await t.app.request(`/offres/${o.slug}`);
    expect(gone.status).toBe(404);
    // Whoever follows an old link to it is shown where the current offers are, and nothing of the filled one.
    const goneHtml = await gone.text();
    expect(textOf(goneHtml)).toContain('Cette offre n’est plus disponible');
    expect(goneHtml).toContain('href="/offres?type=premises"');
    expect(textOf(goneHtml)).toContain('Voir les locaux professionnels en ligne');
    expect(goneHtml).not.toContain('Local commercial à Langogne');
    // A status change that does not exist from here is refused (a draft never becomes filled).
    const draft = await makeOffer(t, { kind: 'partner', partnerId: partnerA.id, userId: userA.user.id }, { publish: false });
    expect((await userA.post(`/partenaires/offres/${draft.slug}/statut`, { to: 'filled' })).status).toBe(409);
    expect((await t.app.request(`/offres/${draft.slug}`)).status).toBe(404);
    // Republishing the filled one brings it back, as a fresh confirmation.
    t.clock.advance(10 * 60_000);
    expect((await userA.post(`/partenaires/offres/${o.slug}/statut`, { to: 'published' })).status).toBe(303);
    const back = await t.db.kysely.selectFrom('offers').select(['status', 'confirmed_at', 'filled_at']).where('id', '=', o.id).executeTakeFirstOrThrow();
    expect(back).toEqual({ status: 'published', confirmed_at: t.clock.now().toISOString(), filled_at: null });
  });

  it('agents create offers for a partner or for the team, and change any offer', async () => {
    const res = await referent.post('/admin/offres', offerFields({ partner: partnerB.id, title: 'Aide à domicile', commune: 'Peyre en Aubrac', region: 'aubrac' }));
    expect(res.status).toBe(303);
    const row = await t.db.kysely.selectFrom('offers').selectAll().where('title', '=', 'Aide à domicile').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ partner_id: partnerB.id, created_by_type: 'agent', created_by_id: referent.agent.id });
    // France Travail's user can now manage it: it is theirs.
    expect((await userB.get(`/partenaires/offres/${row.slug}`)).status).toBe(200);
    expect((await userA.get(`/partenaires/offres/${row.slug}`)).status).toBe(404);
    const edit = await admin.post(`/admin/offres/${row.slug}`, offerFields({ partner: partnerB.id, title: 'Aide à domicile (temps partiel)', commune: 'Peyre en Aubrac', region: 'aubrac' }));
    expect(edit.status).toBe(303);
    expect((await t.db.kysely.selectFrom('offers').select('title').where('id', '=', row.id).executeTakeFirstOrThrow()).title).toBe('Aide à domicile (temps partiel)');
    const draft = await referent.post('/admin/offres', offerFields({ title: 'Brouillon de l’équipe', action: 'draft' }));
    expect(draft.status).toBe(303);
    expect(await t.db.kysely.selectFrom('offers').select(['status', 'partner_id', 'published_at']).where('title', '=', 'Brouillon de l’équipe').executeTakeFirstOrThrow()).toEqual({ status: 'draft', partner_id: null, published_at: null });
    const audit = await t.db.kysely.selectFrom('audit_log').select(['action', 'actor_type']).where('action', 'in', ['offer.created', 'offer.updated']).where('actor_type', '=', 'agent').execute();
    expect(audit.length).toBe(3);
  });

  it('filters the public offers by type, sector and region with a plain GET form, and pages them', async () => {
    for (let i = 0; i < 23; i++) await makeOffer(t, { kind: 'agent', agentId: admin.agent.id }, { title: `Aide-soignant·e ${String(i).padStart(2, '0')}`, type: 'job', sector: 'sante-social', commune: 'Mende', region: 'vallee-du-lot' });
    await makeOffer(t, { kind: 'agent', agentId: admin.agent.id }, { title: 'Maison de village T3', type: 'housing', sector: 'logement', commune: 'Saint-Alban-sur-Limagnole', region: 'margeride' });
    const page1 = await t.app.request('/offres?type=job&secteur=sante-social&region=vallee-du-lot');
    expect(page1.status).toBe(200);
    const html = await page1.text();
    expect(html).toContain('<form method="get" action="/offres"');
    const text = textOf(html);
    expect(text).toContain('23 offres');
    expect(text).not.toContain('Maison de village T3');
    expect((html.match(/<li class="card">/g) ?? []).length).toBe(20);
    // The filters chosen stay chosen, and the next page keeps them.
    expect(html).toContain('<option value="sante-social" selected="">');
    expect(html).toContain('href="/offres?type=job&amp;secteur=sante-social&amp;region=vallee-du-lot&amp;page=2"');
    const page2 = await t.app.request('/offres?type=job&secteur=sante-social&region=vallee-du-lot&page=2');
    const html2 = await page2.text();
    expect((html2.match(/<li class="card">/g) ?? []).length).toBe(3);
    // The two pages together are the 23, each once.
    const titles = [...(html + html2).matchAll(/Aide-soignant·e (\d\d)/g)].map((m) => m[1]);
    expect(new Set(titles).size).toBe(23);
    expect(titles.length).toBe(23);
    // Past the fiftieth page, the filters are the way.
    expect((await t.app.request('/offres?page=51')).status).toBe(404);
    const housing = textOf(await (await t.app.request('/offres?type=housing')).text());
    expect(housing).toContain('1 offre');
    expect(housing).toContain('Maison de village T3');
    // Housing in the "Logement" sector is tagged once, not "Logement Logement".
    expect(housing).not.toContain('Logement Logement');
    expect(housing).toContain('Logement');
    // Keywords, accents aside.
    expect(textOf(await (await t.app.request('/offres?q=soignant+12')).text())).toContain('1 offre');
    // Unknown values are ignored, not errors; a page past the end is a 404.
    expect((await t.app.request('/offres?type=%27%3B--&region=nulle-part&secteur=<script>')).status).toBe(200);
    expect((await t.app.request('/offres?type=job&secteur=sante-social&region=vallee-du-lot&page=9')).status).toBe(404);
    // Drafts, filled and expired offers are never listed.
    expect(textOf(await (await t.app.request('/offres?q=brouillon')).text())).toContain('Aucune offre ne correspond');
  });

  it('behind a registration’s private link, the offers that fit the registrant’s project, with why', async () => {
    await makeOffer(t, { kind: 'agent', agentId: admin.agent.id }, { title: 'Boulangerie de Nasbinals', type: 'takeover', sector: 'commerce', commune: 'Nasbinals', region: 'aubrac' });
    const person = await makeCandidate(t, { project: 'creation-reprise', desiredRegion: 'aubrac', horizon: '6-12-mois', firstName: 'Léa' });
    const manage = await t.app.request(`/mon-inscription/${person.token}`);
    expect(await manage.text()).toContain(`href="/mon-inscription/${person.token}/offres"`);
    const res = await t.app.request(`/mon-inscription/${person.token}/offres`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = textOf(await res.text());
    expect(text).toContain('Léa, voici les offres publiées');
    expect(text).toContain('Boulangerie de Nasbinals');
    // The registration form asks the project and the region, not the sector: the referent adds it to the file.
    expect(text).toContain('Pourquoi pour vous : reprise · Aubrac');
    expect(text).not.toContain('Aide-soignant·e');
    expect((await t.app.request('/mon-inscription/nimporte-quoi/offres')).status).toBe(404);
  });

  it('the referent proposes offers to a candidate: one e-mail, a timeline entry each, then what came of it', async () => {
    const bakery = await t.db.kysely.selectFrom('offers').selectAll().where('title', '=', 'Boulangerie de Nasbinals').executeTakeFirstOrThrow();
    const person = await makeCandidate(t, { project: 'creation-reprise', desiredRegion: 'aubrac', firstName: 'Hugo', lastName: 'Roux' });
    // The sector of the project, as the referent writes it in the file (the candidate file's own form, another feature).
    await t.db.kysely.updateTable('candidates').set({ project_sector: 'commerce', project_type: 'reprise' }).where('id', '=', person.candidateId).execute();
    const page = await referent.get(`/admin/candidats/${person.candidateId}/offres`);
    expect(page.status).toBe(200);
    const html = await page.text();
    // The project in words, as the referent qualified it: never its stored key.
    expect(textOf(html)).toContain('Projet Reprise d’entreprise Secteur');
    expect(textOf(html)).toContain('Boulangerie de Nasbinals');
    expect(textOf(html)).toContain('Pourquoi : reprise · commerce · Aubrac');
    const none = await referent.post(`/admin/candidats/${person.candidateId}/offres`, {});
    expect(none.status).toBe(422);
    expect(errorSummaryLinks(await none.text())).toEqual([['#f-offers', 'Cochez au moins une offre à proposer']]);
    const done = await referent.post(`/admin/candidats/${person.candidateId}/offres`, { offers: [bakery.id] });
    expect(done.status).toBe(303);
    const mail = await t.db.kysely.selectFrom('outbox_messages').selectAll().where('kind', '=', 'offer-proposal').where('candidate_id', '=', person.candidateId).executeTakeFirstOrThrow();
    expect(mail.to_address).toBe(person.email);
    expect(mail.subject).toBe('Une offre pour votre projet : Boulangerie de Nasbinals');
    expect(mail.text).toContain(`http://nv.test/offres/${bakery.slug}`);
    expect(mail.text).toContain('Pourquoi : reprise · commerce · Aubrac');
    expect(mail.text).toContain('Sandrine Pagès');
    const events = await t.db.kysely.selectFrom('timeline_events').select(['kind', 'summary', 'actor_id']).where('candidate_id', '=', person.candidateId).where('kind', '=', 'offer').execute();
    expect(events).toEqual([{ kind: 'offer', summary: 'Offre proposée : Boulangerie de Nasbinals (entreprise à reprendre, Nasbinals) – reprise · commerce · Aubrac', actor_id: referent.agent.id }]);
    // Proposed twice: refused, nothing more sent.
    const twice = await referent.post(`/admin/candidats/${person.candidateId}/offres`, { offers: [bakery.id] });
    expect(twice.status).toBe(422);
    expect(await t.db.kysely.selectFrom('outbox_messages').select('id').where('kind', '=', 'offer-proposal').where('candidate_id', '=', person.candidateId).execute()).toHaveLength(1);
    const proposal = await t.db.kysely.selectFrom('offer_proposals').selectAll().where('candidate_id', '=', person.candidateId).executeTakeFirstOrThrow();
    expect(proposal.reason).toBe('reprise · commerce · Aubrac');
    const empty = await referent.post(`/admin/candidats/${person.candidateId}/offres/suite`, { proposal: proposal.id, outcome: '' });
    expect(empty.status).toBe(422);
    expect(errorSummaryLinks(await empty.text())).toEqual([[`#p-${proposal.id}-outcome`, 'Choisissez la suite donnée à cette offre']]);
    for (const outcome of ['interested', 'taken-over']) expect((await referent.post(`/admin/candidats/${person.candidateId}/offres/suite`, { proposal: proposal.id, outcome })).status).toBe(303);
    const after = await t.db.kysely.selectFrom('timeline_events').select('summary').where('candidate_id', '=', person.candidateId).where('kind', '=', 'offer').orderBy('at').orderBy('summary').execute();
    expect(after.map((e) => e.summary)).toContain('Suite de l’offre « Boulangerie de Nasbinals » : la personne est intéressé·e');
    expect(after.map((e) => e.summary)).toContain('Suite de l’offre « Boulangerie de Nasbinals » : la personne a repris l’activité');
    expect((await t.db.kysely.selectFrom('offer_proposals').select('outcome').where('id', '=', proposal.id).executeTakeFirstOrThrow()).outcome).toBe('taken-over');
    // A proposal of another candidate cannot be reached through this one's address.
    const other = await makeCandidate(t, {});
    expect((await referent.post(`/admin/candidats/${other.candidateId}/offres/suite`, { proposal: proposal.id, outcome: 'declined' })).status).toBe(404);
    // A second offer proposed within the same minute: its outcome field has ids of its own.
    const grocery = await makeOffer(t, { kind: 'agent', agentId: referent.agent.id }, { title: 'Épicerie de Marchastel' });
    expect((await referent.post(`/admin/candidats/${person.candidateId}/offres`, { offers: [grocery.id] })).status).toBe(303);
    const twoProposals = await (await referent.get(`/admin/candidats/${person.candidateId}/offres`)).text();
    expect(twoProposals.match(/name="outcome"/g)).toHaveLength(2);
    const ids = [...twoProposals.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.filter((x, i) => ids.indexOf(x) !== i)).toEqual([]);
  });
});
