import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { recordAudit } from '../../platform/audit/audit.ts';
import { DomainError } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { slugify } from '../partners/partner.ts';
import { offerTypes, searchable } from './offer.ts';
import { offerSchema, type OfferForm } from './offer-schemas.ts';
import { insertOffer, ownerActor, resolveCommune, todayIn, type OfferOwner, type ResolvedCommune } from './save-offer.ts';

/**
 * Importing offers from a spreadsheet (CSV or XLSX): read, check every line, show a preview, then
 * write them all in one transaction. A file with one bad line is refused whole, with every bad line
 * named and why, in French: nothing is ever half imported.
 */

export const MAX_IMPORT_BYTES = 200 * 1024;
export const MAX_IMPORT_LINES = 1000;
const MAX_PROBLEMS = 50;

export type ColumnKey = 'title' | 'type' | 'sector' | 'commune' | 'region' | 'description' | 'conditions' | 'contactName' | 'contactEmail' | 'contactPhone' | 'validFrom' | 'validUntil' | 'status' | 'partner';

/** The columns of the file, by their French names (case, accents and spaces aside). */
export const importColumns: ReadonlyArray<{ key: ColumnKey; label: string; aliases: string[]; required: boolean }> = [
  { key: 'title', label: 'titre', aliases: ['titre', 'intitule', 'intitule de l offre'], required: true },
  { key: 'type', label: 'type', aliases: ['type', 'type d offre'], required: true },
  { key: 'sector', label: 'secteur', aliases: ['secteur', 'secteur d activite'], required: true },
  { key: 'commune', label: 'commune', aliases: ['commune', 'lieu', 'ville'], required: true },
  { key: 'region', label: 'région', aliases: ['region', 'region naturelle'], required: false },
  { key: 'description', label: 'description', aliases: ['description', 'descriptif'], required: true },
  { key: 'conditions', label: 'conditions', aliases: ['conditions', 'conditions de l offre'], required: false },
  { key: 'contactName', label: 'contact', aliases: ['contact', 'nom du contact'], required: false },
  { key: 'contactEmail', label: 'e-mail du contact', aliases: ['e mail du contact', 'email du contact', 'e mail', 'email', 'courriel'], required: false },
  { key: 'contactPhone', label: 'téléphone du contact', aliases: ['telephone du contact', 'telephone', 'tel'], required: false },
  { key: 'validFrom', label: 'début', aliases: ['debut', 'date de debut', 'valable du', 'a partir du'], required: false },
  { key: 'validUntil', label: 'fin', aliases: ['fin', 'date de fin', 'valable jusqu au', 'jusqu au'], required: false },
  { key: 'status', label: 'statut', aliases: ['statut', 'etat'], required: false },
  { key: 'partner', label: 'partenaire', aliases: ['partenaire', 'organisation'], required: false },
];

export interface ImportLine {
  /** 1-based, as the spreadsheet or a text editor numbers it. */
  line: number;
  values: Partial<Record<ColumnKey, string>>;
}

export interface ImportProblem {
  line: number | null;
  message: string;
}

export function formatProblem(p: ImportProblem): string {
  return p.line === null ? p.message : `Ligne ${p.line} : ${p.message}`;
}

export class OfferImportRefused extends Error {
  constructor(readonly problems: ImportProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}

const fold = (s: string) => searchable(s);

function headerKey(cell: string): ColumnKey | null {
  const f = fold(cell);
  return importColumns.find((c) => c.aliases.includes(f))?.key ?? null;
}

const isZip = (b: Uint8Array) => b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('error' in v) return '';
  }
  return String(v);
}

