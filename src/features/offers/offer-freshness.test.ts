import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgent } from '../../../tests/support/admin.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { textOf } from '../../../tests/http/html.ts';
import { createJobRunner } from '../../background.ts';
import { connect, type Db } from '../../platform/db/database.ts';
import type { AgentRow, OfferRow, PartnerUserRow } from '../../platform/db/schema.ts';
import type { Services } from '../../services.ts';
import { makeOffer, makePartner, makePartnerUser } from '../partners/testing/partner-fixtures.ts';
import { freshness } from './offer.ts';

const DAY = 86_400_000;
const post = (fields: Record<string, string>) => ({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });

describe('the freshness rule', () => {
  const rule = { confirmAfterWeeks: 8, expireAfterDays: 14 };
  const at = (days: number) => new Date(Date.UTC(2027, 0, 1) + days * DAY);
  const published = { status: 'published' as const, confirmedAt: at(0).toISOString(), confirmRequestedAt: null, validUntil: null };
  it('asks after the weeks, waits the days, then expires; a confirmation starts the clock again', () => {
    expect(freshness(published, at(55), '2027-02-25', rule)).toBe('fresh');
    expect(freshness(published, at(56), '2027-02-26', rule)).toBe('ask');
    const asked = { ...published, confirmRequestedAt: at(56).toISOString() };
    expect(freshness(asked, at(69), '2027-03-11', rule)).toBe('waiting');
    expect(freshness(asked, at(70), '2027-03-12', rule)).toBe('expire');
    const confirmed = { ...asked, confirmedAt: at(60).toISOString() };
    expect(freshness(confirmed, at(70), '2027-03-12', rule)).toBe('fresh');
  });
  it('expires an offer whose validity date is past, whatever its confirmation; drafts are left alone', () => {
    expect(freshness({ ...published, validUntil: '2027-01-10' }, at(10), '2027-01-11', rule)).toBe('expire');
    expect(freshness({ ...published, validUntil: '2027-01-10' }, at(9), '2027-01-10', rule)).toBe('fresh');
    expect(freshness({ ...published, status: 'draft' }, at(400), '2028-02-05', rule)).toBe('not-published');
  });
});

