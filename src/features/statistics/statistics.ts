/**
 * The statistics of the programme: what is counted and how, as types and pure rules. The queries
 * (statistics-queries.ts) only count; every ratio, median and label is made here, so that the page,
 * the exports, the JSON endpoint and the command say exactly the same thing.
 *
 * Definitions (docs/decisions/0014-statistics-facts-cached-under-versions.md says why):
 * - An edition is a published Rencontre whose start, in the territory's zone, falls in the period.
 * - "registrations" counts the registrations that were not cancelled (confirmed or on the waiting
 *   list); cancellations are counted apart. One person registers once to a Rencontre, so at one
 *   Rencontre registrations and people are the same number; over a period, distinctPeople counts each
 *   person once.
 * - attendees are the registrations not cancelled with attended = 1; attendanceRate = attendees ÷
 *   registrations, between 0 and 1, for editions already held (a coming edition has no rate and is
 *   left out of the overall rate and of the range).
 * - A registrant is returning at a Rencontre when they had a registration not cancelled to a
 *   Rencontre that started before it; first-time otherwise.
 * - The cost of an edition is the promotion amount agents entered; the cost per registrant, attendee
 *   or request divides the total of the editions that have an amount by what those editions brought.
 */

export interface CountBy {
  key: string;
  label: string;
  count: number;
}

export interface EditionStats {
  id: string;
  title: string;
  slug: string;
  kind: 'generic' | 'thematic';
  theme: string | null;
  themeLabel: string | null;
  /** UTC, as stored. */
  startsAt: string;
  held: boolean;
  confirmed: number;
  waitlisted: number;
  cancelled: number;
  /** Not cancelled: confirmed + waitlisted. */
  registrations: number;
  attendees: number;
  /** null before the edition is held or without registrations. */
  attendanceRate: number | null;
  averageMinutes: number | null;
  firstTime: number;
  returning: number;
  /** Requests to be accompanied made from this Rencontre (its replay or private page). */
  accompanimentRequests: number;
  promotionCostCents: number | null;
  costPerRegistrantCents: number | null;
  costPerAttendeeCents: number | null;
  costPerRequestCents: number | null;
}

export interface MonthStats {
  month: string;
  editions: number;
  registrations: number;
  attendees: number;
}

/** Days between two steps, from a histogram of whole days. */
export interface Median {
  days: number | null;
  /** How many households the median is taken over. */
  n: number;
}

export const funnelSteps = ['registered', 'attended', 'asked', 'accompanied', 'installed', 'stayed'] as const;
export type FunnelStep = (typeof funnelSteps)[number];

export const funnelStepLabels: Record<FunnelStep, string> = {
  registered: 'Inscrits',
  attended: 'Présents à une Rencontre',
  asked: 'Demande d’accompagnement',
  accompanied: 'Accompagnés',
  installed: 'Installés',
  stayed: 'Toujours là à 12 mois',
};

/** The gaps whose median is shown: from one step to the next. */
export const funnelGaps = [
  ['registered', 'attended'],
  ['attended', 'asked'],
  ['asked', 'accompanied'],
  ['accompanied', 'installed'],
] as const;
export type FunnelGap = `${(typeof funnelGaps)[number][0]}-${(typeof funnelGaps)[number][1]}`;

export interface FunnelRow {
  /** A month ("2023-01") or a Rencontre id. */
  key: string;
  label: string;
  counts: Record<FunnelStep, number>;
  medians: Record<FunnelGap, Median>;
}

export interface PeriodStatistics {
  from: string;
  to: string;
  zone: string;
  generatedAt: string;
  editions: { total: number; generic: number; thematic: number; held: number };
  registrations: number;
  confirmed: number;
  waitlisted: number;
  cancelled: number;
  distinctPeople: number;
  attendees: number;
  attendanceRate: number | null;
  attendanceRange: { min: number; max: number } | null;
  averageMinutes: number | null;
  replaysSent: { attended: number; absent: number; total: number };
  /** Requests made during the period, whatever led to them. */
  accompanimentRequests: number;
  installations: {
    households: number;
    adults: number;
    children: number;
    byActivity: CountBy[];
    byRegion: CountBy[];
  };
  abandonments: { total: number; byReason: CountBy[] };
  followUpsDone: { total: number; byMonths: CountBy[] };
  cost: {
    totalCents: number;
    perRegistrantCents: number | null;
    perAttendeeCents: number | null;
    perRequestCents: number | null;
    perInstallationCents: number | null;
  };
  /** Registrations by campaign source (utm_source), "(aucune)" for none. */
  sources: Array<CountBy & { attendees: number }>;
  /** People (each once) by département of residence or country. */
  places: CountBy[];
  projects: CountBy[];
  households: CountBy[];
  webinars: EditionStats[];
  months: MonthStats[];
  funnel: { overall: FunnelRow; byMonth: FunnelRow[]; byEdition: FunnelRow[] };
}

export function ratio(n: number, d: number): number | null {
  return d > 0 ? n / d : null;
}

/** Cost in whole cents per unit; null when nothing to divide by. */
export function costPer(totalCents: number, units: number): number | null {
  return units > 0 ? Math.round(totalCents / units) : null;
}

/** The median of a histogram of whole days; for an even count, the mean of the two middle values. */
export function medianOfHistogram(h: ReadonlyMap<number, number>): Median {
  const entries = [...h.entries()].filter(([, c]) => c > 0).sort((a, b) => a[0] - b[0]);
  const n = entries.reduce((a, [, c]) => a + c, 0);
  if (n === 0) return { days: null, n: 0 };
  const at = (rank: number) => {
    let seen = 0;
    for (const [d, c] of entries) {
      seen += c;
      if (seen > rank) return d;
    }
    return entries[entries.length - 1]![0];
  };
  const days = n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
  return { days, n };
}