/** The rows of the file as text, with their line numbers: the header row first. */
async function rowsOf(bytes: Uint8Array, filename: string): Promise<Array<{ line: number; cells: string[] }>> {
  const ext = filename.toLowerCase().split('.').pop();
  if (ext === 'xlsx') {
    // The extension and the content must agree (ASVS 5.2.2): an .xlsx is a zip archive.
    if (!isZip(bytes)) throw new OfferImportRefused([{ line: null, message: `Le fichier « ${filename} » n’est pas un classeur Excel (.xlsx) valide.` }]);
    const wb = new ExcelJS.Workbook();
    try {
      await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
    } catch {
      throw new OfferImportRefused([{ line: null, message: `Le classeur « ${filename} » ne peut pas être lu : enregistrez-le à nouveau au format .xlsx ou en CSV.` }]);
    }
    const ws = wb.worksheets[0];
    if (!ws) throw new OfferImportRefused([{ line: null, message: 'Le classeur ne contient aucune feuille.' }]);
    const out: Array<{ line: number; cells: string[] }> = [];
    ws.eachRow({ includeEmpty: false }, (row, n) => {
      const cells: string[] = [];
      row.eachCell({ includeEmpty: true }, (cell, col) => {
        cells[col - 1] = cellText(cell.value).trim();
      });
      out.push({ line: n, cells: Array.from(cells, (c) => c ?? '') });
    });
    return out;
  }
  if (ext !== 'csv' && ext !== 'txt') throw new OfferImportRefused([{ line: null, message: `Le fichier « ${filename} » n’est ni un CSV ni un classeur Excel : choisissez un fichier .csv ou .xlsx.` }]);
  if (isZip(bytes)) throw new OfferImportRefused([{ line: null, message: `Le fichier « ${filename} » porte l’extension .csv mais c’est une archive (un classeur Excel ?) : enregistrez-le en .xlsx ou en CSV.` }]);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Excel's "CSV (séparateur : point-virgule)" is written in Windows-1252, not UTF-8.
    text = new TextDecoder('windows-1252').decode(bytes);
  }
  text = text.replace(/^\uFEFF/, '');
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = [';', ',', '\t'].map((d) => ({ d, n: firstLine.split(d).length })).sort((a, b) => b.n - a.n)[0]!.d;
  try {
    const records = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: true, info: true }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    return records.map((r) => ({ line: r.info.lines, cells: r.record.map((c) => c.trim()) }));
  } catch (e) {
    const line = (e as { lines?: number }).lines ?? null;
    throw new OfferImportRefused([{ line, message: 'Le fichier CSV est mal formé (un guillemet ouvert n’est jamais fermé ?). Enregistrez-le à nouveau depuis le tableur.' }]);
  }
}

/** Reads a file into lines of named values; refuses a file without the columns an offer needs. */
export async function readOfferFile(bytes: Uint8Array, filename: string): Promise<ImportLine[]> {
  if (bytes.length === 0) throw new OfferImportRefused([{ line: null, message: `Le fichier « ${filename} » est vide.` }]);
  if (bytes.length > MAX_IMPORT_BYTES) throw new OfferImportRefused([{ line: null, message: `Le fichier « ${filename} » est trop gros : ${Math.round(MAX_IMPORT_BYTES / 1024)} Ko au plus. Importez les offres en plusieurs fichiers.` }]);
  const rows = (await rowsOf(bytes, filename)).filter((r) => r.cells.some((c) => c !== ''));
  if (rows.length === 0) throw new OfferImportRefused([{ line: null, message: `Le fichier « ${filename} » ne contient aucune ligne.` }]);
  const [header, ...data] = rows;
  const keys = header!.cells.map(headerKey);
  const problems: ImportProblem[] = [];
  header!.cells.forEach((cell, i) => {
    if (cell !== '' && keys[i] === null) problems.push({ line: header!.line, message: `la colonne « ${cell} » n’est pas reconnue. Colonnes possibles : ${importColumns.map((c) => c.label).join(', ')}.` });
  });
  const seen = new Set<ColumnKey>();
  keys.forEach((k, i) => {
    if (k && seen.has(k)) problems.push({ line: header!.line, message: `la colonne « ${header!.cells[i]} » apparaît deux fois.` });
    if (k) seen.add(k);
  });
  for (const c of importColumns) if (c.required && !seen.has(c.key)) problems.push({ line: header!.line, message: `il manque la colonne « ${c.label} ».` });
  if (data.length === 0) problems.push({ line: null, message: 'Le fichier ne contient que la ligne des titres de colonnes : aucune offre à importer.' });
  if (data.length > MAX_IMPORT_LINES) problems.push({ line: null, message: `Le fichier contient ${data.length} offres : ${MAX_IMPORT_LINES} au plus par import.` });
  if (problems.length) throw new OfferImportRefused(problems);
  return data.map((r) => {
    const values: Partial<Record<ColumnKey, string>> = {};
    keys.forEach((k, i) => {
      if (k) values[k] = r.cells[i] ?? '';
    });
    return { line: r.line, values };
  });
}

export interface CheckedLine {
  line: number;
  form: OfferForm;
  commune: ResolvedCommune;
  publish: boolean;
  partnerId: string | null;
  partnerName: string | null;
}

const typeAliases = new Map<string, string>();
for (const t of offerTypes) for (const a of [t.value, t.label, t.plural, t.short]) typeAliases.set(fold(a), t.value);
for (const [a, v] of [
  ['emploi', 'job'],
  ['offre emploi', 'job'],
  ['reprise d entreprise', 'takeover'],
  ['entreprise', 'takeover'],
  ['local commercial', 'premises'],
  ['ferme', 'farm'],
  ['exploitation', 'farm'],
] as const)
  typeAliases.set(fold(a), v);

/**
 * Checks every line as the form would, plus what only the database knows (the commune, the partner).
 * A partner imports for its own organisation only; an agent may name a partner in the "partenaire"
 * column. Returns the lines ready to write, or every problem found with its line.
 */
