import { randomUUID } from 'node:crypto';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import type { Services } from '../../services.ts';
import { openAccompanimentRequest } from '../accompaniment/request-accompaniment.tsx';
import { upsertCandidate } from '../candidates/candidates-repository.ts';
import { recordTimelineEvent } from '../candidates/timeline.ts';
import { normalizeEmail } from '../registrations/registration.ts';
import { householdOf, KEEP_DAYS, registrationProjectOf, schoolNeedOf, type StepValues } from './contact-form.ts';

/**
 * Sends a first contact form, once: the form is claimed by a conditional update (a double click, a
 * second tab, a replayed post do nothing more). Creates or completes the household's file found by
 * e-mail (the same file the Rencontres feed), writes its people if it has none yet, the project, and
 * opens an accompaniment request with the rules of the private link's (team and person told, a
 * referent chosen after the commit); the timeline and the audit say it; the answers are then deleted
 * from the form, which keeps only the file it made.
 */
export async function submitContactForm(s: Services, input: { formId: string; values: StepValues; source: string | null; ip?: string | null }): Promise<{ outcome: 'sent' | 'already'; candidateId: string | null }> {
  const out = await s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const nowIso = now.toISOString();
    const claimed = await trx.updateTable('contact_forms').set({ submitted_at: nowIso, updated_at: nowIso, step: 'envoye' }).where('id', '=', input.formId).where('submitted_at', 'is', null).executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return { outcome: 'already' as const, candidateId: null, created: false };
    const { vous, foyer, projet, lieu, quand, aide } = input.values;
    const { candidate } = await upsertCandidate(
      trx,
      now,
      {
        email: vous.email,
        emailNormalized: normalizeEmail(vous.email),
        firstName: vous.firstName,
        lastName: vous.lastName,
        phone: vous.phone,
        postcode: vous.postcode,
        town: vous.town,
        country: vous.country,
        project: registrationProjectOf[projet.projectType as keyof typeof registrationProjectOf] ?? 'autre',
        household: householdOf[foyer.movers] ?? null,
        horizon: quand.horizon,
        desiredRegion: lieu.region,
      },
      { source: input.source, webinarId: null, newsOptIn: false },
    );
    await trx
      .updateTable('candidates')
      .set({ project_type: projet.projectType, housing_plan: lieu.housing, ...(lieu.commune ? { desired_commune: lieu.commune } : {}), updated_at: nowIso })
      .where('id', '=', candidate.id)
      .execute();
    // The people of the household, when the file has none yet: what agents already wrote stays.
    const hasMembers = await trx.selectFrom('household_members').select('id').where('candidate_id', '=', candidate.id).limit(1).executeTakeFirst();
    if (!hasMembers) {
      const members = [
        { kind: 'adult' as const, first_name: vous.firstName, age: null, occupation: foyer.occupation, needs_job: projet.projectType === 'salarie' ? 1 : 0, school_need: null },
        ...(foyer.movers === 'couple' || foyer.movers === 'famille' ? [{ kind: 'adult' as const, first_name: null, age: null, occupation: foyer.partnerOccupation, needs_job: foyer.partnerNeedsJob ? 1 : 0, school_need: null }] : []),
        ...foyer.childrenAges.map((age) => ({ kind: 'child' as const, first_name: null, age, occupation: null, needs_job: 0, school_need: schoolNeedOf(age) })),
      ];
      for (const m of members) await trx.insertInto('household_members').values({ id: randomUUID(), candidate_id: candidate.id, ...m, created_at: nowIso }).execute();
    }
    const actor: Actor = { type: 'candidate', id: candidate.id, ip: input.ip ?? null };
    const request = await openAccompanimentRequest(
      s,
      trx,
      now,
      { id: null, webinar_id: null, candidate_id: candidate.id, email: candidate.email, email_normalized: candidate.email_normalized, first_name: candidate.first_name, last_name: candidate.last_name, phone: candidate.phone, town: candidate.town, stage: candidate.stage ?? null },
      { form: { project: projet.description, horizon: quand.horizon, movers: foyer.movers, needs: aide.needs, phone: vous.phone, message: aide.message }, actor },
    );
    await recordTimelineEvent(trx, {
      candidateId: candidate.id,
      at: now,
      kind: 'contact-form',
      dedupeKey: `contact-form:${input.formId}`,
      actor: { type: 'candidate', id: candidate.id },
      subject: { type: 'contact-form', id: input.formId },
      summary: `Formulaire de premier contact envoyé${request.outcome === 'existing' ? ' (une demande d’accompagnement était déjà en cours)' : ''} : ${projet.description.slice(0, 200)}`,
      data: { requestId: request.requestId, requestOutcome: request.outcome },
    });
    await recordAudit(trx, now, actor, 'contact-form.submitted', { type: 'contact-form', id: input.formId }, { candidateId: candidate.id, requestId: request.requestId });
    // The answers now live in the file: the form keeps no copy of them.
    await trx.updateTable('contact_forms').set({ data: '{}', candidate_id: candidate.id }).where('id', '=', input.formId).execute();
    return { outcome: 'sent' as const, candidateId: candidate.id, created: request.outcome === 'created' };
  });
  if (out.created) {
    s.mailQueued();
    s.jobQueued();
  }
  return { outcome: out.outcome, candidateId: out.candidateId };
}

/** Deletes the forms left untouched for KEEP_DAYS days, finished or not: nobody's answers linger. */
export async function purgeContactForms(s: Services): Promise<number> {
  const before = new Date(s.clock.now().getTime() - KEEP_DAYS * 86_400_000).toISOString();
  const r = await s.db.kysely.deleteFrom('contact_forms').where('updated_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
