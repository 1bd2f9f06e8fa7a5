import path from 'node:path';
import { z } from 'zod';

/**
 * The only place that reads the environment. Everything else receives a frozen Config.
 */
const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url({ message: 'PUBLIC_URL doit être une adresse http(s) complète' }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => !v || /^(postgres(ql)?:\/\/|sqlite:|file:)/.test(v), {
      message: 'DATABASE_URL doit commencer par postgres://, sqlite: ou file:',
    }),
  SMTP_URL: z
    .string()
    .optional()
    .refine((v) => !v || /^smtps?:\/\//.test(v), { message: 'SMTP_URL doit commencer par smtp:// ou smtps://' }),
  MAIL_FROM: z.string().optional(),
  TERRITORY: z.string().default('lozere'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  APP_SECRET: z.string().min(32, 'APP_SECRET doit faire au moins 32 caractères').optional(),
  NO_DEMO: booleanFromEnv,
  WORKER: z.enum(['inline', 'off']).default('inline'),
  TRUST_PROXY: booleanFromEnv,
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(365),
  ZOOM_ACCOUNT_ID: z.string().min(1).optional(),
  ZOOM_CLIENT_ID: z.string().min(1).optional(),
  ZOOM_CLIENT_SECRET: z.string().min(1).optional(),
  ZOOM_WEBHOOK_SECRET_TOKEN: z.string().min(1).optional(),
  ZOOM_USER_ID: z.string().min(1).default('me'),
  ZOOM_OAUTH_URL: z.url().default('https://zoom.us'),
  ZOOM_API_URL: z.url().default('https://api.zoom.us/v2'),
  BBB_URL: z.url({ message: 'BBB_URL doit être l’adresse de l’API, comme https://bbb.exemple.fr/bigbluebutton/' }).optional(),
  BBB_SECRET: z.string().min(1).optional(),
  BBB_CHECKSUM: z.enum(['sha1', 'sha256', 'sha384', 'sha512']).default('sha256'),
  BBB_WEBHOOKS: booleanFromEnv,
  TZ: z.string().optional(),
});

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly port: number;
  readonly host: string;
  /** Base address used in e-mails and calendar files, without trailing slash. */
  readonly publicUrl: string;
  readonly isHttps: boolean;
  readonly dataDir: string;
  readonly database: { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string | undefined;
  /** A territory name under ./territories or a path to a territory folder. */
  readonly territory: string;
  readonly logLevel: LogLevel;
  readonly seedDemoWhenEmpty: boolean;
  readonly runWorkerInline: boolean;
  readonly trustProxy: boolean;
  readonly auditRetentionDays: number;
  /** Signs private links; when absent a key is created once in DATA_DIR/secret.key. */
  readonly appSecret: string | undefined;
  /** Zoom Server-to-Server OAuth app of the territory's account; null when not configured. */
  readonly zoom: ZoomConfig | null;
  /** BigBlueButton server; null when not configured. */
  readonly bbb: BbbConfig | null;
}

export interface ZoomConfig {
  readonly accountId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Secret token of the app's event subscription: verifies Zoom's signed notifications. */
  readonly webhookSecretToken: string | null;
  readonly userId: string;
  readonly oauthUrl: string;
  readonly apiUrl: string;
}

export interface BbbConfig {
  /** The API base, ending with /bigbluebutton/ (the calls are appended as api/<call>). */
  readonly url: string;
  readonly secret: string;
  readonly checksum: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  /** The server has the optional bbb-webhooks package: join and leave events give attendance. */
  readonly webhooks?: boolean;
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `- ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Configuration invalide :\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const zoomVars = [e.ZOOM_ACCOUNT_ID, e.ZOOM_CLIENT_ID, e.ZOOM_CLIENT_SECRET];
  if (zoomVars.some(Boolean) && !zoomVars.every(Boolean)) {
    throw new ConfigError('Configuration invalide :\n- ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID et ZOOM_CLIENT_SECRET vont ensemble : donnez les trois ou aucun');
  }
  if (Boolean(e.BBB_URL) !== Boolean(e.BBB_SECRET)) {
    throw new ConfigError('Configuration invalide :\n- BBB_URL et BBB_SECRET vont ensemble : donnez les deux ou aucun');
  }
  if (e.TZ && e.TZ !== 'UTC' && e.TZ !== 'Etc/UTC') {
    // Times are stored in UTC and shown in the territory's zone: the process zone does not matter,
    // but some libraries read it, so we say it once rather than fail in odd ways later.
    process.stderr.write(`Note : TZ=${e.TZ} est ignoré ; l'heure affichée suit le fuseau du territoire.\n`);
  }
  const dataDir = path.resolve(e.DATA_DIR);
  let database: Config['database'];
  if (e.DATABASE_URL && /^postgres(ql)?:\/\//.test(e.DATABASE_URL)) {
    database = { kind: 'postgres', url: e.DATABASE_URL };
  } else if (e.DATABASE_URL) {
    const file = e.DATABASE_URL.replace(/^(sqlite:|file:)(\/\/)?/, '');
    database = { kind: 'sqlite', file: file === ':memory:' ? file : path.resolve(file) };
  } else {
    database = { kind: 'sqlite', file: path.join(dataDir, 'nouvelle-vie.sqlite') };
  }
  const shownHost = e.HOST === '0.0.0.0' || e.HOST === '::' ? 'localhost' : e.HOST;
  const publicUrl = (e.PUBLIC_URL ?? `http://${shownHost}:${e.PORT}`).replace(/\/+$/, '');
  return Object.freeze({
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    isHttps: publicUrl.startsWith('https://'),
    dataDir,
    database: Object.freeze(database),
    smtpUrl: e.SMTP_URL || undefined,
    mailFrom: e.MAIL_FROM || undefined,
    territory: e.TERRITORY,
    logLevel: e.LOG_LEVEL,
    seedDemoWhenEmpty: !e.NO_DEMO,
    runWorkerInline: e.WORKER === 'inline',
    trustProxy: e.TRUST_PROXY,
    auditRetentionDays: e.AUDIT_RETENTION_DAYS,
    appSecret: e.APP_SECRET,
    zoom:
      e.ZOOM_ACCOUNT_ID && e.ZOOM_CLIENT_ID && e.ZOOM_CLIENT_SECRET
        ? Object.freeze({
            accountId: e.ZOOM_ACCOUNT_ID,
            clientId: e.ZOOM_CLIENT_ID,
            clientSecret: e.ZOOM_CLIENT_SECRET,
            webhookSecretToken: e.ZOOM_WEBHOOK_SECRET_TOKEN ?? null,
            userId: e.ZOOM_USER_ID,
            oauthUrl: e.ZOOM_OAUTH_URL.replace(/\/+$/, ''),
            apiUrl: e.ZOOM_API_URL.replace(/\/+$/, ''),
          })
        : null,
    bbb: e.BBB_URL && e.BBB_SECRET ? Object.freeze({ url: e.BBB_URL.endsWith('/') ? e.BBB_URL : `${e.BBB_URL}/`, secret: e.BBB_SECRET, checksum: e.BBB_CHECKSUM, webhooks: e.BBB_WEBHOOKS }) : null,
  });
}
