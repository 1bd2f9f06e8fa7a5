/** What the test run can use on this machine, and whether missing it is an error (CI=true). */
export const isCI = process.env.CI === 'true' || process.env.CI === '1';
export const TEST_TMP = new URL('../../.test-tmp/', import.meta.url).pathname;
export const SQLITE_TEMPLATE = `${TEST_TMP}template.sqlite`;
export const PG_TEMPLATE_DB = 'nv_template';
export const pgAdminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://nouvellevie:nouvellevie@127.0.0.1:5432/postgres';
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function pgUrlFor(database: string): string {
  const u = new URL(pgAdminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}
