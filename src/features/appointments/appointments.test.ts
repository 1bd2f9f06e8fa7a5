import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeAgent, signIn } from '../../../tests/support/admin.ts';
import { createWebinar, parsedForm, postForm } from '../../../tests/support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import type { AgentRow } from '../../platform/db/schema.ts';
import { DomainError } from '../../platform/http/errors.ts';
import { registerCandidate } from '../registrations/register-candidate.ts';
import { registrationToken } from '../registrations/registration-token.ts';
import { loadTerritory } from '../territory/territory.ts';
import { renderReplayEmail } from '../replay/replay-emails.tsx';
import { publishSlotsSchema, slotsOf } from './appointment.ts';
import { bookAppointment } from './book-appointment.ts';
import { publishSlots } from './manage-slots.ts';

describe('publishing slots', () => {
  it('cuts the hours into slots of the chosen length, in Paris wall time, summer time included', () => {
    const slots = slotsOf({ day: '2027-03-29', from: '09:00', to: '10:40', duration: 30 }, 'Europe/Paris');
    // Monday after the change to summer time: 09:00 in Paris is 07:00Z; the last 20 minutes make no slot.
    expect(slots.map((x) => [x.startsAt.toISOString(), x.endsAt.toISOString()])).toEqual([
      ['2027-03-29T07:00:00.000Z', '2027-03-29T07:30:00.000Z'],
      ['2027-03-29T07:30:00.000Z', '2027-03-29T08:00:00.000Z'],
      ['2027-03-29T08:00:00.000Z', '2027-03-29T08:30:00.000Z'],
    ]);
    expect(slotsOf({ day: '2027-01-11', from: '09:00', to: '10:00', duration: 60 }, 'Europe/Paris')[0]!.startsAt.toISOString()).toBe('2027-01-11T08:00:00.000Z');
  });

  it('says in French what is wrong', () => {
    const msgs = (f: Record<string, string>) => publishSlotsSchema.safeParse(f).error?.issues.map((i) => `${String(i.path[0])}: ${i.message}`) ?? [];
    expect(msgs({})).toEqual(['mode: Choisissez par téléphone ou en visio', 'day: Indiquez le jour des créneaux', 'from: Indiquez l’heure de début, comme 09:00', 'to: Indiquez l’heure de fin, comme 12:00', 'duration: Choisissez la durée d’un rendez-vous']);
    expect(msgs({ mode: 'phone', day: '2027-01-11', from: '12:00', to: '09:00', duration: '30' })).toEqual(['to: L’heure de fin doit être après l’heure de début']);
    expect(msgs({ mode: 'phone', day: '2027-01-11', from: '08:00', to: '20:00', duration: '15' })).toEqual(['to: Publiez 24 créneaux au plus à la fois']);
    expect(msgs({ mode: 'video', day: '2027-01-11', from: '09:00', to: '10:00', duration: '30' })).toEqual(['videoUrl: Indiquez le lien de la visio, qui sera envoyé à la personne']);
    expect(msgs({ mode: 'video', day: '2027-01-11', from: '09:00', to: '10:00', duration: '30', videoUrl: 'http://visio.example.org/x' })).toEqual(['videoUrl: Indiquez un lien qui commence par https://']);
  });
});

describe('the way to a booking', () => {
  it('the replay message links to the booking page of the person’s private link', async () => {
    const token = 'A'.repeat(43);
    const mail = await renderReplayEmail({
      territory: loadTerritory('lozere'),
      publicUrl: 'http://nv.test',
      webinar: { id: 'w', slug: 'rencontre', title: 'Rencontre Lozère Nouvelle Vie', startsAt: '2027-01-15T11:30:00.000Z', endsAt: '2027-01-15T12:30:00.000Z' } as never,
      replayUrl: 'https://videos.example.org/r',
      firstName: 'Élise',
      token,
      attended: true,
      next: null,
    });
    expect(mail.text).toContain(`Ou prenez rendez-vous avec un référent, par téléphone ou en visio : http://nv.test/mon-inscription/${token}/rendez-vous`);
    expect(mail.html).toContain(`href="http://nv.test/mon-inscription/${token}/rendez-vous"`);
  });
});

