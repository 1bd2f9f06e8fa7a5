import type { Kysely } from 'kysely';
import type { CandidateRow, Database, HouseholdMemberTable, TimelineEventRow } from '../../platform/db/schema.ts';
import { tasksOfCandidate, type TaskView } from '../tasks/tasks-repository.ts';
import { describeCommune } from './commune-choice.ts';

export const TIMELINE_PAGE_SIZE = 25;

export interface CandidateFilePage {
  file: CandidateRow;
  referent: { id: string; name: string } | null;
  mergedInto: { id: string; name: string } | null;
  absorbed: Array<{ id: string; name: string; email: string }>;
  firstWebinar: { id: string; title: string; startsAt: string } | null;
  commune: string | null;
  members: Array<Pick<HouseholdMemberTable, 'id' | 'kind' | 'first_name' | 'age' | 'occupation' | 'needs_job' | 'school_need'>>;
  stageHistory: Array<{ id: string; from: string | null; to: string; reason: string | null; at: string; actorType: string; actorName: string | null }>;
  timeline: { rows: Array<TimelineEventRow & { actorName: string | null }>; total: number; page: number; pages: number };
  registrations: Array<{ id: string; status: 'confirmed' | 'waitlisted' | 'cancelled'; createdAt: string; attended: number | null; attendedMinutes: number | null; question: string | null; webinarId: string; title: string; startsAt: string }>;
  mails: Array<{ id: string; subject: string; status: string; createdAt: string; sentAt: string | null }>;
  requests: Array<{ id: string; createdAt: string; horizon: string; movers: string; project: string; needs: string; message: string | null; status: string }>;
  /** Open ones first, then the latest closed: what the file's task table shows, with its actions. */
  tasks: TaskView[];
  appointments: Array<{ id: string; status: string; startsAt: string; mode: string; agentName: string | null; topic: string | null }>;
  installations: Array<{ id: string; installedOn: string; communeName: string; adults: number; children: number; activity: string; leftOn: string | null }>;
  followUps: Array<{ id: string; months: number; dueOn: string; status: string; wellbeing: number | null; needsHelp: number | null }>;
}

/**
 * Everything the file page shows, read in parallel: the file, the people, the stages, one page of the
 * timeline (newest first), and what other features keep about the household (Rencontres, e-mails,
 * requests, tasks, appointments, installations, follow-ups). Reads only.
 */
export async function loadCandidateFile(db: Kysely<Database>, id: string, timelinePage: number): Promise<CandidateFilePage | null> {
  const file = await db.selectFrom('candidates').selectAll().where('id', '=', id).executeTakeFirst();
  if (!file) return null;
  const name = (c: { first_name: string; last_name: string }) => `${c.first_name} ${c.last_name}`;
  const [referent, mergedInto, absorbed, firstWebinar, commune, members, stageRows, total, registrations, mails, requests, tasks, appointments, installations, followUps] = await Promise.all([
    file.referent_id ? db.selectFrom('agents').select(['id', 'name']).where('id', '=', file.referent_id).executeTakeFirst() : undefined,
    file.merged_into_id ? db.selectFrom('candidates').select(['id', 'first_name', 'last_name']).where('id', '=', file.merged_into_id).executeTakeFirst() : undefined,
    db.selectFrom('candidates').select(['id', 'first_name', 'last_name', 'email']).where('merged_into_id', '=', file.id).orderBy('created_at').execute(),
    file.first_webinar_id ? db.selectFrom('webinars').select(['id', 'title', 'starts_at as startsAt']).where('id', '=', file.first_webinar_id).executeTakeFirst() : undefined,
    describeCommune(db, file.desired_commune),
    db.selectFrom('household_members').select(['id', 'kind', 'first_name', 'age', 'occupation', 'needs_job', 'school_need']).where('candidate_id', '=', id).orderBy('kind').orderBy('age', 'desc').orderBy('created_at').execute(),
    db
      .selectFrom('stage_changes as s')
      .leftJoin('agents as a', 'a.id', 's.actor_id')
      .select(['s.id', 's.from_stage as from', 's.to_stage as to', 's.reason', 's.at', 's.actor_type as actorType', 'a.name as actorName'])
      .where('s.candidate_id', '=', id)
      .orderBy('s.at', 'desc')
      .execute(),
    db.selectFrom('timeline_events').select((eb) => eb.fn.countAll<number>().as('n')).where('candidate_id', '=', id).executeTakeFirstOrThrow(),
    db
      .selectFrom('registrations')
      .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
      .select(['registrations.id', 'registrations.status', 'registrations.created_at as createdAt', 'registrations.attended', 'registrations.attended_minutes as attendedMinutes', 'registrations.question', 'webinars.id as webinarId', 'webinars.title', 'webinars.starts_at as startsAt'])
      .where('registrations.candidate_id', '=', id)
      .orderBy('webinars.starts_at', 'desc')
      .execute(),
    db.selectFrom('outbox_messages').select(['id', 'subject', 'status', 'created_at as createdAt', 'sent_at as sentAt']).where('candidate_id', '=', id).orderBy('created_at', 'desc').limit(50).execute(),
    db.selectFrom('accompaniment_requests').select(['id', 'created_at as createdAt', 'horizon', 'movers', 'project', 'needs', 'message', 'status']).where('candidate_id', '=', id).orderBy('created_at', 'desc').execute(),
    tasksOfCandidate(db, id),
    db
      .selectFrom('appointments as ap')
      .innerJoin('appointment_slots as sl', 'sl.id', 'ap.slot_id')
      .leftJoin('agents as a', 'a.id', 'sl.agent_id')
      .select(['ap.id', 'ap.status', 'sl.starts_at as startsAt', 'sl.mode', 'a.name as agentName', 'ap.topic'])
      .where('ap.candidate_id', '=', id)
      .orderBy('sl.starts_at', 'desc')
      .execute(),
    db.selectFrom('installations').select(['id', 'installed_on as installedOn', 'commune_name as communeName', 'adults', 'children', 'activity', 'left_on as leftOn']).where('candidate_id', '=', id).orderBy('installed_on', 'desc').execute(),
    db.selectFrom('follow_ups').select(['id', 'months', 'due_on as dueOn', 'status', 'wellbeing', 'needs_help as needsHelp']).where('candidate_id', '=', id).orderBy('due_on').execute(),
  ]);
  const pages = Math.max(1, Math.ceil(Number(total.n) / TIMELINE_PAGE_SIZE));
  const page = Math.min(Math.max(1, timelinePage), pages);
  const events = await db
    .selectFrom('timeline_events as e')
    .leftJoin('agents as a', (j) => j.onRef('a.id', '=', 'e.actor_id').on('e.actor_type', '=', 'agent'))
    .selectAll('e')
    .select('a.name as actorName')
    .where('e.candidate_id', '=', id)
    .orderBy('e.at', 'desc')
    .orderBy('e.id', 'desc')
    .limit(TIMELINE_PAGE_SIZE)
    .offset((page - 1) * TIMELINE_PAGE_SIZE)
    .execute();
  return {
    file,
    referent: referent ?? null,
    mergedInto: mergedInto ? { id: mergedInto.id, name: name(mergedInto) } : null,
    absorbed: absorbed.map((a) => ({ id: a.id, name: name(a), email: a.email })),
    firstWebinar: firstWebinar ?? null,
    commune,
    members,
    stageHistory: stageRows,
    timeline: { rows: events, total: Number(total.n), page, pages },
    registrations,
    mails,
    requests,
    tasks,
    appointments,
    installations,
    followUps,
  };
}
