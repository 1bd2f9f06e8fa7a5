import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { DateTime } from 'luxon';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import { isUniqueViolation, lockRow } from '../../platform/db/database.ts';
import type { Database, NewWebinarRow, RegistrationRow, WebinarRow } from '../../platform/db/schema.ts';
import type { Services } from '../../services.ts';
import { isPresent, recordAttendance } from '../attendance/record-attendance.ts';
import { upsertCandidate } from '../candidates/candidates-repository.ts';
import { recordRegistrationStep } from '../candidates/journey-events.ts';
import { normalizeEmail } from '../registrations/registration.ts';
import { newRegistrationToken } from '../registrations/registration-token.ts';
import { insertRegistration } from '../registrations/registrations-repository.ts';
import type { AttendanceEntry } from '../video/video-adapter.ts';
import { webinarSlug } from '../webinars/webinar.ts';
import { formatIssue, isValidZone, parseAttendeeReport, parseRegistrationReport, ZoomReportError, type AttendeeReport, type RegistrationReport } from './zoom-reports.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface ZoomImportInput {
  /** Zoom's registration report, as the file's bytes or text. */
  registrationsCsv?: string | Uint8Array | null;
  /** Zoom's attendee report, as the file's bytes or text. */
  attendeesCsv?: string | Uint8Array | null;
  /** Our Rencontre (id or address); when absent it is found from the report's date, or created. */
  webinarId?: string | null;
  /** The Zoom account's time zone, in which the reports write their times; the territory's by default. */
  zone?: string | null;
}

/** Where a problem lies: one of the two files, the chosen Rencontre, the time zone, or the pair of files. */
export type ImportField = 'registrations' | 'attendees' | 'webinar' | 'zone' | 'files';

/** The import is refused as a whole: nothing was, or will be, written. */
export class ZoomImportRefused extends Error {
  constructor(readonly problems: Partial<Record<ImportField, string[]>>) {
    super(
      Object.entries(problems)
        .map(([field, list]) => `${fieldLabels[field as ImportField]} : ${list!.join(' ')}`)
        .join('\n'),
    );
  }
}

export const fieldLabels: Record<ImportField, string> = {
  registrations: 'Rapport d’inscription',
  attendees: 'Rapport de participation',
  webinar: 'Rencontre',
  zone: 'Fuseau horaire',
  files: 'Rapports',
};

export interface PlannedWebinar {
  /** given: chosen by the agent; zoom-id and date: found from the report; create: made from the report. */
  match: 'given' | 'zoom-id' | 'date' | 'create';
  id: string | null;
  title: string;
  startsAt: string;
  endsAt: string;
  zoomWebinarId: string | null;
}

export interface PlannedPerson {
  email: string;
  firstName: string;
  lastName: string;
  /** Lines of the files that name this person, for the agent to check. */
  lines: { registrations: number[]; attendees: number[] };
}

/** Connections of someone the import could not tie to a person (no e-mail, a name shared by several). */
export interface UnmatchedConnection {
  name: string;
  lines: number[];
  minutes: number;
  isGuest: boolean;
  reason: 'no-email' | 'same-name';
}

/** Connections without an e-mail tied to a registrant by their name (Zoom hides some addresses). */
export interface NameMatch {
  name: string;
  email: string;
  lines: number[];
}

/** Registrants Zoom did not let in (denied, pending, cancelled) and who never connected: not imported. */
export interface SkippedRegistrant {
  file: 'registrations' | 'attendees';
  line: number;
  name: string;
  email: string;
  status: string;
}

export interface ZoomImportPreview {
  zone: string;
  topic: string;
  webinar: PlannedWebinar;
  people: { toCreate: PlannedPerson[]; existing: number };
  registrations: { toCreate: number; existing: number };
  /** Null without an attendee report: a registration report says nothing of who came. */
  attendance: { present: number; absent: number; keptByAgent: number; thresholdMinutes: number; minutes: number } | null;
  matchedByName: NameMatch[];
  unmatched: UnmatchedConnection[];
  skipped: SkippedRegistrant[];
  /** People whose connections Zoom marks "Is Guest" (not signed in to the organiser's account). */
  guests: number;
  hosts: number;
  panelists: number;
  customQuestions: string[];
  warnings: string[];
}

