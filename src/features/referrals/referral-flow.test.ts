import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgent, signIn, type SignedIn } from '../../../tests/support/admin.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { errorSummaryLinks, textOf, titleOf } from '../../../tests/http/html.ts';
import type { PartnerRow } from '../../platform/db/schema.ts';
import { consentLinkFor, makeCandidate, makePartner, makePartnerUser, signInPartnerUser, type PartnerSignedIn } from '../partners/testing/partner-fixtures.ts';

const post = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

describe.each(dialects())('a referral to a partner, from consent to outcome, on %s', (dialect) => {
  let t: TestContext;
  let referent: SignedIn;
  let partnerA: PartnerRow;
  let partnerB: PartnerRow;
  let userA: PartnerSignedIn;
  let userB: PartnerSignedIn;
  let person: Awaited<ReturnType<typeof makeCandidate>>;
  let consent: string;
  let referralId: string;

  const timeline = async () => (await t.db.kysely.selectFrom('timeline_events').select(['kind', 'summary', 'actor_type', 'at']).where('candidate_id', '=', person.candidateId).where('kind', '=', 'referral').orderBy('at').execute()).map((e) => [e.actor_type, e.summary]);

  beforeAll(async () => {
    t = await createTestContext(dialect);
    referent = await signIn(t, await makeAgent(t, 'referent', { name: 'Julien Rouvière' }));
    partnerA = await makePartner(t, { name: 'Chambre de métiers', role: 'Reprise d’entreprises artisanales.', themes: ['creation-reprise', 'artisanat'] });
    partnerB = await makePartner(t, { name: 'ADIL', role: 'Information sur le logement.', themes: ['logement'] });
    userA = await signInPartnerUser(t, await makePartnerUser(t, partnerA, { name: 'Agnès', email: 'agnes@cma.example' }));
    userB = await signInPartnerUser(t, await makePartnerUser(t, partnerB, { name: 'Bruno', email: 'bruno@adil.example' }));
    person = await makeCandidate(t, { firstName: 'Camille', lastName: 'Delmas', phone: '06 11 22 33 44', project: 'creation-reprise', desiredRegion: 'aubrac', town: 'Lyon', postcode: '69003', household: 'enfants' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('the referent asks the person’s consent for one partner; errors in French first', async () => {
    const page = await referent.get(`/admin/candidats/${person.candidateId}/orientations`);
    expect(page.status).toBe(200);
    // The summary is prefilled from the project the person gave.
    expect(textOf(await page.text())).toContain('Projet : Créer ou reprendre une entreprise. Région envisagée : Aubrac.');
    const empty = await referent.post(`/admin/candidats/${person.candidateId}/orientations`, { partner: '', summary: '' });
    expect(empty.status).toBe(422);
    const html = await empty.text();
    expect(titleOf(html)).toMatch(/^Erreur : /);
    expect(errorSummaryLinks(html)).toEqual([
      ['#f-partner', 'Choisissez le partenaire vers qui orienter la personne'],
      ['#f-summary', 'Résumez le projet en quelques lignes : c’est ce que le partenaire lira'],
    ]);
    const ok = await referent.post(`/admin/candidats/${person.candidateId}/orientations`, { partner: partnerA.id, summary: 'Reprise d’une boulangerie sur l’Aubrac, dans un an.' });
    expect(ok.status).toBe(303);
    const r = await t.db.kysely.selectFrom('referrals').selectAll().where('candidate_id', '=', person.candidateId).executeTakeFirstOrThrow();
    referralId = r.id;
    expect(r).toMatchObject({ status: 'awaiting-consent', partner_id: partnerA.id, consent_given_at: null, referent_id: referent.agent.id });
    const mail = await t.db.kysely.selectFrom('outbox_messages').selectAll().where('kind', '=', 'referral-consent').executeTakeFirstOrThrow();
    expect(mail.to_address).toBe(person.email);
    expect(mail.subject).toBe('Votre accord pour être mis·e en relation avec Chambre de métiers');
    expect(mail.text).toContain('Reprise d’entreprises artisanales.');
    expect(mail.text).toContain('seulement votre nom, votre adresse e-mail, votre téléphone et un résumé de votre projet');
    consent = await consentLinkFor(t, person.email);
    // The database keeps a hash of the link, never the link.
    expect(JSON.stringify(r)).not.toContain(consent);
    expect(await timeline()).toEqual([['agent', 'Orientation proposée vers Chambre de métiers : accord de la personne demandé par e-mail']]);
  });

  it('the prefilled summary names the project the file qualified in words, never its stored key', async () => {
    const other = await makeCandidate(t, { firstName: 'Lou', lastName: 'Vidal', project: 'salarie', desiredRegion: 'aubrac' });
    await t.db.kysely.updateTable('candidates').set({ project_type: 'salarie', project_sector: 'Industrie du bois' }).where('id', '=', other.candidateId).execute();
    const text = textOf(await (await referent.get(`/admin/candidats/${other.candidateId}/orientations`)).text());
    expect(text).toContain('Projet : Emploi salarié (Industrie du bois). Région envisagée : Aubrac.');
    expect(text).not.toContain('(salarie)');
  });

  it('before consent, the partner sees nothing of the person', async () => {
    expect(textOf(await (await userA.get('/partenaires/orientations')).text())).not.toContain('Delmas');
    expect((await userA.get(`/partenaires/orientations/${referralId}`)).status).toBe(404);
    expect((await userA.post(`/partenaires/orientations/${referralId}`, { outcome: 'contacted' })).status).toBe(404);
  });

  it('the person reads what would be shared and gives consent through the private link; it is dated', async () => {
    const page = await t.app.request(`/consentement/${consent}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const text = textOf(await page.text());
    expect(text).toContain('Mise en relation avec Chambre de métiers');
    expect(text).toContain('Reprise d’une boulangerie sur l’Aubrac, dans un an.');
    expect(text).toContain('06 11 22 33 44');
    expect(text).toContain('Délégué à la protection des données');
    t.clock.advance(3600_000);
    const given = await t.app.request(`/consentement/${consent}`, post({ answer: 'give' }));
    expect(given.status).toBe(303);
    expect(textOf(await (await t.app.request(given.headers.get('location')!)).text())).toContain('Merci : votre accord est enregistré.');
    const r = await t.db.kysely.selectFrom('referrals').selectAll().where('id', '=', referralId).executeTakeFirstOrThrow();
    expect(r.status).toBe('consented');
    expect(r.consent_given_at).toBe(t.clock.now().toISOString());
    const audit = await t.db.kysely.selectFrom('audit_log').select(['actor_type', 'actor_id']).where('action', '=', 'referral.consent-given').executeTakeFirstOrThrow();
    expect(audit).toEqual({ actor_type: 'candidate', actor_id: person.candidateId });
    // The partner is told, without any personal data in the e-mail.
    const notice = await t.db.kysely.selectFrom('outbox_messages').selectAll().where('kind', '=', 'referral-partner-new').executeTakeFirstOrThrow();
    expect(notice.to_address).toBe('agnes@cma.example');
    for (const secret of ['Camille', 'Delmas', person.email, '06 11 22 33 44', 'boulangerie']) expect(notice.text + notice.html).not.toContain(secret);
    expect((await timeline()).at(-1)).toEqual(['candidate', 'Accord donné pour être mis·e en relation avec Chambre de métiers']);
  });

  it('the partner sees that person, and only the fields the referral needs', async () => {
    const list = textOf(await (await userA.get('/partenaires/orientations')).text());
    expect(list).toContain('Camille Delmas');
    const res = await userA.get(`/partenaires/orientations/${referralId}`);
    expect(res.status).toBe(200);
    const page = textOf(await res.text());
    for (const shown of ['Camille Delmas', person.email, '06 11 22 33 44', 'Reprise d’une boulangerie sur l’Aubrac, dans un an.', 'Julien Rouvière']) expect(page).toContain(shown);
    // Not the rest of the file: where they live, their household, their Rencontres.
    for (const hidden of ['Lyon', '69003', 'enfants', 'Avec des enfants', 'Rencontre Lozère Nouvelle Vie du']) expect(page).not.toContain(hidden);
    // Another partner does not see them, by list or by address, and cannot write to them.
    expect(textOf(await (await userB.get('/partenaires/orientations')).text())).not.toContain('Delmas');
    expect((await userB.get(`/partenaires/orientations/${referralId}`)).status).toBe(404);
    expect((await userB.post(`/partenaires/orientations/${referralId}`, { outcome: 'succeeded' })).status).toBe(404);
  });

  it('the partner records the outcome, which comes back into the candidate’s timeline', async () => {
    const none = await userA.post(`/partenaires/orientations/${referralId}`, { outcome: '', note: '' });
    expect(none.status).toBe(422);
    expect(errorSummaryLinks(await none.text())).toEqual([['#f-outcome', 'Choisissez où en est la démarche']]);
    const ok = await userA.post(`/partenaires/orientations/${referralId}`, { outcome: 'contacted', note: 'Rendez-vous pris le 12 mars.' });
    expect(ok.status).toBe(303);
    const r = await t.db.kysely.selectFrom('referrals').selectAll().where('id', '=', referralId).executeTakeFirstOrThrow();
    expect(r).toMatchObject({ outcome: 'contacted', outcome_note: 'Rendez-vous pris le 12 mars.', outcome_by: userA.user.id });
    expect((await timeline()).at(-1)).toEqual(['partner', 'Chambre de métiers a pris contact avec la personne : Rendez-vous pris le 12 mars.']);
    const back = textOf(await (await referent.get(`/admin/candidats/${person.candidateId}/orientations`)).text());
    expect(back).toContain('Personne contactée');
    expect(back).toContain('Rendez-vous pris le 12 mars.');
  });

  it('withdrawing consent (after a confirmation) removes the partner’s access at once, writes included', async () => {
    const confirm = textOf(await (await t.app.request(`/consentement/${consent}?retirer=1`)).text());
    expect(confirm).toContain('Retirer votre accord ?');
    // The confirmation page changes nothing.
    expect((await userA.get(`/partenaires/orientations/${referralId}`)).status).toBe(200);
    const done = await t.app.request(`/consentement/${consent}`, post({ answer: 'withdraw' }));
    expect(done.status).toBe(303);
    expect((await userA.get(`/partenaires/orientations/${referralId}`)).status).toBe(404);
    expect(textOf(await (await userA.get('/partenaires/orientations')).text())).not.toContain('Delmas');
    expect((await userA.post(`/partenaires/orientations/${referralId}`, { outcome: 'succeeded' })).status).toBe(404);
    const r = await t.db.kysely.selectFrom('referrals').selectAll().where('id', '=', referralId).executeTakeFirstOrThrow();
    expect(r.status).toBe('withdrawn');
    expect(r.outcome).toBe('contacted');
    expect(r.consent_withdrawn_at).toBe(t.clock.now().toISOString());
    expect((await t.db.kysely.selectFrom('outbox_messages').select('to_address').where('kind', '=', 'referral-partner-withdrawn').execute()).map((m) => m.to_address)).toEqual(['agnes@cma.example']);
    expect((await timeline()).at(-1)).toEqual(['candidate', 'Accord retiré pour Chambre de métiers : le partenaire ne voit plus la personne']);
    // The same link cannot bring the consent back: a new request is needed.
    const again = await t.app.request(`/consentement/${consent}`, post({ answer: 'give' }));
    expect(again.status).toBe(409);
    expect((await t.db.kysely.selectFrom('referrals').select('status').where('id', '=', referralId).executeTakeFirstOrThrow()).status).toBe('withdrawn');
  });

  it('a refusal shares nothing; one open referral per partner at a time', async () => {
    expect((await referent.post(`/admin/candidats/${person.candidateId}/orientations`, { partner: partnerB.id, summary: 'Cherche une location à l’année.' })).status).toBe(303);
    const twice = await referent.post(`/admin/candidats/${person.candidateId}/orientations`, { partner: partnerB.id, summary: 'Une seconde fois.' });
    expect(twice.status).toBe(422);
    expect(errorSummaryLinks(await twice.text())).toEqual([['#f-partner', 'Une orientation vers ADIL est déjà en cours pour cette personne']]);
    const link = await consentLinkFor(t, person.email);
    expect((await t.app.request(`/consentement/${link}`, post({ answer: 'decline' }))).status).toBe(303);
    expect(textOf(await (await userB.get('/partenaires/orientations')).text())).not.toContain('Delmas');
    expect((await timeline()).at(-1)).toEqual(['candidate', 'Accord refusé pour la mise en relation avec ADIL']);
    // A refusal can become a consent later, through the same link.
    expect((await t.app.request(`/consentement/${link}`, post({ answer: 'give' }))).status).toBe(303);
    expect(textOf(await (await userB.get('/partenaires/orientations')).text())).toContain('Camille Delmas');
  });

  it('only the file’s referent (or an admin) refers the people they follow; others read', async () => {
    const other = await makeCandidate(t, { firstName: 'Dominique' });
    const colleague = await makeAgent(t, 'referent');
    await t.db.kysely.updateTable('candidates').set({ referent_id: colleague.id }).where('id', '=', other.candidateId).execute();
    expect((await referent.get(`/admin/candidats/${other.candidateId}/orientations`)).status).toBe(200);
    expect((await referent.post(`/admin/candidats/${other.candidateId}/orientations`, { partner: partnerA.id, summary: 'x' })).status).toBe(403);
    expect(await t.db.kysely.selectFrom('referrals').select('id').where('candidate_id', '=', other.candidateId).execute()).toEqual([]);
  });

  it('an unknown or malformed consent link is a 404', async () => {
    expect((await t.app.request('/consentement/abc')).status).toBe(404);
    expect((await t.app.request(`/consentement/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await t.app.request(`/consentement/${'A'.repeat(43)}`, post({ answer: 'give' }))).status).toBe(404);
  });
});
