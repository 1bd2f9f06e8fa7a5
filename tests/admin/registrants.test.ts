import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { purgeAuditLog } from '../../src/features/audit/audit-log.ts';
import { makePartner, makePartnerUser } from '../../src/features/partners/testing/partner-fixtures.ts';
import { recordAudit } from '../../src/platform/audit/audit.ts';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import { makeAgent, signIn, type SignedIn } from '../support/admin.ts';
import { textOf } from '../http/html.ts';
import { createWebinar, formFields, parsedForm } from '../support/fixtures.ts';
import { createTestContext, dialects, RecordingTransport, type TestContext } from '../support/harness.ts';

const people = [
  { firstName: 'Élodie', lastName: 'Pagès', email: 'elodie.pages@example.org', project: 'creation-reprise', household: 'enfants', desiredRegion: 'aubrac', utm: 'facebook' },
  { firstName: 'Jérôme', lastName: 'Anglès', email: 'jerome.angles@example.org', project: 'salarie', household: 'couple', desiredRegion: 'margeride', utm: 'newsletter' },
  { firstName: 'Zoé', lastName: 'Berthet', email: 'zoe.berthet@example.org', project: 'salarie', household: 'seul', desiredRegion: 'unknown', utm: null },
] as const;

describe.each(dialects())('the registrants of a Rencontre in the back-office on %s', (dialect) => {
  let t: TestContext;
  let agent: SignedIn;
  let webinarId: string;
  beforeEach(async () => {
    t = await createTestContext(dialect);
    agent = await signIn(t, await makeAgent(t, 'referent'));
    const w = await createWebinar(t.db, { capacity: 2 });
    webinarId = w.id;
    for (const p of people) {
      t.clock.advance(60_000);
      await registerCandidate(t.s, {
        webinarId,
        submissionKey: randomUUID(),
        form: parsedForm({ firstName: p.firstName, lastName: p.lastName, email: p.email, project: p.project, household: p.household, desiredRegion: p.desiredRegion, question: p.firstName === 'Zoé' ? '=HYPERLINK("http://evil")' : null }),
        source: { utmSource: p.utm, utmMedium: null, utmCampaign: null },
        actor: { type: 'candidate', id: null },
      });
    }
  });
  afterEach(async () => {
    await t.close();
  });

  const names = (html: string) => [...html.matchAll(/<th scope="row"><a href="\/admin\/candidats\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);

  it('lists, searches, filters and sorts the registrants', async () => {
    const all = await (await agent.get(`/admin/rencontres/${webinarId}`)).text();
    expect(names(all)).toEqual(['PAGÈS Élodie', 'ANGLÈS Jérôme', 'BERTHET Zoé']);
    expect(all).toContain('3 personnes.');
    // "Toutes" agrees with "Région" and "Source", as on the candidates list.
    for (const id of ['region', 'source']) expect(all).toMatch(new RegExp(`<select[^>]*id="f-${id}"[^>]*>\\s*<option value="">Toutes</option>`));
    expect(names(await (await agent.get(`/admin/rencontres/${webinarId}?q=angl`)).text())).toEqual(['ANGLÈS Jérôme']);
    expect(names(await (await agent.get(`/admin/rencontres/${webinarId}?q=zoe.berthet`)).text())).toEqual(['BERTHET Zoé']);
    expect(names(await (await agent.get(`/admin/rencontres/${webinarId}?statut=waitlisted`)).text())).toEqual(['BERTHET Zoé']);
    expect(names(await (await agent.get(`/admin/rencontres/${webinarId}?projet=salarie&foyer=couple`)).text())).toEqual(['ANGLÈS Jérôme']);
    expect(names(await (await agent.get(`/admin/rencontres/${webinarId}?region=aubrac`)).text())).toEqual(['PAGÈS Élodie']);
    expect(names(await (await agent.get(`/admin/rencontres/${webinarId}?source=newsletter`)).text())).toEqual(['ANGLÈS Jérôme']);
    expect(names(await (await agent.get(`/admin/rencontres/${webinarId}?source=(aucune)`)).text())).toEqual(['BERTHET Zoé']);
    expect(names(await (await agent.get(`/admin/rencontres/${webinarId}?tri=nom`)).text())).toEqual(['ANGLÈS Jérôme', 'BERTHET Zoé', 'PAGÈS Élodie']);
    expect(names(await (await agent.get(`/admin/rencontres/${webinarId}?tri=date&ordre=desc`)).text())).toEqual(['BERTHET Zoé', 'ANGLÈS Jérôme', 'PAGÈS Élodie']);
    const none = await (await agent.get(`/admin/rencontres/${webinarId}?q=personne`)).text();
    expect(none).toContain('Aucune personne ne correspond.');
    // Nonsense in the query string falls back to defaults instead of failing.
    expect((await agent.get(`/admin/rencontres/${webinarId}?tri=%27;drop&page=-4&statut=zzz`)).status).toBe(200);
  });

  it('paginates fifty at a time', async () => {
    const big = await createWebinar(t.db, { capacity: null, date: '2027-03-19' });
    for (let i = 0; i < 120; i++) {
      await registerCandidate(t.s, { webinarId: big.id, submissionKey: randomUUID(), form: parsedForm({ email: `p${String(i).padStart(3, '0')}@example.org`, lastName: `Nom${String(i).padStart(3, '0')}` }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } });
    }
    const p1 = await (await agent.get(`/admin/rencontres/${big.id}?tri=nom`)).text();
    const p3 = await (await agent.get(`/admin/rencontres/${big.id}?tri=nom&page=3`)).text();
    expect(names(p1)).toHaveLength(50);
    expect(names(p1)[0]).toBe('NOM000 Élise');
    expect(names(p3)).toHaveLength(20);
    expect(names(p3)[19]).toBe('NOM119 Élise');
    expect(p1).toContain('Page 1 sur 3');
  });

  it('exports CSV for French spreadsheets (BOM, semicolons, accents) and XLSX, with the answers in words, and logs the export', async () => {
    const csvRes = await agent.get(`/admin/rencontres/${webinarId}/inscrits.csv`);
    expect(csvRes.headers.get('content-type')).toContain('text/csv; charset=utf-8');
    expect(csvRes.headers.get('content-disposition')).toMatch(/attachment; filename="inscrits-rencontre-[^"]+\.csv"/);
    const bytes = new Uint8Array(await csvRes.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8').decode(bytes.slice(3));
    const rows = parse(text, { delimiter: ';', columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r['Nom'])).toEqual(['Pagès', 'Anglès', 'Berthet']);
    expect(rows[0]).toMatchObject({ Prénom: 'Élodie', Statut: 'Inscription confirmée', Projet: 'Créer ou reprendre une entreprise', Foyer: 'Avec des enfants', 'Région envisagée': 'Aubrac', Source: 'facebook' });
    expect(rows[2]!['Statut']).toBe('Sur liste d’attente');
    // A formula typed by someone is neutralised, never run by the spreadsheet.
    expect(rows[2]!['Question']).toBe(`'=HYPERLINK("http://evil")`);

    const filtered = parse(new TextDecoder().decode(new Uint8Array(await (await agent.get(`/admin/rencontres/${webinarId}/inscrits.csv?projet=salarie`)).arrayBuffer()).slice(3)), { delimiter: ';', columns: true }) as unknown[];
    expect(filtered).toHaveLength(2);

    const xlsxRes = await agent.get(`/admin/rencontres/${webinarId}/inscrits.xlsx`);
    expect(xlsxRes.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsxRes.arrayBuffer());
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).getCell(2).value).toBe('Prénom');
    expect(ws.getRow(2).getCell(3).value).toBe('Pagès');
    expect(ws.getRow(3).getCell(9).value).toBe('Trouver un emploi salarié');
    expect(ws.rowCount).toBe(4);

    const audit = await t.db.kysely.selectFrom('audit_log').select(['action', 'details', 'actor_id']).where('action', '=', 'registrations.exported').orderBy('at').execute();
    expect(audit).toHaveLength(3);
    expect(audit[0]!.actor_id).toBe(agent.agent.id);
    expect(JSON.parse(audit[1]!.details)).toMatchObject({ format: 'csv', rows: 2, filters: { projet: 'salarie' } });
  });

  it('registers someone by hand, with the same confirmation e-mail, and says so in the journal', async () => {
    // The agent acts for the person: the consent says who decides, the button who acts.
    const form = textOf(await (await agent.get(`/admin/rencontres/${webinarId}/inscrire`)).text());
    expect(form).toContain('La personne souhaite recevoir des nouvelles des prochaines Rencontres');
    expect(form).toContain('Inscrire cette personne');
    expect(form).not.toContain('Je m’inscris');
    const res = await agent.post(`/admin/rencontres/${webinarId}/inscrire`, { ...formFields({ email: 'telephone@example.org', firstName: 'Paul' }), submission: randomUUID() });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/admin/rencontres/${webinarId}?ok=en-attente`);
    const reg = await t.db.kysely.selectFrom('registrations').innerJoin('candidates', 'candidates.id', 'registrations.candidate_id').select(['registrations.created_by', 'registrations.status']).where('candidates.email', '=', 'telephone@example.org').executeTakeFirstOrThrow();
    expect(reg).toEqual({ created_by: 'agent', status: 'waitlisted' });
    const bad = await agent.post(`/admin/rencontres/${webinarId}/inscrire`, { ...formFields({ email: 'pas-une-adresse' }), submission: randomUUID() });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Saisissez une adresse e-mail valide');
    const audit = await t.db.kysely.selectFrom('audit_log').select(['actor_type', 'actor_id', 'details']).where('action', '=', 'registration.waitlisted').where('actor_type', '=', 'agent').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor_id).toBe(agent.agent.id);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ createdBy: 'agent' });
  });

  it('gives a seat from the waiting list (asking before going over capacity) and cancels with a confirmation step', async () => {
    const zoe = await t.db.kysely.selectFrom('registrations').innerJoin('candidates', 'candidates.id', 'registrations.candidate_id').select('registrations.id').where('candidates.email', '=', 'zoe.berthet@example.org').executeTakeFirstOrThrow();
    const ask = await (await agent.get(`/admin/inscriptions/${zoe.id}/confirmer`)).text();
    expect(ask).toContain('Confirmer ajoutera une place au-delà de la capacité');
    const refused = await agent.post(`/admin/inscriptions/${zoe.id}/confirmer`, { depassement: 'non' });
    expect(refused.headers.get('location')).toBe(`/admin/inscriptions/${zoe.id}/confirmer`);
    expect((await t.db.kysely.selectFrom('registrations').select('status').where('id', '=', zoe.id).executeTakeFirstOrThrow()).status).toBe('waitlisted');
    await agent.post(`/admin/inscriptions/${zoe.id}/confirmer`, { depassement: 'oui' });
    expect((await t.db.kysely.selectFrom('registrations').select('status').where('id', '=', zoe.id).executeTakeFirstOrThrow()).status).toBe('confirmed');
    expect(await t.db.kysely.selectFrom('outbox_messages').select('kind').where('registration_id', '=', zoe.id).orderBy('created_at').execute()).toEqual([{ kind: 'registration-waitlisted' }, { kind: 'registration-promoted' }]);

    const confirmPage = await agent.get(`/admin/inscriptions/${zoe.id}/annuler`);
    expect(await confirmPage.text()).toContain('Annuler l’inscription de Zoé Berthet ?');
    expect((await t.db.kysely.selectFrom('registrations').select('status').where('id', '=', zoe.id).executeTakeFirstOrThrow()).status).toBe('confirmed');
    await agent.post(`/admin/inscriptions/${zoe.id}/annuler`);
    expect((await t.db.kysely.selectFrom('registrations').select('status').where('id', '=', zoe.id).executeTakeFirstOrThrow()).status).toBe('cancelled');
    const audit = await t.db.kysely.selectFrom('audit_log').select('action').where('subject_id', '=', zoe.id).where('actor_id', '=', agent.agent.id).orderBy('at').execute();
    expect(audit.map((a) => a.action)).toEqual(['registration.promoted-by-agent', 'registration.cancelled']);
  });

  it('opens the person behind a row', async () => {
    const html = await (await agent.get(`/admin/rencontres/${webinarId}`)).text();
    const href = /href="(\/admin\/candidats\/[^"]+)"/.exec(html)![1]!;
    const person = await (await agent.get(href)).text();
    expect(person).toContain('Élodie Pagès');
    expect(person).toContain('elodie.pages@example.org');
    expect(person).toContain('Inscription confirmée : ');
    expect((await agent.get('/admin/candidats/inconnu')).status).toBe(404);
  });
});

describe.each(dialects())('the mailbox and the journal on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect);
  });
  afterEach(async () => {
    await t.close();
  });

  it('shows every message with its status and error, as the recipient sees it, and resends a failed one', async () => {
    const agent = await signIn(t, await makeAgent(t, 'referent'));
    const w = await createWebinar(t.db);
    await registerCandidate(t.s, { webinarId: w.id, submissionKey: randomUUID(), form: parsedForm(), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } });
    (t.transport as RecordingTransport).failWith = { responseCode: 550, message: '550 5.1.1 Mailbox unknown' };
    await t.worker.drain();
    const list = await (await agent.get('/admin/courriels?statut=failed')).text();
    expect(list).toContain('elise.martin@example.org');
    expect(list).toContain('550 5.1.1 Mailbox unknown');
    const id = /href="\/admin\/courriels\/([0-9a-f-]{36})"/.exec(list)![1]!;
    const detail = await (await agent.get(`/admin/courriels/${id}`)).text();
    expect(detail).toContain('Renvoyer ce message');
    expect(detail).toContain('rencontre.ics');
    const preview = await agent.get(`/admin/courriels/${id}/apercu`);
    expect(preview.headers.get('content-security-policy')).toContain('sandbox');
    expect(preview.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await preview.text()).toContain('Bonjour Élise');
    const ics = await agent.get(`/admin/courriels/${id}/pj/0`);
    expect(await ics.text()).toContain('BEGIN:VCALENDAR');

    (t.transport as RecordingTransport).failWith = null;
    expect((await agent.post(`/admin/courriels/${id}/renvoyer`)).status).toBe(303);
    await t.worker.drain();
    expect((t.transport as RecordingTransport).sent).toHaveLength(1);
    expect((await t.db.kysely.selectFrom('outbox_messages').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('sent');
    // Only failed messages can be sent again.
    expect((await agent.post(`/admin/courriels/${id}/renvoyer`)).status).toBe(409);
  });

  it('the journal says who did what, without secrets, and forgets what is older than the retention period', async () => {
    const adminRow = await makeAgent(t, 'admin', { name: 'Claire Bonnet' });
    const admin = await signIn(t, adminRow);
    // What a partner's person did in the portal is signed with their name and their organisation.
    const partner = await makePartner(t, { name: 'Mission locale de Lozère' });
    const partnerUser = await makePartnerUser(t, partner, { name: 'Nadia Meyrueis' });
    await recordAudit(t.db.kysely, t.clock.now(), { type: 'partner', id: partnerUser.id, ip: '192.0.2.7' }, 'offer.created', { type: 'offer', id: randomUUID() }, {});
    const html = await (await admin.get('/admin/journal')).text();
    expect(html).toContain('Claire Bonnet');
    expect(html).toContain('Connexion');
    expect(html).toContain('Nadia Meyrueis (Mission locale de Lozère)');
    expect(html).not.toContain('anonyme');
    // Details read as French, not as the JSON recorded: the role of the agent created.
    expect(textOf(html)).toContain('rôle : administrateur·rice');
    expect(html).not.toContain('{"role"');
    // The filter by family: the offer created in the portal, not the sign-in; every entry without one.
    const offers = textOf(await (await admin.get('/admin/journal?action=offres')).text());
    // The partner created and its person invited by the fixtures, her acceptance, her offer.
    expect(offers).toContain('4 entrées.');
    expect(offers).toContain('Nadia Meyrueis (Mission locale de Lozère)');
    expect(offers).not.toContain('Connexion ');
    expect(offers).toMatch(/Offre créée Offre [0-9a-f]{8}/);
    const signIns = textOf(await (await admin.get('/admin/journal?action=connexions')).text());
    const agentActions = await t.db.kysely.selectFrom('audit_log').select('id').where('action', 'like', 'agent.%').execute();
    expect(agentActions.length).toBeGreaterThan(1);
    expect(signIns).toContain(`${agentActions.length} entrées.`);
    expect(signIns).not.toContain('Nadia Meyrueis');
    const all = textOf(await (await admin.get('/admin/journal?action=inconnue')).text());
    expect(all).toContain('Nadia Meyrueis');
    t.clock.advance(400 * 86_400_000);
    const purged = await purgeAuditLog(t.db.kysely, t.clock.now(), 365);
    expect(purged).toBeGreaterThanOrEqual(2);
    expect(await t.db.kysely.selectFrom('audit_log').select('id').execute()).toHaveLength(0);
  });
});
