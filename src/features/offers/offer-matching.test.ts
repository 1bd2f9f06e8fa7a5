import { describe, expect, it } from 'vitest';
import type { OfferType } from '../../platform/db/schema.ts';
import { addMonths, rankOffers, SCORE, wantedTypes, type MatchableOffer, type MatchProfile } from './offer-matching.ts';

const vocabulary = {
  sectors: [
    { key: 'commerce', label: 'Commerce' },
    { key: 'sante-social', label: 'Santé et médico-social' },
    { key: 'agriculture', label: 'Agriculture' },
    { key: 'logement', label: 'Logement' },
  ],
  regions: [
    { key: 'aubrac', label: 'Aubrac' },
    { key: 'margeride', label: 'Margeride' },
    { key: 'vallee-du-lot', label: 'Vallée du Lot' },
  ],
};

const TODAY = '2027-01-04';

function offer(id: string, type: OfferType, sector: string, regionKey: string | null, over: Partial<MatchableOffer> = {}): MatchableOffer {
  return { id, type, sector, regionKey, communeCode: null, communeName: `Commune ${id}`, validUntil: null, publishedAt: '2026-12-01T00:00:00.000Z', ...over };
}

/**
 * The hand-built case: a household that wants to take over a shop on the Aubrac within 6 to 12 months.
 * Every offer below is there for one reason, and the expected order says which reason weighs most.
 */
const household: MatchProfile = { project: 'creation-reprise', projectType: null, sector: 'Commerce', regionKey: 'aubrac', communeCode: '48104', horizon: '6-12-mois' };

const offers = [
  offer('bakery-nasbinals', 'takeover', 'commerce', 'aubrac', { communeCode: '48104', communeName: 'Nasbinals' }),
  offer('butcher-fournels', 'takeover', 'commerce', 'aubrac', { communeName: 'Fournels' }),
  offer('grocery-margeride', 'takeover', 'commerce', 'margeride'),
  offer('farm-aubrac', 'farm', 'agriculture', 'aubrac'),
  offer('shop-premises-lot', 'premises', 'commerce', 'vallee-du-lot'),
  offer('cashier-job-aubrac', 'job', 'commerce', 'aubrac'),
  offer('house-aubrac', 'housing', 'logement', 'aubrac'),
  offer('house-lot', 'housing', 'logement', 'vallee-du-lot'),
  offer('nurse-lot', 'job', 'sante-social', 'vallee-du-lot'),
  // Fits as well as the butcher's, but ends next month, before the household can come.
  offer('bar-aubrac-ending', 'takeover', 'commerce', 'aubrac', { validUntil: '2027-02-28' }),
  // Same score as the butcher's, published later: newer first.
  offer('pharmacy-aubrac-newer', 'takeover', 'commerce', 'aubrac', { publishedAt: '2026-12-20T00:00:00.000Z' }),
];

