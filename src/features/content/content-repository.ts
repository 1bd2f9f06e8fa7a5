import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { ContentVersion } from './content.ts';
import { parseStoredDocument } from './content-schemas.ts';

/**
 * The tables of migration 0009, typed here rather than in the shared schema: only this feature and
 * the slides (through this file) read them.
 */
export interface ContentVersionTable {
  id: string;
  page_key: string;
  number: number;
  document: string;
  created_at: string;
  created_by: string | null;
  created_by_name: string;
  comment: string | null;
  restored_from: number | null;
}

export interface ContentImageTable {
  id: string;
  page_key: string;
  content_type: string;
  data: string;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
  created_at: string;
  created_by: string | null;
}

export interface SlideDeckTable {
  webinar_id: string;
  plan: string;
  updated_at: string;
  updated_by: string | null;
}

export type ContentTables = { content_versions: ContentVersionTable; content_images: ContentImageTable; slide_decks: SlideDeckTable };
type Q = Kysely<Database> | Transaction<Database>;

function fromRow(r: ContentVersionTable): ContentVersion {
  return {
    id: r.id,
    pageKey: r.page_key,
    number: Number(r.number),
    document: parseStoredDocument(r.document, r.page_key),
    createdAt: r.created_at,
    createdBy: r.created_by,
    createdByName: r.created_by_name,
    comment: r.comment,
    restoredFrom: r.restored_from === null ? null : Number(r.restored_from),
  };
}

/** The current version of every page: the highest number of each. */
export async function latestVersions(db: Q): Promise<Map<string, ContentVersion>> {
  const rows = await contentDbOf(db)
    .selectFrom('content_versions as v')
    .selectAll('v')
    .where(({ eb, selectFrom }) =>
      eb(
        'v.number',
        '=',
        selectFrom('content_versions as w')
          .select((e) => e.fn.max('w.number').as('m'))
          .whereRef('w.page_key', '=', 'v.page_key'),
      ),
    )
    .execute();
  return new Map(rows.map((r) => [r.page_key, fromRow(r)]));
}

export async function latestVersion(db: Q, pageKey: string): Promise<ContentVersion | undefined> {
  const row = await contentDbOf(db).selectFrom('content_versions').selectAll().where('page_key', '=', pageKey).orderBy('number', 'desc').limit(1).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

export async function findVersion(db: Q, pageKey: string, number: number): Promise<ContentVersion | undefined> {
  const row = await contentDbOf(db).selectFrom('content_versions').selectAll().where('page_key', '=', pageKey).where('number', '=', number).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** Every version of a page, newest first. */
export async function listVersions(db: Q, pageKey: string): Promise<ContentVersion[]> {
  const rows = await contentDbOf(db).selectFrom('content_versions').selectAll().where('page_key', '=', pageKey).orderBy('number', 'desc').execute();
  return rows.map(fromRow);
}

export async function countVersions(db: Q): Promise<number> {
  const r = await contentDbOf(db)
    .selectFrom('content_versions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

export async function insertVersion(db: Q, row: ContentVersionTable): Promise<void> {
  await contentDbOf(db).insertInto('content_versions').values(row).execute();
}

/** The ids of the images stored for a page: the only ones its form may refer to. */
export async function imageIdsOf(db: Q, pageKey: string): Promise<Set<string>> {
  const rows = await contentDbOf(db).selectFrom('content_images').select('id').where('page_key', '=', pageKey).execute();
  return new Set(rows.map((r) => r.id));
}

export async function findImage(db: Q, id: string): Promise<ContentImageTable | undefined> {
  return contentDbOf(db).selectFrom('content_images').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function imageSizes(db: Q, ids: string[]): Promise<Map<string, { width: number; height: number }>> {
  if (ids.length === 0) return new Map();
  const rows = await contentDbOf(db).selectFrom('content_images').select(['id', 'width', 'height']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, { width: Number(r.width), height: Number(r.height) }]));
}

export async function insertImage(db: Q, row: ContentImageTable): Promise<void> {
  await contentDbOf(db).insertInto('content_images').values(row).execute();
}

/** The database with this feature's tables known to the query builder (the slides use it too). */
export function contentDbOf(db: Q) {
  return (db as Kysely<Database>).withTables<ContentTables>();
}
