import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { formatShortDate } from '../../platform/time.ts';
import { households, horizons, labelOf, projects } from '../registrations/registration.ts';
import { regionLabel, type Territory } from '../territory/territory.ts';
import { housingPlans, maturities, projectTypes } from './candidate-file.ts';
import type { CandidateListRow } from './candidates-query.ts';
import { abandonReasons, stageLabel } from './change-stage.ts';

/** The columns of an export of files, with every code in words, as the registrants' export does. */
function table(t: Territory, rows: CandidateListRow[], communes: Map<string, string>): { header: string[]; body: Array<Array<string | number>> } {
  const header = [
    'Prénom',
    'Nom',
    'E-mail',
    'Téléphone',
    'Code postal',
    'Commune',
    'Pays',
    'Étape',
    'Depuis le',
    'Motif d’abandon',
    'Référent·e',
    'Projet',
    'Secteur',
    'Où en est le projet',
    'Horizon',
    'Région envisagée',
    'Commune envisagée',
    'Logement',
    'Permis de conduire',
    'Foyer',
    'Première source',
    'Première Rencontre',
    'Fiche créée le',
    'Dernière activité',
    'Nouvelles des Rencontres',
  ];
  const date = (iso: string | null) => (iso ? formatShortDate(iso, t.timezone) : '');
  const body = rows.map((r) => [
    r.firstName,
    r.lastName,
    r.email,
    r.phone ?? '',
    r.postcode ?? '',
    r.town ?? '',
    r.country ?? '',
    stageLabel(r.stage),
    date(r.stageChangedAt),
    r.abandonReason ? (abandonReasons.find((x) => x.value === r.abandonReason)?.label ?? r.abandonReason) : '',
    r.referentName ?? '',
    (r.projectType ? labelOf(projectTypes, r.projectType) : labelOf(projects, r.project)) ?? '',
    r.projectSector ?? '',
    labelOf(maturities, r.projectMaturity) ?? '',
    labelOf(horizons, r.horizon) ?? '',
    regionLabel(t, r.desiredRegion) ?? '',
    r.desiredCommune ? (communes.get(r.desiredCommune) ?? r.desiredCommune) : '',
    labelOf(housingPlans, r.housingPlan) ?? '',
    r.drivingLicence === null ? '' : r.drivingLicence ? 'oui' : 'non',
    labelOf(households, r.household) ?? '',
    r.firstSource ?? '',
    r.firstWebinarTitle ?? '',
    date(r.createdAt),
    date(r.lastActivityAt),
    r.newsOptIn ? 'oui' : 'non',
  ]);
  return { header, body };
}

/** CSV as French spreadsheets open it: UTF-8 with a byte-order mark, semicolons, CRLF, no formula injection. */
export function candidatesCsv(t: Territory, rows: CandidateListRow[], communes: Map<string, string>): string {
  const { header, body } = table(t, rows, communes);
  const safe = body.map((r) => r.map((v) => (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v)));
  return '\uFEFF' + stringify([header, ...safe], { delimiter: ';', record_delimiter: '\r\n', quoted_match: /[";\r\n]/ });
}

export async function candidatesXlsx(t: Territory, rows: CandidateListRow[], communes: Map<string, string>): Promise<Buffer> {
  const { header, body } = table(t, rows, communes);
  const wb = new ExcelJS.Workbook();
  wb.creator = t.programmeName;
  const ws = wb.addWorksheet('Candidats');
  ws.addRow(header).font = { bold: true };
  for (const r of body) ws.addRow(r);
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  ws.columns.forEach((col) => {
    col.width = 18;
  });
  return Buffer.from(await wb.xlsx.writeBuffer());
}
