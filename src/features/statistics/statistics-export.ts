import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { editionDate, type Cell, type ColumnFormat, type StatTable } from './statistics-tables.ts';
import { DISCLOSURE_THRESHOLD, suppressSmallCounts, type PeriodStatistics } from './statistics.ts';

/** A number as French spreadsheets read it: a decimal comma, no thousands separator. */
function csvNumber(v: number, format: ColumnFormat): string {
  const digits = format === 'int' ? 0 : format === 'euros' ? 2 : format === 'days' ? 1 : 2;
  const rounded = Math.round(v * 10 ** digits) / 10 ** digits;
  return String(rounded).replace('.', ',');
}

/** A text cell that a spreadsheet would run as a formula gets a leading quote (OWASP CSV injection). */
const safeText = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

function csvRows(t: StatTable): string[][] {
  const line = (r: Cell[]) => r.map((v, i) => (v === null ? '' : typeof v === 'number' ? csvNumber(v, t.columns[i]?.format ?? 'decimal') : safeText(v)));
  return [t.columns.map((c) => c.label), ...t.rows.map(line), ...(t.total ? [line(t.total)] : [])];
}

/** CSV as French spreadsheets open it: UTF-8 with a byte-order mark, semicolons, CRLF. */
export function tableCsv(t: StatTable): string {
  return '\uFEFF' + stringify(csvRows(t), { delimiter: ';', record_delimiter: '\r\n', quoted_match: /[";\r\n]/ });
}

const excelFormats: Record<ColumnFormat, string | undefined> = { text: undefined, day: undefined, month: undefined, int: '# ##0', rate: '0.0', euros: '# ##0.00 €', days: '0.0', decimal: '0.0' };

/** One workbook, one sheet per table, numbers kept as numbers. */
export async function tablesXlsx(tables: StatTable[], creator: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = creator;
  const used = new Set<string>();
  for (const t of tables) {
    let name = t.sheet.replace(/[\\/?*[\]:]/g, ' ').slice(0, 31).trim();
    for (let i = 2; used.has(name); i++) name = `${name.slice(0, 28)} ${i}`;
    used.add(name);
    const ws = wb.addWorksheet(name);
    ws.addRow(t.columns.map((c) => c.label)).font = { bold: true };
    for (const r of t.rows) ws.addRow(r.map((v) => (v === null ? null : v)));
    if (t.total) ws.addRow(t.total).font = { bold: true };
    t.columns.forEach((c, i) => {
      const column = ws.getColumn(i + 1);
      column.width = c.format === 'text' ? 34 : 16;
      const f = excelFormats[c.format];
      if (f) column.numFmt = f;
    });
    ws.views = [{ state: 'frozen', ySplit: 1 }];
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * The open-data file: aggregated figures only, in one long table (one figure a line), with no name,
 * e-mail, postcode or identifier of a person or a Rencontre registration. Counts from 1 to 4 are
 * written "< 5" (suppressSmallCounts, with the second cell hidden where a total would give the first
 * away); rates are given only when both their counts are published.
 */
export function openDataCsv(s: PeriodStatistics, territoryId: string): string {
  const rows: string[][] = [['territoire', 'periode_debut', 'periode_fin', 'tableau', 'rencontre_date', 'rencontre_type', 'theme', 'modalite', 'indicateur', 'valeur']];
  const base = [territoryId, s.from, s.to];
  const push = (table: string, webinar: [string, string, string], modality: string, indicator: string, value: string) => rows.push([...base, table, ...webinar, modality, indicator, value]);
  const noWebinar: [string, string, string] = ['', '', ''];
  const count = (n: number) => suppressSmallCounts([n], { totalPublished: false })[0]!;

  // The period as a whole.
  push('periode', noWebinar, '', 'rencontres', String(s.editions.total));
  push('periode', noWebinar, '', 'rencontres_generalistes', String(s.editions.generic));
  push('periode', noWebinar, '', 'rencontres_thematiques', String(s.editions.thematic));
  for (const [indicator, n] of [
    ['inscriptions', s.registrations],
    ['annulations', s.cancelled],
    ['personnes_distinctes', s.distinctPeople],
    ['participants', s.attendees],
    ['demandes_accompagnement', s.accompanimentRequests],
    ['foyers_installes', s.installations.households],
    ['adultes_installes', s.installations.adults],
    ['enfants_installes', s.installations.children],
    ['suivis_realises', s.followUpsDone.total],
  ] as const) {
    push('periode', noWebinar, '', indicator, count(n));
  }
  if (s.registrations >= DISCLOSURE_THRESHOLD && s.attendees >= DISCLOSURE_THRESHOLD && s.attendanceRate !== null) push('periode', noWebinar, '', 'taux_presence', s.attendanceRate.toFixed(4));
  push('periode', noWebinar, '', 'cout_promotion_euros', (s.cost.totalCents / 100).toFixed(2));

  // Each Rencontre: its date and kind are public (the programme announces them). The period's totals
  // are published above, so each column is protected as a breakdown of its total.
  const regs = suppressSmallCounts(s.webinars.map((w) => w.registrations), { totalPublished: true });
  const atts = suppressSmallCounts(s.webinars.map((w) => w.attendees), { totalPublished: true });
  for (const [i, w] of s.webinars.entries()) {
    const id: [string, string, string] = [editionDate(w.startsAt, s.zone), w.kind === 'thematic' ? 'thematique' : 'generaliste', w.theme ?? ''];
    const [reg, att] = [regs[i]!, atts[i]!];
    push('rencontres', id, '', 'inscriptions', reg);
    push('rencontres', id, '', 'participants', att);
    if (w.attendanceRate !== null && !reg.startsWith('<') && !att.startsWith('<')) push('rencontres', id, '', 'taux_presence', w.attendanceRate.toFixed(4));
    if (w.promotionCostCents !== null) push('rencontres', id, '', 'cout_promotion_euros', (w.promotionCostCents / 100).toFixed(2));
  }

  // Breakdowns whose total is published above: hide a second cell when only one is hidden.
  const breakdown = (table: string, indicator: string, items: Array<{ label: string; count: number }>) => {
    const shown = suppressSmallCounts(items.map((i) => i.count), { totalPublished: true });
    items.forEach((item, i) => push(table, noWebinar, item.label, indicator, shown[i]!));
  };
  breakdown('departements_residence', 'personnes', s.places);
  breakdown('sources', 'inscriptions', s.sources);
  breakdown('regions_installation', 'foyers_installes', s.installations.byRegion);
  breakdown('activites_installation', 'foyers_installes', s.installations.byActivity);
  breakdown('abandons', 'foyers', s.abandonments.byReason);
  return '\uFEFF' + stringify(rows, { delimiter: ';', record_delimiter: '\r\n', quoted_match: /[";\r\n]/ });
}

export function exportFileName(kind: string, s: Pick<PeriodStatistics, 'from' | 'to'>, ext: string): string {
  const y = s.from.slice(0, 4);
  const range = s.from === `${y}-01-01` && s.to === `${y}-12-31` ? y : `${s.from}_${s.to}`;
  return `statistiques-${kind}-${range}.${ext}`;
}

export function generatedLabel(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).setLocale('fr').toFormat("d LLLL yyyy 'à' HH'h'mm");
}
