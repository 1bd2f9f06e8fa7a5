/** What the test run can use on this machine, and whether missing it is an error (CI=true). */
export const isCI = process.env.CI === 'true' || process.env.CI === '1';
/**
 * One test run's own names: global setup sets NV_TEST_RUN (its process id) before the workers start,
 * so that two runs on one machine never touch each other's files or databases.
 */
export const TEST_ROOT = new URL('../../.test-tmp/', import.meta.url).pathname;
export const RUN_ID = process.env.NV_TEST_RUN ?? String(process.pid);
export const TEST_TMP = `${TEST_ROOT}run-${RUN_ID}/`;
export const SQLITE_TEMPLATE = `${TEST_TMP}template.sqlite`;
export const PG_TEMPLATE_DB = `nv_${RUN_ID}_template`;
export const PG_TEST_PREFIX = `nv_${RUN_ID}_t_`;
export const pgAdminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://nouvellevie:nouvellevie@127.0.0.1:5432/postgres';
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function pgUrlFor(database: string): string {
  const u = new URL(pgAdminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}
