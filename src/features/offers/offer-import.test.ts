import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAgent, signIn, type SignedIn } from '../../../tests/support/admin.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { hiddenFields, textOf, titleOf } from '../../../tests/http/html.ts';
import type { PartnerRow } from '../../platform/db/schema.ts';
import { makePartner, makePartnerUser, signInPartnerUser, type PartnerSignedIn } from '../partners/testing/partner-fixtures.ts';
import { applyImport, OfferImportRefused, readOfferFile } from './offer-import.ts';

const HEADER = 'Titre;Type;Secteur;Commune;Région;Description;Conditions;Partenaire;E-mail du contact;Fin;Statut';

function csv(lines: string[]): Uint8Array {
  return new TextEncoder().encode('\uFEFF' + [HEADER, ...lines].join('\r\n') + '\r\n');
}

async function xlsx(rows: Array<Array<string | Date>>): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Offres');
  ws.addRow(HEADER.split(';'));
  for (const r of rows) ws.addRow(r);
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

/** A multipart upload as a browser sends it, with the session's CSRF token. */
function upload(who: { cookie: string; csrf: string }, path: string, file: { name: string; bytes: Uint8Array; type: string }) {
  const form = new FormData();
  form.append('_csrf', who.csrf);
  form.append('file', new File([file.bytes as BlobPart], file.name, { type: file.type }));
  return { path, init: { method: 'POST', headers: { Cookie: who.cookie }, body: form } };
}

