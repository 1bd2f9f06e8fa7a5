import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { classBreaks, legendRange, niceTicks } from './views/charts.tsx';
import { departementOfPostcode, placeLabel, placeOf } from './departements.ts';
import { parsePeriod, periodBounds, periodMonths, periodZoneMonths, zonedDate, zonedDayStartMs, zonedIsoWithOffset } from './period.ts';
import { costPer, medianOfHistogram, suppressSmallCounts } from './statistics.ts';

const NOW = new Date('2025-06-01T10:00:00.000Z');

describe('the rules of the statistics, by hand', () => {
  it('finds the département of a postcode: two digits, Corsica split at 20200, overseas on three', () => {
    expect(departementOfPostcode('48000')).toBe('48');
    expect(departementOfPostcode('75011')).toBe('75');
    expect(departementOfPostcode('01000')).toBe('01');
    expect(departementOfPostcode('20000')).toBe('2A');
    expect(departementOfPostcode('20167')).toBe('2A');
    expect(departementOfPostcode('20190')).toBe('2A');
    expect(departementOfPostcode('20200')).toBe('2B');
    expect(departementOfPostcode('20620')).toBe('2B');
    expect(departementOfPostcode('20700')).toBeNull();
    expect(departementOfPostcode('97400')).toBe('974');
    expect(departementOfPostcode('97133')).toBe('971');
    expect(departementOfPostcode('98800')).toBe('988');
    expect(departementOfPostcode('98000')).toBeNull();
    expect(departementOfPostcode('00100')).toBeNull();
    expect(departementOfPostcode('4800')).toBeNull();
    expect(departementOfPostcode('48 000')).toBe('48');
    // From the three characters the queries group by, with the country.
    expect(placeOf('201', 'France')).toBe('2A');
    expect(placeOf('202', null)).toBe('2B');
    expect(placeOf('974', 'france')).toBe('974');
    expect(placeOf(null, 'France')).toBe('inconnu');
    expect(placeOf(null, 'Belgique')).toBe('pays:Belgique');
    expect(placeLabel('2A')).toBe('Corse-du-Sud (2A)');
    expect(placeLabel('974')).toBe('La Réunion (974)');
    expect(placeLabel('pays:Suisse')).toBe('Suisse (étranger)');
  });

  it('reads a period in French: a year, two dates, or the current year; refuses what is not one', () => {
    expect(parsePeriod({}, 'Europe/Paris', NOW)).toEqual({ ok: true, period: { from: '2025-01-01', to: '2025-12-31', zone: 'Europe/Paris' } });
    expect(parsePeriod({ annee: '2023' }, 'Europe/Paris', NOW)).toEqual({ ok: true, period: { from: '2023-01-01', to: '2023-12-31', zone: 'Europe/Paris' } });
    expect(parsePeriod({ from: '2023-03-01', to: '2023-03-01' }, 'Europe/Paris', NOW)).toEqual({ ok: true, period: { from: '2023-03-01', to: '2023-03-01', zone: 'Europe/Paris' } });
    expect(parsePeriod({ annee: '23' }, 'Europe/Paris', NOW)).toEqual({ ok: false, errors: { annee: 'Choisissez une année, comme 2023' } });
    expect(parsePeriod({ du: '2023-02-29', au: '' }, 'Europe/Paris', NOW)).toEqual({
      ok: false,
      errors: { du: 'La date de début doit être une date réelle, au format AAAA-MM-JJ, comme 2023-01-01', au: 'Saisissez la date de fin de la période' },
    });
    expect(parsePeriod({ du: '2024-02-29', au: '2024-02-28' }, 'Europe/Paris', NOW)).toEqual({ ok: false, errors: { au: 'La date de fin doit être le même jour que la date de début ou après' } });
    expect(parsePeriod({ du: '2000-01-01', au: '2030-01-01' }, 'Europe/Paris', NOW)).toEqual({ ok: false, errors: { au: 'La période ne peut pas dépasser 20 ans' } });
  });

  it('bounds a period by the instants of midnight in the zone, across daylight saving', () => {
    expect(periodBounds({ from: '2024-01-01', to: '2024-12-31', zone: 'Europe/Paris' })).toEqual({ fromUtc: '2023-12-31T23:00:00.000Z', toUtcExclusive: '2024-12-31T23:00:00.000Z' });
    expect(periodBounds({ from: '2024-04-01', to: '2024-04-30', zone: 'Europe/Paris' })).toEqual({ fromUtc: '2024-03-31T22:00:00.000Z', toUtcExclusive: '2024-04-30T22:00:00.000Z' });
    expect(periodBounds({ from: '2024-01-01', to: '2024-01-31', zone: 'Indian/Reunion' })).toEqual({ fromUtc: '2023-12-31T20:00:00.000Z', toUtcExclusive: '2024-01-31T20:00:00.000Z' });
    const months = periodMonths({ from: '2024-03-15', to: '2024-04-02', zone: 'Europe/Paris' });
    expect(months).toEqual([
      { month: '2024-03', startUtc: '2024-02-29T23:00:00.000Z', endUtc: '2024-03-31T22:00:00.000Z' },
      { month: '2024-04', startUtc: '2024-03-31T22:00:00.000Z', endUtc: '2024-04-30T22:00:00.000Z' },
    ]);
  });

  it('places instants in the zone by arithmetic exactly as luxon does, around every change of offset', () => {
    expect(zonedDate('2023-12-31T23:30:00.000Z', 'Europe/Paris')).toBe('2024-01-01');
    expect(zonedDate('2024-12-31T22:59:59.999Z', 'Europe/Paris')).toBe('2024-12-31');
    expect(zonedIsoWithOffset('2024-03-31T00:59:00.000Z', 'Europe/Paris')).toBe('2024-03-31T01:59:00+01:00');
    expect(zonedIsoWithOffset('2024-03-31T01:00:00.000Z', 'Europe/Paris')).toBe('2024-03-31T03:00:00+02:00');
    expect(zonedIsoWithOffset('2024-10-27T00:59:00.000Z', 'Europe/Paris')).toBe('2024-10-27T02:59:00+02:00');
    expect(zonedIsoWithOffset('2024-10-27T01:00:00.000Z', 'Europe/Paris')).toBe('2024-10-27T02:00:00+01:00');
    expect(zonedIsoWithOffset('2024-06-01T12:00:00.000Z', 'America/Cayenne')).toBe('2024-06-01T09:00:00-03:00');
    for (const zone of ['Europe/Paris', 'Indian/Reunion', 'America/Martinique', 'Pacific/Noumea', 'Australia/Lord_Howe']) {
      for (let ms = Date.UTC(2015, 0, 1); ms < Date.UTC(2030, 0, 1); ms += 3600_000 * 29 + 60_000 * 7) {
        const iso = new Date(ms).toISOString();
        const expected = DateTime.fromMillis(ms, { zone }).toISO({ suppressMilliseconds: true })!;
        expect(zonedIsoWithOffset(iso, zone), `${zone} ${iso}`).toBe(expected);
        expect(zonedDate(iso, zone)).toBe(expected.slice(0, 10));
      }
    }
  });

  it('finds the first instant of each day of a zone by arithmetic exactly as luxon does, midnight skipped or not', () => {
    // Santiago and Havana have changed their clocks at midnight: a day that starts at 01:00, and a
    // midnight that happens twice (the day starts at the first, where luxon picks by today's offset).
    const dateAt = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toISODate();
    for (const zone of ['Europe/Paris', 'America/Cayenne', 'Pacific/Noumea', 'Australia/Lord_Howe', 'America/Santiago', 'America/Havana', 'Asia/Beirut', 'Pacific/Marquesas']) {
      for (let ms = Date.UTC(2015, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 86_400_000) {
        const day = new Date(ms).toISOString().slice(0, 10);
        const start = zonedDayStartMs(day, zone);
        const luxon = DateTime.fromISO(day, { zone }).startOf('day').toMillis();
        if (start === luxon) continue;
        // Where they differ, the first minute whose date in the zone is that day is the one.
        expect(dateAt(start, zone), `${zone} ${day}`).toBe(day);
        expect(dateAt(start - 60_000, zone), `${zone} ${day}`).not.toBe(day);
      }
    }
    const [march] = periodZoneMonths({ from: '2024-03-15', to: '2024-03-20', zone: 'Europe/Paris' });
    expect(march!.days).toHaveLength(31);
    expect(march!.days[30]).toEqual({ day: '2024-03-31', startUtc: '2024-03-30T23:00:00.000Z', endUtc: '2024-03-31T22:00:00.000Z', utcDays: ['2024-03-30', '2024-03-31'] });
    expect(march!.days.every((d, i) => i === 0 || d.startUtc === march!.days[i - 1]!.endUtc)).toBe(true);
    expect([march!.startUtc, march!.endUtc]).toEqual([periodMonths({ from: '2024-03-01', to: '2024-03-01', zone: 'Europe/Paris' })[0]!.startUtc, '2024-03-31T22:00:00.000Z']);
  });

  it('takes medians from histograms of days, costs in whole cents', () => {
    expect(medianOfHistogram(new Map())).toEqual({ days: null, n: 0 });
    expect(medianOfHistogram(new Map([[7, 1]]))).toEqual({ days: 7, n: 1 });
    expect(medianOfHistogram(new Map([[10, 1], [14, 1]]))).toEqual({ days: 12, n: 2 });
    expect(medianOfHistogram(new Map([[3, 2], [1, 1], [20, 1]]))).toEqual({ days: 3, n: 4 });
    expect(medianOfHistogram(new Map([[1, 5], [9, 1], [30, 1]]))).toEqual({ days: 1, n: 7 });
    expect(costPer(16000, 3)).toBe(5333);
    expect(costPer(16000, 0)).toBeNull();
  });

  it('hides counts from 1 to 4 in open data, and a second cell when a published total would give one away', () => {
    expect(suppressSmallCounts([0, 1, 4, 5, 12], { totalPublished: false })).toEqual(['0', '< 5', '< 5', '5', '12']);
    // One hidden cell and the total published: the next smallest is hidden too.
    expect(suppressSmallCounts([3, 8, 12, 40], { totalPublished: true })).toEqual(['< 5', '< 5', '12', '40']);
    expect(suppressSmallCounts([3, 2, 12, 40], { totalPublished: true })).toEqual(['< 5', '< 5', '12', '40']);
    expect(suppressSmallCounts([0, 9, 12], { totalPublished: true })).toEqual(['0', '9', '12']);
  });

  it('draws round axes and five classes for the map', () => {
    expect(niceTicks(52)).toEqual([0, 20, 40, 60]);
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(classBreaks(46)).toEqual([10, 19, 28, 37, 46]);
    expect(classBreaks(2)).toEqual([1, 2]);
    expect(classBreaks(1)).toEqual([1]);
    // The legend says a class of one number as that number.
    expect(legendRange(3, 3)).toBe('3');
    expect(legendRange(4, 5)).toBe('4 à 5');
    expect(legendRange(1, 2000)).toBe('1 à 2\u202f000');
  });
});
