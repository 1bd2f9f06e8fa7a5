import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../platform/db/database.ts';
import { territoryDirectory, TerritoryError, type Territory } from '../territory/territory.ts';
import { pageKey } from './content.ts';
import { contentChanged } from './content-base.ts';
import { contentDbOf, countVersions } from './content-repository.ts';
import { contentFileSchema, type ContentFile } from './content-schemas.ts';

export const INITIAL_AUTHOR = 'Contenu initial du territoire';

/** territories/<id>/content.json, validated; null when the territory ships none. */
export function loadContentFile(territoryNameOrPath: string, t: Territory): ContentFile | null {
  const file = path.join(territoryDirectory(territoryNameOrPath), 'content.json');
  if (!fs.existsSync(file)) return null;
  const parsed = contentFileSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `- ${i.path.join('.')}: ${i.message}`);
    throw new TerritoryError(`Contenu du territoire invalide (${file}) :\n${lines.join('\n')}`);
  }
  const regions = new Set(t.regions.map((r) => r.key));
  const unknown = Object.keys(parsed.data.regions).filter((k) => !regions.has(k));
  if (unknown.length) throw new TerritoryError(`Contenu du territoire invalide (${file}) : région(s) inconnue(s) ${unknown.join(', ')} (attendu : ${[...regions].join(', ')})`);
  return parsed.data;
}

/**
 * The content base's first versions, from the territory's content.json, while the base is empty:
 * once an agent has saved anything, a start never overwrites it. Two processes starting together
 * write the same first versions; the unique (page, number) keeps one of each.
 */
export async function seedContentIfEmpty(db: Db, t: Territory, territoryNameOrPath: string = t.id, now: Date = new Date()): Promise<{ seeded: boolean; pages: number }> {
  if ((await countVersions(db.kysely)) > 0) return { seeded: false, pages: 0 };
  const file = loadContentFile(territoryNameOrPath, t);
  if (!file) return { seeded: false, pages: 0 };
  const docs = [
    ...Object.entries(file.sections).map(([key, document]) => ({ key: pageKey({ kind: 'section', key }), document })),
    ...Object.entries(file.regions).map(([key, document]) => ({ key: pageKey({ kind: 'region', key }), document })),
  ];
  await db.transaction(async (trx) => {
    await contentDbOf(trx)
      .insertInto('content_versions')
      .values(docs.map((d) => ({ id: randomUUID(), page_key: d.key, number: 1, document: JSON.stringify(d.document), created_at: now.toISOString(), created_by: null, created_by_name: INITIAL_AUTHOR, comment: 'Chargement de content.json', restored_from: null })))
      .onConflict((oc) => oc.columns(['page_key', 'number']).doNothing())
      .execute();
  });
  contentChanged(db);
  return { seeded: true, pages: docs.length };
}
