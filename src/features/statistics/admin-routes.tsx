import { Hono, type Context } from 'hono';
import { DateTime } from 'luxon';
import type { AdminEnv } from '../../areas/admin/admin-env.ts';
import type { Site } from '../../areas/public/layout.tsx';
import { recordAudit } from '../../platform/audit/audit.ts';
import { clientIp } from '../../platform/http/client-ip.ts';
import { NotFound } from '../../platform/http/errors.ts';
import { sendPage } from '../../platform/views/document.tsx';
import type { Services } from '../../services.ts';
import { computeStatistics } from './compute-statistics.ts';
import { parsePeriod, type Period, type PeriodInput } from './period.ts';
import { exportFileName, openDataCsv, tableCsv, tablesXlsx } from './statistics-export.ts';
import { statisticsJson } from './statistics-json.ts';
import { statisticsTables } from './statistics-tables.ts';
import { StatisticsDashboardPage, StatisticsReportPage, WebinarStatisticsPage } from './views/statistics-pages.tsx';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * The statistics in the back-office, for every agent (they read, they change nothing): the dashboard
 * of a period, one Rencontre's figures, the printable report, the exports (each table as CSV or XLSX,
 * all tables as one workbook, anonymised open data) and the same figures as JSON for machines.
 */
export function statisticsAdminRoutes(s: Services, site: Site) {
  const app = new Hono<AdminEnv>();
  const zone = s.territory.timezone;
  const frame = (c: Context<AdminEnv>) => ({ site, agent: c.get('agent'), csrf: c.get('session').csrf_token });
  const deps = () => ({ db: s.db, territory: s.territory, now: s.clock.now() });
  const period = (c: Context<AdminEnv>) => parsePeriod(c.req.query() as PeriodInput, zone, s.clock.now());
  const compute = (p: Period) => computeStatistics(deps(), p);

  /** The years an agent can pick: from the first Rencontre to the last one (or this year). */
  const years = async () => {
    const r = await s.db.kysely.selectFrom('webinars').select((eb) => [eb.fn.min('starts_at').as('first'), eb.fn.max('starts_at').as('last')]).where('status', '=', 'published').executeTakeFirst();
    const current = DateTime.fromJSDate(s.clock.now()).setZone(zone).year;
    const yearOf = (iso: unknown) => (typeof iso === 'string' ? DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).year : current);
    const first = Math.min(yearOf(r?.first), current);
    const last = Math.max(yearOf(r?.last), current);
    return Array.from({ length: last - first + 1 }, (_, i) => last - i);
  };

  const exported = (c: Context<AdminEnv>, what: string, p: Period) =>
    recordAudit(s.db.kysely, s.clock.now(), { type: 'agent', id: c.get('agent').id, ip: clientIp(c, s.config.trustProxy) }, 'statistics.exported', null, { what, from: p.from, to: p.to });

  app.get('/statistiques', async (c) => {
    const q = c.req.query();
    const values = { annee: q.annee, du: q.du, au: q.au };
    const parsed = period(c);
    if (!parsed.ok) return sendPage(c, <StatisticsDashboardPage {...frame(c)} stats={null} values={values} errors={parsed.errors} years={await years()} />, 422);
    const stats = await compute(parsed.period);
    const y = parsed.period.from.slice(0, 4);
    const isYear = parsed.period.from === `${y}-01-01` && parsed.period.to === `${y}-12-31`;
    const shown = isYear ? { annee: y } : { du: parsed.period.from, au: parsed.period.to };
    return sendPage(c, <StatisticsDashboardPage {...frame(c)} stats={stats} values={shown} errors={{}} years={await years()} />);
  });

  app.get('/statistiques.json', async (c) => {
    const parsed = period(c);
    if (!parsed.ok) return c.json({ error: 'période invalide', errors: parsed.errors }, 400);
    return c.json(statisticsJson(await compute(parsed.period)));
  });

  app.get('/statistiques/rapport', async (c) => {
    const parsed = period(c);
    if (!parsed.ok) return c.redirect('/admin/statistiques', 303);
    return sendPage(c, <StatisticsReportPage site={site} s={await compute(parsed.period)} />);
  });

  app.get('/statistiques/donnees-ouvertes.csv', async (c) => {
    const parsed = period(c);
    if (!parsed.ok) return c.text('Période invalide.', 400);
    const stats = await compute(parsed.period);
    await exported(c, 'open-data', parsed.period);
    c.header('Content-Disposition', `attachment; filename="${exportFileName('donnees-ouvertes', stats, 'csv')}"`);
    return c.body(openDataCsv(stats, s.territory.id), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  });

  app.get('/statistiques/export/:file', async (c) => {
    const m = /^([a-z-]+)\.(csv|xlsx)$/.exec(c.req.param('file'));
    if (!m) throw new NotFound('Export inconnu');
    const [, key, format] = m as unknown as [string, string, 'csv' | 'xlsx'];
    const parsed = period(c);
    if (!parsed.ok) return c.text('Période invalide.', 400);
    const stats = await compute(parsed.period);
    const all = statisticsTables(stats);
    const tables = key === 'tout' ? all : all.filter((t) => t.key === key);
    if (tables.length === 0 || (key === 'tout' && format === 'csv')) throw new NotFound('Tableau inconnu');
    await exported(c, `${key}.${format}`, parsed.period);
    c.header('Content-Disposition', `attachment; filename="${exportFileName(key, stats, format)}"`);
    if (format === 'csv') return c.body(tableCsv(tables[0]!), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
    return c.body(new Uint8Array(await tablesXlsx(tables, s.territory.programmeName)), 200, { 'Content-Type': XLSX });
  });

  app.get('/statistiques/rencontres/:id', async (c) => {
    const w = await s.db.kysely.selectFrom('webinars').select(['id', 'starts_at', 'status']).where('id', '=', c.req.param('id')).executeTakeFirst();
    if (!w || w.status !== 'published') throw new NotFound('Rencontre introuvable');
    const day = DateTime.fromISO(w.starts_at, { zone: 'utc' }).setZone(zone).toFormat('yyyy-LL-dd');
    const stats = await computeStatistics(deps(), { from: day, to: day, zone }, { webinarId: w.id });
    return sendPage(c, <WebinarStatisticsPage {...frame(c)} s={stats} zone={zone} />);
  });

  return app;
}
