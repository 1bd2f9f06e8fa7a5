import { randomUUID } from 'node:crypto';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import type { AgentRow } from '../../platform/db/schema.ts';
import type { Services } from '../../services.ts';
import type { ContentDocument, ContentVersion } from './content.ts';
import { contentChanged } from './content-base.ts';
import { findVersion, insertVersion, latestVersion } from './content-repository.ts';

export type ContentConflict = DomainError<'content-conflict'> & { latest: ContentVersion };

function conflict(latest: ContentVersion): ContentConflict {
  const e = new DomainError(
    'content-conflict',
    `Cette page a été modifiée entre-temps par ${latest.createdByName} (version ${latest.number}). Vos modifications ne sont pas encore enregistrées : relisez la version actuelle, puis enregistrez à nouveau.`,
  ) as ContentConflict;
  e.latest = latest;
  return e;
}

const isUniqueViolation = (e: unknown) => /unique|duplicate key/i.test(String((e as Error)?.message ?? e));

/**
 * Saves a page of the content base as a new version, never over an old one: every change is kept
 * with who made it and when. A save made from an outdated version (someone saved in between) is
 * refused rather than silently erasing the other change.
 */
export async function saveContentPage(
  s: Services,
  input: { pageKey: string; base: number; document: ContentDocument; comment: string | null; agent: AgentRow; actor: Actor; restoredFrom?: number | null; audit?: string },
): Promise<ContentVersion> {
  const now = s.clock.now();
  try {
    const saved = await s.db.transaction(async (trx) => {
      const latest = await latestVersion(trx, input.pageKey);
      const latestNumber = latest?.number ?? 0;
      if (latest && latestNumber !== input.base) throw conflict(latest);
      const row = {
        id: randomUUID(),
        page_key: input.pageKey,
        number: latestNumber + 1,
        document: JSON.stringify(input.document),
        created_at: now.toISOString(),
        created_by: input.agent.id,
        created_by_name: input.agent.name,
        comment: input.comment,
        restored_from: input.restoredFrom ?? null,
      };
      await insertVersion(trx, row);
      await recordAudit(trx, now, input.actor, input.audit ?? 'content.saved', { type: 'content', id: input.pageKey }, { version: row.number, restoredFrom: row.restored_from });
      return { id: row.id, pageKey: row.page_key, number: row.number, document: input.document, createdAt: row.created_at, createdBy: row.created_by, createdByName: row.created_by_name, comment: row.comment, restoredFrom: row.restored_from };
    });
    contentChanged(s.db);
    return saved;
  } catch (e) {
    // Two saves of the same version at the same moment: the unique (page, number) let one through.
    if (isUniqueViolation(e)) {
      const latest = await latestVersion(s.db.kysely, input.pageKey);
      if (latest) throw conflict(latest);
    }
    throw e;
  }
}

/**
 * Puts an earlier version back, as a new version that copies it: the history keeps the versions in
 * between (and the restore itself, with who did it), so a restore can be undone the same way.
 */
export async function restoreContentVersion(s: Services, input: { pageKey: string; number: number; base: number; agent: AgentRow; actor: Actor }): Promise<ContentVersion> {
  const old = await findVersion(s.db.kysely, input.pageKey, input.number);
  if (!old) throw new NotFound('Cette version n’existe pas.');
  return saveContentPage(s, { pageKey: input.pageKey, base: input.base, document: old.document, comment: `Version ${old.number} restaurée`, agent: input.agent, actor: input.actor, restoredFrom: old.number, audit: 'content.restored' });
}
