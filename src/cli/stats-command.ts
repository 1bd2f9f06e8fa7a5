import { parseArgs } from 'node:util';
import { computeStatistics } from '../features/statistics/compute-statistics.ts';
import { parsePeriod, periodLabel } from '../features/statistics/period.ts';
import { formatEuros, formatNumber, formatRate } from '../features/statistics/statistics.ts';
import { statisticsJson } from '../features/statistics/statistics-json.ts';
import { openCommandRuntime } from './command-runtime.ts';
import { EXIT, type CliOutput } from './output.ts';

/** The line of `nouvelle-vie help` that presents this command. */
export const STATS_HELP_LINE = `  stats [--from AAAA-MM-JJ --to AAAA-MM-JJ | --year AAAA] [--json]
                       les chiffres d'une période (par défaut l'année en cours), en JSON pour les machines`;

export const STATS_USAGE = `Usage : nouvelle-vie stats [--from AAAA-MM-JJ --to AAAA-MM-JJ | --year AAAA] [--json]

  --from, --to   la période, jours compris, à l'heure du territoire
  --year         une année entière (au lieu de --from et --to)
  --json         les chiffres en JSON, de la même forme que /admin/statistiques.json

Sans période : l'année en cours.`;

/**
 * `nouvelle-vie stats`: the statistics of a period, from the same code as the back-office, as a
 * French summary or as the JSON of the back-office endpoint. It reads and caches facts, changes nothing else.
 */
export async function statsCommand(argv: string[], io: CliOutput): Promise<number> {
  let values: { from?: string; to?: string; year?: string; json?: boolean; help?: boolean };
  try {
    const parsed = parseArgs({ args: argv, allowPositionals: false, strict: true, options: { from: { type: 'string' }, to: { type: 'string' }, year: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
    values = parsed.values;
  } catch (e) {
    const option = /'(-[^']*)'/.exec((e as Error).message)?.[1];
    io.err(`${option ? `Option inconnue ou incomplète : ${option}` : (e as Error).message}\n\n${STATS_USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.out(STATS_USAGE);
    return EXIT.ok;
  }
  if (values.year && (values.from || values.to)) {
    io.err(`Donnez soit --year, soit --from et --to.\n\n${STATS_USAGE}`);
    return EXIT.usage;
  }
  const opened = await openCommandRuntime(io);
  if (typeof opened === 'number') return opened;
  const { runtime } = opened;
  try {
    const now = runtime.services.clock.now();
    const period = parsePeriod({ annee: values.year, du: values.from, au: values.to }, runtime.territory.timezone, now);
    if (!period.ok) {
      io.err(`${Object.values(period.errors).join('\n')}\n\n${STATS_USAGE}`);
      return EXIT.usage;
    }
    const s = await computeStatistics({ db: runtime.db, territory: runtime.territory, now }, period.period);
    if (values.json) {
      io.out(JSON.stringify(statisticsJson(s), null, 2));
      return EXIT.ok;
    }
    io.out(`${runtime.territory.webinarSeriesName}, ${periodLabel(s)} :`);
    io.out(`  ${s.editions.total} Rencontres (${s.editions.generic} généralistes, ${s.editions.thematic} thématiques)`);
    io.out(`  ${formatNumber(s.registrations)} inscriptions (hors ${formatNumber(s.cancelled)} annulations) de ${formatNumber(s.distinctPeople)} personnes`);
    io.out(`  ${formatNumber(s.attendees)} participants, taux de présence ${formatRate(s.attendanceRate)}${s.attendanceRange ? ` (de ${formatRate(s.attendanceRange.min)} à ${formatRate(s.attendanceRange.max)})` : ''}`);
    io.out(`  ${formatNumber(s.accompanimentRequests)} demandes d’accompagnement, ${formatNumber(s.installations.households)} foyers installés`);
    io.out(`  coût de promotion ${formatEuros(s.cost.totalCents)}, ${formatEuros(s.cost.perRegistrantCents)} par inscrit`);
    for (const w of statisticsJson(s).webinars) {
      io.out(`  ${w.startsAt.slice(0, 10)}  ${w.title} : ${w.registrations} inscriptions, ${w.attendees} participants (${formatRate(w.attendanceRate)})`);
    }
    return EXIT.ok;
  } catch (e) {
    io.err(`Erreur : ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.failure;
  } finally {
    await runtime.close();
  }
}
