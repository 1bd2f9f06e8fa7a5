import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAgent, signIn } from '../../../tests/support/admin.ts';
import { createWebinar, parsedForm } from '../../../tests/support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { textOf } from '../../../tests/http/html.ts';
import type { AgentRow } from '../../platform/db/schema.ts';
import { registerCandidate } from '../registrations/register-candidate.ts';
import { bookAppointment } from './book-appointment.ts';
import { publishSlots } from './manage-slots.ts';

describe.each(dialects())('how an appointment went, said by the referent, on %s', (dialect) => {
  let t: TestContext;
  let julien: AgentRow;
  beforeEach(async () => {
    // Monday 4 January 2027, 10:00 in Paris.
    t = await createTestContext(dialect, { now: '2027-01-04T09:00:00.000Z' });
    julien = await makeAgent(t, 'referent', { name: 'Julien Rouvière', email: 'julien@lozere.example' });
  });
  afterEach(async () => {
    await t.close();
  });

  /** A person who booked Julien's slot of Tuesday 5 January at 14:00 (Paris). */
  async function booked(email: string, from: string) {
    const w = await createWebinar(t.db, { date: '2027-01-15' });
    const r = await registerCandidate(t.s, { webinarId: w.id as string, submissionKey: randomUUID(), form: parsedForm({ email, phone: '06 11 22 33 44' }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } });
    const { candidate_id: candidateId } = await t.db.kysely.selectFrom('registrations').select('candidate_id').where('id', '=', r.registrationId).executeTakeFirstOrThrow();
    await publishSlots(t.s, { form: { mode: 'phone', day: '2027-01-05', from, to: `${String(Number(from.slice(0, 2)) + 1).padStart(2, '0')}:00`, duration: 30, videoUrl: '' }, by: julien });
    // In January, Paris is an hour ahead of UTC.
    const startsAt = `2027-01-05T${String(Number(from.slice(0, 2)) - 1).padStart(2, '0')}:00:00.000Z`;
    const slot = await t.db.kysely.selectFrom('appointment_slots').select('id').where('agent_id', '=', julien.id).where('starts_at', '=', startsAt).executeTakeFirstOrThrow();
    const { appointmentId } = await bookAppointment(t.s, { candidateId, slotId: slot.id, form: { phone: '06 11 22 33 44', topic: 'Trouver un logement' }, actor: { type: 'candidate', id: candidateId } });
    return { candidateId, appointmentId };
  }

  it('asks, once the time has come, whether it was held or missed; the file says so, and only a held one is a contact', async () => {
    const anne = await booked('anne@example.org', '14:00');
    const paul = await booked('paul@example.org', '15:00');
    const lastContact = async (id: string) => (await t.db.kysely.selectFrom('candidates').select('last_contact_at').where('id', '=', id).executeTakeFirstOrThrow()).last_contact_at;
    const paulContactBefore = await lastContact(paul.candidateId);

    // Before the appointments: nothing to say yet, and saying it is refused.
    let as = await signIn(t, julien);
    expect(textOf(await (await as.get('/admin/rendez-vous')).text())).not.toContain('À renseigner');
    expect((await as.post(`/admin/rendez-vous/${anne.appointmentId}/issue`, { issue: 'tenu' })).status).toBe(409);

    // Wednesday morning: both are past and waiting for a word.
    t.clock.set('2027-01-06T08:00:00.000Z');
    as = await signIn(t, julien);
    const list = textOf(await (await as.get('/admin/rendez-vous')).text());
    expect(list).toContain('À renseigner : ont-ils eu lieu ?');
    expect(list.match(/A eu lieu : rendez-vous du/g)).toHaveLength(2);
    // The dashboard, the first page the referent sees, says so and leads there.
    const dashboard = await (await as.get('/admin')).text();
    expect(textOf(dashboard)).toContain('2 rendez-vous passés : dites s’ils ont eu lieu');
    expect(dashboard).toContain('href="/admin/rendez-vous#a-renseigner"');

    // Another referent may not say it for Julien.
    const other = await signIn(t, await makeAgent(t, 'referent'));
    expect((await other.post(`/admin/rendez-vous/${anne.appointmentId}/issue`, { issue: 'tenu' })).status).toBe(403);

    const held = await as.post(`/admin/rendez-vous/${anne.appointmentId}/issue`, { issue: 'tenu' });
    expect(held.status).toBe(303);
    expect(held.headers.get('location')).toBe('/admin/rendez-vous?ok=tenu');
    const missed = await as.post(`/admin/rendez-vous/${paul.appointmentId}/issue`, { issue: 'manque' });
    expect(missed.headers.get('location')).toBe('/admin/rendez-vous?ok=manque');
    // A second click (the other button, a form sent twice) changes nothing.
    expect((await as.post(`/admin/rendez-vous/${anne.appointmentId}/issue`, { issue: 'manque' })).status).toBe(303);

    const statuses = await t.db.kysely.selectFrom('appointments').select(['id', 'status']).where('id', 'in', [anne.appointmentId, paul.appointmentId]).execute();
    expect(Object.fromEntries(statuses.map((a) => [a.id, a.status]))).toEqual({ [anne.appointmentId]: 'done', [paul.appointmentId]: 'missed' });
    expect(textOf(await (await as.get('/admin/rendez-vous')).text())).not.toContain('À renseigner');
    expect(textOf(await (await as.get('/admin')).text())).not.toContain('rendez-vous passé');

    const timeline = await t.db.kysely.selectFrom('timeline_events').select(['candidate_id', 'kind', 'summary']).where('subject_id', 'in', [anne.appointmentId, paul.appointmentId]).where('kind', 'in', ['meeting', 'appointment']).where('summary', 'not like', '%pris%').orderBy('at').execute();
    expect(timeline.map((e) => [e.candidate_id, e.kind, e.summary])).toEqual([
      [anne.candidateId, 'meeting', 'Rendez-vous par téléphone du mardi 5 janvier 2027, de 14\u00a0h\u00a000 à 14\u00a0h\u00a030 (heure de Paris) : a eu lieu'],
      [paul.candidateId, 'appointment', 'Rendez-vous du mardi 5 janvier 2027, de 15\u00a0h\u00a000 à 15\u00a0h\u00a030 (heure de Paris) : la personne n’est pas venue'],
    ]);
    // The held appointment is the last contact with Anne; Paul's missed one is not a contact.
    expect(await lastContact(anne.candidateId)).toBe('2027-01-05T13:00:00.000Z');
    expect(await lastContact(paul.candidateId)).toBe(paulContactBefore);
    const journal = await t.db.kysely.selectFrom('audit_log').select('action').where('action', 'in', ['appointment.held', 'appointment.missed']).orderBy('action').execute();
    expect(journal.map((j) => j.action)).toEqual(['appointment.held', 'appointment.missed']);
  });
});
