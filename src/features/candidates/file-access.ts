import type { Transaction } from 'kysely';
import { lockRow, type Db } from '../../platform/db/database.ts';
import type { CandidateRow, Database } from '../../platform/db/schema.ts';
import { DomainError, Forbidden, NotFound } from '../../platform/http/errors.ts';
import { canEditFile, type AgentRef } from './candidate-file.ts';
import { findCandidateById } from './candidates-repository.ts';

export const FORBIDDEN_FILE_MESSAGE = 'Cette fiche est suivie par un·e autre référent·e : vous pouvez la lire, mais seul·e son référent·e ou un administrateur peut la modifier.';
export const MERGED_FILE_MESSAGE = 'Cette fiche a été fusionnée dans une autre : c’est l’autre fiche qui se modifie.';

/**
 * The file an agent is about to change, locked for the rest of the transaction (PostgreSQL; SQLite
 * has one writer). Keeps the rule of who may edit (canEditFile) inside every write, whatever route
 * or form led there, and refuses changes to a file kept only for the record after a merge.
 */
export async function loadEditableFile(db: Db, trx: Transaction<Database>, candidateId: string, agent: AgentRef): Promise<CandidateRow> {
  if (!(await lockRow(db, trx, 'candidates', candidateId))) throw new NotFound('Fiche introuvable');
  const row = (await findCandidateById(trx, candidateId))!;
  if (!canEditFile(agent, row)) throw new Forbidden(FORBIDDEN_FILE_MESSAGE);
  if (row.merged_into_id) throw new DomainError('merged', MERGED_FILE_MESSAGE);
  return row;
}