export async function checkImport(s: Services, lines: ImportLine[], owner: OfferOwner): Promise<{ ok: CheckedLine[]; problems: ImportProblem[] }> {
  const t = s.territory;
  const schema = offerSchema({ sectors: t.offers.sectors.map((x) => x.key), regions: t.regions.map((r) => r.key) });
  const partners = await s.db.kysely.selectFrom('partners').select(['id', 'name', 'slug', 'status']).execute();
  const today = todayIn(t.timezone, s.clock.now());
  const communes = new Map<string, Awaited<ReturnType<typeof resolveCommune>>>();
  const ok: CheckedLine[] = [];
  const problems: ImportProblem[] = [];
  for (const l of lines) {
    const v = l.values;
    const lineProblems: string[] = [];
    const col = (k: ColumnKey) => importColumns.find((c) => c.key === k)!.label;
    const type = v.type ? (typeAliases.get(fold(v.type)) ?? v.type) : '';
    const sector = v.sector ? (t.offers.sectors.find((x) => x.key === v.sector || fold(x.label) === fold(v.sector!))?.key ?? v.sector) : '';
    const region = v.region ? (t.regions.find((r) => r.key === v.region || fold(r.label) === fold(v.region!))?.key ?? v.region) : '';
    let publish = true;
    const status = fold(v.status ?? '');
    if (status === 'brouillon' || status === 'draft') publish = false;
    else if (!['', 'publiee', 'publie', 'published', 'en ligne'].includes(status)) lineProblems.push(`colonne « ${col('status')} » : « ${v.status} » n’est pas un statut possible (publiée ou brouillon).`);
    let partnerId: string | null = owner.kind === 'partner' ? owner.partnerId : null;
    let partnerName: string | null = null;
    if (v.partner) {
      const p = partners.find((x) => fold(x.name) === fold(v.partner!) || x.slug === slugify(v.partner!));
      if (!p) lineProblems.push(`colonne « ${col('partner')} » : aucun partenaire ne s’appelle « ${v.partner} ».`);
      else if (owner.kind === 'partner' && p.id !== owner.partnerId) lineProblems.push(`colonne « ${col('partner')} » : vous ne pouvez importer que les offres de votre organisation.`);
      else if (p.status !== 'active') lineProblems.push(`colonne « ${col('partner')} » : ${p.name} est archivé.`);
      else {
        partnerId = p.id;
        partnerName = p.name;
      }
    }
    const parsed = schema.safeParse({ ...v, type, sector, region, partner: undefined, status: undefined });
    if (!parsed.success) {
      for (const i of parsed.error.issues) {
        const key = String(i.path[0] ?? '') as ColumnKey;
        const c = importColumns.find((x) => x.key === key);
        const given = v[key] ? ` (« ${v[key]} »)` : '';
        lineProblems.push(c ? `colonne « ${c.label} » : ${i.message}${given}.` : `${i.message}.`);
      }
    }
    let commune: ResolvedCommune | undefined;
    if (v.commune) {
      const k = `${fold(v.commune)}|${region}`;
      if (!communes.has(k)) communes.set(k, await resolveCommune(s.db.kysely, v.commune, region || null));
      const r = communes.get(k)!;
      if ('problem' in r) lineProblems.push(`colonne « ${col('commune')} » : ${r.problem}`);
      else commune = r;
    }
    if (parsed.success && publish && parsed.data.validUntil && parsed.data.validUntil < today) lineProblems.push(`colonne « ${col('validUntil')} » : la date de fin est passée ; importez l’offre en brouillon ou changez la date.`);
    if (lineProblems.length || !parsed.success || !commune) {
      for (const m of lineProblems) problems.push({ line: l.line, message: m });
      continue;
    }
    ok.push({ line: l.line, form: parsed.data, commune, publish, partnerId, partnerName });
  }
  return { ok, problems: problems.slice(0, MAX_PROBLEMS) };
}

/**
 * Writes every line of a checked file in one transaction, checking them again first (the territory's
 * partners or communes may have changed since the preview). Keeps: all or nothing.
 */
export async function applyImport(s: Services, input: { lines: ImportLine[]; owner: OfferOwner; filename: string; ip?: string | null }): Promise<{ batch: string; created: number; published: number }> {
  const { ok, problems } = await checkImport(s, input.lines, input.owner);
  if (problems.length) throw new OfferImportRefused(problems);
  if (ok.length === 0) throw new OfferImportRefused([{ line: null, message: 'Aucune offre à importer.' }]);
  const now = s.clock.now();
  const today = todayIn(s.territory.timezone, now);
  const batch = randomUUID();
  await s.db.transaction(async (trx) => {
    for (const l of ok) {
      try {
        await insertOffer(trx, now, today, { form: l.form, commune: l.commune, partnerId: l.partnerId, publish: l.publish, owner: input.owner, importBatch: batch });
      } catch (e) {
        if (e instanceof DomainError) throw new OfferImportRefused([{ line: l.line, message: e.message }]);
        throw e;
      }
    }
    await recordAudit(trx, now, ownerActor(input.owner, input.ip), 'offer.imported', { type: 'offer-import', id: batch }, { created: ok.length, published: ok.filter((l) => l.publish).length, file: input.filename.slice(0, 100) });
  });
  return { batch, created: ok.length, published: ok.filter((l) => l.publish).length };
}

