import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../platform/audit/audit.ts';
import type { CandidateStage, Database } from '../../platform/db/schema.ts';
import { recordTimelineEvent } from './timeline.ts';

export const stages: ReadonlyArray<{ value: CandidateStage; label: string }> = [
  { value: 'contact', label: 'Premier contact' },
  { value: 'qualified', label: 'Projet qualifié' },
  { value: 'accompanied', label: 'Accompagné·e' },
  { value: 'visit', label: 'Visite ou immersion' },
  { value: 'decision', label: 'Décision' },
  { value: 'installed', label: 'Installé·e' },
  { value: 'followed-up', label: 'Suivi après installation' },
  { value: 'abandoned', label: 'Abandon' },
  { value: 'dormant', label: 'En sommeil' },
];

export const abandonReasons = [
  { value: 'emploi', label: 'Pas d’emploi trouvé' },
  { value: 'emploi-conjoint', label: 'Pas d’emploi pour le conjoint' },
  { value: 'logement', label: 'Pas de logement adapté' },
  { value: 'famille', label: 'Raisons familiales' },
  { value: 'autre-territoire', label: 'Installé·e sur un autre territoire' },
  { value: 'projet-abandonne', label: 'Projet abandonné' },
  { value: 'sans-nouvelles', label: 'Sans nouvelles' },
  { value: 'autre', label: 'Autre raison' },
] as const;

export function stageLabel(stage: string | null): string {
  return stages.find((s) => s.value === (stage ?? 'contact'))?.label ?? stage ?? 'Premier contact';
}

/** "Étape : Accompagné·e → Abandon (Pas de logement adapté)": a stage change as the timeline says it. */
export function stageChangeSummary(from: string | null, to: string, reason: string | null): string {
  const why = to === 'abandoned' && reason ? ` (${abandonReasons.find((r) => r.value === reason)?.label ?? reason})` : '';
  return `Étape : ${stageLabel(from)} → ${stageLabel(to)}${why}`;
}

/**
 * Moves a household's file to a stage, with the date, in the caller's transaction: the file, the
 * history of stages (what the statistics read) and the timeline change together. Moving to the stage
 * it is already in changes nothing. Abandoning needs a reason from the list.
 */
export async function changeStage(
  trx: Transaction<Database> | Kysely<Database>,
  input: { candidateId: string; to: CandidateStage; reason?: string | null; at: Date; actor: Actor; dedupeKey?: string },
): Promise<boolean> {
  const current = await trx.selectFrom('candidates').select(['stage']).where('id', '=', input.candidateId).executeTakeFirstOrThrow();
  const from = current.stage ?? 'contact';
  if (from === input.to) return false;
  if (input.to === 'abandoned' && !abandonReasons.some((r) => r.value === input.reason)) throw new Error('an abandonment needs a reason from the list');
  const at = input.at.toISOString();
  await trx
    .updateTable('candidates')
    .set({ stage: input.to, stage_changed_at: at, abandon_reason: input.to === 'abandoned' ? (input.reason ?? null) : null, updated_at: at })
    .where('id', '=', input.candidateId)
    .execute();
  const id = randomUUID();
  await trx
    .insertInto('stage_changes')
    .values({ id, candidate_id: input.candidateId, from_stage: from, to_stage: input.to, reason: input.reason ?? null, at, actor_type: input.actor.type, actor_id: input.actor.id })
    .execute();
  await recordTimelineEvent(trx, {
    candidateId: input.candidateId,
    at: input.at,
    kind: 'stage',
    dedupeKey: input.dedupeKey ?? `stage:${id}`,
    actor: { type: input.actor.type === 'anonymous' ? 'anonymous' : input.actor.type, id: input.actor.id },
    subject: { type: 'stage-change', id },
    summary: stageChangeSummary(from, input.to, input.reason ?? null),
    data: { from, to: input.to, reason: input.reason ?? null },
  });
  return true;
}
