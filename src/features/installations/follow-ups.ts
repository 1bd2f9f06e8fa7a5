import { DateTime } from 'luxon';
import type { Transaction } from 'kysely';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import type { Database } from '../../platform/db/schema.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import type { Services } from '../../services.ts';
import { changeStage } from '../candidates/change-stage.ts';
import { recordTimelineEvent } from '../candidates/timeline.ts';
import { chooseReferent } from '../referents/assign-referent.ts';
import { createSystemTask } from '../tasks/manage-tasks.ts';
import { localToday } from '../tasks/task.ts';
import type { TaskTables } from '../tasks/task-tables.ts';
import { renderFollowUpEmail } from './follow-up-emails.tsx';
import type { FollowUpTables } from './follow-up-tables.ts';
import { followUpToken } from './follow-up-token.ts';
import { helpTopics, NO_ANSWER_DAYS, wellbeingLabels, type FollowUpAnswer } from './installation.ts';

/** Follow-up e-mails go to households from this hour of the territory's day, not at night. */
export const FOLLOW_UP_HOUR = 9;

type Trx = Transaction<Database>;

/**
 * Who gets the tasks of a household's follow-up: its referent if active, else the agent who
 * recorded the installation if active, else the rotation's choice; null with no active agent.
 */
async function followUpAssignee(s: Services, trx: Trx, candidateId: string, installationId: string): Promise<string | null> {
  const c = await trx.selectFrom('candidates').select(['referent_id', 'desired_region', 'project', 'project_type']).where('id', '=', candidateId).executeTakeFirstOrThrow();
  const inst = await trx.selectFrom('installations').select('created_by').where('id', '=', installationId).executeTakeFirst();
  for (const id of [c.referent_id, inst?.created_by]) {
    if (!id) continue;
    const a = await trx.selectFrom('agents').select('id').where('id', '=', id).where('status', '=', 'active').executeTakeFirst();
    if (a) return a.id;
  }
  return (await chooseReferent(trx, s.territory, { ...c, referent_id: null }, null))?.agent.id ?? null;
}

/**
 * Sends every follow-up that is due, once, computed from the database each time (a restart or a
 * second worker changes nothing): a follow-up is claimed by a conditional update (scheduled → sent)
 * in the transaction that writes its e-mail. If several of one installation are due together (the
 * installation was recorded late), only the latest is sent and the earlier ones are skipped.
 */
export async function sendDueFollowUps(s: Services): Promise<number> {
  const now = s.clock.now();
  const zone = s.territory.timezone;
  if (DateTime.fromJSDate(now).setZone(zone).hour < FOLLOW_UP_HOUR) return 0;
  const today = localToday(now, zone);
  const due = await s.db.kysely
    .selectFrom('follow_ups')
    .innerJoin('installations', 'installations.id', 'follow_ups.installation_id')
    .select(['follow_ups.id', 'follow_ups.installation_id', 'follow_ups.months'])
    .where('follow_ups.status', '=', 'scheduled')
    .where('follow_ups.due_on', '<=', today)
    .where('installations.left_on', 'is', null)
    .orderBy('follow_ups.installation_id')
    .orderBy('follow_ups.months')
    .limit(500)
    .execute();
  const latest = new Map<string, (typeof due)[number]>();
  for (const f of due) latest.set(f.installation_id, f);
  let sent = 0;
  for (const f of latest.values()) {
    const ok = await s.db.transaction(async (trx) => {
      const claimed = await trx.updateTable('follow_ups').set({ status: 'sent', sent_at: now.toISOString() }).where('id', '=', f.id).where('status', '=', 'scheduled').executeTakeFirst();
      if (Number(claimed.numUpdatedRows) === 0) return false;
      await trx.updateTable('follow_ups').set({ status: 'cancelled' }).where('installation_id', '=', f.installation_id).where('status', '=', 'scheduled').where('months', '<', f.months).execute();
      const row = await trx
        .selectFrom('follow_ups')
        .innerJoin('candidates', 'candidates.id', 'follow_ups.candidate_id')
        .innerJoin('installations', 'installations.id', 'follow_ups.installation_id')
        .select(['follow_ups.token_nonce', 'follow_ups.candidate_id', 'candidates.email', 'candidates.first_name', 'installations.commune_name'])
        .where('follow_ups.id', '=', f.id)
        .executeTakeFirstOrThrow();
      const mail = await renderFollowUpEmail({ territory: s.territory, publicUrl: s.config.publicUrl, firstName: row.first_name, months: f.months, commune: row.commune_name, token: followUpToken(s.tokenKey, f.id, row.token_nonce) });
      await enqueueEmail(trx, now, { dedupeKey: `follow-up:${f.id}`, kind: 'follow-up', to: row.email, ...mail, candidateId: row.candidate_id });
      await recordTimelineEvent(trx, {
        candidateId: row.candidate_id,
        at: now,
        kind: 'follow-up',
        dedupeKey: `follow-up:${f.id}:sent`,
        actor: { type: 'system', id: null },
        subject: { type: 'follow-up', id: f.id },
        summary: `Suivi à ${f.months} mois envoyé : « comment se passe votre installation ? »`,
        data: { months: f.months, step: 'sent' },
      });
      return true;
    });
    if (ok) sent++;
  }
  if (sent) s.mailQueued();
  return sent;
}

