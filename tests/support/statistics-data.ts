import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/platform/db/database.ts';
import type { NewCandidateRow, NewRegistrationRow } from '../../src/platform/db/schema.ts';
import { zonedWallTimeToUtc } from '../../src/platform/time.ts';
import { createWebinar } from './fixtures.ts';

/**
 * A small, hand-made history for the statistics tests, with the figures worked out by hand in
 * src/features/statistics/compute-statistics.test.ts: cancelled registrations, a waiting list, people
 * at several Rencontres, a Rencontre nobody attended, one with nobody registered, editions on both
 * sides of midnight on New Year's Eve in Paris, requests, stages, installations, follow-ups, replays.
 */
export async function seedStatisticsHistory(db: Db) {
  const k = db.kysely;
  const paris = (date: string, time: string) => zonedWallTimeToUtc(date, time, 'Europe/Paris').toISOString();
  const W0 = await createWebinar(db, { date: '2023-11-17', title: 'Rencontre du 17 novembre 2023' });
  // 1 January 2024 at 00:30 in Paris is still 2023 in UTC: it belongs to 2024.
  const W1 = await createWebinar(db, { date: '2024-01-01', starts_at: paris('2024-01-01', '00:30'), ends_at: paris('2024-01-01', '01:30'), title: 'Rencontre du Nouvel An', promotion_cost_cents: 10000 });
  const W2 = await createWebinar(db, { date: '2024-03-15', kind: 'thematic', theme: 'logement', title: 'Rencontre : se loger', promotion_cost_cents: 6000 });
  const W3 = await createWebinar(db, { date: '2024-06-14', kind: 'thematic', theme: 'focus-emploi', title: 'Rencontre : focus emploi' });
  // 31 December 2024 at 23:30 in Paris (22:30 UTC): the last edition of 2024, with nobody registered.
  const W4 = await createWebinar(db, { date: '2024-12-31', starts_at: paris('2024-12-31', '23:30'), ends_at: paris('2025-01-01', '00:30'), title: 'Rencontre de la Saint-Sylvestre' });
  // 1 January 2025 at 00:30 in Paris is 31 December 2024 in UTC: it belongs to 2025.
  const W5 = await createWebinar(db, { date: '2025-01-01', starts_at: paris('2025-01-01', '00:30'), ends_at: paris('2025-01-01', '01:30'), title: 'Rencontre du Nouvel An 2025' });
  // Neither a draft nor a cancelled Rencontre is an edition.
  const draft = await createWebinar(db, { date: '2024-09-20', status: 'draft', title: 'Brouillon' });
  const cancelledW = await createWebinar(db, { date: '2024-10-18', status: 'cancelled', title: 'Annulée' });

  const person = async (name: string, createdAt: string, postcode: string | null, country: string | null = 'France') => {
    const id = randomUUID();
    const email = `${name.toLowerCase()}@example.org`;
    const row: NewCandidateRow = {
      id,
      email,
      email_normalized: email,
      first_name: name,
      last_name: 'Test',
      phone: null,
      postcode,
      town: null,
      country,
      project: null,
      household: null,
      horizon: null,
      desired_region: null,
      news_opt_in: 0,
      news_opt_in_at: null,
      first_source: null,
      first_webinar_id: null,
      created_at: createdAt,
      updated_at: createdAt,
      last_contact_at: createdAt,
    };
    await k.insertInto('candidates').values(row).execute();
    return id;
  };
  const A = await person('Anne', '2023-11-01T10:00:00.000Z', '75011');
  // First contact at 00:15 on 1 January 2024 in Paris: the January 2024 cohort.
  const B = await person('Bruno', '2023-12-31T23:15:00.000Z', '20167');
  const C = await person('Chloe', '2024-02-01T10:00:00.000Z', '20200');
  const D = await person('Driss', '2024-02-02T10:00:00.000Z', '97400');
  const E = await person('Emma', '2024-03-01T10:00:00.000Z', null, 'Belgique');
  const F = await person('Fanny', '2024-05-01T10:00:00.000Z', '48000');
  // First contact at 00:10 on 1 January 2025 in Paris: not a 2024 cohort.
  const G = await person('Gael', '2024-12-31T23:10:00.000Z', '48100');
  const H = await person('Hugo', '2022-05-01T10:00:00.000Z', '63000');
  // The same candidate twice is merged: the merged file is never counted as a household of its own.
  const merged = await person('Doublon', '2024-02-03T10:00:00.000Z', '75018');
  await k.updateTable('candidates').set({ merged_into_id: C }).where('id', '=', merged).execute();

  const reg = async (
    webinarId: unknown,
    candidateId: string,
    createdAt: string,
    status: NewRegistrationRow['status'],
    o: { attended?: number | null; minutes?: number | null; utm?: string | null; project?: string | null; household?: string | null } = {},
  ) => {
    const id = randomUUID();
    await k
      .insertInto('registrations')
      .values({
        id,
        webinar_id: webinarId as string,
        candidate_id: candidateId,
        status,
        token_nonce: randomUUID(),
        manage_token_hash: randomUUID(),
        project: o.project === undefined ? 'salarie' : o.project,
        household: o.household === undefined ? 'couple' : o.household,
        horizon: null,
        desired_region: null,
        heard_from: null,
        question: null,
        utm_source: o.utm ?? null,
        utm_medium: null,
        utm_campaign: null,
        created_by: 'candidate',
        created_at: createdAt,
        confirmed_at: status === 'confirmed' ? createdAt : null,
        cancelled_at: status === 'cancelled' ? createdAt : null,
        waitlist_rank: status === 'waitlisted' ? 1 : null,
        attended: o.attended ?? null,
        attended_minutes: o.minutes ?? null,
      })
      .execute();
    return id;
  };
  await reg(W0.id, A, '2023-11-02T10:00:00.000Z', 'confirmed', { attended: 1, minutes: 55 });
  const rA1 = await reg(W1.id, A, '2023-12-20T10:00:00.000Z', 'confirmed', { attended: 1, minutes: 30, utm: 'facebook' });
  const rB1 = await reg(W1.id, B, '2023-12-31T23:15:00.000Z', 'confirmed', { attended: 0, minutes: 0, project: 'teletravail' });
  const rA2 = await reg(W2.id, A, '2024-03-01T10:00:00.000Z', 'confirmed', { attended: 1, minutes: 50, utm: 'facebook' });
  const rC2 = await reg(W2.id, C, '2024-03-05T10:00:00.000Z', 'confirmed', { attended: 1, minutes: 40, utm: 'newsletter' });
  await reg(W2.id, D, '2024-03-10T10:00:00.000Z', 'waitlisted', { project: null, household: 'enfants' });
  // Cancelled, and marked present by a video tool all the same: still not counted.
  await reg(W2.id, E, '2024-03-01T10:00:00.000Z', 'cancelled', { utm: 'facebook', attended: 1, minutes: 60 });
  await reg(W3.id, B, '2024-06-01T10:00:00.000Z', 'confirmed', { attended: 0, minutes: 0, project: 'teletravail' });
  await reg(W3.id, C, '2024-06-01T11:00:00.000Z', 'cancelled');
  await reg(W3.id, F, '2024-06-02T10:00:00.000Z', 'confirmed', { attended: 0, utm: 'facebook', project: 'creation-reprise' });
  await reg(W5.id, F, '2024-12-01T10:00:00.000Z', 'confirmed');
  await reg(W5.id, G, '2024-12-31T23:10:00.000Z', 'confirmed');
  await reg(W5.id, merged, '2024-12-02T10:00:00.000Z', 'confirmed');
  await reg(draft.id, A, '2024-09-01T10:00:00.000Z', 'confirmed', { attended: 1 });
  await reg(cancelledW.id, B, '2024-09-01T10:00:00.000Z', 'confirmed');

  const request = async (candidateId: string, at: string, webinarId: unknown, registrationId: string | null) =>
    k
      .insertInto('accompaniment_requests')
      .values({ id: randomUUID(), candidate_id: candidateId, registration_id: registrationId, webinar_id: (webinarId as string | null) ?? null, project: 'p', horizon: '6-12-mois', movers: 'couple', needs: '[]', message: null, status: 'new', created_at: at })
      .execute();
  await request(A, '2024-01-10T10:00:00.000Z', W1.id, rA1);
  await request(C, '2024-03-20T10:00:00.000Z', W2.id, rC2);
  await request(F, '2024-12-15T10:00:00.000Z', null, null);
  await request(H, '2023-06-01T10:00:00.000Z', null, null);

  const stage = async (candidateId: string, to: string, at: string, reason: string | null = null) =>
    k.insertInto('stage_changes').values({ id: randomUUID(), candidate_id: candidateId, from_stage: null, to_stage: to, reason, at, actor_type: 'agent', actor_id: null }).execute();
  await stage(A, 'accompanied', '2024-01-20T09:00:00.000Z');
  await stage(A, 'installed', '2024-04-01T08:00:00.000Z');
  await stage(C, 'visit', '2024-04-10T10:00:00.000Z');
  await stage(B, 'abandoned', '2024-02-01T10:00:00.000Z', 'emploi');
  await stage(F, 'abandoned', '2024-07-01T10:00:00.000Z', 'logement');
  await stage(H, 'abandoned', '2023-07-01T10:00:00.000Z', 'famille');

  const installation = async (candidateId: string, on: string, o: { adults: number; children: number; activity: string; region: string; leftOn?: string }) => {
    const id = randomUUID();
    await k
      .insertInto('installations')
      .values({ id, candidate_id: candidateId, installed_on: on, commune_code: null, commune_name: 'Mende', region_key: o.region, adults: o.adults, children: o.children, activity: o.activity, employer: null, housing: null, left_on: o.leftOn ?? null, left_reason: null, created_by: null, created_at: `${on}T10:00:00.000Z` })
      .execute();
    return id;
  };
  const iA = await installation(A, '2024-04-01', { adults: 2, children: 1, activity: 'job', region: 'aubrac' });
  await installation(H, '2024-10-01', { adults: 1, children: 0, activity: 'takeover', region: 'margeride', leftOn: '2024-12-01' });
  const followUp = async (months: number, status: string, answeredAt: string | null) =>
    k
      .insertInto('follow_ups')
      .values({ id: randomUUID(), installation_id: iA, candidate_id: A, months, due_on: '2024-07-01', status: status as 'answered', token_nonce: randomUUID(), answer_token_hash: randomUUID(), sent_at: null, answered_at: answeredAt, wellbeing: null, needs_help: null, message: null, still_there: null })
      .execute();
  await followUp(3, 'answered', '2024-07-05T10:00:00.000Z');
  await followUp(6, 'scheduled', null);
  await followUp(12, 'answered', '2025-04-05T10:00:00.000Z');

  const replay = async (webinarId: unknown, registrationId: string, kind: string, status: string) =>
    k
      .insertInto('outbox_messages')
      .values({ id: randomUUID(), dedupe_key: randomUUID(), kind, to_address: 'x@example.org', subject: 's', html: '', text: '', attachments: '[]', headers: '{}', status: status as 'sent', attempts: 1, run_after: '2024-01-02T10:00:00.000Z', locked_until: null, last_error: null, last_attempt_at: null, sent_at: status === 'sent' ? '2024-01-02T10:00:00.000Z' : null, transport: null, candidate_id: null, webinar_id: webinarId as string, registration_id: registrationId, created_at: '2024-01-02T10:00:00.000Z' })
      .execute();
  await replay(W1.id, rA1, 'replay-attended', 'sent');
  await replay(W1.id, rB1, 'replay-absent', 'sent');
  await replay(W2.id, rA2, 'replay-attended', 'failed');
  await replay(W2.id, rC2, 'replay-attended', 'sent');

  return { W0, W1, W2, W3, W4, W5, A, B, C, D, E, F, G, H };
}
