import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import type { AgentRow, CandidateRow, Database } from '../../platform/db/schema.ts';
import { enqueueEmail } from '../../platform/email/outbox.ts';
import { DomainError, Forbidden, NotFound } from '../../platform/http/errors.ts';
import { enqueueJob, RetryLater, type JobHandler } from '../../platform/jobs/jobs.ts';
import type { Services } from '../../services.ts';
import { changeStage } from '../candidates/change-stage.ts';
import { recordTimelineEvent } from '../candidates/timeline.ts';
import type { Territory } from '../territory/territory.ts';
import { assignmentMethodLabels, canActOnFile, OPEN_STAGES, pickByRotation, STAGES_BEFORE_ACCOMPANIED, type AgentLoad, type AssignmentMethod } from './referent.ts';
import { renderAssignedEmail } from './referent-emails.tsx';
import type { ReferentTables } from './referent-tables.ts';

export const ASSIGN_REFERENT_JOB = 'referents.assign';
/** Any constant: the PostgreSQL advisory lock that makes assignments one at a time, so that two
 * requests arriving together are not both given to the same "least loaded" agent. */
const ROTATION_LOCK = 4_807_001;

type Trx = Transaction<Database>;

/**
 * Enqueues the assignment of a new accompaniment request, in the request's own transaction: the job
 * exists if and only if the request does, and runs after the commit (ADR 0013).
 */
export function enqueueReferentAssignment(trx: Trx | Kysely<Database>, now: Date, requestId: string): Promise<boolean> {
  return enqueueJob(trx, now, { kind: ASSIGN_REFERENT_JOB, dedupeKey: `assign-referent:${requestId}`, payload: { requestId } });
}

type CandidateForChoice = Pick<CandidateRow, 'referent_id' | 'desired_region' | 'project' | 'project_type'>;

/**
 * Who should follow a household: its current referent if still active; else the territory's mapping
 * (by region, then project, then the theme of the Rencontre it came from) when it names an active
 * agent; else the rotation. Null when no agent is active.
 */
export async function chooseReferent(trx: Trx | Kysely<Database>, territory: Territory, candidate: CandidateForChoice, themeKey: string | null): Promise<{ agent: AgentRow; method: AssignmentMethod } | null> {
  const agents = await trx.selectFrom('agents').selectAll().where('status', '=', 'active').orderBy('id').execute();
  if (agents.length === 0) return null;
  const current = candidate.referent_id ? agents.find((a) => a.id === candidate.referent_id) : undefined;
  if (current) return { agent: current, method: 'same-referent' };
  const byEmail = (email: string | undefined) => (email ? agents.find((a) => a.email_normalized === email.trim().toLowerCase()) : undefined);
  const cfg = territory.referents;
  const mapped: Array<[AssignmentMethod, Record<string, string> | undefined, Array<string | null>]> = [
    ['region', cfg?.byRegion, [candidate.desired_region]],
    ['project', cfg?.byProject, [candidate.project_type, candidate.project]],
    ['theme', cfg?.byTheme, [themeKey]],
  ];
  for (const [method, map, keys] of mapped) {
    for (const k of keys) {
      const agent = k && map ? byEmail(map[k]) : undefined;
      if (agent) return { agent, method };
    }
  }
  const listed = cfg?.rotation ? agents.filter((a) => cfg.rotation!.some((e) => e.trim().toLowerCase() === a.email_normalized)) : agents;
  const pool = listed.length ? listed : agents;
  const loads = await agentLoads(trx, pool);
  const id = pickByRotation(loads);
  return { agent: pool.find((a) => a.id === id)!, method: 'rotation' };
}

/** Open files and the last assignment of each agent of the pool, as the rotation weighs them. */
export async function agentLoads(trx: Trx | Kysely<Database>, pool: readonly AgentRow[]): Promise<AgentLoad[]> {
  if (pool.length === 0) return [];
  const ids = pool.map((a) => a.id);
  const [open, last] = await Promise.all([
    trx
      .selectFrom('candidates')
      .select((eb) => ['referent_id', eb.fn.countAll<number>().as('n')])
      .where('referent_id', 'in', ids)
      .where('merged_into_id', 'is', null)
      .where((eb) => eb.or([eb('stage', 'in', [...OPEN_STAGES]), eb('stage', 'is', null)]))
      .groupBy('referent_id')
      .execute(),
    trx
      .withTables<ReferentTables>()
      .selectFrom('referent_assignments')
      .select((eb) => ['agent_id', eb.fn.max('at').as('last')])
      .where('agent_id', 'in', ids)
      .groupBy('agent_id')
      .execute(),
  ]);
  return pool.map((a) => ({
    agentId: a.id,
    name: a.name,
    openFiles: Number(open.find((o) => o.referent_id === a.id)?.n ?? 0),
    lastAssignedAt: (last.find((l) => l.agent_id === a.id)?.last as string | undefined) ?? null,
  }));
}

