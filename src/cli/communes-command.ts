import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { loadCommunes } from '../features/territory/communes.ts';
import { loadTerritory, regionLabel, TerritoryError } from '../features/territory/territory.ts';
import { connect } from '../platform/db/database.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { describeDatabase } from './describe-database.ts';
import { EXIT, type CliOutput } from './output.ts';

export const COMMUNES_USAGE = `Usage : nouvelle-vie communes load [--force]

  Charge les communes du territoire depuis les données administratives officielles
  (@etalab/decoupage-administratif) : population, codes postaux, intercommunalité, et la région
  naturelle de chacune d'après la configuration du territoire (communes.regionByEpci et
  communes.regionByCommune). Le site le fait seul au démarrage quand la table est vide ou que les
  données ou la configuration ont changé.

  --force   recharge même si rien n'a changé`;

/** `nouvelle-vie communes load`: the territory's communes from the official data, in one transaction. */
export async function communesCommand(argv: string[], io: CliOutput): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    const option = /'(-[^']*)'/.exec((e as Error).message)?.[1];
    io.err(`${option ? `Option inconnue : ${option}` : (e as Error).message}\n\n${COMMUNES_USAGE}`);
    return EXIT.usage;
  }
  if (parsed.values.help) {
    io.out(COMMUNES_USAGE);
    return EXIT.ok;
  }
  if (parsed.positionals[0] !== 'load' || parsed.positionals.length > 1) {
    const what = parsed.positionals[0];
    io.err(`${what === undefined ? 'Précisez : nouvelle-vie communes load' : what !== 'load' ? `Commande inconnue : communes ${what}` : `Argument inattendu : ${parsed.positionals.slice(1).join(' ')}`}\n\n${COMMUNES_USAGE}`);
    return EXIT.usage;
  }
  try {
    const config = loadConfig();
    const territory = loadTerritory(config.territory);
    if (!territory.communes) {
      io.err(`Le territoire « ${territory.name} » ne dit pas quels sont ses départements (communes.departements dans territory.json) : aucune commune à charger.`);
      return EXIT.failure;
    }
    const db = connect(config.database);
    try {
      await migrateToLatest(db);
      const result = await loadCommunes(db, territory, { force: Boolean(parsed.values.force) });
      const where = describeDatabase(config);
      if (!result.loaded) {
        io.out(`Communes déjà à jour (${where}) : ${result.count} communes, données ${result.version}. Rien n'a changé ; --force pour recharger quand même.`);
        return EXIT.ok;
      }
      io.out(`${result.count} communes ${territory.inName} chargées (${where}), données ${result.version}.`);
      if (result.withoutRegion.length > 0) {
        io.out(`${result.withoutRegion.length} commune(s) sans région naturelle : complétez communes.regionByEpci ou communes.regionByCommune.`);
        for (const c of result.withoutRegion) io.out(`  - ${c.code} ${c.name} (intercommunalité ${c.epciCode ?? 'aucune'}${c.epciName ? ` ${c.epciName}` : ''})`);
      } else {
        io.out(`Toutes sont rattachées à une région naturelle (${territory.regions.map((r) => regionLabel(territory, r.key)).join(', ')}).`);
      }
      return EXIT.ok;
    } finally {
      await db.close();
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof TerritoryError) {
      io.err(e.message);
      return EXIT.usage;
    }
    io.err(`Erreur : ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.failure;
  }
}

function parse(argv: string[]) {
  return parseArgs({ args: argv, allowPositionals: true, strict: true, options: { force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
}
