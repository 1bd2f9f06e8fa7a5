import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../platform/audit/audit.ts';
import type { Database, TimelineEventTable } from '../../platform/db/schema.ts';
import { formatShortDate } from '../../platform/time.ts';
import { recordTimelineEvent, type TimelineEntry } from './timeline.ts';

/**
 * What each step of the journey writes to the household's timeline, by itself, in the transaction of
 * the step. The dedupe keys are the steps' own identities (a registration and its private-link nonce,
 * a message id…), so that a retry, a redelivery or an import run twice writes nothing more.
 */

type Q = Transaction<Database> | Kysely<Database>;
interface RencontreRef {
  title: string;
  startsAt: string;
}

const rencontre = (w: RencontreRef, zone: string) => `« ${w.title} » (${shortDate(w.startsAt, zone)})`;

// Every registration to a Rencontre writes its date the same way: formatted once (Intl costs ~2 µs).
const shortDates = new Map<string, string>();
function shortDate(iso: string, zone: string): string {
  const key = `${zone} ${iso}`;
  let text = shortDates.get(key);
  if (text === undefined) {
    if (shortDates.size >= 1000) shortDates.clear();
    shortDates.set(key, (text = formatShortDate(iso, zone)));
  }
  return text;
}

function timelineActor(a: Actor): { type: TimelineEventTable['actor_type']; id: string | null } {
  return { type: a.type, id: a.id };
}

export type RegistrationStep = 'confirmed' | 'waitlisted' | 'promoted' | 'cancelled';

interface RegistrationStepFacts {
  candidateId: string;
  registrationId: string;
  nonce: string;
  step: RegistrationStep;
  webinar: RencontreRef;
  at: Date;
  actor: Actor;
  zone: string;
  createdBy?: string;
}

/** A registration created (with a seat or on the waiting list), given a seat later, or cancelled. */
export async function recordRegistrationStep(trx: Q, e: RegistrationStepFacts): Promise<void> {
  await recordTimelineEvent(trx, registrationStepEvent(e));
}

export function registrationStepEvent(e: RegistrationStepFacts): TimelineEntry {
  const what = rencontre(e.webinar, e.zone);
  const summary = {
    confirmed: `Inscription à ${what}${e.createdBy === 'agent' ? ', par un agent' : e.createdBy === 'import' ? ', importée de Zoom' : ''}`,
    waitlisted: `Sur liste d’attente de ${what}`,
    promoted: `Place obtenue à ${what}, depuis la liste d’attente`,
    cancelled: `Inscription annulée : ${what}`,
  }[e.step];
  return {
    candidateId: e.candidateId,
    at: e.at,
    kind: 'registration',
    dedupeKey: `registration:${e.registrationId}:${e.nonce}:${e.step}`,
    actor: timelineActor(e.actor),
    subject: { type: 'registration', id: e.registrationId },
    summary,
    data: { step: e.step },
  };
}

interface AttendanceFacts {
  candidateId: string;
  registrationId: string;
  attended: boolean;
  minutes: number;
  source: string;
  webinar: RencontreRef;
  at: Date;
  actor: Actor;
  zone: string;
}

/** Present or absent at a Rencontre, with the minutes; a correction is a new event, the same list twice is not. */
export async function recordAttendanceStep(trx: Q, e: AttendanceFacts): Promise<void> {
  await recordTimelineEvent(trx, attendanceEvent(e));
}

export function attendanceEvent(e: AttendanceFacts): TimelineEntry {
  const what = rencontre(e.webinar, e.zone);
  return {
    candidateId: e.candidateId,
    at: e.at,
    kind: 'attendance',
    dedupeKey: `attendance:${e.registrationId}:${e.attended ? 1 : 0}:${e.minutes}`,
    actor: timelineActor(e.actor),
    subject: { type: 'registration', id: e.registrationId },
    summary: e.attended ? `Présent·e à ${what}, ${e.minutes} min` : `Absent·e à ${what}`,
    data: { attended: e.attended, minutes: e.minutes, source: e.source },
  };
}

