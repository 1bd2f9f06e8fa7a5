import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { buildApp, type AppOptions } from './app.tsx';
import type { Config } from './config.ts';
import { isDatabaseEmpty, loadDemoData, seedDemo } from './features/demo/seed-demo.ts';
import { seedDemoAgents } from './features/agents/seed-demo-agents.ts';
import { seedDemoPartners } from './features/partners/seed-demo-partners.ts';
import { purgeExpiredSessions } from './features/agents/sessions.ts';
import { purgeAuditLog } from './features/audit/audit-log.ts';
import { loadTerritory, type Territory } from './features/territory/territory.ts';
import { prepareTerritoryData } from './features/content/prepare-at-start.ts';
import { connect, type Db } from './platform/db/database.ts';
import { AfterResponse } from './platform/http/after-response.ts';
import { PageCache } from './platform/http/page-cache.ts';
import { migrateToLatest } from './platform/db/migrate.ts';
import { createJobRunner } from './background.ts';
import { createBbbAdapter } from './features/video/bbb/bbb-adapter.ts';
import { presenceLog } from './features/video/bbb-wiring.ts';
import { createZoomAdapter } from './features/video/zoom/zoom-adapter.ts';
import type { VideoTools } from './features/video/video-jobs.ts';
import { OutboxWorker } from './platform/email/outbox-worker.ts';
import type { JobRunner } from './platform/jobs/jobs.ts';
import { createSmtpTransport, localMailboxTransport, type MailTransport } from './platform/email/transport.ts';
import { createLogger, type Logger } from './platform/logger.ts';
import { loadOrCreateSecretKey } from './platform/secret.ts';
import { systemClock, type Clock } from './platform/time.ts';
import type { Services } from './services.ts';

export interface Runtime {
  services: Services;
  worker: OutboxWorker;
  jobs: JobRunner;
  /** Starts the outbox worker and the job runner (inline in the web process, or in `nouvelle-vie worker`). */
  startWorkers(): void;
  transport: MailTransport;
  db: Db;
  territory: Territory;
  logger: Logger;
  close(): Promise<void>;
}

/** Config → database (migrated) → services and the outbox worker. Shared by the server, the CLI and tests. */
export async function createRuntime(config: Config, overrides: { clock?: Clock; logger?: Logger; transport?: MailTransport; tokenKey?: Buffer; video?: VideoTools } = {}): Promise<Runtime> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const territory = loadTerritory(config.territory);
  const clock = overrides.clock ?? systemClock;
  const db = connect(config.database.kind === 'sqlite' ? { kind: 'sqlite', file: config.database.file } : { kind: 'postgres', url: config.database.url });
  await migrateToLatest(db);
  await prepareTerritoryData(db, territory, config.territory, logger);
  const tokenKey = overrides.tokenKey ?? loadOrCreateSecretKey(config.appSecret, config.dataDir);
  const transport = overrides.transport ?? (config.smtpUrl ? createSmtpTransport(config.smtpUrl) : localMailboxTransport);
  const from = config.mailFrom ?? `"${territory.programmeName.replace(/["@:,]/g, '').slice(0, 75)}" <${territory.contact.email}>`;
  let worker: OutboxWorker | undefined;
  let jobs: JobRunner | undefined;
  const services: Services = {
    config,
    db,
    clock,
    territory,
    logger,
    tokenKey,
    mailQueued: () => worker?.notify(),
    jobQueued: () => jobs?.notify(),
    video: {
      ...(config.zoom ? { zoom: createZoomAdapter(config.zoom, { clock, logger: logger.child({ component: 'zoom' }) }) } : {}),
      ...(config.bbb
        ? {
            bbb: createBbbAdapter(config.bbb, {
              clock,
              logger: logger.child({ component: 'bbb' }),
              callbackBaseUrl: config.publicUrl,
              registerWebhooks: config.bbb.webhooks ?? false,
              presenceLog: config.bbb.webhooks ? (meetingId) => presenceLog(services, meetingId) : undefined,
            }),
          }
        : {}),
      ...(overrides.video ?? {}),
    },
  };
  worker = new OutboxWorker({ db, transport, clock, logger: logger.child({ component: 'outbox' }), from, replyTo: territory.contact.email, messageIdDomain: new URL(config.publicUrl).hostname });
  jobs = createJobRunner(services);
  return {
    services,
    worker,
    jobs,
    startWorkers() {
      worker!.start();
      jobs!.start();
    },
    transport,
    db,
    territory,
    logger,
    async close() {
      await jobs!.stop();
      await worker!.stop();
      await transport.close();
      await db.close();
    },
  };
}

