import type { Services } from '../../services.ts';

/**
 * Everything the platform holds on one person, for them to see and take away (RGPD art. 15 and 20).
 * Every table with a candidate_id is included, found from the schema, secrets left out; a test checks it.
 */
export async function collectCandidateData(s: Services, candidateId: string) {
  const db = s.db.kysely;
  const candidate = await db.selectFrom('candidates').selectAll().where('id', '=', candidateId).executeTakeFirstOrThrow();
  const registrations = await db
    .selectFrom('registrations')
    .innerJoin('webinars', 'webinars.id', 'registrations.webinar_id')
    .select([
      'registrations.id',
      'webinars.title as webinar',
      'webinars.starts_at as webinarStartsAt',
      'registrations.status',
      'registrations.project',
      'registrations.household',
      'registrations.horizon',
      'registrations.desired_region',
      'registrations.heard_from',
      'registrations.question',
      'registrations.utm_source',
      'registrations.utm_medium',
      'registrations.utm_campaign',
      'registrations.created_at',
      'registrations.confirmed_at',
      'registrations.cancelled_at',
      'registrations.attended',
      'registrations.attended_minutes',
    ])
    .where('registrations.candidate_id', '=', candidateId)
    .orderBy('registrations.created_at')
    .execute();
  const emails = await db
    .selectFrom('outbox_messages')
    .select(['subject', 'to_address', 'status', 'created_at', 'sent_at'])
    .where('candidate_id', '=', candidateId)
    .orderBy('created_at')
    .execute();
  const surveyAnswers = await db
    .selectFrom('survey_answers')
    .innerJoin('registrations', 'registrations.id', 'survey_answers.registration_id')
    .select(['survey_answers.webinar_id', 'survey_answers.usefulness', 'survey_answers.recommend', 'survey_answers.comment', 'survey_answers.created_at'])
    .where('registrations.candidate_id', '=', candidateId)
    .execute();
  // Every other table that keeps something about the person, found from the schema itself: a table
  // added later is exported without anyone having to remember this file.
  const others: Record<string, unknown[]> = {};
  for (const table of await tablesAboutPeople(s)) {
    const rows = (await db
      .selectFrom(table as 'tasks')
      .selectAll()
      .where('candidate_id' as 'id', '=', candidateId)
      .execute()) as Array<Record<string, unknown>>;
    if (rows.length) others[table] = rows.map(withoutSecrets);
  }
  const { id: _id, email_normalized: _n, ...person } = candidate;
  return {
    exportedAt: s.clock.now().toISOString(),
    controller: { name: s.territory.authority.name, dpo: s.territory.dpo.email },
    person,
    registrations,
    emails,
    surveyAnswers,
    ...others,
  };
}

/** Tables read above by hand; the others with a candidate_id are read by the schema walk. */
const READ_BY_HAND = new Set(['candidates', 'registrations', 'outbox_messages']);
/** Values that would let someone act as the person (link tokens) never leave the platform. */
const SECRET = /token|hash|nonce|secret|password/i;

function withoutSecrets(row: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !SECRET.test(k)));
}

let cached: Promise<string[]> | undefined;
/** The tables that have a candidate_id column (besides those read by hand), from the database's own catalogue. */
export function tablesAboutPeople(s: Services): Promise<string[]> {
  cached ??= s.db.kysely.introspection.getTables().then((tables) =>
    tables
      .filter((t) => !READ_BY_HAND.has(t.name) && t.columns.some((c) => c.name === 'candidate_id'))
      .map((t) => t.name)
      .sort(),
  );
  return cached;
}