export interface ZoomImportOutcome {
  webinarId: string;
  /** What was done, counted inside the transaction that did it. */
  applied: ZoomImportPreview;
  attendance: { present: number; absent: number; keptByAgent: number; unmatched: number } | null;
}

interface Reports {
  zone: string;
  registrations: RegistrationReport | null;
  attendees: AttendeeReport | null;
}

/** Who a person is in this import: one per e-mail, both files merged. */
interface Person {
  email: string;
  emailNormalized: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  town: string | null;
  postcode: string | null;
  country: string | null;
  question: string | null;
  registeredAt: string | null;
  lines: { registrations: number[]; attendees: number[] };
  /** Minutes from the attendee report; undefined when the person is not in it. */
  minutes: number | undefined;
  joinedAt: string | null;
  isGuest: boolean;
}

interface Plan {
  preview: ZoomImportPreview;
  webinarRow: WebinarRow | null;
  newWebinar: NewWebinarRow | null;
  /** Every person of the import with the candidate id when they exist already. */
  people: Array<{ person: Person; candidateId: string | null; hasRegistration: boolean }>;
  entries: AttendanceEntry[];
}

const NOT_LET_IN = new Set(['denied', 'pending', 'cancelled', 'canceled', 'rejected', 'declined']);

/**
 * Says what importing Zoom's reports would do — which Rencontre, which people and registrations would
 * be created, who would count as present — without writing anything.
 */
export async function previewZoomImport(s: Services, input: ZoomImportInput): Promise<ZoomImportPreview> {
  const reports = readReports(s, input);
  const plan = await planImport(s, s.db.kysely, reports, input.webinarId ?? null, false);
  return plan.preview;
}

/**
 * Imports Zoom's reports of a Rencontre, past ones included. Keeps: everything in one transaction, so
 * nothing is ever half-imported; one person per e-mail and one registration per person and Rencontre,
 * so the same files imported twice change nothing; people already known are not modified; nobody is
 * e-mailed; hosts and panelists are not registrants; attendance goes through the one rule of
 * attendance (the territory's threshold, agents' choices kept).
 */
export async function applyZoomImport(s: Services, input: ZoomImportInput & { actor: Actor }): Promise<ZoomImportOutcome> {
  const reports = readReports(s, input);
  for (let attempt = 1; ; attempt++) {
    try {
      return await s.db.transaction((trx) => applyInTransaction(s, trx, reports, input));
    } catch (e) {
      // Another import created the same Rencontre or person at the same moment (PostgreSQL): once
      // theirs is committed, ours finds it and starts again from there.
      if (attempt < 3 && isUniqueViolation(e)) continue;
      throw e;
    }
  }
}

