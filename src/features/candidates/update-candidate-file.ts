import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../platform/audit/audit.ts';
import type { AgentRow, CandidateRow } from '../../platform/db/schema.ts';
import { DomainError } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { normalizeEmail } from '../registrations/registration.ts';
import { candidateKeys } from './candidate-file.ts';
import type { IdentityForm } from './candidate-schemas.ts';
import { loadEditableFile } from './file-access.ts';
import { recordTimelineEvent } from './timeline.ts';

export interface AgentActor {
  agent: Pick<AgentRow, 'id' | 'role' | 'name'>;
  ip?: string | null;
}

/** What an agent's change of the file writes besides the file: the audit entry and the timeline, with the fields' names (never their values). */
export async function recordFileEdit(
  trx: Parameters<typeof recordTimelineEvent>[0],
  now: Date,
  by: AgentActor,
  e: { candidateId: string; action: string; kind: string; summary: string; details?: Record<string, unknown> },
): Promise<void> {
  await recordAudit(trx, now, { type: 'agent', id: by.agent.id, ip: by.ip ?? null }, e.action, { type: 'candidate', id: e.candidateId }, e.details ?? {});
  await recordTimelineEvent(trx, {
    candidateId: e.candidateId,
    at: now,
    kind: e.kind,
    dedupeKey: `${e.kind}:${randomUUID()}`,
    actor: { type: 'agent', id: by.agent.id },
    summary: e.summary,
    data: e.details,
  });
}

/** The labels of the fields whose value changed, in the form's order. */
export function changedFields<T extends Record<string, unknown>>(before: T, after: Partial<T>, labels: Partial<Record<keyof T, string>>): string[] {
  return (Object.keys(labels) as Array<keyof T>).filter((k) => k in after && (after[k] ?? null) !== (before[k] ?? null)).map((k) => labels[k]!);
}

const identityLabels: Partial<Record<keyof CandidateRow, string>> = {
  first_name: 'prénom',
  last_name: 'nom',
  email: 'e-mail',
  phone: 'téléphone',
  postcode: 'code postal',
  town: 'commune',
  country: 'pays',
};

/**
 * An agent corrects who the household is. Keeps: only who may edit the file (loadEditableFile); one
 * file per e-mail (an address another file has is refused: that is a merge); the search keys follow
 * the name and phone; the audit and the timeline say which fields changed.
 */
export async function updateIdentity(s: Services, input: { candidateId: string; form: IdentityForm } & AgentActor): Promise<{ changed: string[] }> {
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const file = await loadEditableFile(s.db, trx, input.candidateId, input.agent);
    const f = input.form;
    const emailNormalized = normalizeEmail(f.email);
    if (emailNormalized !== file.email_normalized) {
      const other = await trx.selectFrom('candidates').select('id').where('email_normalized', '=', emailNormalized).executeTakeFirst();
      if (other) throw new DomainError('email-taken', 'Une autre fiche a déjà cette adresse e-mail : s’il s’agit du même foyer, fusionnez les deux fiches depuis la page des doublons');
    }
    const patch = { first_name: f.firstName, last_name: f.lastName, email: f.email, email_normalized: emailNormalized, phone: f.phone, postcode: f.postcode, town: f.town, country: f.country };
    const changed = changedFields(file, patch, identityLabels);
    if (changed.length === 0) return { changed };
    await trx
      .updateTable('candidates')
      .set({ ...patch, ...candidateKeys({ ...file, ...patch }), updated_at: now.toISOString() })
      .where('id', '=', file.id)
      .execute();
    await recordFileEdit(trx, now, input, { candidateId: file.id, action: 'candidate.identity-updated', kind: 'profile', summary: `Identité modifiée : ${changed.join(', ')}`, details: { fields: changed } });
    return { changed };
  });
}

const projectLabels: Partial<Record<keyof CandidateRow, string>> = {
  project_type: 'type de projet',
  project_sector: 'secteur',
  project_maturity: 'maturité',
  horizon: 'horizon',
  desired_region: 'région envisagée',
  desired_commune: 'commune envisagée',
  housing_plan: 'logement',
  driving_licence: 'permis de conduire',
};

export interface ProjectChange {
  project_type: string | null;
  project_sector: string | null;
  project_maturity: string | null;
  horizon: string | null;
  desired_region: string | null;
  /** An INSEE code from the communes table, or the name as typed when the territory's communes are not loaded. */
  desired_commune: string | null;
  housing_plan: string | null;
  driving_licence: number | null;
}

/**
 * An agent records where the household's project stands. Keeps: only who may edit the file; the
 * audit and the timeline say which parts changed.
 */
export async function updateProject(s: Services, input: { candidateId: string; project: ProjectChange } & AgentActor): Promise<{ changed: string[] }> {
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const file = await loadEditableFile(s.db, trx, input.candidateId, input.agent);
    const changed = changedFields(file, input.project, projectLabels);
    if (changed.length === 0) return { changed };
    await trx
      .updateTable('candidates')
      .set({ ...input.project, updated_at: now.toISOString() })
      .where('id', '=', file.id)
      .execute();
    await recordFileEdit(trx, now, input, { candidateId: file.id, action: 'candidate.project-updated', kind: 'profile', summary: `Projet modifié : ${changed.join(', ')}`, details: { fields: changed } });
    return { changed };
  });
}
