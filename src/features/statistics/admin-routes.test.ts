import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAgent, signIn, type SignedIn } from '../../../tests/support/admin.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { seedStatisticsHistory } from '../../../tests/support/statistics-data.ts';
import { computeStatistics } from './compute-statistics.ts';
import { yearPeriod } from './period.ts';
import { statisticsJson } from './statistics-json.ts';

const NOW = '2025-06-01T10:00:00.000Z';

describe.each(dialects())('the statistics in the back-office on %s', (dialect) => {
  let t: TestContext;
  let referent: SignedIn;
  let data: Awaited<ReturnType<typeof seedStatisticsHistory>>;
  beforeEach(async () => {
    t = await createTestContext(dialect, { now: NOW });
    data = await seedStatisticsHistory(t.db);
    referent = await signIn(t, await makeAgent(t, 'referent'));
  });
  afterEach(async () => {
    await t.close();
  });

  it('shows a year to every agent, referents included, with its charts and their tables', async () => {
    const res = await referent.get('/admin/statistiques?annee=2024');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<title>Statistiques, année 2024');
    expect(html).toMatch(/<a href="\/admin\/statistiques" aria-current="page">Statistiques<\/a>/);
    expect(html).toContain('<strong>7</strong> Inscriptions');
    expect(html).toContain('<strong>5</strong> Personnes distinctes');
    expect(html).toContain('taux de présence 42,9');
    // Four charts and a map, each an image with a title and a description, each followed by its data as a table.
    const svgs = [...html.matchAll(/<svg class="chart__svg[^"]*" role="img" aria-labelledby="([^"]+) ([^"]+)"/g)];
    expect(svgs.length).toBe(5);
    for (const [, titleId, descId] of svgs) {
      expect(html).toMatch(new RegExp(`<title id="${titleId}">[^<]+</title><desc id="${descId}">[^<]+</desc>`));
    }
    expect(html.match(/<summary>Voir les données du graphique en tableau<\/summary>/g)).toHaveLength(5);
    expect(html.match(/data-departement="/g)).toHaveLength(96);
    expect(html).toContain('<title>Lozère (48) : 1 personne</title>');
    expect(html).toContain('La Réunion (974) : 1');
    // Links to the exports of every table, the report, the open data and the JSON.
    expect(html).toContain('href="/admin/statistiques/export/rencontres.csv?annee=2024"');
    // Each Rencontre of the table leads to its own figures; dates and months read in French on the page
    // (the exports keep 2024-03-15 and 2024-03, which sort).
    expect(html).toContain(`<th scope="row"><a href="/admin/statistiques/rencontres/${data.W2.id}">15 mars 2024</a></th>`);
    expect(html).toContain('<th scope="row">mars 2024</th>');
    expect(html).not.toMatch(/<th scope="row">(<a [^>]+>)?2024-\d\d/);
    expect(html).toContain('href="/admin/statistiques/rapport?annee=2024"');
    expect(html).toContain('href="/admin/statistiques.json?from=2024-01-01&amp;to=2024-12-31"');
  });

  it('shows a change at once, a promotion cost entered (no counter bumped) as well as an attendance corrected', async () => {
    const page = async () => (await referent.get('/admin/statistiques?annee=2024')).text();
    const first = await page();
    expect(await page()).toBe(first);
    expect(first).toContain('<strong>160 €</strong> Coût de promotion');
    await t.db.kysely.updateTable('webinars').set({ promotion_cost_cents: 26000 }).where('id', '=', String(data.W3.id)).execute();
    const costed = await page();
    expect(costed).toContain('<strong>420 €</strong> Coût de promotion');
    await t.db.kysely.updateTable('registrations').set({ attended: 1, attended_minutes: 30 }).where('webinar_id', '=', String(data.W3.id)).where('status', '=', 'confirmed').execute();
    const corrected = await page();
    expect(corrected).not.toContain('taux de présence 42,9');
    expect(corrected).toContain('<strong>420 €</strong> Coût de promotion');
  });

  it('sends those who are not signed in to the sign-in page, the JSON included', async () => {
    for (const path of ['/admin/statistiques?annee=2024', '/admin/statistiques.json?from=2024-01-01&to=2024-12-31', '/admin/statistiques/donnees-ouvertes.csv?annee=2024']) {
      const res = await t.app.request(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get('location')).toMatch(/^\/connexion\?retour=/);
    }
  });

  it('refuses a period that is not one, in French, with the GOV.UK error pattern', async () => {
    const res = await referent.get('/admin/statistiques?du=2024-02-30&au=2024-01-01');
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('<title>Erreur : Statistiques');
    expect(html).toContain('<a href="#f-du">La date de début doit être une date réelle, au format AAAA-MM-JJ, comme 2023-01-01</a>');
    expect(html).toContain('value="2024-02-30"');
    const reversed = await (await referent.get('/admin/statistiques?du=2024-03-01&au=2024-01-01')).text();
    expect(reversed).toContain('La date de fin doit être le même jour que la date de début ou après');
    const json = await referent.get('/admin/statistiques.json?from=2024-13-01&to=2024-12-31');
    expect(json.status).toBe(400);
    expect(await json.json()).toMatchObject({ errors: { du: expect.stringContaining('date de début') } });
  });

  it('answers machines with the documented JSON, the same figures as the page', async () => {
    const res = await referent.get('/admin/statistiques.json?from=2024-01-01&to=2024-12-31');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const body = await res.json();
    const expected = statisticsJson(await computeStatistics({ db: t.db, territory: t.territory, now: new Date(NOW) }, yearPeriod(2024, 'Europe/Paris')));
    expect(body).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(body).toMatchObject({ from: '2024-01-01', to: '2024-12-31', editions: { total: 4, generic: 2, thematic: 2 }, registrations: 7, distinctPeople: 5, attendees: 3, accompanimentRequests: 3, installations: 2 });
    expect(body.attendanceRate).toBeCloseTo(3 / 7, 10);
    for (const w of body.webinars) {
      expect(Object.keys(w)).toEqual(expect.arrayContaining(['id', 'title', 'startsAt', 'theme', 'registrations', 'attendees', 'attendanceRate']));
      expect(w.startsAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    }
    expect(body.webinars.map((w: { id: string }) => w.id)).toEqual([data.W1.id, data.W2.id, data.W3.id, data.W4.id]);
  });

  it('exports each table as CSV for French spreadsheets and as XLSX, and all of them in one workbook', async () => {
    const csv = await referent.get('/admin/statistiques/export/rencontres.csv?annee=2024');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="statistiques-rencontres-2024.csv"');
    const bytes = new Uint8Array(await csv.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('Date;Rencontre;Type;Inscriptions;dont liste d’attente;Annulations;Participants;Taux de présence (%);Minutes de présence en moyenne;Premières venues;Personnes déjà venues;Demandes d’accompagnement;Coût de promotion (€);Coût par inscrit (€);Coût par participant (€);Coût par demande (€)');
    expect(lines[1]).toBe('2024-01-01;Rencontre du Nouvel An;Généraliste;2;0;0;1;50;30;1;1;1;100;50;100;100');
    expect(lines[2]).toBe('2024-03-15;Rencontre : se loger;Thématique : Se loger;3;1;1;2;66,67;45;2;1;1;60;20;30;60');
    expect(lines[5]).toBe('Total;4 Rencontres;;7;1;2;3;42,86;40;4;3;2;160;32;53,33;80');

    const xlsx = await referent.get('/admin/statistiques/export/tout.xlsx?annee=2024');
    expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await xlsx.arrayBuffer());
    expect(wb.worksheets.length).toBe(13);
    const sheet = wb.worksheets.find((w) => w.name === 'Rencontres')!;
    expect(sheet.getRow(2).getCell(4).value).toBe(2);
    expect(sheet.getRow(3).getCell(8).value).toBeCloseTo(200 / 3, 6);
    const one = await referent.get('/admin/statistiques/export/departements.xlsx?du=2024-01-01&au=2024-12-31');
    const wb1 = new ExcelJS.Workbook();
    await wb1.xlsx.load(await one.arrayBuffer());
    expect(wb1.worksheets.map((w) => w.name)).toEqual(['Départements']);
    expect(wb1.worksheets[0]!.rowCount).toBe(7);
    expect((await referent.get('/admin/statistiques/export/inconnu.csv?annee=2024')).status).toBe(404);
    const audit = await t.db.kysely.selectFrom('audit_log').select(['action', 'details']).where('action', '=', 'statistics.exported').execute();
    expect(audit.map((a) => JSON.parse(a.details).what)).toEqual(['rencontres.csv', 'tout.xlsx', 'departements.xlsx']);
  });

  it('publishes open data with nothing personal and every count under five hidden', async () => {
    const res = await referent.get('/admin/statistiques/donnees-ouvertes.csv?annee=2024');
    expect(res.status).toBe(200);
    const text = (await res.text()).replace(/^\uFEFF/, '');
    for (const personal of ['@example.org', 'Anne', 'Test', '75011', '20167', 'Chloe']) expect(text).not.toContain(personal);
    const rows = text.trim().split('\r\n').map((l) => l.split(';'));
    expect(rows[0]).toEqual(['territoire', 'periode_debut', 'periode_fin', 'tableau', 'rencontre_date', 'rencontre_type', 'theme', 'modalite', 'indicateur', 'valeur']);
    const value = (table: string, indicator: string, modality = '', date = '') => rows.find((r) => r[3] === table && r[8] === indicator && r[7] === modality && r[4] === date)?.[9];
    expect(value('periode', 'rencontres')).toBe('4');
    expect(value('periode', 'inscriptions')).toBe('7');
    expect(value('periode', 'participants')).toBe('< 5');
    expect(value('periode', 'personnes_distinctes')).toBe('5');
    expect(value('periode', 'taux_presence')).toBeUndefined();
    expect(value('rencontres', 'inscriptions', '', '2024-03-15')).toBe('< 5');
    expect(value('rencontres', 'inscriptions', '', '2024-12-31')).toBe('0');
    expect(value('departements_residence', 'personnes', 'Lozère (48)')).toBe('< 5');
    // No number from 1 to 4 anywhere in the values.
    for (const r of rows.slice(1)) if (r[8] !== 'rencontres' && !r[8]!.startsWith('rencontres_') && !r[8]!.startsWith('cout') && !r[8]!.startsWith('taux')) expect(['1', '2', '3', '4']).not.toContain(r[9]);
  });

  it('prints a report for elected officials and shows one Rencontre on its own', async () => {
    const report = await referent.get('/admin/statistiques/rapport?annee=2024');
    expect(report.status).toBe(200);
    const html = await report.text();
    expect(html).toContain('<body class="stats-report">');
    expect(html).toContain('Rencontres Lozère Nouvelle Vie : bilan, année 2024');
    expect(html).toContain('Département de la Lozère');
    const one = await referent.get(`/admin/statistiques/rencontres/${data.W2.id}`);
    expect(one.status).toBe(200);
    const page = await one.text();
    expect(page).toContain('Statistiques : Rencontre : se loger');
    expect(page).toContain('3 (dont 1 sur liste d’attente)');
    expect(page).toContain('2 (taux de présence 66,7 %)');
    expect(page).toContain('2 / 1');
    expect((await referent.get('/admin/statistiques/rencontres/nope')).status).toBe(404);
  });
});
