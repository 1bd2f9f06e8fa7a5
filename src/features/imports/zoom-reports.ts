import { parse } from 'csv-parse/sync';
import { DateTime, IANAZone } from 'luxon';

/**
 * Zoom's exported webinar reports, read as Zoom writes them (Reports → Webinars → Attendee report or
 * Registration report → CSV): title lines, a summary of the webinar (a header row and a row of
 * values), then sections each with a header row of its own; US dates in the account's time zone,
 * `--` for an empty time, a UTF-8 BOM, trailing commas. Pure functions: text in, typed values out.
 * A file with one unreadable line is refused whole, with every problem found and its line number, so
 * that nothing is ever imported from a file that was only half understood.
 */

export const MAX_REPORT_BYTES = 5 * 1024 * 1024;

export interface ReportIssue {
  /** 1-based line of the file, as a text editor or a spreadsheet numbers it; null for the whole file. */
  line: number | null;
  message: string;
}

export function formatIssue(i: ReportIssue): string {
  return i.line === null ? i.message : `Ligne ${i.line} : ${i.message}`;
}

/** The file cannot be imported; `issues` says where and why (at most {@link MAX_ISSUES}). */
export class ZoomReportError extends Error {
  constructor(readonly issues: ReportIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

const MAX_ISSUES = 20;

export interface AttendeeReportSummary {
  topic: string;
  /** Zoom's webinar number without spaces ("84512345678"); shared by every occurrence of a recurring webinar. */
  zoomWebinarId: string | null;
  actualStartAt: string | null;
  actualDurationMinutes: number | null;
}

export interface RegistrationReportSummary {
  topic: string;
  zoomWebinarId: string | null;
  scheduledAt: string | null;
}

/** A host or a panelist: counted, never taken for a registrant. */
export interface StaffRow {
  line: number;
  name: string;
  email: string | null;
}

/** One row of "Attendee Details": one connection of one person (a rejoin is another row). */
export interface AttendeeRow {
  line: number;
  attended: boolean;
  /** "User Name (Original Name)", the name shown in the webinar. */
  displayName: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  registeredAt: string | null;
  approvalStatus: string | null;
  joinedAt: string | null;
  leftAt: string | null;
  minutes: number;
  isGuest: boolean;
}

export interface AttendeeReport {
  kind: 'attendees';
  summary: AttendeeReportSummary;
  hosts: StaffRow[];
  panelists: StaffRow[];
  attendees: AttendeeRow[];
  /** Things worth saying that do not stop the import (a section we do not read…). */
  notes: string[];
}

export interface RegistrantRow {
  line: number;
  firstName: string;
  lastName: string;
  email: string;
  registeredAt: string | null;
  approvalStatus: string | null;
  phone: string | null;
  town: string | null;
  postcode: string | null;
  country: string | null;
  question: string | null;
  /** Answers to the webinar's custom questions, by question, kept for the preview only. */
  answers: Record<string, string>;
}

export interface RegistrationReport {
  kind: 'registrations';
  summary: RegistrationReportSummary;
  registrants: RegistrantRow[];
  /** The custom questions, which have no place in a candidate's file and are not imported. */
  customQuestions: string[];
  notes: string[];
}

/** Raised while reading; collected so that one pass reports every broken line. */
class Issues {
  readonly list: ReportIssue[] = [];
  add(line: number | null, message: string) {
    if (this.list.length < MAX_ISSUES) this.list.push({ line, message });
  }
  throwIfAny() {
    if (this.list.length) throw new ZoomReportError(this.list);
  }
}

interface Rec {
  line: number;
  /** Trimmed; the empty cells Zoom leaves at the end of its lines (trailing commas) dropped. */
  cells: string[];
}

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Bytes (a file as read or uploaded) or text → the records of the CSV, each with its line number. */
function readRecords(input: string | Uint8Array): Rec[] {
  let text: string;
  if (typeof input === 'string') {
    text = input;
    if (Buffer.byteLength(text, 'utf8') > MAX_REPORT_BYTES) throw tooBig(Buffer.byteLength(text, 'utf8'));
  } else {
    if (input.byteLength > MAX_REPORT_BYTES) throw tooBig(input.byteLength);
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw new ZoomReportError([
        { line: null, message: 'le fichier n’est pas encodé en UTF-8, comme Zoom l’exporte. S’il a été ouvert puis enregistré dans un tableur, exportez-le à nouveau depuis Zoom et importez-le sans le modifier.' },
      ]);
    }
  }
  text = text.replace(/^\uFEFF/, '');
  if (text.trim() === '') throw new ZoomReportError([{ line: null, message: 'le fichier est vide.' }]);
  // Zoom writes commas; a French spreadsheet that saved the file again writes semicolons.
  const head = text.split(/\r?\n/, 12).join('\n');
  const delimiter = (head.match(/;/g)?.length ?? 0) > (head.match(/,/g)?.length ?? 0) ? ';' : ',';
  let parsed: Array<{ record: string[]; info: { lines: number } }>;
  try {
    parsed = parse(text, { delimiter, relax_column_count: true, skip_empty_lines: false, info: true }) as unknown as typeof parsed;
  } catch (e) {
    const err = e as { code?: string; lines?: number };
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      throw new ZoomReportError([{ line: unclosedQuoteLine(text), message: 'un guillemet ouvert n’est jamais refermé : le fichier est incomplet ou mal formé.' }]);
    }
    throw new ZoomReportError([{ line: err.lines ?? null, message: 'la ligne n’est pas une ligne CSV valide (guillemets mal placés ?).' }]);
  }
  const records: Rec[] = [];
  let previousEnd = 0;
  for (const { record, info } of parsed) {
    const cells = record.map((c) => c.trim());
    while (cells.length && cells[cells.length - 1] === '') cells.pop();
    records.push({ line: previousEnd + 1, cells });
    previousEnd = info.lines;
  }
  return records;
}

