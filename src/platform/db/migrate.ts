import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database.ts';
import * as m0001 from './migrations/0001-initial.ts';
import * as m0002 from './migrations/0002-back-office.ts';
import * as m0003 from './migrations/0003-journey.ts';
import * as m0004 from './migrations/0004-video-presence.ts';
import * as m0005 from './migrations/0005-candidate-file.ts';
import * as m0006 from './migrations/0006-candidate-list.ts';
import * as m0007 from './migrations/0007-referents-and-follow-ups.ts';
import * as m0008 from './migrations/0008-statistics.ts';
import * as m0009 from './migrations/0009-territory-content.ts';
import * as m0010 from './migrations/0010-partners-and-offers.ts';
import * as m0011 from './migrations/0011-statistics-by-day.ts';
import * as m0012 from './migrations/0012-statistics-period-figures.ts';
import * as m0013 from './migrations/0013-registration-write-indexes.ts';

/** Migrations are listed in code (not read from a folder) so that the bundle and the tests see the same set. */
const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-back-office': m0002,
  '0003-journey': m0003,
  '0004-video-presence': m0004,
  '0005-candidate-file': m0005,
  '0006-candidate-list': m0006,
  '0007-referents-and-follow-ups': m0007,
  '0008-statistics': m0008,
  '0009-territory-content': m0009,
  '0010-partners-and-offers': m0010,
  '0011-statistics-by-day': m0011,
  '0012-statistics-period-figures': m0012,
  '0013-registration-write-indexes': m0013,
};

class InCodeProvider implements MigrationProvider {
  async getMigrations() {
    return migrations;
  }
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  // Several engineers add migrations at once: a database that already ran a later one still accepts an
  // earlier one added afterwards (each migration only adds its own tables and columns).
  const migrator = new Migrator({ db: db.kysely, provider: new InCodeProvider(), allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
