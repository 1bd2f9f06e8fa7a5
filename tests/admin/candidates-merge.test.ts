import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordAttendance } from '../../src/features/attendance/record-attendance.ts';
import { mergeCandidates } from '../../src/features/candidates/merge-candidates.ts';
import { applyZoomImport } from '../../src/features/imports/import-zoom-reports.ts';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import type { RegistrationForm } from '../../src/features/registrations/registration-schemas.ts';
import { systemActor } from '../../src/platform/audit/audit.ts';
import { makeAgent, signIn, type SignedIn } from '../support/admin.ts';
import { createWebinar, parsedForm } from '../support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';
import { textOf } from '../http/html.ts';

/**
 * Two files of one household: found (same phone, or same name and town without accents), compared on
 * a confirmation page, merged in one transaction that keeps every event of both, the absorbed file
 * kept for the record and its e-mail leading to the kept one.
 */
describe.each(dialects())('duplicates and their merge on %s', (dialect) => {
  let t: TestContext;
  let admin: SignedIn;

  beforeEach(async () => {
    t = await createTestContext(dialect);
    admin = await signIn(t, await makeAgent(t, 'admin'));
  });
  afterEach(async () => {
    await t.close();
  });

  async function register(webinarId: string, email: string, over: Partial<RegistrationForm> = {}) {
    const r = await registerCandidate(t.s, { webinarId, submissionKey: randomUUID(), form: parsedForm({ email, ...over }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } });
    const reg = await t.db.kysely.selectFrom('registrations').select(['id', 'candidate_id']).where('id', '=', r.registrationId).executeTakeFirstOrThrow();
    return { registrationId: reg.id, candidateId: reg.candidate_id };
  }
  const count = async (table: 'timeline_events' | 'registrations' | 'household_members' | 'stage_changes' | 'outbox_messages' | 'accompaniment_requests', candidateId: string) =>
    Number((await t.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('candidate_id', '=', candidateId).executeTakeFirstOrThrow()).n);

  it('proposes the pairs that look like one household: the same phone written two ways, the same name and town without accents', async () => {
    const w = (await createWebinar(t.db, { date: '2027-01-15' })).id as string;
    // One minute apart: the older file of each pair is the one proposed to keep.
    const later = <T>(x: T) => (t.clock.advance(60_000), x);
    const a = later(await register(w, 'marc.roux@example.org', { firstName: 'Marc', lastName: 'Roux', phone: '06 12 34 56 78', town: 'Lyon' }));
    const b = later(await register(w, 'marc.pro@example.org', { firstName: 'Marc', lastName: 'Dupuis', phone: '+33 6 12 34 56 78', town: 'Paris' }));
    const c = later(await register(w, 'helene@example.org', { firstName: 'Hélène', lastName: 'Lefèvre', phone: null, town: 'Saint-Étienne' }));
    const d = later(await register(w, 'helene2@example.org', { firstName: 'helene', lastName: 'LEFEVRE', phone: null, town: 'saint etienne' }));
    await register(w, 'autre@example.org', { firstName: 'Hélène', lastName: 'Lefèvre', phone: null, town: 'Lyon' });
    const html = await (await admin.get('/admin/candidats/doublons')).text();
    const links = [...html.matchAll(/href="\/admin\/candidats\/fusion\?garder=([^&]+)&amp;absorber=([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(links.sort()).toEqual(
      [
        [a.candidateId, b.candidateId],
        [c.candidateId, d.candidateId],
      ].sort(),
    );
    expect(textOf(html)).toContain('Même téléphone');
    expect(textOf(html)).toContain('Même nom et même commune');
    const forOne = await (await admin.get(`/admin/candidats/doublons?fiche=${d.candidateId}`)).text();
    expect([...forOne.matchAll(/fusion\?garder=/g)]).toHaveLength(1);
  });

  it('merging keeps every event of both files, moves everything in one transaction, cancels the second registration to a shared Rencontre, and the absorbed e-mail leads to the kept file', async () => {
    const w1 = (await createWebinar(t.db, { date: '2027-01-15' })).id as string;
    const w2 = (await createWebinar(t.db, { date: '2027-01-29' })).id as string;
    const w3 = (await createWebinar(t.db, { date: '2027-02-12' })).id as string;
    const keep = await register(w1, 'anne@example.org', { firstName: 'Anne', lastName: 'Vidal', phone: '06 00 00 00 01' });
    t.clock.advance(60_000);
    const other = await register(w1, 'paul@example.org', { firstName: 'Paul', lastName: 'Vidal', phone: '06 00 00 00 01' });
    await register(w2, 'paul@example.org', { firstName: 'Paul', lastName: 'Vidal' });
    await t.worker.drain();
    // The partner attended the shared Rencontre, the kept person did not; the partner asked to be accompanied and described the children.
    t.clock.set('2027-01-15T13:00:00.000Z');
    await recordAttendance(t.s, { webinarId: w1, entries: [{ registrantId: null, email: 'paul@example.org', name: 'Paul', minutes: 40, joinedAt: null }], source: 'adapter', actor: systemActor });
    admin = await signIn(t, admin.agent);
    await t.db.kysely.insertInto('accompaniment_requests').values({ id: randomUUID(), candidate_id: other.candidateId, registration_id: other.registrationId, webinar_id: w1, project: 'Menuiserie', horizon: 'plus-1-an', movers: 'famille', needs: '[]', message: null, status: 'new', created_at: t.clock.now().toISOString() }).execute();
    await admin.post(`/admin/candidats/${other.candidateId}/foyer/nouveau`, { membre: randomUUID(), kind: 'child', firstName: 'Léo', age: '4', schoolNeed: 'maternelle' });
    await admin.post(`/admin/candidats/${other.candidateId}/etape`, { stage: 'accompanied' });
    await admin.post(`/admin/candidats/${other.candidateId}/projet`, { projectType: 'creation', sector: 'Menuiserie' });

    const before = { keep: await count('timeline_events', keep.candidateId), other: await count('timeline_events', other.candidateId) };
    const eventIds = (await t.db.kysely.selectFrom('timeline_events').select('id').where('candidate_id', 'in', [keep.candidateId, other.candidateId]).execute()).map((e) => e.id).sort();

    // The confirmation shows both, proposes the older, says what happens to the shared Rencontre.
    const confirm = textOf(await (await admin.get(`/admin/candidats/fusion?garder=${keep.candidateId}&absorber=${other.candidateId}`)).text());
    expect(confirm).toContain('Fusionner deux fiches ?');
    expect(confirm).toContain('Anne Vidal');
    expect(confirm).toContain('Paul Vidal');
    expect(confirm).toContain('2 inscriptions');
    expect(confirm).toContain('Les deux fiches sont inscrites aux mêmes Rencontres');
    expect(await count('registrations', other.candidateId)).toBe(2);

    const res = await admin.post('/admin/candidats/fusion', { a: keep.candidateId, b: other.candidateId, garder: keep.candidateId });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/admin/candidats/${keep.candidateId}?ok=fusion`);

    // Every event of both is on the kept file, plus the merge's own.
    const after = await t.db.kysely.selectFrom('timeline_events').select(['id', 'kind', 'summary']).where('candidate_id', '=', keep.candidateId).execute();
    expect(eventIds).toHaveLength(before.keep + before.other);
    expect(after.map((e) => e.id).filter((id) => eventIds.includes(id)).sort()).toEqual(eventIds);
    expect(after.filter((e) => e.kind === 'merge').map((e) => e.summary).sort()).toEqual([
      'Inscrit·e deux fois à « Rencontre Lozère Nouvelle Vie du 2027-01-15 » (15 janv. 2027) : l’inscription de Paul Vidal est annulée, celle de la fiche gardée reste',
      'La fiche de Paul Vidal (paul@example.org) est fusionnée dans celle-ci, avec tout son historique',
    ]);
    // Registrations: the one to w2 moved; the shared one stays with the absorbed file, cancelled, its attendance given to the household.
    const regs = await t.db.kysely.selectFrom('registrations').select(['id', 'webinar_id', 'candidate_id', 'status', 'attended', 'attended_minutes']).where('webinar_id', 'in', [w1, w2]).orderBy('webinar_id').execute();
    expect(regs.find((r) => r.webinar_id === w2)!.candidate_id).toBe(keep.candidateId);
    expect(regs.find((r) => r.id === keep.registrationId)).toMatchObject({ candidate_id: keep.candidateId, status: 'confirmed', attended: 1, attended_minutes: 40 });
    expect(regs.find((r) => r.id === other.registrationId)).toMatchObject({ candidate_id: other.candidateId, status: 'cancelled' });
    // Everything else moved: members, request, stage history, e-mails.
    expect(await count('household_members', keep.candidateId)).toBe(1);
    expect(await count('accompaniment_requests', keep.candidateId)).toBe(1);
    expect(await count('stage_changes', keep.candidateId)).toBeGreaterThanOrEqual(2);
    expect(await count('outbox_messages', other.candidateId)).toBe(0);
    // The kept file learns what it did not know, and moves forward to the partner's stage.
    const kept = await t.db.kysely.selectFrom('candidates').selectAll().where('id', '=', keep.candidateId).executeTakeFirstOrThrow();
    expect(kept).toMatchObject({ first_name: 'Anne', project_type: 'creation', project_sector: 'Menuiserie', stage: 'accompanied', merged_into_id: null });
    const absorbed = await t.db.kysely.selectFrom('candidates').selectAll().where('id', '=', other.candidateId).executeTakeFirstOrThrow();
    expect(absorbed.merged_into_id).toBe(keep.candidateId);
    expect((await t.db.kysely.selectFrom('timeline_events').select('summary').where('candidate_id', '=', other.candidateId).execute()).map((e) => e.summary)).toEqual(['Fiche fusionnée dans celle de Anne Vidal (anne@example.org) : son historique y est']);
    const journal = await t.db.kysely.selectFrom('audit_log').select(['actor_id', 'details']).where('action', '=', 'candidate.merged').executeTakeFirstOrThrow();
    expect(journal.actor_id).toBe(admin.agent.id);
    expect(JSON.parse(journal.details)).toMatchObject({ absorbedId: other.candidateId, sharedRencontres: 1, moved: { registrations: 1, household_members: 1, accompaniment_requests: 1 } });

    // The kept file's page says it all; the absorbed one points to it and can no longer be edited.
    const page = textOf(await (await admin.get(`/admin/candidats/${keep.candidateId}`)).text());
    expect(page).toContain('Fiches fusionnées dans celle-ci Paul Vidal (paul@example.org)');
    const absorbedPage = textOf(await (await admin.get(`/admin/candidats/${other.candidateId}`)).text());
    expect(absorbedPage).toContain('Cette fiche a été fusionnée dans celle de Anne Vidal');
    expect((await admin.get(`/admin/candidats/${other.candidateId}/identite`)).status).toBe(409);
    // Not listed anymore, not proposed again.
    expect(textOf(await (await admin.get('/admin/candidats?q=vidal')).text())).toContain('1 fiche correspond aux filtres.');
    expect(textOf(await (await admin.get('/admin/candidats/doublons')).text())).toContain('Aucun doublon probable.');

    // Paul registers again with his e-mail: it is the household's file that gets the registration, its name unchanged.
    const again = await register(w3, 'Paul@example.org', { firstName: 'Paul', lastName: 'Vidal', horizon: 'moins-6-mois' });
    expect(again.candidateId).toBe(keep.candidateId);
    expect((await t.db.kysely.selectFrom('candidates').select(['first_name', 'horizon']).where('id', '=', keep.candidateId).executeTakeFirstOrThrow())).toEqual({ first_name: 'Anne', horizon: 'moins-6-mois' });
  });

  it('keeps the household’s seat when only the absorbed file’s registration was still active', async () => {
    const w = (await createWebinar(t.db, { date: '2027-01-15' })).id as string;
    const keep = await register(w, 'anne@example.org');
    const other = await register(w, 'paul@example.org');
    await t.db.kysely.updateTable('registrations').set({ status: 'cancelled', cancelled_at: t.clock.now().toISOString() }).where('id', '=', keep.registrationId).execute();
    await mergeCandidates(t.s, { keepId: keep.candidateId, absorbId: other.candidateId, agent: admin.agent });
    const regs = await t.db.kysely.selectFrom('registrations').select(['id', 'status', 'candidate_id']).orderBy('id').execute();
    expect(regs.find((r) => r.id === keep.registrationId)).toMatchObject({ status: 'confirmed', candidate_id: keep.candidateId });
    expect(regs.find((r) => r.id === other.registrationId)).toMatchObject({ status: 'cancelled', candidate_id: other.candidateId });
    expect(regs.filter((r) => r.status === 'confirmed')).toHaveLength(1);
  });

  it('after a merge, a Zoom report naming the absorbed e-mail registers the household’s file', async () => {
    const w = (await createWebinar(t.db, { date: '2027-01-15' })).id as string;
    const keep = await register(w, 'elodie.perso@example.org', { firstName: 'Élodie', lastName: 'Fabre' });
    const other = await register(w, 'elodie.fabre@example.fr', { firstName: 'Élodie', lastName: 'Fabre' });
    await mergeCandidates(t.s, { keepId: keep.candidateId, absorbId: other.candidateId, agent: admin.agent });
    const reports = (name: string) => fs.readFileSync(new URL(`../fixtures/zoom/${name}`, import.meta.url));
    const out = await applyZoomImport(t.s, { registrationsCsv: reports('2026-04-24-registration-report.csv'), attendeesCsv: reports('2026-04-24-attendee-report.csv'), actor: systemActor });
    const reg = await t.db.kysely.selectFrom('registrations').select('candidate_id').where('webinar_id', '=', out.webinarId).where('candidate_id', 'in', [keep.candidateId, other.candidateId]).execute();
    expect(reg).toEqual([{ candidate_id: keep.candidateId }]);
    expect(await t.db.kysely.selectFrom('candidates').select('id').where('email_normalized', 'like', 'elodie%').execute()).toHaveLength(2);
  });

  it('moves the rows of a table another feature adds later; a row its unique key keeps from moving stays with the absorbed file, counted', async () => {
    await sql`create table later_feature (id text primary key, candidate_id text not null references candidates(id), topic text not null, unique (candidate_id, topic))`.execute(t.db.kysely);
    const w = (await createWebinar(t.db, { date: '2027-01-15' })).id as string;
    const keep = await register(w, 'anne@example.org');
    const other = await register(w, 'paul@example.org');
    for (const [id, candidate, topic] of [
      ['a1', keep.candidateId, 'logement'],
      ['b1', other.candidateId, 'logement'],
      ['b2', other.candidateId, 'emploi'],
    ]) {
      await sql`insert into later_feature (id, candidate_id, topic) values (${id}, ${candidate}, ${topic})`.execute(t.db.kysely);
    }
    const out = await mergeCandidates(t.s, { keepId: keep.candidateId, absorbId: other.candidateId, agent: admin.agent });
    expect(out.moved.later_feature).toBe(1);
    expect(out.keptOnAbsorbed).toEqual({ later_feature: 1 });
    const rows = await sql<{ id: string; candidate_id: string }>`select id, candidate_id from later_feature order by id`.execute(t.db.kysely);
    expect(rows.rows).toEqual([
      { id: 'a1', candidate_id: keep.candidateId },
      { id: 'b1', candidate_id: other.candidateId },
      { id: 'b2', candidate_id: keep.candidateId },
    ]);
  });

  it('refuses to merge a file with itself or a file already merged, and leaves nothing half-done when it fails', async () => {
    const w = (await createWebinar(t.db, { date: '2027-01-15' })).id as string;
    const a = await register(w, 'a@example.org');
    const b = await register(w, 'b@example.org');
    const c = await register(w, 'c@example.org');
    await expect(mergeCandidates(t.s, { keepId: a.candidateId, absorbId: a.candidateId, agent: admin.agent })).rejects.toMatchObject({ code: 'same-file' });
    await mergeCandidates(t.s, { keepId: a.candidateId, absorbId: b.candidateId, agent: admin.agent });
    await expect(mergeCandidates(t.s, { keepId: c.candidateId, absorbId: b.candidateId, agent: admin.agent })).rejects.toMatchObject({ code: 'already-merged' });
    expect(await count('registrations', c.candidateId)).toBe(1);
    expect((await t.db.kysely.selectFrom('candidates').select('merged_into_id').where('id', '=', c.candidateId).executeTakeFirstOrThrow()).merged_into_id).toBeNull();
    const bad = await admin.post('/admin/candidats/fusion', { a: a.candidateId, b: c.candidateId, garder: '' });
    expect(bad.status).toBe(422);
    expect(textOf(await bad.text())).toContain('Choisissez la fiche à garder');
  });
});