/**
 * A follow-up still without an answer fourteen days after its e-mail becomes a task for the
 * referent ("relancer"), once: the conditional update (sent → no-answer) is the claim, the task's
 * dedupe key the second lock. The household can still answer afterwards.
 */
export async function flagUnansweredFollowUps(s: Services): Promise<number> {
  const now = s.clock.now();
  const before = new Date(now.getTime() - NO_ANSWER_DAYS * 86_400_000).toISOString();
  const rows = await s.db.kysely.selectFrom('follow_ups').select(['id']).where('status', '=', 'sent').where('sent_at', '<=', before).limit(500).execute();
  let flagged = 0;
  for (const { id } of rows) {
    const ok = await s.db.transaction(async (trx) => {
      const f = await trx.selectFrom('follow_ups').innerJoin('candidates', 'candidates.id', 'follow_ups.candidate_id').select(['follow_ups.installation_id', 'follow_ups.candidate_id', 'follow_ups.months', 'candidates.first_name', 'candidates.last_name']).where('follow_ups.id', '=', id).executeTakeFirstOrThrow();
      const assignee = await followUpAssignee(s, trx, f.candidate_id, f.installation_id);
      // No active agent at all: the follow-up waits, still "sent", for the next run.
      if (!assignee) return false;
      const r = await trx.updateTable('follow_ups').set({ status: 'no-answer' }).where('id', '=', id).where('status', '=', 'sent').executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      const title = `Relancer ${f.first_name} ${f.last_name} : pas de réponse au suivi à ${f.months} mois`;
      await createSystemTask(trx, now, { dedupeKey: `follow-up-no-answer:${id}`, candidateId: f.candidate_id, assigneeId: assignee, title, dueOn: localToday(now, s.territory.timezone) });
      await recordTimelineEvent(trx, {
        candidateId: f.candidate_id,
        at: now,
        kind: 'follow-up',
        dedupeKey: `follow-up:${id}:no-answer`,
        actor: { type: 'system', id: null },
        subject: { type: 'follow-up', id },
        summary: `Pas de réponse au suivi à ${f.months} mois après ${NO_ANSWER_DAYS} jours`,
        data: { months: f.months, step: 'no-answer' },
      });
      return true;
    });
    if (ok) flagged++;
  }
  return flagged;
}

export type AnswerOutcome = 'answered' | 'already' | 'closed';