interface Assignment {
  candidate: Pick<CandidateRow, 'id' | 'first_name' | 'last_name' | 'stage' | 'referent_id' | 'project'>;
  agent: AgentRow;
  previous: AgentRow | null;
  method: AssignmentMethod;
  requestId: string | null;
  requestProject: string | null;
  actor: Actor;
}

/** The one way a referent is set: the file, the history of assignments, the stage, the timeline, the audit and the agent's e-mail together. */
async function applyAssignment(s: Services, trx: Trx, now: Date, a: Assignment): Promise<string> {
  const nowIso = now.toISOString();
  const id = randomUUID();
  await trx.updateTable('candidates').set({ referent_id: a.agent.id, updated_at: nowIso }).where('id', '=', a.candidate.id).execute();
  await trx
    .withTables<ReferentTables>()
    .insertInto('referent_assignments')
    .values({
      id,
      candidate_id: a.candidate.id,
      request_id: a.requestId,
      agent_id: a.agent.id,
      previous_agent_id: a.previous?.id ?? null,
      method: a.method,
      at: nowIso,
      actor_type: a.actor.type === 'agent' ? 'agent' : 'system',
      actor_id: a.actor.type === 'agent' ? a.actor.id : null,
      // An agent who takes a file themselves has it in hand already.
      acknowledged_at: a.actor.type === 'agent' && a.actor.id === a.agent.id ? nowIso : null,
    })
    .execute();
  const stage = a.candidate.stage ?? 'contact';
  if ((STAGES_BEFORE_ACCOMPANIED as readonly string[]).includes(stage)) {
    await changeStage(trx, { candidateId: a.candidate.id, to: 'accompanied', at: now, actor: a.actor, dedupeKey: `stage:accompanied:${id}` });
  }
  const how = assignmentMethodLabels[a.method];
  await recordTimelineEvent(trx, {
    candidateId: a.candidate.id,
    at: now,
    kind: 'referent',
    dedupeKey: `referent:${id}`,
    actor: { type: a.actor.type === 'agent' ? 'agent' : 'system', id: a.actor.type === 'agent' ? a.actor.id : null },
    subject: { type: 'agent', id: a.agent.id },
    summary: a.previous ? `Référent·e : ${a.previous.name} → ${a.agent.name}` : `Référent·e : ${a.agent.name} (${how})`,
    data: { agentId: a.agent.id, previousAgentId: a.previous?.id ?? null, method: a.method, requestId: a.requestId },
  });
  await recordAudit(trx, now, a.actor, a.previous ? 'referent.reassigned' : 'referent.assigned', { type: 'candidate', id: a.candidate.id }, { agentId: a.agent.id, previousAgentId: a.previous?.id ?? null, method: a.method, requestId: a.requestId });
  if (!(a.actor.type === 'agent' && a.actor.id === a.agent.id)) {
    const mail = await renderAssignedEmail({
      territory: s.territory,
      publicUrl: s.config.publicUrl,
      agentName: a.agent.name,
      candidateId: a.candidate.id,
      candidateName: `${a.candidate.first_name} ${a.candidate.last_name}`,
      how,
      project: a.requestProject,
      previousName: a.previous?.name ?? null,
    });
    await enqueueEmail(trx, now, { dedupeKey: `referent-assigned:${id}`, kind: 'referent-assigned', to: a.agent.email, ...mail });
  }
  return id;
}

async function serialiseAssignments(s: Services, trx: Trx) {
  if (s.db.dialect === 'postgres') await sql`select pg_advisory_xact_lock(${ROTATION_LOCK})`.execute(trx);
}

export type AssignOutcome = { outcome: 'assigned'; agentId: string; method: AssignmentMethod; assignmentId: string } | { outcome: 'already' | 'missing' | 'no-agent' };

/**
 * Gives a new accompaniment request to a referent (chooseReferent), once: a request already assigned
 * is left as it is. The file moves to "accompanied"; the referent is told by e-mail and finds it
 * among the new requests of their "à faire" list.
 */
export async function assignReferentToRequest(s: Services, requestId: string): Promise<AssignOutcome> {
  return s.db.transaction(async (trx) => {
    await serialiseAssignments(s, trx);
    const now = s.clock.now();
    const req = await trx.selectFrom('accompaniment_requests').selectAll().where('id', '=', requestId).executeTakeFirst();
    if (!req) return { outcome: 'missing' as const };
    if (req.status !== 'new') return { outcome: 'already' as const };
    const candidate = await trx.selectFrom('candidates').selectAll().where('id', '=', req.candidate_id).executeTakeFirstOrThrow();
    const theme = req.webinar_id ? ((await trx.selectFrom('webinars').select('theme').where('id', '=', req.webinar_id).executeTakeFirst())?.theme ?? null) : null;
    const choice = await chooseReferent(trx, s.territory, candidate, theme);
    if (!choice) return { outcome: 'no-agent' as const };
    const assignmentId = await applyAssignment(s, trx, now, { candidate, agent: choice.agent, previous: null, method: choice.method, requestId: req.id, requestProject: req.project, actor: { type: 'system', id: null } });
    await trx.updateTable('accompaniment_requests').set({ status: 'assigned' }).where('id', '=', req.id).where('status', '=', 'new').execute();
    return { outcome: 'assigned' as const, agentId: choice.agent.id, method: choice.method, assignmentId };
  });
}