describe.each(dialects())('appointments with a referent on %s', (dialect) => {
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

  /** A registrant and the private link of their registration. */
  async function registrant(email: string, firstName = 'Élise') {
    const w = await createWebinar(t.db, { date: '2026-12-18', status: 'published' });
    t.clock.set('2026-12-10T09:00:00.000Z');
    const r = await registerCandidate(t.s, { webinarId: w.id as string, submissionKey: randomUUID(), form: parsedForm({ email, firstName, phone: null }), source: { utmSource: null, utmMedium: null, utmCampaign: null }, actor: { type: 'candidate', id: null } });
    t.clock.set('2027-01-04T09:00:00.000Z');
    const reg = await t.db.kysely.selectFrom('registrations').select(['id', 'token_nonce', 'candidate_id']).where('id', '=', r.registrationId).executeTakeFirstOrThrow();
    return { candidateId: reg.candidate_id, link: `/mon-inscription/${registrationToken(t.s.tokenKey, reg.id, reg.token_nonce)}` };
  }
  const publish = (by: AgentRow, day: string, from: string, to: string, mode: 'phone' | 'video' = 'phone') => publishSlots(t.s, { form: { mode, day, from, to, duration: 30, videoUrl: mode === 'video' ? 'https://visio.example.org/julien' : '' }, by });
  const slotsAt = (iso: string) => t.db.kysely.selectFrom('appointment_slots').selectAll().where('starts_at', '=', iso).executeTakeFirstOrThrow();

  it('a referent publishes several slots at once (errors at the fields, no overlap, none in the past) and withdraws a free one after confirmation', async () => {
    const as = await signIn(t, julien);
    const bad = await as.post('/admin/rendez-vous/creneaux/nouveaux', { mode: 'video', day: '2027-01-11', from: '10:00', to: '09:00', duration: '30', videoUrl: '' });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('<title>Erreur : ');
    expect(html).toContain('<a href="#f-to">L’heure de fin doit être après l’heure de début</a>');
    expect(html).toContain('<a href="#f-videoUrl">Indiquez le lien de la visio');
    expect((await as.post('/admin/rendez-vous/creneaux/nouveaux', { mode: 'phone', day: '2027-01-11', from: '09:00', to: '12:00', duration: '30' })).headers.get('location')).toBe('/admin/rendez-vous?ok=publies');
    expect(await t.db.kysely.selectFrom('appointment_slots').select('id').where('agent_id', '=', julien.id).execute()).toHaveLength(6);
    const overlap = await as.post('/admin/rendez-vous/creneaux/nouveaux', { mode: 'video', day: '2027-01-11', from: '11:30', to: '13:00', duration: '30', videoUrl: 'https://visio.example.org/j' });
    expect(overlap.status).toBe(422);
    expect(await overlap.text()).toContain('Vous avez déjà un créneau le lundi 11 janvier 2027, de 11\u00a0h\u00a030 à 12\u00a0h\u00a000');
    const past = await as.post('/admin/rendez-vous/creneaux/nouveaux', { mode: 'phone', day: '2027-01-01', from: '09:00', to: '10:00', duration: '30' });
    expect(await past.text()).toContain('Ce moment est déjà passé');

    const list = await (await as.get('/admin/rendez-vous')).text();
    expect(list).toContain('Mes rendez-vous');
    expect((list.match(/Libre/g) ?? []).length).toBe(6);
    const slot = await slotsAt('2027-01-11T08:00:00.000Z');
    expect(await (await as.get(`/admin/rendez-vous/creneaux/${slot.id}/retirer`)).text()).toContain('Oui, retirer le créneau');
    // Another referent may not withdraw Julien's slot.
    const other = await signIn(t, await makeAgent(t, 'referent'));
    expect((await other.post(`/admin/rendez-vous/creneaux/${slot.id}/retirer`)).status).toBe(403);
    expect((await as.post(`/admin/rendez-vous/creneaux/${slot.id}/retirer`)).headers.get('location')).toBe('/admin/rendez-vous?ok=retire');
    expect((await slotsAt('2027-01-11T08:00:00.000Z')).status).toBe('withdrawn');
  });

  it('a registrant books from the private page: choose, confirm; both get the confirmation with a calendar file, the reminder comes the day before; the file’s timeline says it', async () => {
    await publish(julien, '2027-01-12', '14:00', '15:00');
    await publish(julien, '2027-01-13', '09:00', '09:30', 'video');
    const { candidateId, link } = await registrant('elise@example.org');
    // The private page links to it.
    expect(await (await t.app.request(link)).text()).toContain(`${link}/rendez-vous`);
    const page = await (await t.app.request(`${link}/rendez-vous`)).text();
    expect(page).toContain('mardi 12 janvier 2027, de 14\u00a0h\u00a000 à 14\u00a0h\u00a030');
    expect(page).toContain('Par téléphone, avec Julien Rouvière');
    expect(page).toContain('En visio, avec Julien Rouvière');

    const none = await t.app.request(`${link}/rendez-vous`, postForm({}));
    expect(none.status).toBe(422);
    expect(await none.text()).toContain('<a href="#f-slot">Choisissez un créneau</a>');
    const slot = await slotsAt('2027-01-12T13:00:00.000Z');
    const chosen = await t.app.request(`${link}/rendez-vous`, postForm({ slot: slot.id }));
    expect(chosen.headers.get('location')).toBe(`${link}/rendez-vous/confirmer?creneau=${slot.id}`);
    const confirm = await (await t.app.request(chosen.headers.get('location')!)).text();
    expect(confirm).toContain('Confirmer le rendez-vous');
    expect(confirm).toContain('Vos données et vos droits');
    const noPhone = await t.app.request(`${link}/rendez-vous/confirmer`, postForm({ slot: slot.id, phone: '', topic: '' }));
    expect(noPhone.status).toBe(422);
    expect(await noPhone.text()).toContain('<a href="#f-phone">Indiquez le numéro auquel votre référent vous appellera</a>');
    const booked = await t.app.request(`${link}/rendez-vous/confirmer`, postForm({ slot: slot.id, phone: '06 11 22 33 44', topic: 'La reprise d’une boulangerie à Marvejols' }));
    expect(booked.status).toBe(303);
    const manage = booked.headers.get('location')!;
    expect(manage).toMatch(/^\/rendez-vous\/[A-Za-z0-9_-]{43}\?confirme=1$/);
    expect(await (await t.app.request(manage)).text()).toContain('Rendez-vous confirmé');
    expect((await slotsAt('2027-01-12T13:00:00.000Z')).status).toBe('booked');

    const mails = await t.db.kysely.selectFrom('outbox_messages').selectAll().where('kind', 'like', 'appointment-booked%').orderBy('kind').execute();
    expect(mails.map((m) => [m.kind, m.to_address, m.subject])).toEqual([
      ['appointment-booked', 'elise@example.org', 'Rendez-vous confirmé avec Julien Rouvière'],
      ['appointment-booked-agent', 'julien@lozere.example', 'Rendez-vous réservé : Élise Martin'],
    ]);
    expect(mails[0]!.text).toContain('Par téléphone : Julien Rouvière vous appellera au 06 11 22 33 44');
    expect(mails[1]!.text).toContain('Son message : La reprise d’une boulangerie à Marvejols');
    for (const m of mails) {
      const ics = JSON.parse(m.attachments)[0].content as string;
      expect(ics).toContain('BEGIN:VTIMEZONE');
      expect(ics).toContain('TZID:Europe/Paris');
      const event = new ICAL.Component(ICAL.parse(ics)).getFirstSubcomponent('vevent')!;
      expect(event.getFirstPropertyValue('dtstart')!.toString()).toBe('2027-01-12T14:00:00');
      expect(event.getFirstPropertyValue('uid')).toMatch(/^appointment-.+@nv\.test$/);
    }
    expect((await t.db.kysely.selectFrom('candidates').select('phone').where('id', '=', candidateId).executeTakeFirstOrThrow()).phone).toBe('06 11 22 33 44');
    const event = await t.db.kysely.selectFrom('timeline_events').select('summary').where('candidate_id', '=', candidateId).where('kind', '=', 'appointment').executeTakeFirstOrThrow();
    expect(event.summary).toBe('Rendez-vous pris avec Julien Rouvière : mardi 12 janvier 2027, de 14\u00a0h\u00a000 à 14\u00a0h\u00a030 (heure de Paris), par téléphone');

    // A second booking while this one is to come is refused: the page shows the one there is.
    const again = await (await t.app.request(`${link}/rendez-vous`)).text();
    expect(again).toContain('vous avez déjà un rendez-vous le mardi 12 janvier 2027');
    const second = await slotsAt('2027-01-13T08:00:00.000Z');
    expect((await t.app.request(`${link}/rendez-vous/confirmer`, postForm({ slot: second.id }))).status).toBe(409);
    expect((await slotsAt('2027-01-13T08:00:00.000Z')).status).toBe('open');

    // The reminder: a job for the day before at the same hour, which sends to both.
    const job = await t.db.kysely.selectFrom('jobs').select(['run_after', 'status']).where('kind', '=', 'appointments.remind').executeTakeFirstOrThrow();
    expect(job).toEqual({ run_after: '2027-01-11T13:00:00.000Z', status: 'queued' });
    await t.jobs.drain();
    expect(await t.db.kysely.selectFrom('outbox_messages').select('id').where('kind', 'like', 'appointment-reminder%').execute()).toHaveLength(0);
    t.clock.set('2027-01-11T13:00:00.000Z');
    await t.jobs.drain();
    await t.jobs.drain();
    const reminders = await t.db.kysely.selectFrom('outbox_messages').select(['to_address', 'subject', 'expires_at']).where('kind', 'like', 'appointment-reminder%').orderBy('to_address').execute();
    expect(reminders).toEqual([
      { to_address: 'elise@example.org', subject: 'Rappel : votre rendez-vous de demain avec Julien Rouvière', expires_at: '2027-01-12T13:00:00.000Z' },
      { to_address: 'julien@lozere.example', subject: 'Demain : rendez-vous avec Élise Martin', expires_at: '2027-01-12T13:00:00.000Z' },
    ]);
  });

  it('cancelling from the appointment’s link frees the slot and tells the referent; no reminder then; an agent’s cancellation tells the person', async () => {
    await publish(julien, '2027-01-12', '14:00', '15:00');
    const a = await registrant('a@example.org', 'Anne');
    const b = await registrant('b@example.org', 'Bruno');
    const slot = await slotsAt('2027-01-12T13:00:00.000Z');
    const booked = await t.app.request(`${a.link}/rendez-vous/confirmer`, postForm({ slot: slot.id, phone: '0611223344' }));
    const manage = booked.headers.get('location')!.split('?')[0]!;
    const ask = await (await t.app.request(`${manage}/annuler`)).text();
    expect(ask).toContain('Voulez-vous vraiment annuler votre rendez-vous ?');
    expect(ask).toContain('Non, le garder');
    const cancelled = await t.app.request(`${manage}/annuler`, postForm({}));
    expect(cancelled.headers.get('location')).toBe(`${manage}?annule=1`);
    await t.app.request(`${manage}/annuler`, postForm({}));
    expect((await slotsAt('2027-01-12T13:00:00.000Z')).status).toBe('open');
    const mails = await t.db.kysely.selectFrom('outbox_messages').selectAll().where('kind', 'like', 'appointment-cancelled%').orderBy('kind').execute();
    expect(mails.map((m) => [m.to_address, m.subject])).toEqual([
      ['a@example.org', 'Rendez-vous annulé'],
      ['julien@lozere.example', 'Rendez-vous annulé : Anne Martin'],
    ]);
    expect(mails[1]!.text).toContain('Anne Martin a annulé son rendez-vous : le créneau est de nouveau libre.');
    expect(JSON.parse(mails[0]!.attachments)[0].content).toContain('METHOD:CANCEL');
    expect(await (await t.app.request(manage)).text()).toContain('Rendez-vous annulé');
    t.clock.set('2027-01-11T13:00:00.000Z');
    await t.jobs.drain();
    expect(await t.db.kysely.selectFrom('outbox_messages').select('id').where('kind', 'like', 'appointment-reminder%').execute()).toHaveLength(0);
    t.clock.set('2027-01-04T09:00:00.000Z');

    // Bruno takes the freed slot; Julien has to cancel, from the back-office, after confirming.
    expect((await t.app.request(`${b.link}/rendez-vous/confirmer`, postForm({ slot: slot.id, phone: '0611223355' }))).status).toBe(303);
    const appointment = await t.db.kysely.selectFrom('appointments').select('id').where('status', '=', 'booked').executeTakeFirstOrThrow();
    const stranger = await signIn(t, await makeAgent(t, 'referent'));
    expect((await stranger.post(`/admin/rendez-vous/${appointment.id}/annuler`)).status).toBe(403);
    const as = await signIn(t, julien);
    expect(await (await as.get('/admin/rendez-vous')).text()).toContain('Bruno Martin');
    expect(await (await as.get(`/admin/rendez-vous/${appointment.id}/annuler`)).text()).toContain('Annuler le rendez-vous avec Bruno Martin ?');
    // A booked slot cannot be withdrawn underneath the appointment.
    await expect(import('./manage-slots.ts').then((m) => m.withdrawSlot(t.s, { slotId: slot.id, by: julien }))).rejects.toThrow('Ce créneau vient d’être réservé');
    expect((await as.post(`/admin/rendez-vous/${appointment.id}/annuler`)).headers.get('location')).toBe('/admin/rendez-vous?ok=annule');
    const toBruno = await t.db.kysely.selectFrom('outbox_messages').select(['text']).where('kind', '=', 'appointment-cancelled').where('to_address', '=', 'b@example.org').executeTakeFirstOrThrow();
    expect(toBruno.text).toContain('Julien Rouvière a dû annuler votre rendez-vous.');
    const timeline = await t.db.kysely.selectFrom('timeline_events').select('summary').where('candidate_id', '=', b.candidateId).where('kind', '=', 'appointment').orderBy('at').execute();
    expect(timeline.map((e) => e.summary)).toEqual([expect.stringMatching(/^Rendez-vous pris avec Julien Rouvière/), expect.stringMatching(/annulé par Julien Rouvière$/)]);
    expect((await slotsAt('2027-01-12T13:00:00.000Z')).status).toBe('open');
  });

  it('two people booking the last slot at the same instant: one has it, the other is told it was just taken', async () => {
    await publish(julien, '2027-01-12', '14:00', '14:30');
    const slot = await slotsAt('2027-01-12T13:00:00.000Z');
    // One after the other: registrant() moves the shared clock back and forth (the race is the booking's).
    const people = [await registrant('a@example.org'), await registrant('b@example.org')];
    const results = await Promise.allSettled(people.map((p) => bookAppointment(t.s, { candidateId: p.candidateId, slotId: slot.id, form: { phone: '0611223344', topic: null }, actor: { type: 'candidate', id: p.candidateId } })));
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(DomainError);
    expect(refused.reason).toMatchObject({ code: 'slot-taken', message: 'Ce créneau vient d’être pris : choisissez-en un autre.' });
    expect(await t.db.kysely.selectFrom('appointments').select('id').where('slot_id', '=', slot.id).execute()).toHaveLength(1);
    expect(await t.db.kysely.selectFrom('outbox_messages').select('id').where('kind', '=', 'appointment-booked').execute()).toHaveLength(1);
    // The database itself would refuse a second booked appointment on the slot.
    const winner = await t.db.kysely.selectFrom('appointments').selectAll().executeTakeFirstOrThrow();
    await expect(t.db.kysely.insertInto('appointments').values({ ...winner, id: randomUUID(), manage_token_hash: randomUUID() }).execute()).rejects.toThrow();
  });
});