/**
 * The medians of each gap over histograms given as [gap (its index in funnelGaps), days, households]
 * rows (one edition's, or the days of a month put together): the rows of each gap sorted by days and
 * walked once, as medianOfHistogram does, without building a map per gap.
 */
export function funnelMedians(histograms: ReadonlyArray<ReadonlyArray<readonly [number, number, number]>>): Record<FunnelGap, Median> {
  const byGap: Array<Array<readonly [number, number, number]>> = funnelGaps.map(() => []);
  for (const rows of histograms) for (const r of rows) if (r[2] > 0) byGap[r[0]]?.push(r);
  const out = {} as Record<FunnelGap, Median>;
  funnelGaps.forEach(([a, b], i) => {
    const rows = byGap[i]!.sort((x, y) => x[1] - y[1]);
    let n = 0;
    for (const r of rows) n += r[2];
    let days: number | null = null;
    if (n > 0) {
      const at = (rank: number) => {
        let seen = 0;
        for (const r of rows) {
          seen += r[2];
          if (seen > rank) return r[1];
        }
        return rows[rows.length - 1]![1];
      };
      days = n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
    }
    out[`${a}-${b}` as FunnelGap] = { days, n };
  });
  return out;
}

/** A date one year later, 29 February giving 28 February (string arithmetic: it runs for every settled household). */
export function plusTwelveMonths(date: string): string {
  const [y, m, d] = date.split('-');
  return `${Number(y) + 1}-${m}-${m === '02' && d === '29' ? '28' : d}`;
}

/** Households still there twelve months after settling, as of `today` (YYYY-MM-DD), from [installed on, left on, households] rows. */
export function stayedOf(stays: ReadonlyArray<readonly [string, string | null, number]>, today: string): number {
  let n = 0;
  for (const [on, left, count] of stays) {
    const year = plusTwelveMonths(on);
    if (year <= today && (left === null || left >= year)) n += count;
  }
  return n;
}

export function emptyFunnelCounts(): Record<FunnelStep, number> {
  return { registered: 0, attended: 0, asked: 0, accompanied: 0, installed: 0, stayed: 0 };
}

// One formatter per style, made once: toLocaleString makes one at every call (about 20 µs here), and a
// page of statistics writes thousands of numbers.
const decimal1 = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });
const plain = new Intl.NumberFormat('fr-FR');
const euros2 = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const euros0 = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 0, maximumFractionDigits: 2 });

/** A number in French with at most one decimal: "1 234,5". */
export function frenchNumber(n: number): string {
  return decimal1.format(n);
}

/** A number in French as toLocaleString('fr-FR') writes it (up to three decimals). */
export function frenchPlain(n: number): string {
  return plain.format(n);
}

/** A number in French with exactly two decimals: "12,50". */
export function frenchTwoDecimals(n: number): string {
  return euros2.format(n);
}

/** "12,5 %" */
export function formatRate(rate: number | null): string {
  if (rate === null) return '–';
  return `${plain.format(Math.round(rate * 1000) / 10)} %`;
}

/** "1 234,56 €" */
export function formatEuros(cents: number | null): string {
  if (cents === null) return '–';
  return `${(cents % 100 === 0 ? euros0 : euros2).format(cents / 100)} €`;
}

export function formatNumber(n: number | null): string {
  if (n === null) return '–';
  return decimal1.format(n);
}

export function formatDays(m: Median): string {
  if (m.days === null) return '–';
  return `${decimal1.format(m.days)} j`;
}

export const activityLabels: Record<string, string> = {
  job: 'Emploi salarié',
  salarie: 'Emploi salarié',
  creation: 'Création d’entreprise',
  takeover: 'Reprise d’entreprise',
  reprise: 'Reprise d’entreprise',
  agriculture: 'Installation agricole',
  'remote-work': 'Télétravail',
  teletravail: 'Télétravail',
  retired: 'Retraite',
  retraite: 'Retraite',
  other: 'Autre',
  autre: 'Autre',
};

export const followUpLabels: Record<string, string> = { '3': 'Suivi à 3 mois', '6': 'Suivi à 6 mois', '12': 'Suivi à 12 mois' };

/** Open data: counts from 1 to this minus one are published as "< N" (see suppressSmallCounts). */
export const DISCLOSURE_THRESHOLD = 5;

/**
 * Statistical disclosure control for the open-data export. A count of 1 to 4 could point at someone
 * (the only household from a département), so it is replaced by "< 5". When a table also publishes
 * its total and only one cell is hidden, that cell could be found by subtraction, so the smallest
 * other non-zero cell is hidden too. Zero is published: it says nobody, which points at no one.
 */
export function suppressSmallCounts(counts: readonly number[], opts: { totalPublished: boolean; threshold?: number }): string[] {
  const threshold = opts.threshold ?? DISCLOSURE_THRESHOLD;
  const hidden = counts.map((c) => c > 0 && c < threshold);
  if (opts.totalPublished && hidden.filter(Boolean).length === 1) {
    let best = -1;
    counts.forEach((c, i) => {
      if (!hidden[i] && c > 0 && (best === -1 || c < counts[best]!)) best = i;
    });
    if (best !== -1) hidden[best] = true;
  }
  return counts.map((c, i) => (hidden[i] ? `< ${threshold}` : String(c)));
}
