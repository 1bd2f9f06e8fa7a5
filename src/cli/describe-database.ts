import type { Config } from '../config.ts';

/** "SQLite /path/file" or "PostgreSQL host/db", never the password of the address. */
export function describeDatabase(config: Config): string {
  if (config.database.kind === 'sqlite') return `SQLite ${config.database.file}`;
  const u = new URL(config.database.url);
  return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
}