async function applyInTransaction(s: Services, trx: Transaction<Database>, reports: Reports, input: ZoomImportInput & { actor: Actor }): Promise<ZoomImportOutcome> {
  const now = s.clock.now();
  const plan = await planImport(s, trx, reports, input.webinarId ?? null, true);
  let webinarId: string;
  if (plan.newWebinar) {
    await trx.insertInto('webinars').values(plan.newWebinar).execute();
    webinarId = plan.newWebinar.id;
    await recordAudit(trx, now, input.actor, 'webinar.created', { type: 'webinar', id: webinarId }, { status: plan.newWebinar.status, startsAt: plan.newWebinar.starts_at, from: 'zoom-import' });
  } else {
    webinarId = plan.webinarRow!.id;
  }

  const created: PlannedPerson[] = [];
  let registrationsCreated = 0;
  for (const p of plan.people) {
    let candidateId = p.candidateId;
    if (candidateId === null) {
      // Dated from the person's own registration, not from today: a Rencontre of two years ago is their
      // last contact, and the retention period runs from there.
      const at = new Date(p.person.registeredAt ?? plan.preview.webinar.startsAt);
      const { candidate, isNew } = await upsertCandidate(
        trx,
        at,
        {
          email: p.person.email,
          emailNormalized: p.person.emailNormalized,
          firstName: p.person.firstName,
          lastName: p.person.lastName,
          phone: p.person.phone,
          postcode: p.person.postcode,
          town: p.person.town,
          country: p.person.country,
          project: null,
          household: null,
          horizon: null,
          desiredRegion: null,
        },
        { source: 'import-zoom', webinarId, newsOptIn: false },
      );
      candidateId = candidate.id;
      if (isNew) created.push({ email: p.person.email, firstName: p.person.firstName, lastName: p.person.lastName, lines: p.person.lines });
    }
    if (p.hasRegistration) continue;
    const at = p.person.registeredAt ?? plan.preview.webinar.startsAt;
    const id = randomUUID();
    const token = newRegistrationToken(s.tokenKey, id);
    await insertRegistration(trx, {
      id,
      webinar_id: webinarId,
      candidate_id: candidateId,
      status: 'confirmed',
      token_nonce: token.nonce,
      manage_token_hash: token.hash,
      project: null,
      household: null,
      horizon: null,
      desired_region: null,
      heard_from: null,
      question: p.person.question,
      utm_source: null,
      utm_medium: null,
      utm_campaign: null,
      created_by: 'import',
      created_at: at,
      confirmed_at: at,
      cancelled_at: null,
      waitlist_rank: null,
      attended: null,
      attended_minutes: null,
    });
    await recordRegistrationStep(trx, { candidateId, registrationId: id, nonce: token.nonce, step: 'confirmed', webinar: plan.preview.webinar, at: new Date(at), actor: input.actor, zone: s.territory.timezone, createdBy: 'import' });
    registrationsCreated++;
  }

  let attendance: ZoomImportOutcome['attendance'] = null;
  if (reports.attendees) {
    const out = await recordAttendance(s, { webinarId, entries: plan.entries, source: 'zoom-report', actor: input.actor }, trx);
    attendance = { present: out.present, absent: out.absent, keptByAgent: out.keptByAgent, unmatched: out.unmatched.length };
  }
  const applied: ZoomImportPreview = {
    ...plan.preview,
    webinar: { ...plan.preview.webinar, id: webinarId },
    people: { toCreate: created, existing: plan.people.length - created.length },
  };
  await recordAudit(trx, now, input.actor, 'import.zoom', { type: 'webinar', id: webinarId }, {
    files: [reports.registrations ? 'registrations' : null, reports.attendees ? 'attendees' : null].filter(Boolean),
    zone: reports.zone,
    zoomWebinarId: plan.preview.webinar.zoomWebinarId,
    webinarMatch: plan.preview.webinar.match,
    peopleCreated: created.length,
    peopleExisting: plan.people.length - created.length,
    registrationsCreated,
    registrationsExisting: plan.preview.registrations.existing,
    present: attendance?.present ?? null,
    absent: attendance?.absent ?? null,
    keptByAgent: attendance?.keptByAgent ?? null,
    unmatched: plan.preview.unmatched.length,
    matchedByName: plan.preview.matchedByName.length,
    skipped: plan.preview.skipped.length,
  });
  return { webinarId, applied, attendance };
}

