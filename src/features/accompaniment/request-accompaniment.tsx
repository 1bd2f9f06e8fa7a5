import { randomUUID } from 'node:crypto';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import { EmailLayout, renderEmailHtml } from '../../platform/email/email-layout.tsx';
import type { Transaction } from 'kysely';
import type { CandidateStage, Database } from '../../platform/db/schema.ts';
import type { Services } from '../../services.ts';
import { candidateKeys } from '../candidates/candidate-file.ts';
import { changeStage } from '../candidates/change-stage.ts';
import { recordAccompanimentRequest } from '../candidates/journey-events.ts';
import { enqueueReferentAssignment } from '../referents/assign-referent.ts';
import { labelOf } from '../registrations/registration.ts';
import { horizons } from '../registrations/registration.ts';
import { movers, needs, type AccompanimentForm } from './accompaniment.ts';

/**
 * A registrant asks to be accompanied by a referent ("concrétiser"). Keeps: one open request per
 * person (asking again adds nothing and tells them it is already in hand); the team is told by e-mail
 * and sees it on the dashboard; a file still at its first contact becomes a qualified project (the
 * household has said what, when, who and which help); the request, the e-mails, the audit entry and
 * the timeline are committed together.
 */
export async function requestAccompaniment(s: Services, input: { registrationId: string; form: AccompanimentForm; actor: Actor }): Promise<{ outcome: 'created' | 'existing' }> {
  const out = await s.db.transaction(async (trx) => {
    const reg = await trx
      .selectFrom('registrations')
      .innerJoin('candidates', 'candidates.id', 'registrations.candidate_id')
      .select(['registrations.id', 'registrations.webinar_id', 'registrations.candidate_id', 'candidates.email', 'candidates.email_normalized', 'candidates.first_name', 'candidates.last_name', 'candidates.phone', 'candidates.town', 'candidates.stage'])
      .where('registrations.id', '=', input.registrationId)
      .executeTakeFirstOrThrow();
    return openAccompanimentRequest(s, trx, s.clock.now(), reg, input);
  });
  if (out.outcome === 'created') {
    s.mailQueued();
    s.jobQueued();
  }
  return { outcome: out.outcome };
}

/** Who asks: the person's file, and the registration it came from (none from the first contact form). */
export interface AccompanimentAsker {
  /** The registration the request comes from, if any. */
  id: string | null;
  webinar_id: string | null;
  candidate_id: string;
  email: string;
  email_normalized: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  town: string | null;
  stage: CandidateStage | null;
}

/**
 * The request itself, in the caller's transaction, with the rules of requestAccompaniment: shared by
 * the private link's "concrétiser" and the first contact form. The caller wakes the mail and job
 * workers after its commit when the outcome is "created".
 */
export async function openAccompanimentRequest(s: Services, trx: Transaction<Database>, now: Date, reg: AccompanimentAsker, input: { form: AccompanimentForm; actor: Actor }): Promise<{ outcome: 'created' | 'existing'; requestId: string | null }> {
  const open = await trx.selectFrom('accompaniment_requests').select('id').where('candidate_id', '=', reg.candidate_id).where('status', '!=', 'closed').executeTakeFirst();
  if (open) return { outcome: 'existing' as const, requestId: open.id };
  const f = input.form;
  const id = randomUUID();
  await trx
    .insertInto('accompaniment_requests')
    .values({ id, candidate_id: reg.candidate_id, registration_id: reg.id, webinar_id: reg.webinar_id, project: f.project, horizon: f.horizon, movers: f.movers, needs: JSON.stringify(f.needs), message: f.message, status: 'new', created_at: now.toISOString() })
    .execute();
  await trx
    .updateTable('candidates')
    .set({ horizon: f.horizon, phone: f.phone ?? reg.phone, last_contact_at: now.toISOString(), updated_at: now.toISOString(), ...candidateKeys({ ...reg, phone: f.phone ?? reg.phone }) })
    .where('id', '=', reg.candidate_id)
    .execute();
  const t = s.territory;
  const name = `${reg.first_name} ${reg.last_name}`;
  const needList = f.needs.map((n) => labelOf(needs, n)).join(', ') || 'non précisée';
  const lines = [
    `${name} (${reg.email}${f.phone ? `, ${f.phone}` : ''}) demande à être accompagné·e.`,
    '',
    `Projet : ${f.project}`,
    `Quand : ${labelOf(horizons, f.horizon)}`,
    `Qui s’installerait : ${labelOf(movers, f.movers)}`,
    `Aide souhaitée : ${needList}`,
    ...(f.message ? [`Message : ${f.message}`] : []),
    '',
    `Sa fiche : ${s.config.publicUrl}/admin/candidats/${reg.candidate_id}`,
  ];
  const teamHtml = await renderEmailHtml(
    <EmailLayout brand={{ programmeName: t.programmeName, primary: t.identity.colours.primary, footer: `${t.programmeName} · espace de gestion` }} title="Nouvelle demande d’accompagnement">
      {lines.map((l) => (l ? <p>{l}</p> : null))}
    </EmailLayout>,
  );
  await enqueueEmail(trx, now, { dedupeKey: `accompaniment:${id}:team`, kind: 'accompaniment-team', to: t.contact.email, subject: `Demande d’accompagnement : ${name}`, html: teamHtml, text: lines.join('\n') });
  const personText = [
    `Bonjour ${reg.first_name},`,
    '',
    `Votre demande d’accompagnement est bien reçue. Un référent ${t.programmeName} vous contactera dans les prochains jours${f.phone ? ' par téléphone ou' : ''} par e-mail pour faire le point sur votre projet.`,
    '',
    `L’équipe ${t.programmeName}`,
  ].join('\n');
  const personHtml = await renderEmailHtml(
    <EmailLayout brand={{ programmeName: t.programmeName, primary: t.identity.colours.primary, footer: `${t.authority.name} · ${t.contact.email}` }} title="Votre demande d’accompagnement">
      {personText.split('\n').map((l) => (l ? <p>{l}</p> : null))}
    </EmailLayout>,
  );
  await enqueueEmail(trx, now, { dedupeKey: `accompaniment:${id}:person`, kind: 'accompaniment-received', to: reg.email, subject: 'Votre demande d’accompagnement est bien reçue', html: personHtml, text: personText, candidateId: reg.candidate_id, registrationId: reg.id, webinarId: reg.webinar_id });
  await recordAudit(trx, now, input.actor, 'accompaniment.requested', { type: 'accompaniment', id }, { candidateId: reg.candidate_id, webinarId: reg.webinar_id });
  // A referent is chosen by a job after the commit (ADR 0013): the request never waits on the rotation.
  await enqueueReferentAssignment(trx, now, id);
  await recordAccompanimentRequest(trx, { candidateId: reg.candidate_id, requestId: id, project: f.project, at: now, actor: input.actor });
  if ((reg.stage ?? 'contact') === 'contact') await changeStage(trx, { candidateId: reg.candidate_id, to: 'qualified', at: now, actor: input.actor, dedupeKey: `stage:accompaniment:${id}` });
  return { outcome: 'created' as const, requestId: id };
}
