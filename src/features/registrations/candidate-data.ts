import type { Services } from '../../services.ts';

/**
 * Everything the platform holds on one person, for them to see and take away (RGPD art. 15 and 20).
 * A new table that references candidates must be added here; a test walks the schema to check it.
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
  const { id: _id, email_normalized: _n, ...person } = candidate;
  return {
    exportedAt: s.clock.now().toISOString(),
    controller: { name: s.territory.authority.name, dpo: s.territory.dpo.email },
    person,
    registrations,
    emails,
  };
}