/** Both files read and checked against each other; every problem found is reported at once. */
function readReports(s: Services, input: ZoomImportInput): Reports {
  const problems: Partial<Record<ImportField, string[]>> = {};
  const zone = (input.zone ?? '').trim() || s.territory.timezone;
  if (!isValidZone(zone)) problems.zone = [`le fuseau horaire « ${zone} » est inconnu : donnez un nom comme Europe/Paris.`];
  const hasRegistrations = input.registrationsCsv != null && input.registrationsCsv.length > 0;
  const hasAttendees = input.attendeesCsv != null && input.attendeesCsv.length > 0;
  if (!hasRegistrations && !hasAttendees) problems.files = ['donnez au moins un des deux rapports exportés de Zoom : le rapport d’inscription ou le rapport de participation.'];
  if (problems.zone || problems.files) throw new ZoomImportRefused(problems);

  const read = <T>(field: ImportField, f: () => T): T | null => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof ZoomReportError)) throw e;
      problems[field] = e.issues.map(formatIssue);
      return null;
    }
  };
  const registrations = hasRegistrations ? read('registrations', () => parseRegistrationReport(input.registrationsCsv!, zone)) : null;
  const attendees = hasAttendees ? read('attendees', () => parseAttendeeReport(input.attendeesCsv!, zone)) : null;
  if (registrations && attendees) {
    const a = registrations.summary.zoomWebinarId;
    const b = attendees.summary.zoomWebinarId;
    if (a && b && a !== b) problems.files = [`les deux rapports ne portent pas sur le même webinaire Zoom (${spaced(a)} et ${spaced(b)}).`];
    const day = (iso: string | null) => (iso ? DateTime.fromISO(iso).setZone(zone).toISODate() : null);
    const d1 = day(registrations.summary.scheduledAt);
    const d2 = day(attendees.summary.actualStartAt);
    if (d1 && d2 && d1 !== d2) problems.files = [...(problems.files ?? []), `les deux rapports ne portent pas sur la même séance (prévue le ${frDay(d1)}, tenue le ${frDay(d2)}).`];
  }
  if (Object.keys(problems).length) throw new ZoomImportRefused(problems);
  return { zone, registrations, attendees };
}

const spaced = (id: string) => id.replace(/^(\d{3})(\d{4})(\d+)$/, '$1 $2 $3');
const frDay = (isoDate: string) => DateTime.fromISO(isoDate).setLocale('fr').toFormat('d LLLL yyyy');

/** "Zoé  Chassagne-Rieu" and "zoe chassagne rieu" are one name. */
function nameKey(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** "Zoé C. (Zoé Chassagne)": the original name in brackets is the registration's. */
function displayNameKeys(displayName: string): string[] {
  const inBrackets = /\(([^)]+)\)\s*$/.exec(displayName)?.[1];
  return [inBrackets, displayName.replace(/\([^)]*\)\s*$/, '')].filter((x): x is string => Boolean(x)).map(nameKey);
}

