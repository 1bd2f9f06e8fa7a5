import { recordAudit } from '../../platform/audit/audit.ts';
import { zonedWallTimeToUtc, zonedParts } from '../../platform/time.ts';
import type { Services } from '../../services.ts';
import { labelOf } from '../registrations/registration.ts';
import { agentEntryKinds } from './candidate-file.ts';
import type { EntryForm } from './candidate-schemas.ts';
import { loadEditableFile } from './file-access.ts';
import { recordTimelineEvent } from './timeline.ts';
import type { AgentActor } from './update-candidate-file.ts';

/**
 * An agent writes on the file what the platform cannot know: a note, a call, an interview. Keeps:
 * only who may edit the file; a form sent twice writes once (its submission key); an entry dated
 * today is dated now, one of an earlier day at noon of that day; the audit says an entry was added,
 * never what it says.
 */
export async function addAgentEntry(s: Services, input: { candidateId: string; submission: string; form: EntryForm } & AgentActor): Promise<{ added: boolean }> {
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const zone = s.territory.timezone;
    const file = await loadEditableFile(s.db, trx, input.candidateId, input.agent);
    const f = input.form;
    const at = f.date === zonedParts(now, zone).date ? now : zonedWallTimeToUtc(f.date, '12:00', zone);
    const label = labelOf(agentEntryKinds, f.kind)!;
    const firstLine = f.text.split('\n')[0]!;
    const added = await recordTimelineEvent(trx, {
      candidateId: file.id,
      at,
      kind: f.kind,
      dedupeKey: `entry:${input.submission}`,
      actor: { type: 'agent', id: input.agent.id },
      summary: `${label} : ${firstLine.length > 140 ? `${firstLine.slice(0, 139)}…` : firstLine}`,
      data: { text: f.text },
    });
    if (added) await recordAudit(trx, now, { type: 'agent', id: input.agent.id, ip: input.ip ?? null }, 'candidate.entry-added', { type: 'candidate', id: file.id }, { kind: f.kind, date: f.date });
    return { added };
  });
}
