import { sql, type Transaction } from 'kysely';
import type { Config } from '../config.ts';
import { demoSignInHint, seedDemoAgents } from '../features/agents/seed-demo-agents.ts';
import { isDatabaseEmpty, loadDemoData, seedDemo } from '../features/demo/seed-demo.ts';
import { loadTerritory } from '../features/territory/territory.ts';
import type { Db } from '../platform/db/database.ts';
import type { Database } from '../platform/db/schema.ts';
import { createRuntime } from '../runtime.ts';
import { describeDatabase } from './describe-database.ts';
import { EXIT, type CliOutput } from './output.ts';

/**
 * `nouvelle-vie seed --demo`: the territory's demo, into a database that has no Rencontre yet.
 * Adding it to real data would mix invented people with real ones, so a database with Rencontres is
 * refused; `--force` replaces everything with the demo, in one transaction, and never in production.
 */
export async function seedCommand(config: Config, flags: { force: boolean }, io: CliOutput): Promise<number> {
  loadTerritory(config.territory);
  const demo = loadDemoData(config.territory);
  if (!demo) {
    io.err(`Le territoire « ${config.territory} » n’a pas de données de démonstration (fichier demo.json absent).`);
    return EXIT.failure;
  }
  const runtime = await createRuntime(config);
  try {
    const where = describeDatabase(config);
    const empty = await isDatabaseEmpty(runtime.db);
    if (!empty && !flags.force) {
      io.err(
        [
          `La base contient déjà des Rencontres (${where}) : la démonstration n’a pas été chargée, rien n’a été modifié.`,
          'Pour tout effacer et repartir de la démonstration : nouvelle-vie seed --demo --force',
        ].join('\n'),
      );
      return EXIT.failure;
    }
    if (!empty && config.env === 'production') {
      io.err(`Refusé : NODE_ENV=production, et --force effacerait toutes les données (${where}).`);
      return EXIT.failure;
    }
    const options = { now: runtime.services.clock.now(), tokenKey: runtime.services.tokenKey };
    // The same demo as the first start of `npm start`: the history, the coming editions and the team.
    const seedAll = async (db: Db) => {
      // The team first: the demo's households are followed by its referents.
      const team = await seedDemoAgents({ ...runtime.services, db }, config.territory, config.dataDir);
      const summary = await seedDemo(db, runtime.territory, demo, options);
      return { ...summary, agents: team.created };
    };
    const summary = empty
      ? await seedAll(runtime.db)
      : await runtime.db.transaction(async (trx) => {
          const wiped = await wipeAllData(runtime.db, trx);
          io.out(`Données effacées : ${wiped.webinars} Rencontres, ${wiped.candidates} candidats, ${wiped.registrations} inscriptions.`);
          return seedAll(insideTransaction(runtime.db, trx));
        });
    io.out(`Démonstration de ${runtime.territory.programmeName} chargée (${where}) :`);
    io.out(`  ${summary.webinars} Rencontres, ${summary.candidates} candidats, ${summary.registrations} inscriptions, ${summary.agents} agents.`);
    if (summary.agents > 0) {
      io.out(`Espace de gestion : ${config.publicUrl}/admin`);
      for (const line of demoSignInHint(config.dataDir)) io.out(`  ${line}`);
    }
    return EXIT.ok;
  } finally {
    await runtime.close();
  }
}

/** A Db whose "transactions" run inside one already open, so that wiping and seeding commit together. */
function insideTransaction(db: Db, trx: Transaction<Database>): Db {
  return { kysely: trx, dialect: db.dialect, transaction: (fn) => fn(trx), changeStamp: () => db.changeStamp(), close: async () => undefined };
}

/**
 * Empties every table but the migrations' own, whatever tables later migrations add: the table list
 * comes from the database, and foreign keys are checked only at commit (SQLite) or truncated together
 * (PostgreSQL).
 */
async function wipeAllData(db: Db, trx: Transaction<Database>) {
  const count = async (table: 'webinars' | 'candidates' | 'registrations') => Number((await trx.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const before = { webinars: await count('webinars'), candidates: await count('candidates'), registrations: await count('registrations') };
  const schema = db.dialect === 'postgres' ? ((await sql<{ s: string }>`select current_schema() as s`.execute(trx)).rows[0]?.s ?? 'public') : undefined;
  const tables = (await trx.introspection.getTables())
    .filter((t) => !t.isView && !t.name.startsWith('kysely_migration') && (schema === undefined || t.schema === schema))
    .map((t) => t.name);
  if (db.dialect === 'postgres') {
    await sql`truncate table ${sql.join(tables.map((t) => sql.table(t)))}`.execute(trx);
  } else {
    await sql`pragma defer_foreign_keys = on`.execute(trx);
    for (const t of tables) await sql`delete from ${sql.table(t)}`.execute(trx);
  }
  return before;
}
