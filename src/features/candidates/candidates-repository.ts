import { newId } from '../../platform/ids.ts';
import type { Kysely, Transaction } from 'kysely';
import { preparedQuery } from '../../platform/db/database.ts';
import type { CandidateRow, Database, NewCandidateRow } from '../../platform/db/schema.ts';
import { candidateKeys } from './candidate-file.ts';

type Q = Kysely<Database> | Transaction<Database>;

export interface CandidateProfile {
  email: string;
  emailNormalized: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  postcode: string | null;
  town: string | null;
  country: string | null;
  project: string | null;
  household: string | null;
  horizon: string | null;
  desiredRegion: string | null;
}

// Registering runs these for every person (prepared: built and compiled once).
const selectByEmail = preparedQuery((db, p: { email: string }) => db.selectFrom('candidates').selectAll().where('email_normalized', '=', p.email));
const selectById = preparedQuery((db, p: { id: string }) => db.selectFrom('candidates').selectAll().where('id', '=', p.id));
const insertCandidate = preparedQuery((db, row: NewCandidateRow) =>
  db
    .insertInto('candidates')
    .values(row)
    .onConflict((oc) => oc.column('email_normalized').doNothing()),
);
type CandidatePatch = ReturnType<typeof updatedFile>;
const updateCandidate = preparedQuery((db, p: CandidatePatch & { id: string }) => {
  const { id, ...patch } = p;
  return db.updateTable('candidates').set(patch).where('id', '=', id);
});

export async function findCandidateByEmail(db: Q, emailNormalized: string): Promise<CandidateRow | undefined> {
  return (await selectByEmail(db, { email: emailNormalized })).rows[0];
}

/** The file a person's e-mail leads to: a file merged into another leads to that other one. */
export async function findLiveCandidateByEmail(db: Q, emailNormalized: string): Promise<CandidateRow | undefined> {
  let row = await findCandidateByEmail(db, emailNormalized);
  for (let hops = 0; row?.merged_into_id && hops < 10; hops++) row = await findCandidateById(db, row.merged_into_id);
  return row;
}

export async function findCandidateById(db: Q, id: string): Promise<CandidateRow | undefined> {
  return (await selectById(db, { id })).rows[0];
}

/**
 * Finds the person by e-mail or creates them; a known person's file takes the latest answers (the
 * newest say where the project stands) but keeps what they did not answer this time. The e-mail of a
 * file merged into another finds the other one. Safe under concurrency: two first registrations of
 * one address make one candidate.
 */
export async function upsertCandidate(
  trx: Transaction<Database>,
  now: Date,
  p: CandidateProfile,
  first: { source: string | null; webinarId: string | null; newsOptIn: boolean },
): Promise<{ candidate: CandidateRow; isNew: boolean }> {
  const nowIso = now.toISOString();
  const existing = await findLiveCandidateByEmail(trx, p.emailNormalized);
  if (existing) {
    const patch = updatedFile(existing, p, first, nowIso);
    await updateCandidate(trx, { ...patch, id: existing.id });
    return { candidate: { ...existing, ...patch }, isNew: false };
  }
  const row = {
    id: newId(),
    email: p.email,
    email_normalized: p.emailNormalized,
    first_name: p.firstName,
    last_name: p.lastName,
    phone: p.phone,
    postcode: p.postcode,
    town: p.town,
    country: p.country,
    project: p.project,
    household: p.household,
    horizon: p.horizon,
    desired_region: p.desiredRegion,
    news_opt_in: first.newsOptIn ? 1 : 0,
    news_opt_in_at: first.newsOptIn ? nowIso : null,
    first_source: first.source,
    first_webinar_id: first.webinarId,
    created_at: nowIso,
    updated_at: nowIso,
    last_contact_at: nowIso,
    invitations_opt_out_at: null,
    stage: 'contact' as const,
    stage_changed_at: nowIso,
    abandon_reason: null,
    referent_id: null,
    project_type: null,
    project_sector: null,
    project_maturity: null,
    desired_commune: null,
    housing_plan: null,
    driving_licence: null,
    merged_into_id: null,
    last_activity_at: nowIso,
    ...candidateKeys({ first_name: p.firstName, last_name: p.lastName, email_normalized: p.emailNormalized, phone: p.phone, town: p.town }),
  };
  const inserted = await insertCandidate(trx, row);
  if (Number(inserted.numAffectedRows ?? 0n) === 0) {
    // Another transaction created this person a moment ago: take theirs.
    return upsertCandidate(trx, now, p, first);
  }
  return { candidate: row, isNew: true };
}

/** A known person's file with this registration's answers. */
function updatedFile(existing: CandidateRow, p: CandidateProfile, first: { newsOptIn: boolean }, nowIso: string) {
  // Someone of a household whose file was merged into another's comes back: their answers complete
  // the household's file, which keeps the name it has.
  const isOwnFile = existing.email_normalized === p.emailNormalized;
  const fields = {
    first_name: isOwnFile ? p.firstName : existing.first_name,
    last_name: isOwnFile ? p.lastName : existing.last_name,
    phone: p.phone ?? existing.phone,
    postcode: p.postcode ?? existing.postcode,
    town: p.town ?? existing.town,
    country: p.country ?? existing.country,
    project: p.project ?? existing.project,
    household: p.household ?? existing.household,
    horizon: p.horizon ?? existing.horizon,
    desired_region: p.desiredRegion ?? existing.desired_region,
    // Consent is only ever given here, never withdrawn by omission: withdrawing has its own action.
    news_opt_in: first.newsOptIn ? 1 : existing.news_opt_in,
    news_opt_in_at: first.newsOptIn && !existing.news_opt_in ? nowIso : existing.news_opt_in_at,
    updated_at: nowIso,
    last_contact_at: nowIso,
    last_activity_at: nowIso,
  };
  return { ...fields, ...candidateKeys({ ...existing, ...fields }) };
}
