import { recordAudit } from '../../platform/audit/audit.ts';
import type { CandidateStage } from '../../platform/db/schema.ts';
import type { Services } from '../../services.ts';
import { changeStage } from './change-stage.ts';
import { loadEditableFile } from './file-access.ts';
import type { AgentActor } from './update-candidate-file.ts';

/**
 * An agent moves a household's file to a stage (abandoned with a reason from the list, dormant…).
 * Keeps: only who may edit the file; the stage, its history with the date, the timeline (changeStage)
 * and the audit together; the stage it is already in changes nothing.
 */
export async function moveStage(s: Services, input: { candidateId: string; stage: CandidateStage; reason: string | null } & AgentActor): Promise<{ changed: boolean }> {
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const file = await loadEditableFile(s.db, trx, input.candidateId, input.agent);
    const changed = await changeStage(trx, { candidateId: file.id, to: input.stage, reason: input.reason, at: now, actor: { type: 'agent', id: input.agent.id, ip: input.ip ?? null } });
    if (changed) await recordAudit(trx, now, { type: 'agent', id: input.agent.id, ip: input.ip ?? null }, 'candidate.stage-changed', { type: 'candidate', id: file.id }, { from: file.stage ?? 'contact', to: input.stage, reason: input.reason });
    return { changed };
  });
}
