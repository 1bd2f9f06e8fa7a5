import { monthLabel, periodLabel, shortDayLabel, zonedDate } from './period.ts';
import { frenchNumber, frenchTwoDecimals, funnelGaps, funnelStepLabels, funnelSteps, type FunnelRow, type PeriodStatistics } from './statistics.ts';

/**
 * Every table of the statistics, once: the page draws them, the CSV and XLSX exports write them, so
 * the numbers a person downloads are the ones on the screen. A column says how its cells are written.
 */
/** `day` ("2024-01-19") and `month` ("2024-01") stay so in the exports, where they sort, and are read in French on the page. */
export type ColumnFormat = 'text' | 'day' | 'month' | 'int' | 'rate' | 'euros' | 'days' | 'decimal';

/** Columns of words and dates, aligned left; the others are numbers. */
export const isTextColumn = (format: ColumnFormat) => format === 'text' || format === 'day' || format === 'month';
export type Cell = string | number | null;

export interface StatTable {
  key: string;
  title: string;
  /** The worksheet's name in XLSX (31 characters at most). */
  sheet: string;
  columns: Array<{ label: string; format: ColumnFormat }>;
  rows: Cell[][];
  /** A last row of totals, when adding up makes sense. */
  total?: Cell[];
  /** On the page, where each row's first cell leads (the exports leave it out). */
  rowLinks?: string[];
}

const col = (label: string, format: ColumnFormat = 'int') => ({ label, format });

export function editionDate(startsAt: string, zone: string): string {
  return zonedDate(startsAt, zone);
}

const cents = (c: number | null) => (c === null ? null : c / 100);

function funnelTable(key: string, title: string, sheet: string, first: string, rows: FunnelRow[]): StatTable {
  return {
    key,
    title,
    sheet,
    columns: [col(first, 'text'), ...funnelSteps.map((s) => col(funnelStepLabels[s])), ...funnelGaps.map(([a, b]) => col(`Médiane ${funnelStepLabels[a].toLowerCase()} → ${funnelStepLabels[b].toLowerCase()} (jours)`, 'days'))],
    rows: rows.map((r) => [r.label, ...funnelSteps.map((s) => r.counts[s]), ...funnelGaps.map(([a, b]) => r.medians[`${a}-${b}`].days)]),
  };
}

