import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { createWebinar, parsedForm } from '../../../tests/support/fixtures.ts';
import { DomainError, NotFound } from '../../platform/http/errors.ts';
import { cancelRegistration } from './cancel-registration.ts';
import { registerCandidate } from './register-candidate.ts';
import type { Source } from './registration-schemas.ts';

const candidateActor = { type: 'candidate' as const, id: null };
const noSource: Source = { utmSource: null, utmMedium: null, utmCampaign: null };

describe.each(dialects())('registering to a Rencontre on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect, { poolSize: 20 });
  });
  afterEach(async () => {
    await t.close();
  });

  const register = (webinarId: string, over: Parameters<typeof parsedForm>[0] = {}, key = randomUUID(), source = noSource) =>
    registerCandidate(t.s, { webinarId, submissionKey: key, form: parsedForm(over), source, actor: candidateActor });

  const counts = async (webinarId: string) => {
    const rows = await t.db.kysely.selectFrom('registrations').select(['status']).where('webinar_id', '=', webinarId).execute();
    return {
      confirmed: rows.filter((r) => r.status === 'confirmed').length,
      waitlisted: rows.filter((r) => r.status === 'waitlisted').length,
      cancelled: rows.filter((r) => r.status === 'cancelled').length,
    };
  };
  const outbox = (webinarId: string) => t.db.kysely.selectFrom('outbox_messages').selectAll().where('webinar_id', '=', webinarId).orderBy('created_at').execute();

  it('creates the candidate, the registration, its e-mail and an audit entry together', async () => {
    const w = await createWebinar(t.db);
    const r = await register(w.id, {}, randomUUID(), { utmSource: 'facebook', utmMedium: 'paid-social', utmCampaign: 'janvier' });
    expect(r).toMatchObject({ outcome: 'created', status: 'confirmed' });
    const reg = await t.db.kysely.selectFrom('registrations').selectAll().where('id', '=', r.registrationId).executeTakeFirstOrThrow();
    expect(reg).toMatchObject({ utm_source: 'facebook', utm_medium: 'paid-social', utm_campaign: 'janvier', project: 'salarie', desired_region: 'margeride' });
    const cand = await t.db.kysely.selectFrom('candidates').selectAll().where('id', '=', reg.candidate_id).executeTakeFirstOrThrow();
    expect(cand).toMatchObject({ email_normalized: 'elise.martin@example.org', first_source: 'facebook', first_webinar_id: w.id, news_opt_in: 0 });
    const mails = await outbox(w.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ kind: 'registration-confirmed', to_address: 'elise.martin@example.org', status: 'queued' });
    expect(JSON.parse(mails[0]!.attachments)[0].filename).toBe('rencontre.ics');
    const audit = await t.db.kysely.selectFrom('audit_log').selectAll().where('subject_id', '=', r.registrationId).execute();
    expect(audit.map((a) => a.action)).toEqual(['registration.confirmed']);
  });

  it('finds the same person again whatever the case of the e-mail, and registering again sends nothing', async () => {
    const w = await createWebinar(t.db);
    const first = await register(w.id, { email: 'Elise.Martin@Example.org' });
    const again = await register(w.id, { email: '  elise.MARTIN@example.org ' });
    expect(again).toMatchObject({ outcome: 'existing', registrationId: first.registrationId });
    expect(await t.db.kysely.selectFrom('candidates').select('id').execute()).toHaveLength(1);
    expect(await outbox(w.id)).toHaveLength(1);
  });

  it('one person registered to two Rencontres is one candidate with two registrations', async () => {
    const a = await createWebinar(t.db, { date: '2027-01-15' });
    const b = await createWebinar(t.db, { date: '2027-03-19' });
    await register(a.id);
    await register(b.id, { horizon: 'moins-6-mois' });
    const cands = await t.db.kysely.selectFrom('candidates').selectAll().execute();
    expect(cands).toHaveLength(1);
    expect(cands[0]!.horizon).toBe('moins-6-mois');
    expect(cands[0]!.first_webinar_id).toBe(a.id);
  });

  it('a retried submission of one form returns the first result and writes nothing more', async () => {
    const w = await createWebinar(t.db);
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 5 }, () => register(w.id, {}, key)));
    expect(new Set(results.map((r) => r.registrationId)).size).toBe(1);
    expect(results.every((r) => r.outcome === 'created')).toBe(true);
    expect(await counts(w.id)).toEqual({ confirmed: 1, waitlisted: 0, cancelled: 0 });
    expect(await outbox(w.id)).toHaveLength(1);
    expect(results.every((r) => r.submissionKey === key)).toBe(true);
  });

  it('a form sent again for another person (the page brought back, another address typed) registers that person under a key of their own', async () => {
    const w = await createWebinar(t.db);
    const key = randomUUID();
    const first = await register(w.id, { email: 'elise.martin@example.org', firstName: 'Élise' }, key);
    const second = await register(w.id, { email: 'paul.martin@example.org', firstName: 'Paul' }, key);
    expect(second.outcome).toBe('created');
    expect(second.registrationId).not.toBe(first.registrationId);
    expect(second.email).toBe('paul.martin@example.org');
    expect(second.submissionKey).not.toBe(key);
    expect(first.submissionKey).toBe(key);
    expect(await counts(w.id)).toEqual({ confirmed: 2, waitlisted: 0, cancelled: 0 });
    expect(await outbox(w.id)).toHaveLength(2);
    // Each key still leads to its own person's registration (the receipt's address).
    const subs = await t.db.kysely.selectFrom('submissions').select(['key', 'registration_id']).where('webinar_id', '=', w.id).execute();
    expect(new Map(subs.map((x) => [x.key, x.registration_id]))).toEqual(new Map([[key, first.registrationId], [second.submissionKey, second.registrationId]]));
    // The first person's form sent once more still gives the first result, whatever the case of the address.
    const again = await register(w.id, { email: 'Elise.Martin@example.org', firstName: 'Élise' }, key);
    expect(again).toMatchObject({ outcome: 'created', registrationId: first.registrationId, submissionKey: key });
    expect(await outbox(w.id)).toHaveLength(2);
  });

  it('puts people on the waiting list once the Rencontre is full, and tells them so', async () => {
    const w = await createWebinar(t.db, { capacity: 2 });
    await register(w.id, { email: 'a@example.org' });
    await register(w.id, { email: 'b@example.org' });
    const third = await register(w.id, { email: 'c@example.org' });
    expect(third.status).toBe('waitlisted');
    const mails = await outbox(w.id);
    expect(mails.map((m) => m.kind)).toEqual(['registration-confirmed', 'registration-confirmed', 'registration-waitlisted']);
    expect(mails[2]!.text).toContain('en position 1');
  });

  it('fifty people racing for the last seat: exactly one gets it, the others wait', async () => {
    const w = await createWebinar(t.db, { capacity: 1 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => register(w.id, { email: `racer${i}@example.org` })));
    expect(results.filter((r) => r.status === 'confirmed')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'waitlisted')).toHaveLength(49);
    expect(await counts(w.id)).toEqual({ confirmed: 1, waitlisted: 49, cancelled: 0 });
    expect(await outbox(w.id)).toHaveLength(50);
  });

  it('cancelling frees the seat for the first on the waiting list, who is told by e-mail', async () => {
    const w = await createWebinar(t.db, { capacity: 1 });
    const a = await register(w.id, { email: 'a@example.org' });
    const b = await register(w.id, { email: 'b@example.org' });
    const c = await register(w.id, { email: 'c@example.org' });
    expect([a.status, b.status, c.status]).toEqual(['confirmed', 'waitlisted', 'waitlisted']);
    const out = await cancelRegistration(t.s, { registrationId: a.registrationId, actor: candidateActor });
    expect(out).toEqual({ changed: true, promotedId: b.registrationId });
    expect(await counts(w.id)).toEqual({ confirmed: 1, waitlisted: 1, cancelled: 1 });
    const mails = await outbox(w.id);
    expect(mails.filter((m) => m.kind === 'registration-cancelled').map((m) => m.to_address)).toEqual(['a@example.org']);
    expect(mails.filter((m) => m.kind === 'registration-promoted').map((m) => m.to_address)).toEqual(['b@example.org']);
    // Cancelling twice changes nothing.
    expect(await cancelRegistration(t.s, { registrationId: a.registrationId, actor: candidateActor })).toEqual({ changed: false, promotedId: null });
    expect(await outbox(w.id)).toHaveLength(mails.length);
  });

  it('a person who cancelled can register again, and gets a new confirmation', async () => {
    const w = await createWebinar(t.db);
    const a = await register(w.id);
    t.clock.advance(60_000);
    await cancelRegistration(t.s, { registrationId: a.registrationId, actor: candidateActor });
    t.clock.advance(60_000);
    const again = await register(w.id);
    expect(again).toMatchObject({ outcome: 'created', status: 'confirmed', registrationId: a.registrationId });
    const kinds = (await outbox(w.id)).map((m) => m.kind);
    expect(kinds).toEqual(['registration-confirmed', 'registration-cancelled', 'registration-confirmed']);
  });

  it('closes registration when the Rencontre starts, and refuses drafts and cancelled ones', async () => {
    const w = await createWebinar(t.db);
    t.clock.set(w.starts_at);
    await expect(register(w.id)).rejects.toMatchObject({ code: 'started' });
    const draft = await createWebinar(t.db, { status: 'draft', date: '2027-03-19' });
    await expect(register(draft.id)).rejects.toBeInstanceOf(DomainError);
    const cancelled = await createWebinar(t.db, { status: 'cancelled', date: '2027-05-21' });
    await expect(register(cancelled.id)).rejects.toMatchObject({ code: 'cancelled' });
    expect(await t.db.kysely.selectFrom('registrations').select('id').execute()).toHaveLength(0);
    expect(await t.db.kysely.selectFrom('outbox_messages').select('id').execute()).toHaveLength(0);
  });

  it('by the public page’s slug: registers to a published Rencontre, finds no unknown or draft one', async () => {
    const w = await createWebinar(t.db);
    const bySlug = (webinarSlug: string, email: string) =>
      registerCandidate(t.s, { webinarSlug, submissionKey: randomUUID(), form: parsedForm({ email }), source: noSource, actor: candidateActor });
    expect(await bySlug(w.slug, 'slug@example.org')).toMatchObject({ outcome: 'created', status: 'confirmed', webinar: { id: w.id } });
    const draft = await createWebinar(t.db, { status: 'draft', date: '2027-03-19' });
    await expect(bySlug(draft.slug, 'draft@example.org')).rejects.toBeInstanceOf(NotFound);
    await expect(bySlug('rencontre-inconnue', 'unknown@example.org')).rejects.toBeInstanceOf(NotFound);
    const cancelled = await createWebinar(t.db, { status: 'cancelled', date: '2027-05-21' });
    await expect(bySlug(cancelled.slug, 'cancelled@example.org')).rejects.toMatchObject({ code: 'cancelled' });
    expect(await t.db.kysely.selectFrom('registrations').select('webinar_id').execute()).toEqual([{ webinar_id: w.id }]);
  });

  it('a registration that fails half-way leaves nothing behind, e-mail included', async () => {
    const w = await createWebinar(t.db);
    // The outbox table is taken away: the insert of the e-mail, the last write but one, fails.
    await sql`alter table outbox_messages rename to outbox_elsewhere`.execute(t.db.kysely);
    await expect(register(w.id)).rejects.toThrow();
    expect(await t.db.kysely.selectFrom('registrations').select('id').execute()).toHaveLength(0);
    expect(await t.db.kysely.selectFrom('candidates').select('id').execute()).toHaveLength(0);
    expect(await t.db.kysely.selectFrom('submissions').select('key').execute()).toHaveLength(0);
    await sql`alter table outbox_elsewhere rename to outbox_messages`.execute(t.db.kysely);
    expect(await outbox(w.id)).toHaveLength(0);
  });
});