async function planImport(s: Services, q: Q, reports: Reports, webinarRef: string | null, lock: boolean): Promise<Plan> {
  const warnings: string[] = [...(reports.registrations?.notes ?? []), ...(reports.attendees?.notes ?? [])];
  const topic = reports.registrations?.summary.topic || reports.attendees?.summary.topic || 'Rencontre importée de Zoom';
  const { webinar, row, newWebinar } = await resolveWebinar(s, q, reports, webinarRef, topic, warnings);
  if (row && lock) await lockRow(s.db, q as Transaction<Database>, 'webinars', row.id);

  // Everyone the files name, one per e-mail.
  const people = new Map<string, Person>();
  const skipped: SkippedRegistrant[] = [];
  const personFor = (email: string, init: () => Omit<Person, 'email' | 'emailNormalized' | 'lines' | 'minutes' | 'joinedAt' | 'isGuest'>) => {
    const k = normalizeEmail(email);
    let p = people.get(k);
    if (!p) {
      p = { email, emailNormalized: k, ...init(), lines: { registrations: [], attendees: [] }, minutes: undefined, joinedAt: null, isGuest: false };
      people.set(k, p);
    }
    return p;
  };
  for (const r of reports.registrations?.registrants ?? []) {
    if (r.approvalStatus && NOT_LET_IN.has(r.approvalStatus)) {
      skipped.push({ file: 'registrations', line: r.line, name: `${r.firstName} ${r.lastName}`.trim(), email: r.email, status: r.approvalStatus });
      continue;
    }
    const p = personFor(r.email, () => ({ firstName: r.firstName, lastName: r.lastName, phone: r.phone, town: r.town, postcode: r.postcode, country: r.country, question: r.question, registeredAt: r.registeredAt }));
    p.lines.registrations.push(r.line);
    if (r.registeredAt && (!p.registeredAt || r.registeredAt < p.registeredAt)) p.registeredAt = r.registeredAt;
  }
  const attendees = reports.attendees?.attendees ?? [];
  const withoutEmail: typeof attendees = [];
  for (const a of attendees) {
    if (!a.email) {
      withoutEmail.push(a);
      continue;
    }
    const known = people.get(normalizeEmail(a.email));
    if (!known && !a.attended && a.approvalStatus && NOT_LET_IN.has(a.approvalStatus)) {
      skipped.push({ file: 'attendees', line: a.line, name: a.displayName, email: a.email, status: a.approvalStatus });
      continue;
    }
    const { firstName, lastName } = a.firstName ? { firstName: a.firstName, lastName: a.lastName } : { firstName: a.displayName, lastName: '' };
    const p = personFor(a.email, () => ({ firstName, lastName, phone: a.phone, town: null, postcode: null, country: null, question: null, registeredAt: a.registeredAt }));
    addConnection(p, a);
  }
  // A person skipped on one line but present on another is imported: drop them from the skipped list.
  const skippedOnly = skipped.filter((x) => !people.has(normalizeEmail(x.email)));

  // Who exists already: the people (by e-mail) and this Rencontre's registrations.
  const emails = [...people.keys()];
  const candidates = new Map<string, string>();
  for (let i = 0; i < emails.length; i += 500) {
    const rows = await q.selectFrom('candidates').select(['id', 'email_normalized', 'merged_into_id']).where('email_normalized', 'in', emails.slice(i, i + 500)).execute();
    // The e-mail of a file merged into another leads to that other file (a merge leaves one hop).
    for (const r of rows) candidates.set(r.email_normalized, r.merged_into_id ?? r.id);
  }
  type ExistingReg = Pick<RegistrationRow, 'id' | 'status' | 'attended' | 'attendance_overridden' | 'candidate_id'> & { email: string; email_normalized: string; first_name: string; last_name: string };
  const existingRegs: ExistingReg[] = row
    ? await q
        .selectFrom('registrations')
        .innerJoin('candidates', 'candidates.id', 'registrations.candidate_id')
        .select(['registrations.id', 'registrations.status', 'registrations.attended', 'registrations.attendance_overridden', 'registrations.candidate_id', 'candidates.email', 'candidates.email_normalized', 'candidates.first_name', 'candidates.last_name'])
        .where('registrations.webinar_id', '=', row.id)
        .execute()
    : [];
  const registeredCandidates = new Set(existingRegs.map((r) => r.candidate_id));

  // Connections without an e-mail: tied to a registrant by a name only one of them bears.
  const byName = new Map<string, Set<string>>();
  const addName = (name: string, emailNormalized: string) => {
    const k = nameKey(name);
    if (!k) return;
    if (!byName.has(k)) byName.set(k, new Set());
    byName.get(k)!.add(emailNormalized);
  };
  for (const p of people.values()) addName(`${p.firstName} ${p.lastName}`, p.emailNormalized);
  for (const r of existingRegs) addName(`${r.first_name} ${r.last_name}`, r.email_normalized);
  const existingOnly = new Map<string, { email: string; name: string; minutes: number; joinedAt: string | null; lines: number[] }>();
  const matchedByName = new Map<string, NameMatch>();
  const unmatched = new Map<string, UnmatchedConnection>();
  for (const a of withoutEmail) {
    const keys = [...(a.firstName || a.lastName ? [nameKey(`${a.firstName} ${a.lastName}`)] : []), ...displayNameKeys(a.displayName)].filter(Boolean);
    const hit = keys.map((k) => byName.get(k)).find((set) => set !== undefined);
    if (hit && hit.size === 1) {
      const emailNormalized = [...hit][0]!;
      const p = people.get(emailNormalized);
      if (p) {
        addConnection(p, a);
      } else {
        const reg = existingRegs.find((r) => r.email_normalized === emailNormalized)!;
        const e = existingOnly.get(emailNormalized) ?? { email: reg.email, name: `${reg.first_name} ${reg.last_name}`.trim(), minutes: 0, joinedAt: null, lines: [] };
        e.minutes += a.minutes;
        e.lines.push(a.line);
        if (a.joinedAt && (!e.joinedAt || a.joinedAt < e.joinedAt)) e.joinedAt = a.joinedAt;
        existingOnly.set(emailNormalized, e);
      }
      const m = matchedByName.get(emailNormalized) ?? { name: a.displayName, email: p?.email ?? existingOnly.get(emailNormalized)!.email, lines: [] };
      m.lines.push(a.line);
      matchedByName.set(emailNormalized, m);
      continue;
    }
    const k = keys[0] ?? `ligne ${a.line}`;
    const u = unmatched.get(k) ?? { name: a.displayName || `${a.firstName} ${a.lastName}`.trim() || '(sans nom)', lines: [], minutes: 0, isGuest: false, reason: hit ? 'same-name' : 'no-email' };
    u.lines.push(a.line);
    u.minutes += a.minutes;
    u.isGuest ||= a.isGuest;
    unmatched.set(k, u);
  }

  const planned = [...people.values()].map((person) => {
    const candidateId = candidates.get(person.emailNormalized) ?? null;
    return { person, candidateId, hasRegistration: candidateId !== null && registeredCandidates.has(candidateId) };
  });
  const peopleToCreate = planned.filter((p) => p.candidateId === null).map((p) => p.person);

  // The list handed to the rule of attendance: one entry a person, their connections added up.
  const entries: AttendanceEntry[] = [];
  if (reports.attendees) {
    for (const p of people.values()) {
      if (p.minutes !== undefined) entries.push({ registrantId: null, email: p.email, name: `${p.firstName} ${p.lastName}`.trim(), minutes: p.minutes, joinedAt: p.joinedAt });
    }
    for (const e of existingOnly.values()) entries.push({ registrantId: null, email: e.email, name: e.name, minutes: e.minutes, joinedAt: e.joinedAt });
    for (const u of unmatched.values()) entries.push({ registrantId: null, email: null, name: u.name, minutes: u.minutes, joinedAt: null });
  }

  const threshold = s.territory.attendanceThresholdMinutes;
  let attendance: ZoomImportPreview['attendance'] = null;
  if (reports.attendees) {
    // The same counting as recordAttendance, on the registrations as they will be after the import.
    const minutesByEmail = new Map<string, number>();
    for (const e of entries) if (e.email) minutesByEmail.set(normalizeEmail(e.email), (minutesByEmail.get(normalizeEmail(e.email)) ?? 0) + Math.max(0, Math.round(e.minutes)));
    const after = [
      ...existingRegs.map((r) => ({ email: r.email_normalized, status: r.status, overridden: r.attendance_overridden === 1, attended: r.attended === 1 })),
      ...planned.filter((p) => !p.hasRegistration).map((p) => ({ email: p.person.emailNormalized, status: 'confirmed' as const, overridden: false, attended: false })),
    ];
    attendance = { present: 0, absent: 0, keptByAgent: 0, thresholdMinutes: threshold, minutes: 0 };
    for (const r of after) {
      const m = minutesByEmail.get(r.email);
      if (m === undefined && r.status !== 'confirmed') continue;
      const present = r.overridden ? r.attended : isPresent(m ?? 0, threshold);
      if (r.overridden) attendance.keptByAgent++;
      if (present) attendance.present++;
      else attendance.absent++;
      attendance.minutes += m ?? 0;
    }
  }

  const customQuestions = reports.registrations?.customQuestions ?? [];
  if (customQuestions.length) warnings.push(`Réponses non reprises (questions propres au webinaire) : ${customQuestions.map((x) => `« ${x} »`).join(', ')}.`);
  const guests = new Set<string>();
  for (const a of attendees) if (a.isGuest) guests.add(a.email ? normalizeEmail(a.email) : nameKey(a.displayName));

  return {
    preview: {
      zone: reports.zone,
      topic,
      webinar,
      people: { toCreate: peopleToCreate.map(({ email, firstName, lastName, lines }) => ({ email, firstName, lastName, lines })), existing: planned.length - peopleToCreate.length },
      registrations: { toCreate: planned.filter((p) => !p.hasRegistration).length, existing: planned.filter((p) => p.hasRegistration).length },
      attendance,
      matchedByName: [...matchedByName.values()],
      unmatched: [...unmatched.values()],
      skipped: skippedOnly,
      guests: guests.size,
      hosts: reports.attendees?.hosts.length ?? 0,
      panelists: reports.attendees?.panelists.length ?? 0,
      customQuestions,
      warnings,
    },
    webinarRow: row,
    newWebinar,
    people: planned,
    entries,
  };
}