describe.each(dialects())('offers asked to be confirmed, then expired, across restarts, on %s', (dialect) => {
  let t: TestContext;
  let user: PartnerUserRow;
  let agent: AgentRow;
  let partnerOffer: OfferRow;
  let teamOffer: OfferRow;
  let datedOffer: OfferRow;
  let link: string;
  const restarted: Db[] = [];

  /** What a new process does at start: its own connection, its own job runner, then its periodic tasks. */
  const restart = async () => {
    const db = connect(t.testDb.target);
    restarted.push(db);
    const s: Services = { ...t.s, db };
    await createJobRunner(s).runPeriodic(true);
  };
  const offer = (id: string) => t.db.kysely.selectFrom('offers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const mails = (kind: string) => t.db.kysely.selectFrom('outbox_messages').select(['to_address', 'text', 'dedupe_key']).where('kind', '=', kind).orderBy('created_at').orderBy('to_address').execute();

  beforeAll(async () => {
    t = await createTestContext(dialect);
    agent = await makeAgent(t, 'referent', { email: 'sandrine@lozere.example' });
    const partner = await makePartner(t, { name: 'CCI Lozère' });
    user = await makePartnerUser(t, partner, { email: 'transmission@cci.example', name: 'Paul' });
    partnerOffer = await makeOffer(t, { kind: 'partner', partnerId: partner.id, userId: user.id }, { title: 'Épicerie à reprendre' });
    teamOffer = await makeOffer(t, { kind: 'agent', agentId: agent.id }, { title: 'Maison de village T3', type: 'housing', sector: 'logement' });
    datedOffer = await makeOffer(t, { kind: 'agent', agentId: agent.id }, { title: 'Saisonnier·e à l’office de tourisme', type: 'job', sector: 'tourisme', validUntil: '2027-02-28' });
  });
  afterAll(async () => {
    for (const db of restarted) await db.close();
    await t.close();
  });

  it('asks nothing before the territory’s number of weeks', async () => {
    t.clock.advance(8 * 7 * DAY - DAY);
    await restart();
    expect(await mails('offer-confirm')).toEqual([]);
    expect((await offer(partnerOffer.id)).confirm_requested_at).toBeNull();
  });

  it('then asks each owner once, with a one-click link, and expires what is past its date', async () => {
    t.clock.advance(2 * DAY);
    await restart();
    const asked = await mails('offer-confirm');
    expect(asked.map((m) => m.to_address)).toEqual(['sandrine@lozere.example', 'transmission@cci.example']);
    const toPartner = asked.find((m) => m.to_address === 'transmission@cci.example')!;
    expect(toPartner.text).toContain('Votre offre « Épicerie à reprendre » est en ligne sur Lozère Nouvelle Vie depuis 8 semaines');
    link = /http:\/\/nv\.test(\/offres\/confirmer\/[A-Za-z0-9_-]{43})/.exec(toPartner.text)![1]!;
    expect((await offer(partnerOffer.id)).confirm_requested_at).toBe(t.clock.now().toISOString());
    const dated = await offer(datedOffer.id);
    expect(dated.status).toBe('expired');
    expect((await mails('offer-expired')).map((m) => m.to_address)).toEqual(['sandrine@lozere.example']);
    expect((await mails('offer-expired'))[0]!.text).toContain('Sa date de fin de validité est passée.');
  });

  it('does nothing more after another restart: the same request is never sent twice', async () => {
    await restart();
    t.clock.advance(3 * DAY);
    await restart();
    expect(await mails('offer-confirm')).toHaveLength(2);
    expect(await mails('offer-expired')).toHaveLength(1);
  });

  it('the owner confirms with the link, without signing in; a GET alone changes nothing', async () => {
    const page = await t.app.request(link);
    expect(page.status).toBe(200);
    expect(textOf(await page.text())).toContain('Oui, elle est toujours d’actualité');
    expect((await offer(partnerOffer.id)).confirmed_at).toBe(partnerOffer.confirmed_at);
    const done = await t.app.request(link, post({ answer: 'current' }));
    expect(done.status).toBe(200);
    expect(textOf(await done.text())).toContain('Merci, votre offre reste en ligne');
    expect((await offer(partnerOffer.id)).confirmed_at).toBe(t.clock.now().toISOString());
    const audit = await t.db.kysely.selectFrom('audit_log').select(['action', 'subject_id']).where('action', '=', 'offer.confirmed').execute();
    expect(audit).toEqual([{ action: 'offer.confirmed', subject_id: partnerOffer.id }]);
  });

  it('after the territory’s days without an answer, the unconfirmed one expires and the confirmed one stays', async () => {
    t.clock.advance(12 * DAY);
    await restart();
    expect((await offer(teamOffer.id)).status).toBe('expired');
    expect((await offer(partnerOffer.id)).status).toBe('published');
    expect((await t.app.request(`/offres/${teamOffer.slug}`)).status).toBe(404);
    expect((await t.app.request(`/offres/${partnerOffer.slug}`)).status).toBe(200);
    const expired = await mails('offer-expired');
    expect(expired.map((m) => m.to_address)).toEqual(['sandrine@lozere.example', 'sandrine@lozere.example']);
    expect(expired[1]!.text).toContain('Elle n’a pas été confirmée après notre demande.');
    expect(expired[1]!.text).toContain(`http://nv.test/admin/offres/${teamOffer.slug}`);
  });

  it('asks again a full period after the confirmation, with a new link that replaces the old one; "filled" takes the offer off', async () => {
    t.clock.advance(8 * 7 * DAY);
    await restart();
    const asked = (await mails('offer-confirm')).filter((m) => m.to_address === 'transmission@cci.example');
    expect(asked).toHaveLength(2);
    const newLink = /http:\/\/nv\.test(\/offres\/confirmer\/[A-Za-z0-9_-]{43})/.exec(asked[1]!.text)![1]!;
    // A new request replaces the link: the first one no longer answers.
    expect((await t.app.request(link)).status).toBe(404);
    const filled = await t.app.request(newLink, post({ answer: 'filled' }));
    expect(textOf(await filled.text())).toContain('Merci, votre offre est marquée comme pourvue');
    const row = await offer(partnerOffer.id);
    expect(row.status).toBe('filled');
    expect(row.filled_at).toBe(t.clock.now().toISOString());
    expect((await t.app.request(newLink)).status).toBe(404);
    // A filled offer is never asked nor expired by the task.
    t.clock.advance(20 * 7 * DAY);
    await restart();
    expect((await offer(partnerOffer.id)).status).toBe('filled');
    expect((await mails('offer-confirm')).filter((m) => m.to_address === 'transmission@cci.example')).toHaveLength(2);
  });
});
