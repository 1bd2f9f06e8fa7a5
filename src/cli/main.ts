import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { TerritoryError } from '../features/territory/territory.ts';
import { migrateCommand } from './migrate-command.ts';
import { seedCommand } from './seed-command.ts';
import { workerCommand } from './worker-command.ts';
import { cliOutput, EXIT, type CliOutput } from './output.ts';

const HELP = `nouvelle-vie : les commandes d'exploitation de Nouvelle Vie

Usage : nouvelle-vie <commande> [options]

Commandes :
  migrate              applique les migrations de la base de données et affiche celles qui l'ont été
  seed --demo          charge les données de démonstration du territoire dans une base sans Rencontre
  seed --demo --force  efface TOUTES les données (sauf l'historique des migrations) puis recharge la
                       démonstration ; refusé quand NODE_ENV=production
  worker               envoie les e-mails de la file d'attente (outbox) jusqu'à SIGTERM ou Ctrl+C ;
                       lancez alors le site avec WORKER=off
  help                 affiche cette aide

La configuration vient des variables d'environnement (DATABASE_URL, DATA_DIR, TERRITORY, SMTP_URL…) :
voir le README. Codes de sortie : 0 réussite, 1 échec ou refus, 2 commande ou configuration invalide.
`;

/** Parses the command line, runs one command and returns the process exit code. */
async function runCli(argv: string[], io: CliOutput = cliOutput): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    const option = /'(-[^']*)'/.exec((e as Error).message)?.[1];
    io.err(`${option ? `Option inconnue : ${option}` : (e as Error).message}\n\n${HELP}`);
    return EXIT.usage;
  }
  const [command = 'help', ...rest] = parsed.positionals;
  if (command === 'help' || parsed.values.help) {
    io.out(HELP);
    return EXIT.ok;
  }
  if (rest.length > 0) {
    io.err(`Argument inattendu : ${rest.join(' ')}\n\n${HELP}`);
    return EXIT.usage;
  }
  if (!['migrate', 'seed', 'worker'].includes(command)) {
    io.err(`Commande inconnue : ${command}\n\n${HELP}`);
    return EXIT.usage;
  }
  if (command === 'seed' && !parsed.values.demo) {
    io.err('Précisez ce qu’il faut charger : nouvelle-vie seed --demo');
    return EXIT.usage;
  }
  if (command !== 'seed' && (parsed.values.demo || parsed.values.force)) {
    io.err(`Les options --demo et --force ne servent qu’à la commande seed.\n\n${HELP}`);
    return EXIT.usage;
  }

  try {
    const config = loadConfig();
    if (command === 'migrate') return await migrateCommand(config, io);
    if (command === 'seed') return await seedCommand(config, { force: Boolean(parsed.values.force) }, io);
    return await workerCommand(config, io);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof TerritoryError) {
      io.err(e.message);
      return EXIT.usage;
    }
    io.err(`Erreur : ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.failure;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      demo: { type: 'boolean' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

process.exitCode = await runCli(process.argv.slice(2));
// Pools and timers are closed by each command; exiting here also ends a stray handle of a library.
process.exit();