export function statisticsTables(s: PeriodStatistics): StatTable[] {
  const z = s.zone;
  const w = s.webinars;
  const sum = (f: (x: (typeof w)[number]) => number) => w.reduce((a, x) => a + f(x), 0);
  return [
    {
      key: 'synthese',
      sheet: 'Synthèse',
      title: `Synthèse, ${periodLabel(s)}`,
      columns: [col('Indicateur', 'text'), col('Valeur', 'decimal')],
      rows: [
        ['Rencontres', s.editions.total],
        ['dont Rencontres généralistes', s.editions.generic],
        ['dont Rencontres thématiques', s.editions.thematic],
        ['Inscriptions (hors annulations)', s.registrations],
        ['dont sur liste d’attente', s.waitlisted],
        ['Annulations', s.cancelled],
        ['Personnes distinctes inscrites', s.distinctPeople],
        ['Participants', s.attendees],
        ['Taux de présence (%)', s.attendanceRate === null ? null : s.attendanceRate * 100],
        ['Taux de présence le plus bas d’une Rencontre (%)', s.attendanceRange ? s.attendanceRange.min * 100 : null],
        ['Taux de présence le plus haut d’une Rencontre (%)', s.attendanceRange ? s.attendanceRange.max * 100 : null],
        ['Durée moyenne de présence (minutes)', s.averageMinutes],
        ['Replays envoyés', s.replaysSent.total],
        ['Demandes d’accompagnement', s.accompanimentRequests],
        ['Foyers installés', s.installations.households],
        ['Adultes installés', s.installations.adults],
        ['Enfants installés', s.installations.children],
        ['Abandons', s.abandonments.total],
        ['Suivis après installation réalisés', s.followUpsDone.total],
        ['Coût de promotion (€)', cents(s.cost.totalCents)],
        ['Coût par inscrit (€)', cents(s.cost.perRegistrantCents)],
        ['Coût par participant (€)', cents(s.cost.perAttendeeCents)],
        ['Coût par demande d’accompagnement (€)', cents(s.cost.perRequestCents)],
        ['Coût par foyer installé (€)', cents(s.cost.perInstallationCents)],
      ],
    },
    {
      key: 'rencontres',
      sheet: 'Rencontres',
      title: 'Les Rencontres une par une',
      columns: [
        col('Date', 'day'),
        col('Rencontre', 'text'),
        col('Type', 'text'),
        col('Inscriptions'),
        col('dont liste d’attente'),
        col('Annulations'),
        col('Participants'),
        col('Taux de présence (%)', 'rate'),
        col('Minutes de présence en moyenne', 'decimal'),
        col('Premières venues'),
        col('Personnes déjà venues'),
        col('Demandes d’accompagnement'),
        col('Coût de promotion (€)', 'euros'),
        col('Coût par inscrit (€)', 'euros'),
        col('Coût par participant (€)', 'euros'),
        col('Coût par demande (€)', 'euros'),
      ],
      rows: w.map((e) => [
        editionDate(e.startsAt, z),
        e.title,
        e.kind === 'thematic' ? `Thématique${e.themeLabel ? ` : ${e.themeLabel}` : ''}` : 'Généraliste',
        e.registrations,
        e.waitlisted,
        e.cancelled,
        e.attendees,
        e.attendanceRate === null ? null : e.attendanceRate * 100,
        e.averageMinutes,
        e.firstTime,
        e.returning,
        e.accompanimentRequests,
        cents(e.promotionCostCents),
        cents(e.costPerRegistrantCents),
        cents(e.costPerAttendeeCents),
        cents(e.costPerRequestCents),
      ]),
      rowLinks: w.map((e) => `/admin/statistiques/rencontres/${e.id}`),
      total: [
        'Total',
        `${s.editions.total} Rencontres`,
        '',
        s.registrations,
        s.waitlisted,
        s.cancelled,
        s.attendees,
        s.attendanceRate === null ? null : s.attendanceRate * 100,
        s.averageMinutes,
        sum((e) => e.firstTime),
        sum((e) => e.returning),
        sum((e) => e.accompanimentRequests),
        cents(s.cost.totalCents),
        cents(s.cost.perRegistrantCents),
        cents(s.cost.perAttendeeCents),
        cents(s.cost.perRequestCents),
      ],
    },
    {
      key: 'mois',
      sheet: 'Mois',
      title: 'Mois par mois',
      columns: [col('Mois', 'month'), col('Rencontres'), col('Inscriptions'), col('Participants')],
      rows: s.months.map((m) => [m.month, m.editions, m.registrations, m.attendees]),
    },
    {
      key: 'sources',
      sheet: 'Sources',
      title: 'D’où viennent les inscriptions (source de campagne)',
      columns: [col('Source', 'text'), col('Inscriptions'), col('Participants')],
      rows: s.sources.map((x) => [x.label, x.count, x.attendees]),
      total: ['Total', s.registrations, s.attendees],
    },
    {
      key: 'departements',
      sheet: 'Départements',
      title: 'Où habitent les personnes inscrites',
      columns: [col('Département ou pays de résidence', 'text'), col('Personnes')],
      rows: s.places.map((x) => [x.label, x.count]),
      total: ['Total', s.distinctPeople],
    },
    {
      key: 'projets',
      sheet: 'Projets',
      title: 'Projets des inscrits',
      columns: [col('Projet', 'text'), col('Inscriptions')],
      rows: s.projects.map((x) => [x.label, x.count]),
    },
    {
      key: 'foyers',
      sheet: 'Foyers',
      title: 'Foyers des inscrits',
      columns: [col('Foyer', 'text'), col('Inscriptions')],
      rows: s.households.map((x) => [x.label, x.count]),
    },
    funnelTable('entonnoir-mois', 'Entonnoir par mois de premier contact', 'Entonnoir par mois', 'Mois de premier contact', s.funnel.byMonth),
    funnelTable('entonnoir-rencontres', 'Entonnoir par Rencontre', 'Entonnoir par Rencontre', 'Rencontre', s.funnel.byEdition),
    {
      key: 'installations-regions',
      sheet: 'Régions d’installation',
      title: 'Où s’installent les foyers (régions naturelles)',
      columns: [col('Région naturelle', 'text'), col('Foyers installés')],
      rows: s.installations.byRegion.map((x) => [x.label, x.count]),
      total: ['Total', s.installations.households],
    },
    {
      key: 'installations-activites',
      sheet: 'Activités des installés',
      title: 'Activité des foyers installés',
      columns: [col('Activité', 'text'), col('Foyers installés')],
      rows: s.installations.byActivity.map((x) => [x.label, x.count]),
      total: ['Total', s.installations.households],
    },
    {
      key: 'abandons',
      sheet: 'Abandons',
      title: 'Abandons par raison',
      columns: [col('Raison', 'text'), col('Foyers')],
      rows: s.abandonments.byReason.map((x) => [x.label, x.count]),
    },
    {
      key: 'suivis',
      sheet: 'Suivis',
      title: 'Suivis après installation réalisés',
      columns: [col('Suivi', 'text'), col('Réponses reçues')],
      rows: s.followUpsDone.byMonths.map((x) => [x.label, x.count]),
      total: ['Total', s.followUpsDone.total],
    },
  ];
}

export function tableByKey(s: PeriodStatistics, key: string): StatTable | undefined {
  return statisticsTables(s).find((t) => t.key === key);
}

/** How a cell is shown on the page: French numbers, "–" for nothing. */
export function displayCell(v: Cell, format: ColumnFormat): string {
  if (v === null || v === '') return isTextColumn(format) ? '' : '–';
  if (typeof v === 'string') {
    if (format === 'day' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return shortDayLabel(v);
    if (format === 'month' && /^\d{4}-\d{2}$/.test(v)) return monthLabel(v);
    return v;
  }
  switch (format) {
    case 'rate':
      return `${frenchNumber(v)} %`;
    case 'euros':
      return `${frenchTwoDecimals(v)} €`;
    case 'days':
      return `${frenchNumber(v)} j`;
    default:
      return frenchNumber(v);
  }
}
