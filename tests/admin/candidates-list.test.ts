import { randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changeStage } from '../../src/features/candidates/change-stage.ts';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import type { RegistrationForm } from '../../src/features/registrations/registration-schemas.ts';
import { makeAgent, signIn, type SignedIn } from '../support/admin.ts';
import { createWebinar, parsedForm } from '../support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';
import { errorSummaryLinks, hiddenFields, textOf, titleOf } from '../http/html.ts';

/**
 * The list of households over HTTP: search (accents and phone formats aside), every filter, order,
 * pages, saved views of one's own, a referent given to the rows ticked (one form, no script), exports
 * CSV and XLSX read back, and the board by stage.
 */
describe.each(dialects())('the candidates list and board on %s', (dialect) => {
  let t: TestContext;
  let admin: SignedIn;
  let ids: Record<string, string>;

  async function person(email: string, over: Partial<RegistrationForm>, source: string | null, webinarId: string) {
    const r = await registerCandidate(t.s, { webinarId, submissionKey: randomUUID(), form: parsedForm({ email, ...over }), source: { utmSource: source, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } });
    return (await t.db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', r.registrationId).executeTakeFirstOrThrow()).candidate_id;
  }
  const names = (html: string) => [...html.matchAll(/<th scope="row"><a href="\/admin\/candidats\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]);

  beforeEach(async () => {
    t = await createTestContext(dialect);
    const w = (await createWebinar(t.db, { date: '2027-01-15' })).id as string;
    ids = {};
    t.clock.set('2026-09-01T09:00:00.000Z');
    ids.helene = await person('helene@example.org', { firstName: 'Hélène', lastName: 'Lefèvre', phone: '06 11 22 33 44', project: 'creation-reprise', horizon: 'plus-1-an', desiredRegion: 'aubrac' }, 'facebook', w);
    t.clock.set('2026-12-01T09:00:00.000Z');
    ids.karim = await person('karim@example.org', { firstName: 'Karim', lastName: 'Benali', phone: '+33 7 00 00 00 01', project: 'salarie', horizon: 'moins-6-mois', desiredRegion: 'margeride' }, 'linkedin', w);
    t.clock.set('2027-01-03T09:00:00.000Z');
    ids.zoe = await person('zoe@example.org', { firstName: 'Zoé', lastName: 'Arnal', project: 'teletravail', horizon: '6-12-mois', desiredRegion: 'margeride' }, null, w);
    t.clock.set('2027-01-04T09:00:00.000Z');
    admin = await signIn(t, await makeAgent(t, 'admin', { name: 'Claire Admin' }));
  });
  afterEach(async () => {
    await t.close();
  });

  it('lists the files, the most recently active first; finds them by name without accents, by e-mail, by phone typed any way', async () => {
    const html = await (await admin.get('/admin/candidats')).text();
    expect(titleOf(html)).toBe('Candidats – Gestion Lozère Nouvelle Vie');
    expect(names(html)).toEqual(['ARNAL Zoé', 'BENALI Karim', 'LEFÈVRE Hélène']);
    expect(textOf(html)).toContain('3 fiches.');
    expect(html).toContain('<a href="/admin/candidats" aria-current="page">Candidats</a>');
    const search = async (q: string) => names(await (await admin.get(`/admin/candidats?q=${encodeURIComponent(q)}`)).text());
    expect(await search('helene lefevre')).toEqual(['LEFÈVRE Hélène']);
    expect(await search('HÉLÈNE')).toEqual(['LEFÈVRE Hélène']);
    expect(await search('karim@')).toEqual(['BENALI Karim']);
    expect(await search('0611223344')).toEqual(['LEFÈVRE Hélène']);
    expect(await search('06 11 22')).toEqual(['LEFÈVRE Hélène']);
    expect(await search('07 00 00 00 01')).toEqual(['BENALI Karim']);
    expect(textOf(await (await admin.get('/admin/candidats?q=personne')).text())).toContain('Aucune fiche ne correspond.');
  });

  it('filters by stage, referent, project (the registration answer counts until a type is set), region, source, horizon and last contact; sorts by name or last activity, both ways', async () => {
    const referent = await makeAgent(t, 'referent', { name: 'Julien Référent' });
    await t.db.kysely.updateTable('candidates').set({ referent_id: referent.id }).where('id', '=', ids.karim!).execute();
    await changeStage(t.db.kysely, { candidateId: ids.karim!, to: 'accompanied', at: t.clock.now(), actor: { type: 'system', id: null } });
    await t.db.kysely.updateTable('candidates').set({ project_type: 'reprise' }).where('id', '=', ids.zoe!).execute();
    const list = async (q: string) => names(await (await admin.get(`/admin/candidats?${q}`)).text());
    expect(await list('etape=accompanied')).toEqual(['BENALI Karim']);
    expect(await list('etape=contact')).toEqual(['ARNAL Zoé', 'LEFÈVRE Hélène']);
    expect(await list(`referent=${referent.id}`)).toEqual(['BENALI Karim']);
    expect(await list('referent=aucun')).toEqual(['ARNAL Zoé', 'LEFÈVRE Hélène']);
    expect(await list('referent=moi')).toEqual([]);
    expect(await list('projet=reprise')).toEqual(['ARNAL Zoé', 'LEFÈVRE Hélène']);
    expect(await list('projet=creation')).toEqual(['LEFÈVRE Hélène']);
    expect(await list('projet=salarie')).toEqual(['BENALI Karim']);
    expect(await list('region=margeride')).toEqual(['BENALI Karim', 'ARNAL Zoé']);
    expect(await list('source=facebook')).toEqual(['LEFÈVRE Hélène']);
    expect(await list('source=(aucune)')).toEqual(['ARNAL Zoé']);
    expect(await list('horizon=moins-6-mois')).toEqual(['BENALI Karim']);
    expect(await list('calme=90')).toEqual(['LEFÈVRE Hélène']);
    expect(await list('calme=30')).toEqual(['LEFÈVRE Hélène']);
    expect(await list('region=margeride&horizon=6-12-mois')).toEqual(['ARNAL Zoé']);
    expect(await list('tri=nom')).toEqual(['ARNAL Zoé', 'BENALI Karim', 'LEFÈVRE Hélène']);
    expect(await list('tri=nom&ordre=desc')).toEqual(['LEFÈVRE Hélène', 'BENALI Karim', 'ARNAL Zoé']);
    expect(await list('ordre=asc')).toEqual(['LEFÈVRE Hélène', 'ARNAL Zoé', 'BENALI Karim']);
    // Unknown values fall back to the defaults instead of failing.
    expect(await list('etape=nimporte&tri=x&page=-3')).toHaveLength(3);
    const html = await (await admin.get('/admin/candidats?tri=nom')).text();
    expect(html).toMatch(/<th scope="col" aria-sort="ascending"><a href="\/admin\/candidats\?tri=nom&amp;ordre=desc">Nom/);
  });

  it('paginates by fifty, keeping the filters in the links', async () => {
    await t.db.transaction(async (trx) => {
      for (let i = 0; i < 60; i++) {
        const iso = new Date(Date.UTC(2026, 5, 1, 0, i)).toISOString();
        await trx.insertInto('candidates').values({ id: randomUUID(), email: `p${i}@example.org`, email_normalized: `p${i}@example.org`, first_name: 'Prénom', last_name: `Nom${String(i).padStart(2, '0')}`, phone: null, postcode: null, town: null, country: null, project: null, household: null, horizon: 'plus-1-an', desired_region: null, news_opt_in: 0, news_opt_in_at: null, first_source: null, first_webinar_id: null, created_at: iso, updated_at: iso, last_contact_at: iso, stage: 'contact', last_activity_at: iso, search_text: `prenom nom${i}` }).execute();
      }
    });
    const first = await (await admin.get('/admin/candidats?horizon=plus-1-an&tri=nom')).text();
    expect(names(first)).toHaveLength(50);
    expect(textOf(first)).toContain('61 fiches correspondent aux filtres.');
    expect(first).toContain('href="/admin/candidats?horizon=plus-1-an&amp;tri=nom&amp;page=2"');
    const second = names(await (await admin.get('/admin/candidats?horizon=plus-1-an&tri=nom&page=2')).text());
    expect(second).toHaveLength(11);
    expect(second.at(-1)).toBe('NOM59 Prénom');
    // A search counts its matches as it reads them, on every page, even past the last one.
    expect(textOf(await (await admin.get('/admin/candidats?q=prenom&page=2')).text())).toContain('60 fiches correspondent aux filtres.');
    expect(names(await (await admin.get('/admin/candidats?q=prenom&page=2')).text())).toHaveLength(10);
    expect(textOf(await (await admin.get('/admin/candidats?q=prenom&page=5')).text())).toContain('60 fiches correspondent aux filtres.');
  });

  it('saves the current search as a view of one’s own, lists it, deletes it after a confirmation; another agent’s view is not found', async () => {
    const page = await (await admin.get('/admin/candidats?region=margeride&tri=nom')).text();
    const fields = hiddenFields(page.slice(page.indexOf('action="/admin/candidats/vues"')));
    expect(fields.query).toBe('region=margeride&tri=nom');
    const bad = await admin.post('/admin/candidats/vues', { query: fields.query!, name: '' });
    expect(bad.status).toBe(422);
    expect(errorSummaryLinks(await bad.text())).toEqual([['#vue-name', 'Donnez un nom à cette vue']]);
    const ok = await admin.post('/admin/candidats/vues', { query: `${fields.query}&page=3&inconnu=1`, name: 'Margeride' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/admin/candidats?region=margeride&tri=nom&ok=vue-enregistree');
    const views = await t.db.kysely.selectFrom('saved_views').selectAll().execute();
    expect(views.map((v) => [v.agent_id, v.name, v.query])).toEqual([[admin.agent.id, 'Margeride', 'region=margeride&tri=nom']]);
    expect(await (await admin.get('/admin/candidats')).text()).toContain('<a href="/admin/candidats?region=margeride&amp;tri=nom">Margeride</a>');

    const other = await signIn(t, await makeAgent(t, 'referent'));
    expect(await (await other.get('/admin/candidats')).text()).not.toContain('Margeride</a>');
    expect((await other.get(`/admin/candidats/vues/${views[0]!.id}/supprimer`)).status).toBe(404);
    expect((await other.post(`/admin/candidats/vues/${views[0]!.id}/supprimer`)).status).toBe(404);

    const confirm = await admin.get(`/admin/candidats/vues/${views[0]!.id}/supprimer`);
    expect(textOf(await confirm.text())).toContain('Supprimer la vue « Margeride » ?');
    expect(await t.db.kysely.selectFrom('saved_views').select('id').execute()).toHaveLength(1);
    expect((await admin.post(`/admin/candidats/vues/${views[0]!.id}/supprimer`)).status).toBe(303);
    expect(await t.db.kysely.selectFrom('saved_views').select('id').execute()).toHaveLength(0);
  });

  it('gives a referent to the rows ticked, in one form that works without a script; errors at the fields', async () => {
    const referent = await makeAgent(t, 'referent', { name: 'Julien Référent' });
    const bad = await admin.post('/admin/candidats/attribuer', { retour: '/admin/candidats?region=margeride', agent: '' });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(errorSummaryLinks(html)).toEqual([
      ['#f-ids', 'Cochez au moins une fiche à confier'],
      ['#f-agent', 'Choisissez à qui confier les fiches cochées'],
    ]);
    expect(names(html)).toEqual(['ARNAL Zoé', 'BENALI Karim']);
    // One field forgotten does not undo the other: the rows ticked stay ticked, the referent chosen stays chosen.
    const noAgent = await (await admin.post('/admin/candidats/attribuer', { retour: '/admin/candidats?region=margeride', agent: '', ids: [ids.zoe!] })).text();
    expect(noAgent).toMatch(new RegExp(`name="ids" value="${ids.zoe}" id="c-${ids.zoe}" checked`));
    expect(noAgent).not.toMatch(new RegExp(`name="ids" value="${ids.karim}" id="c-${ids.karim}" checked`));
    const noRows = await (await admin.post('/admin/candidats/attribuer', { retour: '/admin/candidats?region=margeride', agent: referent.id })).text();
    expect(noRows).toContain(`<option value="${referent.id}" selected`);
    const ok = await admin.post('/admin/candidats/attribuer', { retour: '/admin/candidats?region=margeride', agent: referent.id, ids: [ids.zoe!, ids.karim!] });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/admin/candidats?region=margeride&ok=attribuees');
    const files = await t.db.kysely.selectFrom('candidates').select(['id', 'referent_id', 'stage']).orderBy('last_name').execute();
    expect(files.map((f) => [f.id, f.referent_id])).toEqual([
      [ids.zoe, referent.id],
      [ids.karim, referent.id],
      [ids.helene, null],
    ]);
    const events = await t.db.kysely.selectFrom('timeline_events').select(['candidate_id', 'summary']).where('kind', '=', 'referent').orderBy('candidate_id').execute();
    expect(events.map((e) => e.summary).every((x) => x.includes('Julien Référent'))).toBe(true);
    expect(events).toHaveLength(2);
  });

  it('exports the files that match, as CSV (BOM, semicolons) and XLSX, for admins, and journals it', async () => {
    const csv = await admin.get('/admin/candidats/export.csv?region=margeride&tri=nom');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="candidats.csv"');
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parse(bytes.subarray(3).toString('utf8'), { delimiter: ';' }) as string[][];
    expect(rows[0]!.slice(0, 8)).toEqual(['Prénom', 'Nom', 'E-mail', 'Téléphone', 'Code postal', 'Commune', 'Pays', 'Étape']);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[7], r[11], r[15], r[20]])).toEqual([
      ['Zoé', 'Arnal', 'Premier contact', 'Continuer mon activité en télétravail', 'Margeride', ''],
      ['Karim', 'Benali', 'Premier contact', 'Trouver un emploi salarié', 'Margeride', 'linkedin'],
    ]);
    const xlsx = await admin.get('/admin/candidats/export.xlsx?q=helene');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    const ws = wb.getWorksheet('Candidats')!;
    expect(ws.rowCount).toBe(2);
    expect(ws.getRow(2).getCell(1).value).toBe('Hélène');
    const journal = await t.db.kysely.selectFrom('audit_log').select('details').where('action', '=', 'candidates.exported').orderBy('at').execute();
    expect(journal.map((j) => JSON.parse(j.details))).toEqual([
      { format: 'csv', rows: 2, filters: { region: 'margeride', tri: 'nom' } },
      { format: 'xlsx', rows: 1, filters: { q: 'helene', tri: 'activite' } },
    ]);
  });

  it('the board: a column per stage with its count and the latest files, linking to them; mine only on demand', async () => {
    const referent = await makeAgent(t, 'referent');
    await changeStage(t.db.kysely, { candidateId: ids.karim!, to: 'visit', at: t.clock.now(), actor: { type: 'system', id: null } });
    await t.db.kysely.updateTable('candidates').set({ referent_id: referent.id }).where('id', '=', ids.karim!).execute();
    const html = await (await admin.get('/admin/candidats/tableau')).text();
    const text = textOf(html);
    expect(text).toContain('Premier contact 2');
    expect(text).toContain('Visite ou immersion 1');
    expect(text).toContain('Abandon 0');
    const visit = html.slice(html.indexOf('id="etape-visit"'), html.indexOf('id="etape-decision"'));
    expect(visit).toContain(`href="/admin/candidats/${ids.karim}"`);
    const referentView = await signIn(t, referent);
    const mine = textOf(await (await referentView.get('/admin/candidats/tableau?referent=moi')).text());
    expect(mine).toContain('Premier contact 0');
    expect(mine).toContain('Visite ou immersion 1');
  });
});
