import type { Db } from '../../platform/db/database.ts';
import type { Clock } from '../../platform/time.ts';
import type { Territory } from '../territory/territory.ts';
import { computeStatistics } from './compute-statistics.ts';
import { periodBounds, periodZoneMonths, yearPeriod, zonedDate } from './period.ts';
import { loadDayFacts, loadEditionFacts, statsDb, storePendingFacts } from './statistics-facts.ts';
import { editionRows } from './statistics-queries.ts';

export interface RefreshOptions {
  /** How long one run may compute (ms): the job runner's other work waits meanwhile. */
  budgetMs?: number;
  /** Editions computed together: small enough that a query never holds SQLite's one thread for long. */
  chunk?: number;
  /** Every year, not only this one and the last, is checked again this often (ms). */
  everyYearMs?: number;
  /** The hot years are checked at least this often (ms) even when this process saw no write (PostgreSQL: other processes write). */
  hotYearsMs?: number;
}

export interface RefreshRun {
  /** Years whose facts were all current or made current by this run. */
  years: number[];
  /** Whether every year has been made current since the process started (or since the last pass began). */
  allYearsDone: boolean;
}

/**
 * Keeps the statistics' facts computed ahead of the views, so that nobody waits for a recomputation:
 * once after the process starts (every year, this one first: after a migration or a restore nothing is
 * cached; after a restart the stored facts are read into memory), then soon after writes (this year
 * and the last, at each run, with their dashboards' figures), and every year again now and then (an
 * old report imported). It uses the same loaders as the views, which still check every version
 * themselves: this only does their work before they need it. Runs are bounded in time and resume
 * where they stopped.
 */
export function statisticsRefresher(deps: { db: Db; territory: Territory; clock: Clock }, options: RefreshOptions = {}) {
  const { db, territory, clock } = deps;
  const zone = territory.timezone;
  const budgetMs = options.budgetMs ?? 1500;
  const chunk = options.chunk ?? 50;
  const everyYearMs = options.everyYearMs ?? 3600_000;
  const hotYearsMs = options.hotYearsMs ?? 60_000;
  let pass: { years: number[]; next: number; startedAt: number } | null = null;
  let lastPassAt = -Infinity;
  let hotStamp: string | null = null;
  let hotAt = -Infinity;

  /** Makes a year's facts current (or as far as the deadline lets); true when all of them are. */
  const refreshYear = async (year: number, deadline: number): Promise<boolean> => {
    const period = yearPeriod(year, zone);
    const now = clock.now();
    const editions = await editionRows(db.kysely, { ...periodBounds(period), fromDate: period.from, toDate: period.to });
    const facts = await loadEditionFacts(db, editions, now, { chunk, deadline, store: true });
    if (facts.size < editions.length) return false;
    const months = periodZoneMonths(period);
    const days = await loadDayFacts(db, zone, months, now, { chunk: 31, deadline, store: true });
    return days.size === months.reduce((n, m) => n + m.days.length, 0);
  };

  /** The years a dashboard can show: from the first Rencontre to the last one, or this year (as the page's list). */
  const allYears = async (current: number): Promise<number[]> => {
    const r = await db.kysely.selectFrom('webinars').select((eb) => [eb.fn.min('starts_at').as('first'), eb.fn.max('starts_at').as('last')]).where('status', '=', 'published').executeTakeFirst();
    const yearOf = (iso: unknown) => (typeof iso === 'string' ? Number(zonedDate(iso, zone).slice(0, 4)) : current);
    const first = Math.min(yearOf(r?.first), current);
    const last = Math.max(yearOf(r?.last), current);
    // This year and the last first (what agents look at), then back in time, then the years ahead.
    const past = Array.from({ length: current - first + 1 }, (_, i) => current - i);
    const ahead = Array.from({ length: last - current }, (_, i) => current + 1 + i);
    return [...past, ...ahead];
  };

  return {
    async run(): Promise<RefreshRun> {
      const deadline = performance.now() + budgetMs;
      const nowMs = clock.now().getTime();
      // What this process's views computed since the last run, stored for the others.
      await storePendingFacts(db);
      const current = Number(zonedDate(clock.now().toISOString(), zone).slice(0, 4));
      const done: number[] = [];
      // This year and the last, soon after a write: skipped while this process has seen no write, for
      // at most hotYearsMs (exact on SQLite, where the stamp also sees other processes' commits).
      const stamp = db.changeStamp();
      if (stamp !== hotStamp || nowMs - hotAt >= hotYearsMs) {
        let all = true;
        for (const y of [current, current - 1]) {
          if (await refreshYear(y, deadline)) {
            done.push(y);
            // The dashboards agents open (this year, the last): their figures computed and stored, ready.
            await computeStatistics({ db, territory, now: clock.now() }, yearPeriod(y, zone), { store: true });
          } else all = false;
        }
        if (all) {
          // What this run stored changed the stamp: the one to compare with is read after.
          hotStamp = db.changeStamp();
          hotAt = nowMs;
        }
      }
      if (!pass && nowMs - lastPassAt >= everyYearMs) pass = { years: await allYears(current), next: 0, startedAt: nowMs };
      while (pass && performance.now() < deadline) {
        const year = pass.years[pass.next]!;
        if (!(await refreshYear(year, deadline))) break;
        // Every year's figures stored too: a web process that has just started reads them in one row.
        await computeStatistics({ db, territory, now: clock.now() }, yearPeriod(year, zone), { store: true });
        done.push(year);
        if (++pass.next >= pass.years.length) {
          lastPassAt = pass.startedAt;
          pass = null;
          // Stored figures of periods nobody asked for in a week: computed again if asked.
          const week = new Date(nowMs - 7 * 86_400_000).toISOString();
          await statsDb(db).deleteFrom('stats_period_cache').where('computed_at', '<', week).execute();
        }
      }
      return { years: [...new Set(done)], allYearsDone: pass === null && lastPassAt > -Infinity };
    },
  };
}
