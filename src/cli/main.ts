import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { TerritoryError } from '../features/territory/territory.ts';
import { agentCreateCommand } from './agent-command.ts';
import { communesCommand } from './communes-command.ts';
import { importCommand } from './import-command.ts';
import { migrateCommand } from './migrate-command.ts';
import { seedCommand } from './seed-command.ts';
import { statsCommand, STATS_HELP_LINE } from './stats-command.ts';
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
  agent create --email <adresse> --name "<Prénom Nom>" --role admin|referent [--password-stdin]
                       crée un compte d'agent actif (le premier administrateur d'une installation) ;
                       le mot de passe est lu sur l'entrée standard, ou créé et affiché une fois
  import zoom [--registrations FICHIER] [--attendees FICHIER] [--webinar ID] [--dry-run]
                       importe les rapports d'inscription et de participation exportés de Zoom
                       (aperçu puis import ; nouvelle-vie import zoom --help pour le détail)
  communes load [--force]
                       charge les communes du territoire depuis les données officielles (Etalab)
${STATS_HELP_LINE}
  help                 affiche cette aide

La configuration vient des variables d'environnement (DATABASE_URL, DATA_DIR, TERRITORY, SMTP_URL…) :
voir le README. Codes de sortie : 0 réussite, 1 échec ou refus, 2 commande ou configuration invalide.
`;

/** Parses the command line, runs one command and returns the process exit code. */
async function runCli(argv: string[], io: CliOutput = cliOutput): Promise<number> {
  // Its options are its own: parsed by the command itself.
  if (argv[0] === 'import') return importCommand(argv.slice(1), io);
  if (argv[0] === 'stats') return statsCommand(argv.slice(1), io);
  if (argv[0] === 'communes') return communesCommand(argv.slice(1), io);
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
  const sub = command === 'agent' ? rest.shift() : undefined;
  if (command === 'agent' && sub !== 'create') {
    io.err(`${sub ? `Commande inconnue : agent ${sub}` : 'Précisez : nouvelle-vie agent create …'}\n\n${HELP}`);
    return EXIT.usage;
  }
  if (rest.length > 0) {
    io.err(`Argument inattendu : ${rest.join(' ')}\n\n${HELP}`);
    return EXIT.usage;
  }
  if (!['migrate', 'seed', 'worker', 'agent'].includes(command)) {
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
  const agentOptions = ['email', 'name', 'role', 'password-stdin'] as const;
  if (command !== 'agent' && agentOptions.some((o) => parsed.values[o] !== undefined)) {
    io.err(`Les options --email, --name, --role et --password-stdin ne servent qu’à la commande agent create.\n\n${HELP}`);
    return EXIT.usage;
  }

  try {
    const config = loadConfig();
    if (command === 'migrate') return await migrateCommand(config, io);
    if (command === 'seed') return await seedCommand(config, { force: Boolean(parsed.values.force) }, io);
    if (command === 'agent') {
      const v = parsed.values;
      return await agentCreateCommand(config, { email: v.email, name: v.name, role: v.role, passwordFromStdin: Boolean(v['password-stdin']) }, io, readStdin);
    }
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

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text;
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
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      'password-stdin': { type: 'boolean' },
    },
  });
}

process.exitCode = await runCli(process.argv.slice(2));
// Pools and timers are closed by each command; exiting here also ends a stray handle of a library.
process.exit();
