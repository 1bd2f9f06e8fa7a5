import type { Kysely } from 'kysely';
import type { CandidateStage, Database } from '../../platform/db/schema.ts';

export interface DuplicateFile {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
  town: string | null;
  stage: CandidateStage | null;
  createdAt: string;
  lastActivityAt: string | null;
}

export interface DuplicatePair {
  /** The older file: the one a merge keeps unless the agent chooses otherwise. */
  older: DuplicateFile;
  newer: DuplicateFile;
  samePhone: boolean;
  sameNameAndTown: boolean;
}

const columns = ['id', 'first_name as firstName', 'last_name as lastName', 'email', 'phone', 'town', 'stage', 'created_at as createdAt', 'last_activity_at as lastActivityAt', 'phone_key', 'name_key'] as const;

/**
 * Files that look like one household: the same phone (as a national number), or the same first and
 * last name (without accents) living in the same town. Each group is proposed as pairs with its
 * oldest file; both reasons first. With `candidateId`, only the pairs of that file.
 */
export async function findDuplicatePairs(db: Kysely<Database>, opts: { candidateId?: string; limit?: number } = {}): Promise<DuplicatePair[]> {
  const limit = opts.limit ?? 100;
  let phoneKeys: string[];
  let nameKeys: string[];
  if (opts.candidateId) {
    const own = await db.selectFrom('candidates').select(['phone_key', 'name_key']).where('id', '=', opts.candidateId).executeTakeFirst();
    phoneKeys = own?.phone_key ? [own.phone_key] : [];
    nameKeys = own?.name_key ? [own.name_key] : [];
  } else {
    const [phones, names] = await Promise.all([
      db.selectFrom('candidates').select('phone_key').where('merged_into_id', 'is', null).where('phone_key', 'is not', null).groupBy('phone_key').having((eb) => eb.fn.countAll(), '>', 1).limit(limit).execute(),
      db.selectFrom('candidates').select('name_key').where('merged_into_id', 'is', null).where('name_key', 'is not', null).groupBy('name_key').having((eb) => eb.fn.countAll(), '>', 1).limit(limit).execute(),
    ]);
    phoneKeys = phones.map((r) => r.phone_key!);
    nameKeys = names.map((r) => r.name_key!);
  }
  if (phoneKeys.length + nameKeys.length === 0) return [];
  const rows = await db
    .selectFrom('candidates')
    .select([...columns])
    .where('merged_into_id', 'is', null)
    .where((eb) => eb.or([...(phoneKeys.length ? [eb('phone_key', 'in', phoneKeys)] : []), ...(nameKeys.length ? [eb('name_key', 'in', nameKeys)] : [])]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const pairs = new Map<string, DuplicatePair>();
  const group = (key: 'phone_key' | 'name_key', keys: string[]) => {
    for (const k of keys) {
      const members = rows.filter((r) => r[key] === k);
      const [first, ...others] = members;
      for (const other of others) {
        if (opts.candidateId && first!.id !== opts.candidateId && other.id !== opts.candidateId) continue;
        const id = `${first!.id}|${other.id}`;
        const pair = pairs.get(id) ?? { older: strip(first!), newer: strip(other), samePhone: false, sameNameAndTown: false };
        if (key === 'phone_key') pair.samePhone = true;
        else pair.sameNameAndTown = true;
        pairs.set(id, pair);
      }
    }
  };
  group('phone_key', phoneKeys);
  group('name_key', nameKeys);
  return [...pairs.values()]
    .sort((a, b) => Number(b.samePhone && b.sameNameAndTown) - Number(a.samePhone && a.sameNameAndTown) || b.newer.createdAt.localeCompare(a.newer.createdAt))
    .slice(0, limit);
}

function strip(r: DuplicateFile & { phone_key: string | null; name_key: string | null }): DuplicateFile {
  const { phone_key: _p, name_key: _n, ...rest } = r;
  return rest;
}
