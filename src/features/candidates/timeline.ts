import { newId } from '../../platform/ids.ts';
import type { Kysely, Transaction } from 'kysely';
import { preparedQuery } from '../../platform/db/database.ts';
import type { Database, TimelineEventTable } from '../../platform/db/schema.ts';

export interface TimelineEntry {
  candidateId: string;
  at: Date;
  /** registration, attendance, email-sent, email-failed, replay, survey, accompaniment-request, appointment, offer, referral, stage, note, call, meeting, installation, follow-up, merge… */
  kind: string;
  /** What makes this event the same event when reported again (a retry, an import run twice). */
  dedupeKey: string;
  actor: { type: TimelineEventTable['actor_type']; id: string | null };
  subject?: { type: string; id: string } | null;
  /** One French sentence, as the file shows it. */
  summary: string;
  data?: Record<string, unknown>;
}

const insertEvent = preparedQuery((db, row: TimelineEventTable) =>
  db
    .insertInto('timeline_events')
    .values(row)
    .onConflict((oc) => oc.column('dedupe_key').doNothing()),
);

const markActive = preparedQuery((db, p: { candidateId: string; at: string }) =>
  db
    .updateTable('candidates')
    .set({ last_activity_at: p.at })
    .where('id', '=', p.candidateId)
    .where((eb) => eb.or([eb('last_activity_at', 'is', null), eb('last_activity_at', '<', p.at)])),
);

const markContact = preparedQuery((db, p: { candidateId: string; at: string }) =>
  db
    .updateTable('candidates')
    .set({ last_contact_at: p.at })
    .where('id', '=', p.candidateId)
    .where('last_contact_at', '<', p.at),
);

/**
 * Whether an event is a contact with the person: something they did (answered a follow-up, booked an
 * appointment, asked to be accompanied, gave their consent…) or a call or interview an agent had with
 * them. Registrations set the date themselves; e-mails sent and notes are not contacts.
 */
const isContact = (e: TimelineEntry) => (e.actor.type === 'candidate' && e.kind !== 'registration') || e.kind === 'call' || e.kind === 'meeting';

/**
 * Writes one event to a candidate's timeline, in the caller's transaction, and marks the file as
 * active, and its last contact with the person when it is one. The same event reported twice is written once. Every step of the journey calls this, so
 * that the file fills itself instead of being typed by agents.
 */
export async function recordTimelineEvent(trx: Transaction<Database> | Kysely<Database>, e: TimelineEntry): Promise<boolean> {
  const at = e.at.toISOString();
  const r = await insertEvent(trx, {
    id: newId(),
    candidate_id: e.candidateId,
    at,
    kind: e.kind,
    dedupe_key: e.dedupeKey,
    actor_type: e.actor.type,
    actor_id: e.actor.id,
    subject_type: e.subject?.type ?? null,
    subject_id: e.subject?.id ?? null,
    summary: e.summary,
    data: JSON.stringify(e.data ?? {}),
  });
  const inserted = Number(r.numAffectedRows ?? 0n) > 0;
  if (inserted) await markActive(trx, { candidateId: e.candidateId, at });
  if (inserted && isContact(e)) await markContact(trx, { candidateId: e.candidateId, at });
  return inserted;
}