function addConnection(p: Person, a: AttendeeReport['attendees'][number]) {
  p.lines.attendees.push(a.line);
  p.minutes = (p.minutes ?? 0) + a.minutes;
  if (a.joinedAt && (!p.joinedAt || a.joinedAt < p.joinedAt)) p.joinedAt = a.joinedAt;
  p.isGuest ||= a.isGuest;
}

/**
 * The Rencontre the reports are about: the one the agent chose; else the one held that day (the one
 * linked to the report's Zoom webinar first, then the nearest in time); else a new one made from the
 * report. The Zoom number alone is not enough: every occurrence of a recurring webinar shares it.
 */
async function resolveWebinar(
  s: Services,
  q: Q,
  reports: Reports,
  webinarRef: string | null,
  topic: string,
  warnings: string[],
): Promise<{ webinar: PlannedWebinar; row: WebinarRow | null; newWebinar: NewWebinarRow | null }> {
  const zoneOfTerritory = s.territory.timezone;
  const zoomWebinarId = reports.registrations?.summary.zoomWebinarId ?? reports.attendees?.summary.zoomWebinarId ?? null;
  const scheduledAt = reports.registrations?.summary.scheduledAt ?? null;
  const actualStartAt = reports.attendees?.summary.actualStartAt ?? null;
  const start = scheduledAt ?? actualStartAt;
  const planned = (match: PlannedWebinar['match'], r: WebinarRow): PlannedWebinar => ({ match, id: r.id, title: r.title, startsAt: r.starts_at, endsAt: r.ends_at, zoomWebinarId });
  const day = (iso: string) => DateTime.fromISO(iso).setZone(zoneOfTerritory).toISODate();
  const checkZoomId = (r: WebinarRow) => {
    if (zoomWebinarId && r.video_external_id && r.video_external_id !== zoomWebinarId) {
      warnings.push(`La Rencontre est liée au webinaire Zoom ${spaced(r.video_external_id)}, les rapports parlent du webinaire ${spaced(zoomWebinarId)}.`);
    }
  };

  const ref = webinarRef?.trim();
  if (ref) {
    const r = (await q.selectFrom('webinars').selectAll().where('id', '=', ref).executeTakeFirst()) ?? (await q.selectFrom('webinars').selectAll().where('slug', '=', ref).executeTakeFirst());
    if (!r) throw new ZoomImportRefused({ webinar: [`aucune Rencontre ne correspond à « ${ref} ».`] });
    if (start && day(start) !== day(r.starts_at)) warnings.push(`La Rencontre choisie a eu lieu le ${frDay(day(r.starts_at)!)}, les rapports parlent d’une séance du ${frDay(day(start)!)}.`);
    checkZoomId(r);
    return { webinar: planned('given', r), row: r, newWebinar: null };
  }
  if (!start) {
    throw new ZoomImportRefused({ webinar: ['le rapport ne donne pas l’heure du webinaire (Scheduled Time ou Actual Start Time) : choisissez la Rencontre à laquelle il se rapporte.'] });
  }
  const dayStart = DateTime.fromISO(start).setZone(zoneOfTerritory).startOf('day');
  const sameDay = await q
    .selectFrom('webinars')
    .selectAll()
    .where('starts_at', '>=', dayStart.toUTC().toISO()!)
    .where('starts_at', '<', dayStart.plus({ days: 1 }).toUTC().toISO()!)
    .where('status', '!=', 'cancelled')
    .execute();
  const distance = (r: WebinarRow) => Math.abs(new Date(r.starts_at).getTime() - new Date(start).getTime());
  const linked = sameDay.filter((r) => zoomWebinarId && r.video_external_id === zoomWebinarId).sort((a, b) => distance(a) - distance(b));
  if (linked[0]) return { webinar: planned('zoom-id', linked[0]), row: linked[0], newWebinar: null };
  const nearest = [...sameDay].sort((a, b) => distance(a) - distance(b));
  if (nearest[0]) {
    if (nearest[1] && distance(nearest[1]) === distance(nearest[0])) {
      throw new ZoomImportRefused({ webinar: [`plusieurs Rencontres ont lieu le ${frDay(day(start)!)} à la même distance de l’heure du rapport : choisissez celle à laquelle il se rapporte.`] });
    }
    checkZoomId(nearest[0]);
    return { webinar: planned('date', nearest[0]), row: nearest[0], newWebinar: null };
  }

  // A Rencontre held before the platform: made from the report, published (it took place).
  const startsAt = scheduledAt ?? DateTime.fromISO(actualStartAt!).startOf('minute').toUTC().toISO()!;
  const actualEnd = actualStartAt && reports.attendees?.summary.actualDurationMinutes ? new Date(new Date(actualStartAt).getTime() + reports.attendees.summary.actualDurationMinutes * 60_000) : null;
  const byDefault = new Date(new Date(startsAt).getTime() + s.territory.schedule.durationMinutes * 60_000);
  const endsAt = (actualEnd && actualEnd.getTime() > new Date(startsAt).getTime() ? actualEnd : byDefault).toISOString();
  if (!scheduledAt) {
    warnings.push(`Sans le rapport d’inscription, l’heure prévue n’est pas connue : la Rencontre est créée à l’heure réelle de début dans Zoom (${DateTime.fromISO(startsAt).setZone(zoneOfTerritory).toFormat("HH' h 'mm")}) ; modifiez-la ensuite au besoin.`);
  }
  const base = webinarSlug(day(startsAt)!, null);
  const taken = new Set((await q.selectFrom('webinars').select('slug').where('slug', 'like', `${base}%`).execute()).map((r) => r.slug));
  let slug = base;
  for (let i = 2; taken.has(slug); i++) slug = `${base}-${i}`;
  const nowIso = s.clock.now().toISOString();
  const title = topic.slice(0, 200);
  const newWebinar: NewWebinarRow = {
    id: randomUUID(),
    slug,
    title,
    kind: 'generic',
    theme: null,
    status: 'published',
    starts_at: new Date(startsAt).toISOString(),
    ends_at: endsAt,
    capacity: null,
    video_tool: 'link',
    join_url: null,
    replay_url: null,
    summary: '',
    description: '',
    programme: '[]',
    speakers: '[]',
    partners: '[]',
    promotion_cost_cents: null,
    // Kept so that the webinar is recognised again (with its date) by a later import.
    video_external_id: zoomWebinarId,
    created_at: nowIso,
    updated_at: nowIso,
  };
  return { webinar: { match: 'create', id: null, title, startsAt: newWebinar.starts_at, endsAt, zoomWebinarId }, row: null, newWebinar };
}
