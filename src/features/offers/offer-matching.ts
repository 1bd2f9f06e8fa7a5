import type { OfferType } from '../../platform/db/schema.ts';
import { offerTypes } from './offer.ts';

/**
 * Which offers fit a candidate's project, and why: a pure function of the candidate's answers and the
 * offers, so that the ranking can be read, tested by hand and explained to the person ("reprise ·
 * commerce · Aubrac"). Imports nothing of the database.
 */

export interface MatchProfile {
  /** The project as the registration form asks it: salarie, creation-reprise, teletravail, reconversion, autre. */
  project: string | null;
  /** The project type of the candidate's file, in the referent's words (free vocabulary). */
  projectType: string | null;
  /** A sector key or label. */
  sector: string | null;
  regionKey: string | null;
  /** INSEE code of the commune they imagine living in. */
  communeCode: string | null;
  /** moins-6-mois, 6-12-mois, plus-1-an, ne-sait-pas. */
  horizon: string | null;
}

export interface MatchableOffer {
  id: string;
  type: OfferType;
  sector: string;
  regionKey: string | null;
  communeCode: string | null;
  communeName: string;
  /** YYYY-MM-DD or null (until filled). */
  validUntil: string | null;
  publishedAt: string | null;
}

export interface MatchVocabulary {
  sectors: ReadonlyArray<{ key: string; label: string }>;
  regions: ReadonlyArray<{ key: string; label: string }>;
}

export interface OfferMatch<T extends MatchableOffer> {
  offer: T;
  score: number;
  /** What fits, in order: type, sector, place. */
  parts: string[];
  /** The parts joined for display: "reprise · commerce · Aubrac". */
  reason: string;
}

export const SCORE = {
  typeWanted: 40,
  typeUseful: 10,
  sector: 30,
  commune: 30,
  region: 20,
  /** The offer ends before the household can come. */
  endsBeforeArrival: -25,
  /** A job is filled in weeks; a household coming in a year or more will rarely take this one. */
  jobForLaterArrival: -10,
} as const;

const fold = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim();

/** The offer types a project looks for (wanted), and those useful to any household moving (housing). */
export function wantedTypes(p: Pick<MatchProfile, 'project' | 'projectType'>): { wanted: Set<OfferType>; useful: Set<OfferType> } {
  const wanted = new Set<OfferType>();
  const business: OfferType[] = ['takeover', 'premises', 'farm'];
  if (p.project === 'salarie' || p.project === 'reconversion') wanted.add('job');
  if (p.project === 'creation-reprise') business.forEach((t) => wanted.add(t));
  if (p.project === 'teletravail') wanted.add('premises');
  const free = p.projectType ? fold(p.projectType) : '';
  if (/salari|emploi|job|recrut/.test(free)) wanted.add('job');
  if (/repr|creat|entrepr|takeover|commerc|artisan/.test(free)) business.forEach((t) => wanted.add(t));
  if (/agri|ferme|exploit|elevage|maraich/.test(free)) wanted.add('farm');
  const useful = new Set<OfferType>(['housing']);
  for (const t of wanted) useful.delete(t);
  return { wanted, useful };
}

export function sectorKey(v: MatchVocabulary, sector: string | null): string | null {
  if (!sector) return null;
  const f = fold(sector);
  return v.sectors.find((s) => s.key === f || fold(s.label) === f)?.key ?? null;
}

const HORIZON_MONTHS: Record<string, number> = { 'moins-6-mois': 0, '6-12-mois': 6, 'plus-1-an': 12 };

/** YYYY-MM-DD plus whole months, clamped to the month's last day. */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, last));
  return first.toISOString().slice(0, 10);
}

/** What a profile looks for, worked out once for all the offers it is matched against. */
function prepare(p: MatchProfile, v: MatchVocabulary, today: string) {
  const { wanted, useful } = wantedTypes(p);
  const sector = sectorKey(v, p.sector);
  const months = p.horizon ? HORIZON_MONTHS[p.horizon] : undefined;
  return {
    wanted,
    useful,
    sector,
    sectorWord: sector ? v.sectors.find((s) => s.key === sector)!.label.toLocaleLowerCase('fr-FR') : null,
    regionLabel: p.regionKey ? (v.regions.find((r) => r.key === p.regionKey)?.label ?? p.regionKey) : null,
    months,
    arrival: months === undefined ? null : addMonths(today, months),
  };
}

function score<T extends MatchableOffer>(p: MatchProfile, w: ReturnType<typeof prepare>, o: T): OfferMatch<T> | null {
  const parts: string[] = [];
  let total = 0;
  let fits = false;
  const short = offerTypes.find((t) => t.value === o.type)?.short ?? o.type;
  if (w.wanted.has(o.type)) {
    total += SCORE.typeWanted;
    parts.push(short);
    fits = true;
  } else if (w.useful.has(o.type)) {
    total += SCORE.typeUseful;
    parts.push(short);
  }
  if (w.sector && o.type !== 'housing' && w.sector === o.sector) {
    total += SCORE.sector;
    parts.push(w.sectorWord!);
    fits = true;
  }
  if (p.communeCode && o.communeCode === p.communeCode) {
    total += SCORE.commune;
    parts.push(o.communeName);
    fits = true;
  } else if (p.regionKey && o.regionKey === p.regionKey) {
    total += SCORE.region;
    parts.push(w.regionLabel!);
    fits = true;
  }
  if (!fits) return null;
  if (w.arrival !== null) {
    if (o.validUntil && o.validUntil < w.arrival) total += SCORE.endsBeforeArrival;
    if (o.type === 'job' && w.months! >= 12) total += SCORE.jobForLaterArrival;
  }
  return { offer: o, score: total, parts, reason: parts.join(' · ') };
}

/**
 * Scores one offer for one profile. An offer fits only if its type is what the project looks for, its
 * sector is the project's, or it is where the household wants to live; housing alone (useful to
 * everyone) is not enough without the place. Returns null when nothing fits.
 */
export function scoreOffer<T extends MatchableOffer>(p: MatchProfile, o: T, v: MatchVocabulary, today: string): OfferMatch<T> | null {
  return score(p, prepare(p, v, today), o);
}

/** The offers that fit, best first; equal scores by the newest publication, then by id (a stable order). */
export function rankOffers<T extends MatchableOffer>(p: MatchProfile, offers: readonly T[], v: MatchVocabulary, today: string): Array<OfferMatch<T>> {
  const w = prepare(p, v, today);
  const out: Array<OfferMatch<T>> = [];
  for (const o of offers) {
    const m = score(p, w, o);
    if (m) out.push(m);
  }
  return out.sort((a, b) => b.score - a.score || (b.offer.publishedAt ?? '').localeCompare(a.offer.publishedAt ?? '') || a.offer.id.localeCompare(b.offer.id));
}