describe.each(dialects())('importing offers from a spreadsheet, on %s', (dialect) => {
  let t: TestContext;
  let admin: SignedIn;
  let cci: PartnerRow;
  let other: PartnerRow;
  let partner: PartnerSignedIn;
  const count = async () => Number((await t.db.kysely.selectFrom('offers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const send = async (u: ReturnType<typeof upload>) => t.app.request(u.path, u.init);

  beforeAll(async () => {
    t = await createTestContext(dialect);
    admin = await signIn(t, await makeAgent(t, 'admin'));
    cci = await makePartner(t, { name: 'CCI Lozère' });
    other = await makePartner(t, { name: 'France Travail Lozère' });
    partner = await signInPartnerUser(t, await makePartnerUser(t, cci));
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a file with bad lines line by line, in French, and writes nothing', async () => {
    const file = csv([
      'Boulangerie à reprendre;reprise;Commerce;Nasbinals;Aubrac;Seule boulangerie du village.;;CCI Lozère;;;',
      ';emploi;Santé et médico-social;Mende;;Poste d’infirmier·e.;;;;;',
      'Boucherie à reprendre;boucherie;Commerce;Fournels;Aubrac;Boucherie avec laboratoire.;;;;;',
      'Fromager·e;emploi;Fromagerie;Massegros Causses Gorges;Causses et Gorges;Fromagerie du causse.;;;pas-une-adresse;;',
      'Maison T3;logement;Logement;Saint-Alban-sur-Limagnole;Margeride;Logement communal.;;Chambre inconnue;;;',
      'Saisonnier·e;emploi;Tourisme, hôtellerie et restauration;Meyrueis;Causses et Gorges;Accueil.;;;;01/01/2020;',
      'Local commercial;local;Commerce;Langogne;Margeride;80 m² en centre-bourg.;;;;;à voir',
    ]);
    const before = await count();
    const res = await send(upload(admin, '/admin/offres/import', { name: 'offres.csv', bytes: file, type: 'text/csv' }));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(titleOf(html)).toMatch(/^Erreur : /);
    const text = textOf(html);
    expect(text).toContain('Le fichier a 7 problèmes, détaillés sous le champ : rien n’a été importé.');
    for (const line of [
      'Ligne 3 : colonne « titre » : Saisissez le titre de l’offre.',
      'Ligne 4 : colonne « type » : Choisissez le type d’offre : emploi, entreprise à reprendre, local, exploitation agricole ou logement (« boucherie »).',
      'Ligne 5 : colonne « secteur » : Choisissez le secteur dans la liste (« Fromagerie »).',
      'Ligne 5 : colonne « e-mail du contact » : Saisissez une adresse e-mail de contact valide, comme recrutement@exemple.fr (« pas-une-adresse »).',
      'Ligne 6 : colonne « partenaire » : aucun partenaire ne s’appelle « Chambre inconnue ».',
      'Ligne 7 : colonne « fin » : la date de fin est passée ; importez l’offre en brouillon ou changez la date.',
      'Ligne 8 : colonne « statut » : « à voir » n’est pas un statut possible (publiée ou brouillon).',
    ])
      expect(text).toContain(line);
    // The good line 2 is not imported alone.
    expect(await count()).toBe(before);
  });

  it('refuses files that are not what they say, or lack the columns an offer needs', async () => {
    const cases: Array<[string, Uint8Array, string]> = [
      ['offres.xlsx', new TextEncoder().encode('Titre;Type\nx;y'), 'Le fichier « offres.xlsx » n’est pas un classeur Excel (.xlsx) valide.'],
      ['offres.pdf', new TextEncoder().encode('%PDF-1.7'), 'Le fichier « offres.pdf » n’est ni un CSV ni un classeur Excel : choisissez un fichier .csv ou .xlsx.'],
      ['offres.csv', await xlsx([['a']]), 'porte l’extension .csv mais c’est une archive'],
      ['offres.csv', new TextEncoder().encode('Titre;Commune;Couleur\nBoulangerie;Mende;bleu\n'), 'Ligne 1 : la colonne « Couleur » n’est pas reconnue.'],
      ['offres.csv', new TextEncoder().encode('Titre;Commune\nBoulangerie;Mende\n'), 'Ligne 1 : il manque la colonne « type ».'],
      ['offres.csv', new TextEncoder().encode(HEADER + '\n'), 'Le fichier ne contient que la ligne des titres de colonnes : aucune offre à importer.'],
      ['offres.csv', new Uint8Array(300 * 1024).fill(65), 'est trop gros'],
    ];
    for (const [name, bytes, message] of cases) {
      const res = await send(upload(admin, '/admin/offres/import', { name, bytes, type: 'application/octet-stream' }));
      expect(res.status, name).toBe(422);
      expect(textOf(await res.text()), name).toContain(message);
    }
    const none = await t.app.request('/admin/offres/import', { method: 'POST', headers: { Cookie: admin.cookie }, body: (() => { const f = new FormData(); f.append('_csrf', admin.csrf); return f; })() });
    expect(textOf(await none.text())).toContain('Choisissez le fichier des offres à importer.');
  });

  it('previews a good XLSX file, then writes it whole on confirmation', async () => {
    const file = await xlsx([
      ['Boulangerie à reprendre', 'Entreprise à reprendre', 'commerce', 'Nasbinals', 'aubrac', 'Seule boulangerie du village.', 'Cession du fonds.', 'CCI Lozère', 'reprise@cci.example', new Date(Date.UTC(2027, 11, 31)), 'publiée'],
      ['Infirmier·e en EHPAD', 'emploi', 'Santé et médico-social', 'Florac Trois Rivières', 'Cévennes et Mont Lozère', 'EHPAD de 80 lits.', 'CDI.', '', '', '', 'brouillon'],
    ]);
    const before = await count();
    const res = await send(upload(admin, '/admin/offres/import', { name: 'offres.xlsx', bytes: file, type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }));
    expect(res.status).toBe(200);
    const html = await res.text();
    const text = textOf(html);
    expect(text).toContain('Le fichier « offres.xlsx » contient 2 offres sans problème : 1 à publier, 1 en brouillon. Rien n’est encore enregistré.');
    expect(text).toContain('Boulangerie à reprendre');
    expect(text).toContain('CCI Lozère');
    expect(await count()).toBe(before);
    const fields = hiddenFields(html);
    // A preview signed for another agent, or changed, is refused.
    const colleague = await signIn(t, await makeAgent(t, 'admin'));
    expect((await colleague.post('/admin/offres/import/confirmer', { payload: fields.payload!, mac: fields.mac! })).status).toBe(422);
    expect((await admin.post('/admin/offres/import/confirmer', { payload: fields.payload!.slice(0, -2) + 'AA', mac: fields.mac! })).status).toBe(422);
    expect(await count()).toBe(before);
    const ok = await admin.post('/admin/offres/import/confirmer', { payload: fields.payload!, mac: fields.mac! });
    expect(ok.status).toBe(303);
    const rows = await t.db.kysely.selectFrom('offers').selectAll().where('import_batch', 'is not', null).orderBy('title').execute();
    expect(rows.map((r) => [r.title, r.type, r.sector, r.region_key, r.status, r.partner_id, r.valid_until, r.contact_email])).toEqual([
      ['Boulangerie à reprendre', 'takeover', 'commerce', 'aubrac', 'published', cci.id, '2027-12-31', 'reprise@cci.example'],
      ['Infirmier·e en EHPAD', 'job', 'sante-social', 'cevennes-mont-lozere', 'draft', null, null, null],
    ]);
    expect(new Set(rows.map((r) => r.import_batch)).size).toBe(1);
    const audit = await t.db.kysely.selectFrom('audit_log').select(['details', 'actor_id']).where('action', '=', 'offer.imported').executeTakeFirstOrThrow();
    expect(JSON.parse(audit.details)).toMatchObject({ created: 2, published: 1, file: 'offres.xlsx' });
    expect(audit.actor_id).toBe(admin.agent.id);
  });

  it('checks again on confirmation: a partner archived since the preview refuses the file, nothing written', async () => {
    const temp = await makePartner(t, { name: 'Partenaire bientôt archivé' });
    const file = csv(['Atelier à louer;local;Artisanat;Meyrueis;Causses et Gorges;Atelier de 120 m².;;Partenaire bientôt archivé;;;']);
    const res = await send(upload(admin, '/admin/offres/import', { name: 'offres.csv', bytes: file, type: 'text/csv' }));
    const fields = hiddenFields(await res.text());
    await t.db.kysely.updateTable('partners').set({ status: 'archived' }).where('id', '=', temp.id).execute();
    const before = await count();
    const refused = await admin.post('/admin/offres/import/confirmer', { payload: fields.payload!, mac: fields.mac! });
    expect(refused.status).toBe(422);
    expect(textOf(await refused.text())).toContain('Ligne 2 : colonne « partenaire » : Partenaire bientôt archivé est archivé.');
    expect(await count()).toBe(before);
  });

  it('leaves nothing behind when the database refuses one line in the middle of the write', async () => {
    // A fault the checks cannot foresee: the database itself rejects the third offer.
    if (dialect === 'sqlite') {
      await sql`create trigger refuse_third before insert on offers when new.title = 'Troisième' begin select raise(abort, 'disque plein (simulé)'); end`.execute(t.db.kysely);
    } else {
      await sql`create function refuse_third() returns trigger language plpgsql as $$ begin if new.title = 'Troisième' then raise exception 'disque plein (simulé)'; end if; return new; end $$`.execute(t.db.kysely);
      await sql`create trigger refuse_third before insert on offers for each row execute function refuse_third()`.execute(t.db.kysely);
    }
    const lines = await readOfferFile(
      csv(['Première;emploi;Commerce;Mende;;Un poste.;;;;;', 'Deuxième;emploi;Commerce;Mende;;Un poste.;;;;;', 'Troisième;emploi;Commerce;Mende;;Un poste.;;;;;', 'Quatrième;emploi;Commerce;Mende;;Un poste.;;;;;']),
      'offres.csv',
    );
    const before = await count();
    await expect(applyImport(t.s, { lines, owner: { kind: 'agent', agentId: admin.agent.id }, filename: 'offres.csv' })).rejects.toThrow(/disque plein/);
    expect(await count()).toBe(before);
    expect(await t.db.kysely.selectFrom('offers').select('id').where('title', 'in', ['Première', 'Deuxième']).execute()).toEqual([]);
    expect(await t.db.kysely.selectFrom('audit_log').select('id').where('action', '=', 'offer.imported').execute()).toHaveLength(1);
    await sql`drop trigger refuse_third${dialect === 'postgres' ? sql` on offers` : sql``}`.execute(t.db.kysely);
  });

  it('a partner imports for its own organisation only', async () => {
    const file = csv(['Épicerie à reprendre;reprise;Commerce;Le Malzieu-Ville;Margeride;Épicerie et point poste.;;;;;', 'Poids lourd;emploi;Transport et logistique;Saint-Chély-d’Apcher;Margeride;Transport régional.;;France Travail Lozère;;;']);
    const refused = await send(upload(partner, '/partenaires/offres/import', { name: 'nos-offres.csv', bytes: file, type: 'text/csv' }));
    expect(refused.status).toBe(422);
    expect(textOf(await refused.text())).toContain('Ligne 3 : colonne « partenaire » : vous ne pouvez importer que les offres de votre organisation.');
    const good = csv(['Épicerie à reprendre;reprise;Commerce;Le Malzieu-Ville;Margeride;Épicerie et point poste.;;;;;']);
    const preview = await send(upload(partner, '/partenaires/offres/import', { name: 'nos-offres.csv', bytes: good, type: 'text/csv' }));
    expect(preview.status).toBe(200);
    const fields = hiddenFields(await preview.text());
    // The agent cannot confirm what was prepared for the partner, nor the other way round.
    expect((await admin.post('/admin/offres/import/confirmer', { payload: fields.payload!, mac: fields.mac! })).status).toBe(422);
    expect((await partner.post('/partenaires/offres/import/confirmer', { payload: fields.payload!, mac: fields.mac! })).status).toBe(303);
    const row = await t.db.kysely.selectFrom('offers').selectAll().where('title', '=', 'Épicerie à reprendre').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ partner_id: cci.id, created_by_type: 'partner', status: 'published' });
    expect(await t.db.kysely.selectFrom('offers').select('id').where('partner_id', '=', other.id).execute()).toEqual([]);
  });

  it('reads the CSV Excel writes in Windows-1252, with commas or semicolons', async () => {
    const latin1 = Uint8Array.from([...'Titre,Type,Secteur,Commune,Description\r\nCafé à reprendre,reprise,Commerce,Mende,Un café.\r\n'].map((ch) => ch.charCodeAt(0)));
    const lines = await readOfferFile(latin1, 'export.csv');
    expect(lines).toEqual([{ line: 2, values: { title: 'Café à reprendre', type: 'reprise', sector: 'Commerce', commune: 'Mende', description: 'Un café.' } }]);
    await expect(readOfferFile(new TextEncoder().encode('Titre;Type\n"non fermé;x\n'), 'x.csv')).rejects.toBeInstanceOf(OfferImportRefused);
  });
});
