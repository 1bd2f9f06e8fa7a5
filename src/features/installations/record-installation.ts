import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../platform/audit/audit.ts';
import { lockRow } from '../../platform/db/database.ts';
import type { AgentRow } from '../../platform/db/schema.ts';
import { DomainError, Forbidden, NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { changeStage } from '../candidates/change-stage.ts';
import { recordTimelineEvent } from '../candidates/timeline.ts';
import { canActOnFile } from '../referents/referent.ts';
import { formatDay } from '../tasks/task.ts';
import { regionLabel } from '../territory/territory.ts';
import { newFollowUpToken } from './follow-up-token.ts';
import { activities, departureReasons, followUpDays, labelOf, type DepartureForm, type InstallationForm } from './installation.ts';

/**
 * Records that a household has settled. Keeps: one current installation per household (a new one
 * only after a recorded departure); the commune from the territory's list when chosen there; the
 * file moves to "installed"; the follow-ups at 3, 6 and 12 months are written with their days (one
 * per installation and month, the database refuses a second); timeline and audit, all together.
 */
export async function recordInstallation(s: Services, input: { candidateId: string; form: InstallationForm; by: AgentRow; ip?: string | null }): Promise<string> {
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const nowIso = now.toISOString();
    if (!(await lockRow(s.db, trx, 'candidates', input.candidateId))) throw new NotFound('Dossier introuvable');
    const candidate = await trx.selectFrom('candidates').select(['id', 'referent_id']).where('id', '=', input.candidateId).executeTakeFirstOrThrow();
    if (!canActOnFile(input.by, candidate.referent_id)) throw new Forbidden('Seul un administrateur ou le référent de ce dossier peut enregistrer son installation.');
    const current = await trx.selectFrom('installations').select(['installed_on']).where('candidate_id', '=', candidate.id).where('left_on', 'is', null).executeTakeFirst();
    if (current) throw new DomainError('already-installed', `Ce foyer est déjà installé depuis le ${formatDay(current.installed_on)} : enregistrez d’abord son départ s’il a quitté le territoire.`);
    const f = input.form;
    let communeName = f.communeName;
    let regionKey = f.regionKey;
    let communeCode: string | null = null;
    if (f.communeCode) {
      const commune = await trx.selectFrom('communes').select(['code', 'name', 'region_key']).where('code', '=', f.communeCode).executeTakeFirst();
      if (!commune) throw new DomainError('unknown-commune', 'Choisissez une commune de la liste');
      communeCode = commune.code;
      communeName = commune.name;
      regionKey = regionKey ?? commune.region_key;
    }
    const id = randomUUID();
    await trx
      .insertInto('installations')
      .values({ id, candidate_id: candidate.id, installed_on: f.installedOn, commune_code: communeCode, commune_name: communeName!, region_key: regionKey, adults: f.adults, children: f.children, activity: f.activity, employer: f.employer, housing: f.housing, left_on: null, left_reason: null, created_by: input.by.id, created_at: nowIso })
      .execute();
    for (const fu of followUpDays(f.installedOn)) {
      const fid = randomUUID();
      const token = newFollowUpToken(s.tokenKey, fid);
      await trx
        .insertInto('follow_ups')
        .values({ id: fid, installation_id: id, candidate_id: candidate.id, months: fu.months, due_on: fu.dueOn, status: 'scheduled', token_nonce: token.nonce, answer_token_hash: token.hash, sent_at: null, answered_at: null, wellbeing: null, needs_help: null, message: null, still_there: null })
        .execute();
    }
    const actor = { type: 'agent' as const, id: input.by.id, ip: input.ip ?? null };
    await changeStage(trx, { candidateId: candidate.id, to: 'installed', at: now, actor, dedupeKey: `stage:installed:${id}` });
    const region = regionLabel(s.territory, regionKey);
    await recordTimelineEvent(trx, {
      candidateId: candidate.id,
      at: now,
      kind: 'installation',
      dedupeKey: `installation:${id}`,
      actor: { type: 'agent', id: input.by.id },
      subject: { type: 'installation', id },
      summary: `Installé·e à ${communeName}${region ? ` (${region})` : ''} le ${formatDay(f.installedOn)} : ${f.adults} adulte${f.adults > 1 ? 's' : ''}, ${f.children} enfant${f.children > 1 ? 's' : ''}, ${labelOf(activities, f.activity)!.toLowerCase()}${f.employer ? ` (${f.employer})` : ''}`,
      data: { installedOn: f.installedOn, communeCode, communeName, regionKey, activity: f.activity },
    });
    await recordAudit(trx, now, actor, 'installation.recorded', { type: 'installation', id }, { candidateId: candidate.id, installedOn: f.installedOn });
    return id;
  });
}

/**
 * Records that a settled household has left the territory, once: the date and the reason go on the
 * installation, the follow-ups still to send are cancelled, the timeline and the audit say it.
 */
export async function recordDeparture(s: Services, input: { installationId: string; form: DepartureForm; by: AgentRow; ip?: string | null }): Promise<void> {
  await s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const inst = await trx.selectFrom('installations').innerJoin('candidates', 'candidates.id', 'installations.candidate_id').select(['installations.id', 'installations.candidate_id', 'installations.commune_name', 'candidates.referent_id']).where('installations.id', '=', input.installationId).executeTakeFirst();
    if (!inst) throw new NotFound('Installation introuvable');
    if (!canActOnFile(input.by, inst.referent_id)) throw new Forbidden('Seul un administrateur ou le référent de ce dossier peut enregistrer ce départ.');
    const r = await trx.updateTable('installations').set({ left_on: input.form.leftOn, left_reason: input.form.reason }).where('id', '=', inst.id).where('left_on', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new DomainError('already-left', 'Le départ de ce foyer est déjà enregistré.');
    await trx.updateTable('follow_ups').set({ status: 'cancelled' }).where('installation_id', '=', inst.id).where('status', '=', 'scheduled').execute();
    await recordTimelineEvent(trx, {
      candidateId: inst.candidate_id,
      at: now,
      kind: 'installation',
      dedupeKey: `installation:${inst.id}:left`,
      actor: { type: 'agent', id: input.by.id },
      subject: { type: 'installation', id: inst.id },
      summary: `Départ du territoire (${inst.commune_name}) le ${formatDay(input.form.leftOn)} : ${labelOf(departureReasons, input.form.reason)}`,
      data: { leftOn: input.form.leftOn, reason: input.form.reason },
    });
    await recordAudit(trx, now, { type: 'agent', id: input.by.id, ip: input.ip ?? null }, 'installation.departure-recorded', { type: 'installation', id: inst.id }, { candidateId: inst.candidate_id, leftOn: input.form.leftOn, reason: input.form.reason });
  });
}