// ---- The file rides from the preview to the confirmation in the page, signed (as the Zoom import).

export const CARRY_MAX_AGE_MS = 2 * 3600_000;

interface Carried {
  lines: ImportLine[];
  filename: string;
  /** "agent:<id>" or "partner:<user id>": a copied form is refused to anyone else. */
  who: string;
  issuedAt: number;
}

const macKey = (tokenKey: Buffer) => createHmac('sha256', tokenKey).update('nouvelle-vie:offer-import-carry:v1').digest();
const mac = (tokenKey: Buffer, payload: string) => createHmac('sha256', macKey(tokenKey)).update(payload, 'utf8').digest();

export function ownerKey(o: OfferOwner): string {
  return o.kind === 'agent' ? `agent:${o.agentId}` : `partner:${o.userId}`;
}

export function sealLines(tokenKey: Buffer, data: Carried): { payload: string; mac: string } {
  const payload = deflateRawSync(Buffer.from(JSON.stringify(data), 'utf8')).toString('base64url');
  return { payload, mac: mac(tokenKey, payload).toString('base64url') };
}

/** The lines back from the confirmation form, if and only if this server signed them for this person, lately. */
export function openLines(tokenKey: Buffer, fields: { payload?: string; mac?: string }, expect: { who: string; now: Date }): Carried | null {
  const { payload, mac: given } = fields;
  if (!payload || !given || !/^[A-Za-z0-9_-]+$/.test(payload)) return null;
  const expected = mac(tokenKey, payload);
  const received = Buffer.from(given, 'base64url');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) return null;
  try {
    const data = JSON.parse(inflateRawSync(Buffer.from(payload, 'base64url'), { maxOutputLength: 4 * MAX_IMPORT_BYTES }).toString('utf8')) as Carried;
    const age = expect.now.getTime() - data.issuedAt;
    return data.who === expect.who && age >= -60_000 && age <= CARRY_MAX_AGE_MS ? data : null;
  } catch {
    return null;
  }
}

/**
 * The upload step of an import, the same in the back-office and the partner portal: the file is
 * checked (present, not too big), read, and every line checked; when nothing is wrong the lines are
 * sealed for the confirmation, so that what is confirmed is what was previewed.
 */
export async function prepareImport(s: Services, file: unknown, owner: OfferOwner): Promise<{ problems: ImportProblem[] } | { ok: CheckedLine[]; sealed: { payload: string; mac: string }; filename: string }> {
  if (!(file instanceof File) || (file.size === 0 && file.name === '')) return { problems: [{ line: null, message: 'Choisissez le fichier des offres à importer.' }] };
  if (file.size > MAX_IMPORT_BYTES) return { problems: [{ line: null, message: `Le fichier « ${file.name} » est trop gros : ${Math.round(MAX_IMPORT_BYTES / 1024)} Ko au plus.` }] };
  try {
    const lines = await readOfferFile(new Uint8Array(await file.arrayBuffer()), file.name);
    const checked = await checkImport(s, lines, owner);
    if (checked.problems.length) return { problems: checked.problems };
    const sealed = sealLines(s.tokenKey, { lines, filename: file.name, who: ownerKey(owner), issuedAt: s.clock.now().getTime() });
    return { ok: checked.ok, sealed, filename: file.name };
  } catch (e) {
    if (e instanceof OfferImportRefused) return { problems: e.problems };
    throw e;
  }
}

/** The confirmation step: the sealed lines of the preview opened (for this owner, not too old) and written. Problems, or none. */
export async function confirmImport(s: Services, fields: { payload?: string; mac?: string }, owner: OfferOwner, ip: string | null): Promise<ImportProblem[]> {
  const carried = openLines(s.tokenKey, fields, { who: ownerKey(owner), now: s.clock.now() });
  if (!carried) return [{ line: null, message: 'L’aperçu a expiré ou n’a pas été préparé pour vous : choisissez à nouveau le fichier.' }];
  try {
    await applyImport(s, { lines: carried.lines, owner, filename: carried.filename, ip });
    return [];
  } catch (e) {
    if (e instanceof OfferImportRefused) return e.problems;
    throw e;
  }
}
