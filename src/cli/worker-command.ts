import type { Config } from '../config.ts';
import { createRuntime } from '../runtime.ts';
import { describeDatabase } from './describe-database.ts';
import { EXIT, type CliOutput } from './output.ts';

/**
 * `nouvelle-vie worker`: the outbox worker and the job runner (reminders, replays…) alone, for installs that run it apart from the web
 * processes (which then run with WORKER=off). Stops on SIGTERM or SIGINT after the batch in hand.
 */
export async function workerCommand(config: Config, io: CliOutput): Promise<number> {
  const runtime = await createRuntime(config);
  // The worker's timers do not hold the process open (the web server does that in `npm start`).
  const keepAlive = setInterval(() => undefined, 1 << 30);
  runtime.startWorkers();
  io.out(
    `Worker démarré (${describeDatabase(config)}) : envoi des e-mails ${config.smtpUrl ? 'par SMTP' : 'vers la boîte locale, faute de SMTP_URL'}. Arrêt propre par SIGTERM ou Ctrl+C.`,
  );
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  runtime.logger.info('worker stopping', { signal });
  const force = setTimeout(() => {
    io.err('Arrêt forcé : l’envoi en cours n’a pas fini à temps.');
    process.exit(EXIT.failure);
  }, 15_000);
  force.unref();
  await runtime.close();
  clearInterval(keepAlive);
  io.out('Worker arrêté.');
  return EXIT.ok;
}
