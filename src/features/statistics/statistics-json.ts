import { zonedIsoWithOffset } from './period.ts';
import type { PeriodStatistics } from './statistics.ts';

/**
 * The figures for machines (the JSON endpoint of the back-office and `nouvelle-vie stats --json`):
 * one shape, documented in docs/decisions/0014-statistics-facts-cached-under-versions.md.
 * "registrations" counts the registrations that were not cancelled, the denominator of
 * attendanceRate; cancellations are given apart. Rates are numbers between 0 and 1, null when there
 * is nothing to divide by; startsAt is ISO 8601 with the territory's offset.
 */
export interface StatisticsJson {
  from: string;
  to: string;
  timezone: string;
  generatedAt: string;
  editions: { total: number; generic: number; thematic: number };
  registrations: number;
  cancelledRegistrations: number;
  waitlistedRegistrations: number;
  distinctPeople: number;
  attendees: number;
  attendanceRate: number | null;
  accompanimentRequests: number;
  installations: number;
  replaysSent: number;
  promotionCostCents: number;
  webinars: Array<{
    id: string;
    title: string;
    startsAt: string;
    kind: 'generic' | 'thematic';
    theme: string | null;
    registrations: number;
    cancelledRegistrations: number;
    attendees: number;
    attendanceRate: number | null;
    accompanimentRequests: number;
    promotionCostCents: number | null;
  }>;
}

export function statisticsJson(s: PeriodStatistics): StatisticsJson {
  return {
    from: s.from,
    to: s.to,
    timezone: s.zone,
    generatedAt: s.generatedAt,
    editions: { total: s.editions.total, generic: s.editions.generic, thematic: s.editions.thematic },
    registrations: s.registrations,
    cancelledRegistrations: s.cancelled,
    waitlistedRegistrations: s.waitlisted,
    distinctPeople: s.distinctPeople,
    attendees: s.attendees,
    attendanceRate: s.attendanceRate,
    accompanimentRequests: s.accompanimentRequests,
    installations: s.installations.households,
    replaysSent: s.replaysSent.total,
    promotionCostCents: s.cost.totalCents,
    webinars: s.webinars.map((w) => ({
      id: w.id,
      title: w.title,
      startsAt: zonedIsoWithOffset(w.startsAt, s.zone),
      kind: w.kind,
      theme: w.theme,
      registrations: w.registrations,
      cancelledRegistrations: w.cancelled,
      attendees: w.attendees,
      attendanceRate: w.attendanceRate,
      accompanimentRequests: w.accompanimentRequests,
      promotionCostCents: w.promotionCostCents,
    })),
  };
}
