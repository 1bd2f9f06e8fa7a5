import type { HouseholdMemberTable } from '../../platform/db/schema.ts';
import { NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { labelOf } from '../registrations/registration.ts';
import { schoolNeeds } from './candidate-file.ts';
import type { MemberForm } from './candidate-schemas.ts';
import { loadEditableFile } from './file-access.ts';
import { recordFileEdit, type AgentActor } from './update-candidate-file.ts';

/** "Léa, enfant de 8 ans (école élémentaire)", "adulte, infirmière, cherche un emploi": how a member reads in the timeline. */
export function describeMember(m: Pick<HouseholdMemberTable, 'kind' | 'first_name' | 'age' | 'occupation' | 'needs_job' | 'school_need'>): string {
  const who = [m.first_name, m.kind === 'child' ? `enfant${m.age !== null ? ` de ${m.age} an${m.age > 1 ? 's' : ''}` : ''}` : `adulte${m.age !== null ? ` de ${m.age} ans` : ''}`].filter(Boolean).join(', ');
  const more = m.kind === 'child' ? (m.school_need ? ` (${labelOf(schoolNeeds, m.school_need)?.toLowerCase()})` : '') : [m.occupation ? `, ${m.occupation}` : '', m.needs_job ? ', cherche un emploi' : ''].join('');
  return `${who}${more}`;
}

/**
 * Adds a person to the household, or corrects one. Keeps: only who may edit the file; a form sent
 * twice adds the person once (its submission key is the member's id); the audit and the timeline.
 */
export async function saveHouseholdMember(s: Services, input: { candidateId: string; memberId: string; isNew: boolean; form: MemberForm } & AgentActor): Promise<{ created: boolean }> {
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const file = await loadEditableFile(s.db, trx, input.candidateId, input.agent);
    const f = input.form;
    const values = { kind: f.kind as HouseholdMemberTable['kind'], first_name: f.firstName, age: f.age, occupation: f.occupation, needs_job: f.needsJob, school_need: f.schoolNeed };
    const existing = await trx.selectFrom('household_members').selectAll().where('id', '=', input.memberId).executeTakeFirst();
    if (existing && existing.candidate_id !== file.id) throw new NotFound('Personne du foyer introuvable');
    if (!existing && !input.isNew) throw new NotFound('Personne du foyer introuvable');
    if (existing && input.isNew) return { created: false };
    if (existing) {
      await trx.updateTable('household_members').set(values).where('id', '=', existing.id).execute();
    } else {
      await trx.insertInto('household_members').values({ id: input.memberId, candidate_id: file.id, ...values, created_at: now.toISOString() }).execute();
    }
    await trx.updateTable('candidates').set({ updated_at: now.toISOString() }).where('id', '=', file.id).execute();
    await recordFileEdit(trx, now, input, {
      candidateId: file.id,
      action: existing ? 'candidate.member-updated' : 'candidate.member-added',
      kind: 'household',
      summary: existing ? `Foyer : ${describeMember(values)} (modifié)` : `Foyer : ajout de ${describeMember(values)}`,
      details: { memberId: input.memberId, kind: values.kind },
    });
    return { created: !existing };
  });
}

/** Removes a person from the household (asked for on a confirmation page). Removing twice changes nothing. */
export async function removeHouseholdMember(s: Services, input: { candidateId: string; memberId: string } & AgentActor): Promise<{ removed: boolean }> {
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const file = await loadEditableFile(s.db, trx, input.candidateId, input.agent);
    const m = await trx.selectFrom('household_members').selectAll().where('id', '=', input.memberId).where('candidate_id', '=', file.id).executeTakeFirst();
    if (!m) return { removed: false };
    await trx.deleteFrom('household_members').where('id', '=', m.id).execute();
    await trx.updateTable('candidates').set({ updated_at: now.toISOString() }).where('id', '=', file.id).execute();
    await recordFileEdit(trx, now, input, { candidateId: file.id, action: 'candidate.member-removed', kind: 'household', summary: `Foyer : ${describeMember(m)} ne fait plus partie du foyer`, details: { memberId: m.id, kind: m.kind } });
    return { removed: true };
  });
}
