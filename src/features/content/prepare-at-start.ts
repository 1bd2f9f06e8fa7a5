import type { Territory } from '../territory/territory.ts';
import { loadCommunes } from '../territory/communes.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Logger } from '../../platform/logger.ts';
import { seedContentIfEmpty } from './seed-content.ts';

/**
 * What the territory's pages need before the first request, at every start: its communes (loaded
 * only when the table is empty or the data or configuration changed) and the content base (filled
 * from territories/<id>/content.json only while it is empty, so agents' edits are never overwritten).
 */
export async function prepareTerritoryData(db: Db, territory: Territory, territoryNameOrPath: string, logger: Logger): Promise<void> {
  const communes = await loadCommunes(db, territory);
  if (communes.loaded) logger.info('communes loaded', { count: communes.count, withoutRegion: communes.withoutRegion.length, version: communes.version });
  const content = await seedContentIfEmpty(db, territory, territoryNameOrPath);
  if (content.seeded) logger.info('territory content seeded', { pages: content.pages });
}
