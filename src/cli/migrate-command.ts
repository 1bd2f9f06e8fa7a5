import type { Config } from '../config.ts';
import { connect } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { describeDatabase } from './describe-database.ts';
import { EXIT, type CliOutput } from './output.ts';

/** `nouvelle-vie migrate`: brings the database to the latest schema; safe to run again and again. */
export async function migrateCommand(config: Config, io: CliOutput): Promise<number> {
  const db = connect(config.database);
  try {
    const applied = await migrateToLatest(db);
    const where = describeDatabase(config);
    if (applied.length === 0) {
      io.out(`Base de données à jour (${where}) : aucune migration à appliquer.`);
    } else {
      io.out(`Migrations appliquées (${where}) :`);
      for (const name of applied) io.out(`  - ${name}`);
    }
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