function tooBig(bytes: number): ZoomReportError {
  const mb = (n: number) => (n / (1024 * 1024)).toLocaleString('fr-FR', { maximumFractionDigits: 1 });
  return new ZoomReportError([{ line: null, message: `le fichier fait ${mb(bytes)} Mo : un rapport Zoom importé doit faire ${mb(MAX_REPORT_BYTES)} Mo au plus.` }]);
}

/** Where the quote that never closes was opened (csv-parse only knows where the file ended). */
function unclosedQuoteLine(text: string): number | null {
  let line = 1;
  let inQuote = false;
  let openedAt = 1;
  let atFieldStart = true;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') line++;
    if (inQuote) {
      if (ch === '"') {
        if (text[i + 1] === '"') i++;
        else inQuote = false;
      }
      continue;
    }
    if (ch === '"' && atFieldStart) {
      inQuote = true;
      openedAt = line;
    }
    atFieldStart = ch === ',' || ch === ';' || ch === '\n' || ch === '\r' || (atFieldStart && (ch === ' ' || ch === '\t'));
  }
  return inQuote ? openedAt : null;
}

const DATE_FORMATS = ['M/d/yyyy h:mm:ss a', 'M/d/yyyy h:mm a', 'M/d/yyyy H:mm:ss', 'M/d/yyyy H:mm', 'MMM d, yyyy h:mm:ss a', 'MMM d, yyyy h:mm a'];

/** "04/26/2026 10:45:17 AM" in the account's zone → ISO 8601 in UTC; null when unreadable. */
export function parseZoomDate(value: string, zone: string): string | null {
  const v = value.replace(/\s+/g, ' ').trim();
  for (const f of DATE_FORMATS) {
    const d = DateTime.fromFormat(v, f, { zone, locale: 'en-US' });
    if (d.isValid) return d.toUTC().toISO();
  }
  return null;
}

const isEmptyTime = (v: string) => v === '' || v === '--';

function readDate(issues: Issues, line: number, value: string, zone: string): string | null {
  if (isEmptyTime(value)) return null;
  const iso = parseZoomDate(value, zone);
  if (iso === null) issues.add(line, `la date « ${value} » n’est pas lisible (attendu : le format de Zoom, mois/jour/année et heure, comme 04/26/2026 10:45:17 AM).`);
  return iso;
}

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

function readEmail(issues: Issues, line: number, value: string): string | null {
  if (value === '') return null;
  if (!EMAIL.test(value)) {
    issues.add(line, `l’adresse e-mail « ${value} » n’est pas valide.`);
    return null;
  }
  return value;
}

function readYesNo(issues: Issues, line: number, column: string, value: string, empty: boolean | null): boolean {
  const v = value.toLowerCase();
  if (v === 'yes' || v === 'oui') return true;
  if (v === 'no' || v === 'non') return false;
  if (v === '' && empty !== null) return empty;
  issues.add(line, `la colonne « ${column} » vaut « ${value} » : Yes ou No attendu.`);
  return false;
}

function readMinutes(issues: Issues, line: number, value: string): number {
  if (isEmptyTime(value)) return 0;
  if (!/^\d+([.,]\d+)?$/.test(value)) {
    issues.add(line, `la durée « ${value} » de la colonne « Time in Session (minutes) » n’est pas un nombre de minutes.`);
    return 0;
  }
  return Number(value.replace(',', '.'));
}