describe('ranking offers for a candidate (hand-built case)', () => {
  const ranked = rankOffers(household, offers, vocabulary, TODAY);
  const order = ranked.map((m) => m.offer.id);

  it('ranks by fit: same commune, then same region, then newer, then the ones that end too early', () => {
    expect(order).toEqual([
      // takeover 40 + commerce 30 + commune 30
      'bakery-nasbinals',
      // takeover 40 + commerce 30 + region 20, newer first
      'pharmacy-aubrac-newer',
      'butcher-fournels',
      // takeover + commerce, other region: 70
      'grocery-margeride',
      // premises (a business project's) + commerce, other region: 70, published on the same day, by id
      'shop-premises-lot',
      // the same 90 as the butcher's minus 25: ends before the household comes
      'bar-aubrac-ending',
      // farm 40 + region 20
      'farm-aubrac',
      // a job in commerce on the Aubrac: sector 30 + region 20, not the project's kind
      'cashier-job-aubrac',
      // housing where they want to live: 10 + 20
      'house-aubrac',
    ]);
  });

  it('gives the score of each as the sum of what fits', () => {
    const score = Object.fromEntries(ranked.map((m) => [m.offer.id, m.score]));
    expect(score['bakery-nasbinals']).toBe(SCORE.typeWanted + SCORE.sector + SCORE.commune);
    expect(score['butcher-fournels']).toBe(SCORE.typeWanted + SCORE.sector + SCORE.region);
    expect(score['bar-aubrac-ending']).toBe(SCORE.typeWanted + SCORE.sector + SCORE.region + SCORE.endsBeforeArrival);
    expect(score['house-aubrac']).toBe(SCORE.typeUseful + SCORE.region);
  });

  it('says why in words, type · sector · place', () => {
    const reason = Object.fromEntries(ranked.map((m) => [m.offer.id, m.reason]));
    expect(reason['butcher-fournels']).toBe('reprise · commerce · Aubrac');
    expect(reason['bakery-nasbinals']).toBe('reprise · commerce · Nasbinals');
    expect(reason['grocery-margeride']).toBe('reprise · commerce');
    expect(reason['farm-aubrac']).toBe('exploitation · Aubrac');
    expect(reason['cashier-job-aubrac']).toBe('commerce · Aubrac');
    expect(reason['house-aubrac']).toBe('logement · Aubrac');
  });

  it('leaves out what does not fit at all, and housing elsewhere (useful to all, but not there)', () => {
    expect(order).not.toContain('nurse-lot');
    expect(order).not.toContain('house-lot');
  });

  it('reads the sector by key or label, with or without accents', () => {
    const byKey = rankOffers({ ...household, sector: 'sante-social', project: null, regionKey: null, communeCode: null }, offers, vocabulary, TODAY);
    const byLabel = rankOffers({ ...household, sector: 'SANTE ET MEDICO-SOCIAL', project: null, regionKey: null, communeCode: null }, offers, vocabulary, TODAY);
    expect(byKey.map((m) => m.offer.id)).toEqual(['nurse-lot']);
    expect(byLabel.map((m) => m.offer.id)).toEqual(['nurse-lot']);
    expect(byKey[0]!.reason).toBe('santé et médico-social');
  });

  it('lowers jobs for a household that comes in a year or more, not takeovers', () => {
    const later = rankOffers({ project: 'salarie', projectType: null, sector: null, regionKey: 'aubrac', communeCode: null, horizon: 'plus-1-an' }, offers, vocabulary, TODAY);
    const cashier = later.find((m) => m.offer.id === 'cashier-job-aubrac')!;
    expect(cashier.score).toBe(SCORE.typeWanted + SCORE.region + SCORE.jobForLaterArrival);
    expect(cashier.reason).toBe('emploi · Aubrac');
  });

  it('understands the project type of the file in the referent’s words', () => {
    expect([...wantedTypes({ project: null, projectType: 'Reprise d’un commerce' }).wanted].sort()).toEqual(['farm', 'premises', 'takeover']);
    expect([...wantedTypes({ project: null, projectType: 'Installation agricole (élevage)' }).wanted]).toEqual(['farm']);
    expect([...wantedTypes({ project: 'salarie', projectType: null }).wanted]).toEqual(['job']);
    expect([...wantedTypes({ project: 'autre', projectType: null }).wanted]).toEqual([]);
  });

  it('adds months to a day the way a calendar does', () => {
    expect(addMonths('2027-01-31', 1)).toBe('2027-02-28');
    expect(addMonths('2027-08-15', 6)).toBe('2028-02-15');
    expect(addMonths('2027-01-04', 0)).toBe('2027-01-04');
  });

  it('finds nothing for a profile that says nothing', () => {
    expect(rankOffers({ project: null, projectType: null, sector: null, regionKey: null, communeCode: null, horizon: null }, offers, vocabulary, TODAY)).toEqual([]);
  });
});