/** An e-mail to the person left (or could not be delivered); a replay e-mail is the replay sent. */
export async function recordEmailOutcome(
  trx: Q,
  e: { candidateId: string; messageId: string; kind: string; subject: string; outcome: 'sent' | 'failed'; error?: string | null; at: Date },
): Promise<void> {
  const isReplay = e.kind.startsWith('replay-');
  await recordTimelineEvent(trx, {
    candidateId: e.candidateId,
    at: e.at,
    kind: e.outcome === 'failed' ? 'email-failed' : isReplay ? 'replay' : 'email-sent',
    dedupeKey: `email:${e.messageId}:${e.outcome}`,
    actor: { type: 'system', id: null },
    subject: { type: 'message', id: e.messageId },
    summary: e.outcome === 'failed' ? `E-mail non remis : ${e.subject}` : isReplay ? `Replay envoyé : ${e.subject}` : `E-mail envoyé : ${e.subject}`,
    data: { messageKind: e.kind, ...(e.error ? { error: e.error.slice(0, 200) } : {}) },
  });
}

export async function recordSurveyAnswer(
  trx: Q,
  e: { candidateId: string; registrationId: string; usefulness: number; usefulnessLabel: string; recommend: string; recommendLabel: string; webinar: RencontreRef; at: Date; actor: Actor; zone: string },
): Promise<void> {
  await recordTimelineEvent(trx, {
    candidateId: e.candidateId,
    at: e.at,
    kind: 'survey',
    // A changed answer is news; the same answer sent twice is not.
    dedupeKey: `survey:${e.registrationId}:${e.usefulness}:${e.recommend}`,
    actor: timelineActor(e.actor),
    subject: { type: 'registration', id: e.registrationId },
    summary: `Questionnaire sur ${rencontre(e.webinar, e.zone)} : ${e.usefulnessLabel.toLowerCase()}, la recommanderait : ${e.recommendLabel.toLowerCase()}`,
    data: { usefulness: e.usefulness, recommend: e.recommend },
  });
}

export async function recordAccompanimentRequest(trx: Q, e: { candidateId: string; requestId: string; project: string; at: Date; actor: Actor }): Promise<void> {
  const project = e.project.length > 120 ? `${e.project.slice(0, 119)}…` : e.project;
  await recordTimelineEvent(trx, {
    candidateId: e.candidateId,
    at: e.at,
    kind: 'accompaniment-request',
    dedupeKey: `accompaniment:${e.requestId}`,
    actor: timelineActor(e.actor),
    subject: { type: 'accompaniment', id: e.requestId },
    summary: `Demande d’accompagnement : ${project}`,
  });
}

export async function recordInvitation(trx: Q, e: { candidateId: string; webinarId: string; webinar: RencontreRef; at: Date; zone: string }): Promise<void> {
  await recordTimelineEvent(trx, {
    candidateId: e.candidateId,
    at: e.at,
    kind: 'invitation',
    dedupeKey: `invitation:${e.candidateId}:${e.webinarId}`,
    actor: { type: 'system', id: null },
    subject: { type: 'webinar', id: e.webinarId },
    summary: `Invité·e à ${rencontre(e.webinar, e.zone)} après une absence`,
  });
}

export async function recordInvitationsOptOut(trx: Q, e: { candidateId: string; at: Date; actor: Actor }): Promise<void> {
  await recordTimelineEvent(trx, {
    candidateId: e.candidateId,
    at: e.at,
    kind: 'consent',
    dedupeKey: `invitations-opt-out:${e.candidateId}:${e.at.toISOString()}`,
    actor: timelineActor(e.actor),
    subject: null,
    summary: 'Ne souhaite plus recevoir d’invitations aux Rencontres',
  });
}
