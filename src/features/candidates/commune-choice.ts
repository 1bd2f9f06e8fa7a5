import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import { findCommune, searchCommunes, searchForm, type Commune } from '../territory/communes.ts';

export type CommuneChoice =
  | { kind: 'none' }
  | { kind: 'found'; commune: Commune }
  /** The territory's communes are not loaded: the name is kept as typed. */
  | { kind: 'free'; text: string }
  | { kind: 'choose'; message: string; choices: Commune[] }
  | { kind: 'unknown'; message: string };

/** "Mende (48000)", as the list of suggestions writes a commune. */
export const communeLabel = (c: Pick<Commune, 'name' | 'postcodes'>) => (c.postcodes.length ? `${c.name} (${c.postcodes.join(', ')})` : c.name);

/**
 * The commune a household imagines living in, from what the agent typed (a name with or without
 * accents, a postcode, or a suggestion "Mende (48000)") or picked among several: one commune of the
 * territory's official list, or a question when several match, or a refusal when none does.
 */
export async function chooseCommune(db: Kysely<Database>, typed: string | null, pickedCode: string | null): Promise<CommuneChoice> {
  if (pickedCode) {
    const c = await findCommune(db, pickedCode);
    if (c) return { kind: 'found', commune: c };
  }
  const text = (typed ?? '').trim();
  if (!text) return { kind: 'none' };
  const loaded = await db.selectFrom('communes').select('code').limit(1).executeTakeFirst();
  if (!loaded) return { kind: 'free', text };
  const suggestion = /^(.*?)\s*\((\d{5})(?:, \d{5})*\)$/.exec(text);
  const name = suggestion ? suggestion[1]! : text;
  const postcode = suggestion ? suggestion[2]! : null;
  let found = await searchCommunes(db, name, { limit: 30 });
  if (postcode) found = found.filter((c) => c.postcodes.includes(postcode));
  const exact = found.filter((c) => searchForm(c.name) === searchForm(name));
  if (exact.length === 1) return { kind: 'found', commune: exact[0]! };
  if (found.length === 1) return { kind: 'found', commune: found[0]! };
  if (found.length === 0) return { kind: 'unknown', message: `Aucune commune du territoire ne correspond à « ${text} » : vérifiez l’orthographe, ou saisissez son code postal` };
  return { kind: 'choose', message: `Plusieurs communes correspondent à « ${text} » : choisissez-en une`, choices: found.slice(0, 12) };
}

/** How a stored commune reads on the file: its name and postcodes, or the text kept when the list was not loaded. */
export async function describeCommune(db: Kysely<Database>, stored: string | null): Promise<string | null> {
  if (!stored) return null;
  const c = /^[0-9AB]{5}$/.test(stored) ? await findCommune(db, stored) : undefined;
  return c ? communeLabel(c) : stored;
}

/** Every commune of the territory as the suggestions of the commune field (a datalist: works without JavaScript). */
export async function communeSuggestions(db: Kysely<Database>): Promise<string[]> {
  const rows = await db.selectFrom('communes').select(['name', 'postcodes']).orderBy('name_search').execute();
  return rows.map((r) => communeLabel({ name: r.name, postcodes: JSON.parse(r.postcodes) as string[] }));
}