/**
 * A household answers its follow-up from the private link, once. Keeps: the answer, the timeline
 * and the stage "followed-up" together; a task for the referent when it asks for help, another when
 * it says it no longer lives here; a "relancer" task still open is closed since the answer came.
 */
export async function answerFollowUp(s: Services, input: { followUpId: string; answer: FollowUpAnswer; actor: Actor }): Promise<AnswerOutcome> {
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const f = await trx.selectFrom('follow_ups').innerJoin('candidates', 'candidates.id', 'follow_ups.candidate_id').select(['follow_ups.status', 'follow_ups.installation_id', 'follow_ups.candidate_id', 'follow_ups.months', 'candidates.first_name', 'candidates.last_name', 'candidates.stage']).where('follow_ups.id', '=', input.followUpId).executeTakeFirstOrThrow();
    if (f.status === 'answered') return 'already';
    if (f.status !== 'sent' && f.status !== 'no-answer') return 'closed';
    const a = input.answer;
    const r = await trx
      .withTables<FollowUpTables>()
      .updateTable('follow_ups')
      .set({ status: 'answered', answered_at: now.toISOString(), wellbeing: a.wellbeing, still_there: a.stillThere ? 1 : 0, needs_help: a.help.length ? 1 : 0, help_topics: JSON.stringify(a.help), message: a.message })
      .where('id', '=', input.followUpId)
      .where('status', 'in', ['sent', 'no-answer'])
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return 'already';
    const help = a.help.map((h) => helpTopics.find((x) => x.value === h)!.label.toLowerCase());
    await recordTimelineEvent(trx, {
      candidateId: f.candidate_id,
      at: now,
      kind: 'follow-up',
      dedupeKey: `follow-up:${input.followUpId}:answered`,
      actor: { type: 'candidate', id: f.candidate_id },
      subject: { type: 'follow-up', id: input.followUpId },
      summary: `Réponse au suivi à ${f.months} mois : ${wellbeingLabels[a.wellbeing - 1]!.toLowerCase()} (${a.wellbeing}/5), ${a.stillThere ? 'toujours sur le territoire' : 'ne vit plus sur le territoire'}, ${help.length ? `aide demandée : ${help.join(', ')}` : 'pas d’aide demandée'}`,
      data: { months: f.months, wellbeing: a.wellbeing, stillThere: a.stillThere, help: a.help, step: 'answered' },
    });
    if (f.stage === 'installed') await changeStage(trx, { candidateId: f.candidate_id, to: 'followed-up', at: now, actor: input.actor, dedupeKey: `stage:followed-up:${input.followUpId}` });
    const today = localToday(now, s.territory.timezone);
    const name = `${f.first_name} ${f.last_name}`;
    if (a.help.length || !a.stillThere) {
      const assignee = await followUpAssignee(s, trx, f.candidate_id, f.installation_id);
      if (assignee && a.help.length) await createSystemTask(trx, now, { dedupeKey: `follow-up-help:${input.followUpId}`, candidateId: f.candidate_id, assigneeId: assignee, title: `Aide demandée par ${name} au suivi à ${f.months} mois : ${help.join(', ')}`, dueOn: today });
      if (assignee && !a.stillThere) await createSystemTask(trx, now, { dedupeKey: `follow-up-left:${input.followUpId}`, candidateId: f.candidate_id, assigneeId: assignee, title: `${name} dit ne plus vivre sur le territoire : enregistrer son départ`, dueOn: today });
    }
    await trx
      .withTables<TaskTables>()
      .updateTable('tasks')
      .set({ status: 'done', done_at: now.toISOString(), updated_at: now.toISOString() })
      .where('dedupe_key', '=', `follow-up-no-answer:${input.followUpId}`)
      .where('status', '=', 'open')
      .execute();
    await recordAudit(trx, now, input.actor, 'follow-up.answered', { type: 'follow-up', id: input.followUpId }, { candidateId: f.candidate_id, months: f.months, needsHelp: a.help.length > 0 });
    return 'answered';
  });
}
