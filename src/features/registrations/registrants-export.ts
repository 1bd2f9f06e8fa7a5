import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { formatShortDate, formatTime } from '../../platform/time.ts';
import { regionLabel, type Territory } from '../territory/territory.ts';
import type { RegistrantRow } from './registrants-query.ts';
import { households, horizons, labelOf, projects, statusLabels } from './registration.ts';

/** The columns of an export, with the answers to the form's questions in words rather than codes. */
function table(t: Territory, rows: RegistrantRow[]): { header: string[]; body: Array<Array<string | number>> } {
  const header = ['Statut', 'Prénom', 'Nom', 'E-mail', 'Téléphone', 'Code postal', 'Commune', 'Pays', 'Projet', 'Foyer', 'Horizon', 'Région envisagée', 'Connu par', 'Question', 'Source', 'Support', 'Campagne', 'Inscrit le', 'Inscrit par', 'Présent', 'Minutes'];
  const heard = (k: string | null) => (k ? (t.heardFrom.find((h) => h.key === k)?.label ?? k) : '');
  const body = rows.map((r) => [
    statusLabels[r.status],
    r.firstName,
    r.lastName,
    r.email,
    r.phone ?? '',
    r.postcode ?? '',
    r.town ?? '',
    r.country ?? '',
    labelOf(projects, r.project) ?? '',
    labelOf(households, r.household) ?? '',
    labelOf(horizons, r.horizon) ?? '',
    regionLabel(t, r.desiredRegion) ?? '',
    heard(r.heardFrom),
    r.question ?? '',
    r.utmSource ?? '',
    r.utmMedium ?? '',
    r.utmCampaign ?? '',
    `${formatShortDate(r.createdAt, t.timezone)} ${formatTime(r.createdAt, t.timezone)}`,
    r.createdBy === 'agent' ? 'un agent' : r.createdBy === 'import' ? 'import' : 'la personne',
    r.attended === null ? '' : r.attended ? 'oui' : 'non',
    r.attendedMinutes ?? '',
  ]);
  return { header, body };
}

/** CSV as French spreadsheets open it: UTF-8 with a byte-order mark, semicolons, CRLF. */
export function registrantsCsv(t: Territory, rows: RegistrantRow[]): string {
  const { header, body } = table(t, rows);
  // A cell starting with = + - @ would be run as a formula by the spreadsheet: prefix it (OWASP CSV injection).
  const safe = body.map((r) => r.map((v) => (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v)));
  return '\uFEFF' + stringify([header, ...safe], { delimiter: ';', record_delimiter: '\r\n', quoted_match: /[";\r\n]/ });
}

export async function registrantsXlsx(t: Territory, rows: RegistrantRow[], sheetTitle: string): Promise<Buffer> {
  const { header, body } = table(t, rows);
  const wb = new ExcelJS.Workbook();
  wb.creator = t.programmeName;
  const ws = wb.addWorksheet(sheetTitle.slice(0, 31).replace(/[\\/?*[\]:]/g, ' '));
  ws.addRow(header).font = { bold: true };
  for (const r of body) ws.addRow(r);
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  ws.columns.forEach((col) => {
    col.width = 16;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
