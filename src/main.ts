import { ConfigError, loadConfig } from './config.ts';
import { demoSignInHint } from './features/agents/seed-demo-agents.ts';
import { TerritoryError } from './features/territory/territory.ts';
import { createRuntime, seedDemoIfEmpty, startServer } from './runtime.ts';

/** Composition root: config → database → app → server + worker. */
async function main() {
  const config = loadConfig();
  const runtime = await createRuntime(config);
  const seeded = await seedDemoIfEmpty(runtime, config);
  const running = await startServer(config, runtime);
  const demo = demoSignInHint(config.dataDir);
  const signIn = demo.length
    ? demo.map((l) => `    ${l}`)
    : ['    Créez un agent : npx nouvelle-vie agent create --email … --name … --role admin'];
  const where = config.database.kind === 'sqlite' ? `SQLite ${config.database.file}` : 'PostgreSQL';
  const lines = [
    '',
    `  ${runtime.territory.programmeName} est en ligne : ${running.url}`,
    `  Base de données : ${where}${seeded ? ' (données de démonstration ajoutées)' : ''}`,
    `  E-mails : ${config.smtpUrl ? 'envoyés par SMTP' : 'gardés dans la boîte locale (pas de SMTP_URL)'}`,
    `  Espace de gestion : ${running.url}/admin`,
    ...signIn,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');

  let shuttingDown = false;
  const shutdown = (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    runtime.logger.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    running.stop().then(
      () => process.exit(0),
      (err) => {
        runtime.logger.error('shutdown failed', { err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof TerritoryError) {
    process.stderr.write(err.message + '\n');
    process.exit(2);
  }
  process.stderr.write(`Démarrage impossible : ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
