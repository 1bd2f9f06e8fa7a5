import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';
import type { AppointmentTables } from './appointment-tables.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface OpenSlotView {
  id: string;
  agent_id: string;
  agentName: string;
  starts_at: string;
  ends_at: string;
  mode: 'phone' | 'video';
}

/** Open slots starting in [from, to), soonest first. */
export function openSlots(db: Q, fromIso: string, toIso: string): Promise<OpenSlotView[]> {
  return db
    .selectFrom('appointment_slots')
    .innerJoin('agents', 'agents.id', 'appointment_slots.agent_id')
    .select(['appointment_slots.id', 'appointment_slots.agent_id', 'agents.name as agentName', 'appointment_slots.starts_at', 'appointment_slots.ends_at', 'appointment_slots.mode'])
    .where('appointment_slots.status', '=', 'open')
    .where('agents.status', '=', 'active')
    .where('appointment_slots.starts_at', '>=', fromIso)
    .where('appointment_slots.starts_at', '<', toIso)
    .orderBy('appointment_slots.starts_at')
    .orderBy('agents.name')
    .limit(300)
    .execute();
}

export function findSlot(db: Q, id: string) {
  return db.selectFrom('appointment_slots').innerJoin('agents', 'agents.id', 'appointment_slots.agent_id').selectAll('appointment_slots').select('agents.name as agentName').where('appointment_slots.id', '=', id).executeTakeFirst();
}

export interface AgentSlotView {
  id: string;
  starts_at: string;
  ends_at: string;
  mode: 'phone' | 'video';
  status: 'open' | 'booked' | 'withdrawn';
  video_url: string | null;
  appointmentId: string | null;
  candidateId: string | null;
  candidateName: string | null;
  topic: string | null;
  phone: string | null;
}

/** An agent's slots from an instant on (withdrawn ones left out), each with its booked appointment if any. */
export async function slotsOfAgent(db: Q, agentId: string, fromIso: string): Promise<AgentSlotView[]> {
  const rows = await db
    .selectFrom('appointment_slots as s')
    .leftJoin('appointments as a', (j) => j.onRef('a.slot_id', '=', 's.id').on('a.status', '=', 'booked'))
    .leftJoin('candidates as c', 'c.id', 'a.candidate_id')
    .select(['s.id', 's.starts_at', 's.ends_at', 's.mode', 's.status', 's.video_url', 'a.id as appointmentId', 'a.topic', 'c.id as candidateId', 'c.first_name', 'c.last_name', 'c.phone'])
    .where('s.agent_id', '=', agentId)
    .where('s.status', '!=', 'withdrawn')
    .where('s.ends_at', '>', fromIso)
    .orderBy('s.starts_at')
    .limit(500)
    .execute();
  return rows.map((r) => ({ ...r, candidateName: r.first_name ? `${r.first_name} ${r.last_name}` : null }));
}

/**
 * An agent's appointments whose time has come and that nobody has said were held or missed (the last
 * 60 days), the latest first: the booked ones of that window.
 */
export async function appointmentsAwaitingOutcome(db: Q, agentId: string, now: Date) {
  // An appointment starting this very millisecond has come too: the window's end is just after now.
  const rows = await bookedAppointmentsOf(db, agentId, new Date(now.getTime() - 60 * 86_400_000).toISOString(), new Date(now.getTime() + 1).toISOString());
  return rows.reverse().map((r) => ({ ...r, candidateName: `${r.first_name} ${r.last_name}` }));
}
export type AwaitingOutcome = Awaited<ReturnType<typeof appointmentsAwaitingOutcome>>[number];

/** Everything about one appointment: its slot, its referent and its person. */
export function findAppointment(db: Q, where: { id: string } | { tokenHash: string }) {
  const q = db
    .withTables<AppointmentTables>()
    .selectFrom('appointments as a')
    .innerJoin('appointment_slots as s', 's.id', 'a.slot_id')
    .innerJoin('agents as g', 'g.id', 's.agent_id')
    .innerJoin('candidates as c', 'c.id', 'a.candidate_id')
    .select([
      'a.id',
      'a.status',
      'a.topic',
      'a.token_nonce',
      'a.booked_at',
      'a.cancelled_at',
      'a.cancelled_by',
      'a.slot_id',
      's.starts_at',
      's.ends_at',
      's.mode',
      's.video_url',
      's.agent_id',
      'g.name as agentName',
      'g.email as agentEmail',
      'c.id as candidateId',
      'c.first_name',
      'c.last_name',
      'c.email',
      'c.phone',
    ]);
  return ('id' in where ? q.where('a.id', '=', where.id) : q.where('a.manage_token_hash', '=', where.tokenHash)).executeTakeFirst();
}
export type AppointmentRecord = NonNullable<Awaited<ReturnType<typeof findAppointment>>>;

/** The person's next booked appointment, if they have one still to come. */
export function upcomingAppointmentOf(db: Q, candidateId: string, nowIso: string) {
  return db
    .selectFrom('appointments as a')
    .innerJoin('appointment_slots as s', 's.id', 'a.slot_id')
    .select(['a.id', 'a.token_nonce', 's.starts_at', 's.ends_at'])
    .where('a.candidate_id', '=', candidateId)
    .where('a.status', '=', 'booked')
    .where('s.starts_at', '>', nowIso)
    .orderBy('s.starts_at')
    .executeTakeFirst();
}

/** An agent's booked appointments starting in [from, to), for their "à faire" list. */
export function bookedAppointmentsOf(db: Q, agentId: string, fromIso: string, toIso: string) {
  return db
    .selectFrom('appointments as a')
    .innerJoin('appointment_slots as s', 's.id', 'a.slot_id')
    .innerJoin('candidates as c', 'c.id', 'a.candidate_id')
    .select(['a.id', 's.starts_at', 's.ends_at', 's.mode', 'c.id as candidateId', 'c.first_name', 'c.last_name', 'c.phone', 'a.topic'])
    .where('s.agent_id', '=', agentId)
    .where('a.status', '=', 'booked')
    .where('s.starts_at', '>=', fromIso)
    .where('s.starts_at', '<', toIso)
    .orderBy('s.starts_at')
    .execute();
}