/** A header row as a lookup: each wanted column found under one of its names, case and spaces aside. */
class Columns {
  readonly #index = new Map<string, number>();
  constructor(readonly rec: Rec) {
    rec.cells.forEach((c, i) => {
      const k = key(c);
      if (k && !this.#index.has(k)) this.#index.set(k, i);
    });
  }
  find(names: readonly string[]): number | undefined {
    for (const n of names) {
      const i = this.#index.get(key(n));
      if (i !== undefined) return i;
    }
    return undefined;
  }
  has(names: readonly string[]): boolean {
    return this.find(names) !== undefined;
  }
}
const key = (s: string) => s.toLowerCase().replace(/\s+/g, ' ').trim();
const cell = (r: Rec, i: number | undefined) => (i === undefined ? '' : (r.cells[i] ?? ''));

const COL = {
  topic: ['Topic'],
  webinarId: ['Webinar ID', 'ID', 'Meeting ID'],
  actualStart: ['Actual Start Time'],
  actualDuration: ['Actual Duration (minutes)'],
  scheduled: ['Scheduled Time', 'Start Time'],
  attended: ['Attended'],
  userName: ['User Name (Original Name)', 'User Name', 'Name (Original Name)', 'Name'],
  firstName: ['First Name'],
  lastName: ['Last Name'],
  email: ['Email', 'User Email', 'Email Address'],
  phone: ['Phone'],
  registrationTime: ['Registration Time'],
  approval: ['Approval Status'],
  join: ['Join Time'],
  leave: ['Leave Time'],
  minutes: ['Time in Session (minutes)', 'Duration (minutes)'],
  guest: ['Is Guest', 'Guest'],
  town: ['City'],
  postcode: ['Zip/Postal Code'],
  country: ['Country/Region'],
  question: ['Questions & Comments'],
} as const;

/** A summary, header and values, found at the row starting with "Topic". */
function readSummary(issues: Issues, records: Rec[], wrongTitle: RegExp, wrongKindMessage: string): { columns: Columns; values: Rec; next: number } | null {
  const at = records.findIndex((r) => key(r.cells[0] ?? '') === 'topic');
  const titles = (at === -1 ? records.slice(0, 3) : records.slice(0, at)).filter((r) => r.cells.length > 0);
  if (titles.some((r) => wrongTitle.test(r.cells[0] ?? ''))) {
    issues.add(titles[0]!.line, wrongKindMessage);
    return null;
  }
  if (at === -1) {
    issues.add(null, 'le résumé du webinaire (la ligne d’en-tête qui commence par « Topic », puis ses valeurs) est absent : ce fichier n’est pas un rapport exporté de Zoom.');
    return null;
  }
  let v = at + 1;
  while (v < records.length && records[v]!.cells.length === 0) v++;
  const values = records[v];
  if (!values || sectionTitle(values) !== null) {
    issues.add(records[at]!.line, 'l’en-tête du résumé du webinaire n’est suivi d’aucune ligne de valeurs.');
    return null;
  }
  return { columns: new Columns(records[at]!), values, next: v + 1 };
}

/** "Host Details", "Attendee Details", "Other Attended"…: a line with that one cell opens a section. */
function sectionTitle(r: Rec): string | null {
  if (r.cells.length !== 1) return null;
  const c = r.cells[0]!;
  return /\b(details|attended)$/i.test(c) ? c : null;
}

const zoomNumber = (v: string) => v.replace(/\s+/g, '') || null;

function checkZone(zone: string) {
  if (!isValidZone(zone)) throw new ZoomReportError([{ line: null, message: `le fuseau horaire « ${zone} » est inconnu (attendu : un nom comme Europe/Paris).` }]);
}

/** Reads Zoom's attendee report (Attendee Report). */
export function parseAttendeeReport(input: string | Uint8Array, zone: string): AttendeeReport {
  checkZone(zone);
  const records = readRecords(input);
  const issues = new Issues();
  const notes: string[] = [];
  const summary = readSummary(
    issues,
    records,
    /^registration report/i,
    'ce fichier est un rapport d’inscription (Registration Report), pas un rapport de participation (Attendee Report).',
  );
  issues.throwIfAny();
  const { columns: sc, values: sv, next } = summary!;
  for (const [name, col] of [['Topic', COL.topic]] as const) if (!sc.has(col)) issues.add(sc.rec.line, `il manque la colonne « ${name} » au résumé du webinaire.`);
  const topic = cell(sv, sc.find(COL.topic));
  if (sc.has(COL.topic) && topic === '') issues.add(sv.line, 'le titre du webinaire (Topic) est vide.');
  const startRaw = cell(sv, sc.find(COL.actualStart));
  const actualStartAt = sc.has(COL.actualStart) ? readDate(issues, sv.line, startRaw, zone) : null;
  const durationRaw = cell(sv, sc.find(COL.actualDuration));
  let actualDurationMinutes: number | null = null;
  if (durationRaw !== '' && durationRaw !== '--') {
    if (/^\d+$/.test(durationRaw)) actualDurationMinutes = Number(durationRaw);
    else issues.add(sv.line, `la durée « ${durationRaw} » de la colonne « Actual Duration (minutes) » n’est pas un nombre de minutes.`);
  }

  type Section = { title: string; line: number; header: Rec | null; rows: Rec[] };
  const sections: Section[] = [];
  for (let i = next; i < records.length; i++) {
    const r = records[i]!;
    if (r.cells.length === 0) continue;
    const title = sectionTitle(r);
    const current = sections[sections.length - 1];
    if (title !== null) sections.push({ title, line: r.line, header: null, rows: [] });
    else if (!current) notes.push(`Ligne ${r.line} ignorée : elle n’appartient à aucune section du rapport.`);
    else if (current.header === null) current.header = r;
    else current.rows.push(r);
  }
  const section = (name: string) => sections.find((s) => key(s.title) === key(name));
  for (const s of sections) {
    if (!['host details', 'panelist details', 'attendee details'].includes(key(s.title))) notes.push(`Section « ${s.title} » (ligne ${s.line}) non lue : elle ne sert pas à la participation des inscrits.`);
  }

  const staff = (s: Section | undefined): StaffRow[] => {
    if (!s?.header) return [];
    const c = new Columns(s.header);
    return s.rows.map((r) => ({ line: r.line, name: cell(r, c.find(COL.userName)), email: cell(r, c.find(COL.email)) || null }));
  };

  const details = section('Attendee Details');
  const attendees: AttendeeRow[] = [];
  if (!details) {
    issues.add(null, 'la section « Attendee Details » est absente : ce fichier n’est pas un rapport de participation complet exporté de Zoom (Attendee Report).');
  } else if (!details.header) {
    issues.add(details.line, 'la section « Attendee Details » n’a pas de ligne d’en-tête.');
  } else {
    const c = new Columns(details.header);
    const required: Array<[string, readonly string[]]> = [
      ['Attended', COL.attended],
      ['Email', COL.email],
      ['Time in Session (minutes)', COL.minutes],
    ];
    const missing = required.filter(([, names]) => !c.has(names)).map(([n]) => `« ${n} »`);
    if (!c.has(COL.userName) && !c.has(COL.firstName)) missing.push('« User Name (Original Name) »');
    if (missing.length) {
      issues.add(details.header.line, `il manque ${missing.length > 1 ? 'les colonnes' : 'la colonne'} ${missing.join(', ')} dans la section « Attendee Details ».`);
    } else {
      for (const r of details.rows) {
        const firstName = cell(r, c.find(COL.firstName));
        const lastName = cell(r, c.find(COL.lastName));
        attendees.push({
          line: r.line,
          attended: readYesNo(issues, r.line, 'Attended', cell(r, c.find(COL.attended)), null),
          displayName: cell(r, c.find(COL.userName)) || `${firstName} ${lastName}`.trim(),
          firstName,
          lastName,
          email: readEmail(issues, r.line, cell(r, c.find(COL.email))),
          phone: cell(r, c.find(COL.phone)) || null,
          registeredAt: readDate(issues, r.line, cell(r, c.find(COL.registrationTime)), zone),
          approvalStatus: cell(r, c.find(COL.approval)).toLowerCase() || null,
          joinedAt: readDate(issues, r.line, cell(r, c.find(COL.join)), zone),
          leftAt: readDate(issues, r.line, cell(r, c.find(COL.leave)), zone),
          minutes: readMinutes(issues, r.line, cell(r, c.find(COL.minutes))),
          isGuest: readYesNo(issues, r.line, 'Is Guest', cell(r, c.find(COL.guest)), false),
        });
      }
    }
  }
  issues.throwIfAny();
  return {
    kind: 'attendees',
    summary: { topic, zoomWebinarId: zoomNumber(cell(sv, sc.find(COL.webinarId))), actualStartAt, actualDurationMinutes },
    hosts: staff(section('Host Details')),
    panelists: staff(section('Panelist Details')),
    attendees,
    notes,
  };
}

/** Reads Zoom's registration report (Registration Report). */
export function parseRegistrationReport(input: string | Uint8Array, zone: string): RegistrationReport {
  checkZone(zone);
  const records = readRecords(input);
  const issues = new Issues();
  const notes: string[] = [];
  const summary = readSummary(
    issues,
    records,
    /^attendee report/i,
    'ce fichier est un rapport de participation (Attendee Report), pas un rapport d’inscription (Registration Report).',
  );
  issues.throwIfAny();
  const { columns: sc, values: sv, next } = summary!;
  if (records.slice(next).some((r) => key(sectionTitle(r) ?? '') === 'attendee details')) {
    throw new ZoomReportError([{ line: null, message: 'ce fichier est un rapport de participation (Attendee Report), pas un rapport d’inscription (Registration Report).' }]);
  }
  const topic = cell(sv, sc.find(COL.topic));
  if (topic === '') issues.add(sv.line, 'le titre du webinaire (Topic) est vide.');
  const scheduledAt = sc.has(COL.scheduled) ? readDate(issues, sv.line, cell(sv, sc.find(COL.scheduled)), zone) : null;

  // The registrants' header: the first line after the summary that names the e-mail column, after an
  // optional section title ("Registrant Details" in some exports).
  let h = next;
  while (h < records.length && (records[h]!.cells.length === 0 || sectionTitle(records[h]!) !== null)) h++;
  const header = records[h];
  const registrants: RegistrantRow[] = [];
  const customQuestions: string[] = [];
  if (!header) {
    issues.add(null, 'la liste des inscrits est absente : après le résumé du webinaire, Zoom écrit la ligne d’en-tête « First Name, Last Name, Email, Registration Time, Approval Status… ».');
  } else {
    const c = new Columns(header);
    const required: Array<[string, readonly string[]]> = [
      ['First Name', COL.firstName],
      ['Email', COL.email],
      ['Registration Time', COL.registrationTime],
      ['Approval Status', COL.approval],
    ];
    const missing = required.filter(([, names]) => !c.has(names)).map(([n]) => `« ${n} »`);
    if (missing.length) {
      issues.add(header.line, `il manque ${missing.length > 1 ? 'les colonnes' : 'la colonne'} ${missing.join(', ')} dans la ligne d’en-tête des inscrits.`);
    } else {
      const known = new Set<number>(
        [COL.firstName, COL.lastName, COL.email, COL.registrationTime, COL.approval, COL.phone, COL.town, COL.postcode, COL.country, COL.question].map((n) => c.find(n)).filter((i): i is number => i !== undefined),
      );
      const custom = header.cells.map((name, i) => ({ name, i })).filter(({ name, i }) => name !== '' && !known.has(i));
      customQuestions.push(...custom.map((q) => q.name));
      for (let i = h + 1; i < records.length; i++) {
        const r = records[i]!;
        if (r.cells.length === 0) continue;
        if (sectionTitle(r) !== null) {
          notes.push(`Lignes ${r.line} et suivantes non lues : la section « ${r.cells[0]} » ne fait pas partie de la liste des inscrits.`);
          break;
        }
        const emailRaw = cell(r, c.find(COL.email));
        if (emailRaw === '') issues.add(r.line, 'l’adresse e-mail est vide : Zoom en demande une à chaque inscrit.');
        const email = readEmail(issues, r.line, emailRaw);
        const firstName = cell(r, c.find(COL.firstName));
        if (firstName === '') issues.add(r.line, 'le prénom (First Name) est vide.');
        const answers: Record<string, string> = {};
        for (const q of custom) if (cell(r, q.i) !== '') answers[q.name] = cell(r, q.i);
        registrants.push({
          line: r.line,
          firstName,
          lastName: cell(r, c.find(COL.lastName)),
          email: email ?? '',
          registeredAt: readDate(issues, r.line, cell(r, c.find(COL.registrationTime)), zone),
          approvalStatus: cell(r, c.find(COL.approval)).toLowerCase() || null,
          phone: cell(r, c.find(COL.phone)) || null,
          town: cell(r, c.find(COL.town)) || null,
          postcode: cell(r, c.find(COL.postcode)) || null,
          country: cell(r, c.find(COL.country)) || null,
          question: cell(r, c.find(COL.question)) || null,
          answers,
        });
      }
    }
  }
  issues.throwIfAny();
  return { kind: 'registrations', summary: { topic, zoomWebinarId: zoomNumber(cell(sv, sc.find(COL.webinarId))), scheduledAt }, registrants, customQuestions, notes };
}