export async function seedDemoIfEmpty(rt: Runtime, config: Config): Promise<boolean> {
  if (!config.seedDemoWhenEmpty || !(await isDatabaseEmpty(rt.db))) return false;
  const demo = loadDemoData(config.territory);
  if (!demo) return false;
  // The team first: the demo's households are followed by its referents.
  const agents = await seedDemoAgents(rt.services, config.territory, config.dataDir);
  const summary = await seedDemo(rt.db, rt.territory, demo, { now: rt.services.clock.now(), tokenKey: rt.services.tokenKey });
  const partners = await seedDemoPartners(rt.db, rt.territory, config.territory, rt.services.clock.now());
  rt.logger.info('demo data seeded', { ...summary, agents: agents.created, partners: partners.partners, offers: partners.offers });
  return true;
}

export interface RunningServer {
  runtime: Runtime;
  server: Server;
  url: string;
  /** The work notifications started after their answer. */
  afterResponse: AfterResponse;
  stop(): Promise<void>;
}

/**
 * Starts the HTTP server (and the worker unless WORKER=off); stop() drains in-flight requests first,
 * then the work they started after answering, then closes the database.
 */
export async function startServer(config: Config, runtime: Runtime, options: AppOptions = {}): Promise<RunningServer> {
  const rs = runtime.services;
  const pageCache = new PageCache({ changeStamp: () => rs.db.changeStamp(), clock: rs.clock, logger: rs.logger, isHttps: rs.config.isHttps });
  const afterResponse = new AfterResponse(rs.logger);
  const app = buildApp(runtime.services, { pageCache, afterResponse, smtpConfigured: Boolean(config.smtpUrl), auditRetentionDays: config.auditRetentionDays, zoomWebhookSecretToken: config.zoom?.webhookSecretToken ?? null, bbb: config.bbb, ...options });
  const server = await new Promise<Server>((resolve) => {
    // Pages the app has rendered and kept are answered before it (ADR 0018).
    const s = createServer(pageCache.front(getRequestListener(app.fetch, { hostname: config.host })));
    s.listen(config.port, config.host, () => resolve(s));
  });
  server.keepAliveTimeout = 5000;
  if (config.runWorkerInline) runtime.startWorkers();
  const maintenance = startMaintenance(runtime, config);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  let stopping: Promise<void> | undefined;
  return {
    runtime,
    server,
    url: `http://${shownHost}:${port}`,
    afterResponse,
    stop() {
      stopping ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections?.();
        });
        clearInterval(maintenance);
        await afterResponse.idle();
        await runtime.close();
      })();
      return stopping;
    },
  };
}

/**
 * Housekeeping that must happen whether anyone looks or not: expired sessions and audit entries older
 * than the retention period are deleted, at start and then every hour.
 */
export function startMaintenance(runtime: Runtime, config: Config): NodeJS.Timeout {
  const run = async () => {
    try {
      const now = runtime.services.clock.now();
      await purgeExpiredSessions(runtime.db.kysely, now);
      const purged = await purgeAuditLog(runtime.db.kysely, now, config.auditRetentionDays);
      if (purged) runtime.logger.info('audit log purged', { purged, retentionDays: config.auditRetentionDays });
    } catch (err) {
      runtime.logger.error('maintenance failed', { err });
    }
  };
  void run();
  const timer = setInterval(run, 3600_000);
  timer.unref();
  return timer;
}