/** The job that runs assignReferentToRequest after the request's commit; with no active agent, it waits an hour. */
export function assignReferentJobHandler(s: Services): JobHandler {
  return async ({ payload }) => {
    const out = await assignReferentToRequest(s, String(payload.requestId));
    if (out.outcome === 'no-agent') throw new RetryLater(new Date(s.clock.now().getTime() + 3600_000), 'aucun agent actif pour suivre la demande');
    if (out.outcome === 'assigned') s.mailQueued();
  };
}

/**
 * The safety net of the periodic worker: a request still new without its job (made before this
 * feature, or whose job was lost with a restored backup) gets one. Enqueuing twice does nothing.
 */
export async function enqueueUnassignedRequests(s: Services): Promise<number> {
  const now = s.clock.now();
  const rows = await s.db.kysely.selectFrom('accompaniment_requests').select('id').where('status', '=', 'new').orderBy('created_at').limit(500).execute();
  let created = 0;
  for (const r of rows) if (await enqueueReferentAssignment(s.db.kysely, now, r.id)) created++;
  if (created) s.jobQueued();
  return created;
}

/**
 * An agent gives a household to another referent (or takes it). Keeps: only an active agent can be
 * referent; a referent hands over only their own files or takes unassigned ones; a new request still
 * waiting is assigned with it; the history, the timeline and the audit say who did it.
 */
export async function reassignReferent(s: Services, input: { candidateId: string; agentId: string; by: AgentRow; ip?: string | null }): Promise<{ changed: boolean }> {
  const out = await s.db.transaction(async (trx) => {
    await serialiseAssignments(s, trx);
    const now = s.clock.now();
    const candidate = await trx.selectFrom('candidates').selectAll().where('id', '=', input.candidateId).executeTakeFirst();
    if (!candidate) throw new NotFound('Dossier introuvable');
    if (!canActOnFile(input.by, candidate.referent_id)) throw new Forbidden('Seul un administrateur ou le référent de ce dossier peut le confier à quelqu’un d’autre.');
    const agent = await trx.selectFrom('agents').selectAll().where('id', '=', input.agentId).executeTakeFirst();
    if (!agent || agent.status !== 'active') throw new DomainError('agent-inactive', 'Cet agent n’est pas actif : choisissez un agent actif.');
    if (candidate.referent_id === agent.id) return { changed: false };
    const previous = candidate.referent_id ? ((await trx.selectFrom('agents').selectAll().where('id', '=', candidate.referent_id).executeTakeFirst()) ?? null) : null;
    const waiting = await trx.selectFrom('accompaniment_requests').select(['id', 'project']).where('candidate_id', '=', candidate.id).where('status', '!=', 'closed').orderBy('created_at', 'desc').executeTakeFirst();
    await applyAssignment(s, trx, now, { candidate, agent, previous, method: 'manual', requestId: waiting?.id ?? null, requestProject: waiting?.project ?? null, actor: { type: 'agent', id: input.by.id, ip: input.ip ?? null } });
    if (waiting) await trx.updateTable('accompaniment_requests').set({ status: 'assigned' }).where('id', '=', waiting.id).where('status', '=', 'new').execute();
    return { changed: true };
  });
  if (out.changed) s.mailQueued();
  return out;
}

/** The referent says they have a new request in hand: it leaves the "new requests" of their list. */
export async function acknowledgeAssignment(s: Services, input: { assignmentId: string; by: AgentRow; ip?: string | null }): Promise<boolean> {
  return s.db.transaction(async (trx) => {
    const now = s.clock.now();
    const rt = trx.withTables<ReferentTables>();
    const a = await rt.selectFrom('referent_assignments').selectAll().where('id', '=', input.assignmentId).executeTakeFirst();
    if (!a) throw new NotFound('Demande introuvable');
    if (a.agent_id !== input.by.id) throw new Forbidden('Cette demande est confiée à un autre agent.');
    const r = await rt.updateTable('referent_assignments').set({ acknowledged_at: now.toISOString() }).where('id', '=', a.id).where('acknowledged_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    await recordTimelineEvent(trx, {
      candidateId: a.candidate_id,
      at: now,
      kind: 'referent',
      dedupeKey: `referent-acknowledged:${a.id}`,
      actor: { type: 'agent', id: input.by.id },
      subject: { type: 'agent', id: input.by.id },
      summary: `${input.by.name} prend en charge la demande`,
    });
    await recordAudit(trx, now, { type: 'agent', id: input.by.id, ip: input.ip ?? null }, 'referent.acknowledged', { type: 'candidate', id: a.candidate_id }, { assignmentId: a.id });
    return true;
  });
}
