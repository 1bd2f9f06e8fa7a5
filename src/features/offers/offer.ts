import type { OfferStatus, OfferType } from '../../platform/db/schema.ts';

/** Domain vocabulary and rules of offers; labels are the French the pages show. Imports nothing else. */

export const offerTypes: ReadonlyArray<{ value: OfferType; label: string; plural: string; short: string }> = [
  { value: 'job', label: 'Offre d’emploi', plural: 'Offres d’emploi', short: 'emploi' },
  { value: 'takeover', label: 'Entreprise à reprendre', plural: 'Entreprises à reprendre', short: 'reprise' },
  { value: 'premises', label: 'Local professionnel', plural: 'Locaux professionnels', short: 'local' },
  { value: 'farm', label: 'Exploitation agricole', plural: 'Exploitations agricoles', short: 'exploitation' },
  { value: 'housing', label: 'Logement', plural: 'Logements', short: 'logement' },
];

export const offerStatusLabels: Record<OfferStatus, string> = { draft: 'Brouillon', published: 'Publiée', filled: 'Pourvue', expired: 'Expirée' };

export const OFFER_TYPE_VALUES = offerTypes.map((t) => t.value) as [OfferType, ...OfferType[]];

export function offerTypeLabel(type: string): string {
  return offerTypes.find((t) => t.value === type)?.label ?? type;
}

export function sectorLabel(sectors: ReadonlyArray<{ key: string; label: string }>, key: string | null): string | null {
  if (!key) return null;
  return sectors.find((s) => s.key === key)?.label ?? key;
}

/**
 * The status changes an owner may make. Publishing counts as a confirmation; an expired or filled
 * offer can be published again (the same post comes back), a draft never goes straight to filled.
 */
const transitions: Record<OfferStatus, readonly OfferStatus[]> = {
  draft: ['published'],
  published: ['filled', 'draft'],
  filled: ['published'],
  expired: ['published', 'draft'],
};

export function canChangeStatus(from: OfferStatus, to: OfferStatus): boolean {
  return transitions[from].includes(to);
}

export const statusActionLabels: Record<OfferStatus, string> = {
  published: 'Publier',
  filled: 'Marquer comme pourvue',
  draft: 'Repasser en brouillon',
  expired: 'Expirer',
};

export interface FreshnessRule {
  confirmAfterWeeks: number;
  expireAfterDays: number;
}

export interface OfferFreshnessInput {
  status: OfferStatus;
  confirmedAt: string | null;
  confirmRequestedAt: string | null;
  /** YYYY-MM-DD */
  validUntil: string | null;
}

export type Freshness = 'not-published' | 'fresh' | 'ask' | 'waiting' | 'expire';

/**
 * Where a published offer stands: fresh; to be confirmed by its owner (nobody confirmed it for
 * `confirmAfterWeeks`); waiting for that answer; or to expire (no answer `expireAfterDays` after the
 * request, or its validity date is past). A pure function of the row and the instant, so that the
 * periodic task finds the same answer whenever, and however often, it runs.
 */
export function freshness(o: OfferFreshnessInput, now: Date, today: string, rule: FreshnessRule): Freshness {
  if (o.status !== 'published') return 'not-published';
  if (o.validUntil && o.validUntil < today) return 'expire';
  const confirmed = o.confirmedAt ? new Date(o.confirmedAt).getTime() : 0;
  const requested = o.confirmRequestedAt ? new Date(o.confirmRequestedAt).getTime() : null;
  if (requested !== null && requested >= confirmed) {
    return now.getTime() - requested >= rule.expireAfterDays * 86_400_000 ? 'expire' : 'waiting';
  }
  return now.getTime() - confirmed >= rule.confirmAfterWeeks * 7 * 86_400_000 ? 'ask' : 'fresh';
}

/** Lower case, no accents, punctuation as spaces: what a keyword search compares. */
export function searchable(...parts: Array<string | null | undefined>): string {
  return parts
    .filter(Boolean)
    .join(' ')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}
