import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerCandidate } from '../../src/features/registrations/register-candidate.ts';
import { makeAgent, signIn, type SignedIn } from '../support/admin.ts';
import { createWebinar, parsedForm } from '../support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';
import { inputs, textOf, titleOf } from '../http/html.ts';

const noSource = { utmSource: null, utmMedium: null, utmCampaign: null };

function webinarFields(over: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    title: 'Rencontre Lozère Nouvelle Vie de mars',
    kind: 'generic',
    theme: '',
    date: '2027-03-19',
    time: '12:30',
    durationMinutes: '60',
    capacity: '2',
    joinUrl: 'https://visio.example.org/j/mars',
    summary: 'Découvrir la Lozère.',
    description: '',
    programme: ['acces', 'emploi'],
    speakers: 'Claire Bonnet, cheffe de projet',
    partners: 'France Travail Lozère',
    promotionCost: '50',
    status: 'published',
    ...over,
  };
}

/** The first VEVENT of a calendar file, read by a real iCalendar parser with the file's own VTIMEZONE. */
function readEvent(ics: string) {
  const comp = new ICAL.Component(ICAL.parse(ics));
  for (const tz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(tz));
  const vevent = comp.getFirstSubcomponent('vevent')!;
  const event = new ICAL.Event(vevent);
  return { event, method: comp.getFirstPropertyValue('method'), sequence: Number(vevent.getFirstPropertyValue('sequence') ?? 0), status: vevent.getFirstPropertyValue('status') };
}

describe.each(dialects())('planning Rencontres in the back-office on %s', (dialect) => {
  let t: TestContext;
  let agent: SignedIn;
  beforeEach(async () => {
    t = await createTestContext(dialect);
    agent = await signIn(t, await makeAgent(t, 'referent'));
  });
  afterEach(async () => {
    await t.close();
  });

  it('creates a Rencontre at 12:30 Paris time, with a French error at each bad field and nothing written', async () => {
    const bad = await agent.post('/admin/rencontres', webinarFields({ title: '', date: '2027-02-30', time: '25:00', capacity: 'beaucoup', joinUrl: 'http://pas-https.example', kind: 'thematic', theme: '', promotionCost: 'cher' }));
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain('<title>Erreur : ');
    for (const m of ['Saisissez le titre de la Rencontre', 'Saisissez une date réelle', 'Saisissez une heure au format hh:mm', 'La capacité doit être un nombre entier', 'Le lien de connexion doit commencer par https://', 'Choisissez le thème de cette Rencontre thématique', 'Le coût doit être un montant en euros']) {
      expect(html).toContain(m);
    }
    expect(html).toContain('value="beaucoup"');
    expect(await t.db.kysely.selectFrom('webinars').select('id').execute()).toHaveLength(0);

    const ok = await agent.post('/admin/rencontres', webinarFields());
    expect(ok.status).toBe(303);
    const w = await t.db.kysely.selectFrom('webinars').selectAll().executeTakeFirstOrThrow();
    expect(w).toMatchObject({ slug: 'rencontre-2027-03-19', starts_at: '2027-03-19T11:30:00.000Z', ends_at: '2027-03-19T12:30:00.000Z', capacity: 2, status: 'published', promotion_cost_cents: 5000 });
    expect(JSON.parse(w.programme)).toEqual(['acces', 'emploi']);
    expect(JSON.parse(w.speakers)).toEqual([{ name: 'Claire Bonnet', role: 'cheffe de projet' }]);
    // Summer time: 12:30 in Paris is 10:30 UTC.
    await agent.post('/admin/rencontres', webinarFields({ date: '2027-07-16' }));
    const july = await t.db.kysely.selectFrom('webinars').select('starts_at').where('slug', '=', 'rencontre-2027-07-16').executeTakeFirstOrThrow();
    expect(july.starts_at).toBe('2027-07-16T10:30:00.000Z');
    const audit = await t.db.kysely.selectFrom('audit_log').select(['action', 'actor_id']).where('action', '=', 'webinar.created').execute();
    expect(audit).toHaveLength(2);
    expect(audit[0]!.actor_id).toBe(agent.agent.id);
  });

  it('moving a published Rencontre tells every registrant, with a calendar file that replaces the event', async () => {
    const w = await createWebinar(t.db, { date: '2027-03-19', capacity: 1 });
    const a = await registerCandidate(t.s, { webinarId: w.id, submissionKey: randomUUID(), form: parsedForm({ email: 'a@example.org', firstName: 'Anne' }), source: noSource, actor: { type: 'candidate', id: null } });
    await registerCandidate(t.s, { webinarId: w.id, submissionKey: randomUUID(), form: parsedForm({ email: 'b@example.org', firstName: 'Bruno' }), source: noSource, actor: { type: 'candidate', id: null } });
    const confirmation = await t.db.kysely.selectFrom('outbox_messages').selectAll().where('registration_id', '=', a.registrationId).executeTakeFirstOrThrow();
    const first = readEvent(JSON.parse(confirmation.attachments)[0].content);

    const res = await agent.post(`/admin/rencontres/${w.id}`, webinarFields({ title: w.title, date: '2027-03-26', time: '12:30', capacity: '1', joinUrl: w.join_url! }));
    expect(res.status).toBe(303);
    const updates = await t.db.kysely.selectFrom('outbox_messages').selectAll().where('kind', '=', 'webinar-updated').orderBy('to_address').execute();
    expect(updates.map((m) => m.to_address)).toEqual(['a@example.org', 'b@example.org']);
    const toAnne = updates[0]!;
    expect(toAnne.subject).toBe(`Nouvel horaire : ${w.title}`);
    expect(toAnne.text).toContain('vendredi 19 mars 2027, de 12\u00a0h\u00a030 à 13\u00a0h\u00a030');
    expect(toAnne.text).toContain('vendredi 26 mars 2027, de 12\u00a0h\u00a030 à 13\u00a0h\u00a030');
    const ics = readEvent(JSON.parse(toAnne.attachments)[0].content);
    expect(ics.event.uid).toBe(first.event.uid);
    expect(ics.sequence).toBeGreaterThan(first.sequence);
    expect(ics.event.startDate.toJSDate().toISOString()).toBe('2027-03-26T11:30:00.000Z');
    expect(ics.event.startDate.zone.tzid).toBe('Europe/Paris');
    expect(ics.event.startDate.hour).toBe(12);
    // Bruno waits for a seat: told of the change, but no calendar event to move.
    expect(JSON.parse(updates[1]!.attachments)).toEqual([]);
    // Saving again with nothing changed writes no second e-mail.
    await agent.post(`/admin/rencontres/${w.id}`, webinarFields({ title: w.title, date: '2027-03-26', time: '12:30', capacity: '1', joinUrl: w.join_url! }));
    expect(await t.db.kysely.selectFrom('outbox_messages').select('id').where('kind', '=', 'webinar-updated').execute()).toHaveLength(2);
  });

  it('a new link is announced; raising the capacity moves people up; cancelling tells everyone with a CANCEL calendar', async () => {
    const w = await createWebinar(t.db, { date: '2027-03-19', capacity: 1 });
    for (const email of ['a@example.org', 'b@example.org']) {
      await registerCandidate(t.s, { webinarId: w.id, submissionKey: randomUUID(), form: parsedForm({ email }), source: noSource, actor: { type: 'candidate', id: null } });
    }
    await agent.post(`/admin/rencontres/${w.id}`, webinarFields({ title: w.title, capacity: '1', joinUrl: 'https://visio.example.org/j/nouveau' }));
    const linkMails = await t.db.kysely.selectFrom('outbox_messages').select(['subject', 'to_address']).where('kind', '=', 'webinar-updated').execute();
    expect(linkMails.map((m) => m.subject)).toEqual([`Nouveau lien de connexion : ${w.title}`, `Nouveau lien de connexion : ${w.title}`]);

    await agent.post(`/admin/rencontres/${w.id}`, webinarFields({ title: w.title, capacity: '2', joinUrl: 'https://visio.example.org/j/nouveau' }));
    const statuses = await t.db.kysely.selectFrom('registrations').select('status').where('webinar_id', '=', w.id).execute();
    expect(statuses.map((s) => s.status).sort()).toEqual(['confirmed', 'confirmed']);
    expect(await t.db.kysely.selectFrom('outbox_messages').select('to_address').where('kind', '=', 'registration-promoted').execute()).toEqual([{ to_address: 'b@example.org' }]);

    // Cancelling writes to everyone at once: the form asks again first, and nothing is sent before.
    const asked = await agent.post(`/admin/rencontres/${w.id}`, webinarFields({ title: w.title, capacity: '2', joinUrl: 'https://visio.example.org/j/nouveau', status: 'cancelled' }));
    expect(asked.status).toBe(200);
    const confirm = await asked.text();
    expect(titleOf(confirm)).toBe('Annuler la Rencontre du 19 mars 2027 ? – Gestion Lozère Nouvelle Vie');
    expect(textOf(confirm)).toContain('2 personnes inscrites recevront tout de suite un e-mail d’annulation.');
    expect(await t.db.kysely.selectFrom('outbox_messages').select('id').where('kind', '=', 'webinar-cancelled').execute()).toEqual([]);
    expect((await t.db.kysely.selectFrom('webinars').select('status').where('id', '=', w.id).executeTakeFirstOrThrow()).status).toBe('published');
    const kept: Record<string, string[]> = {};
    for (const i of inputs(confirm).filter((x) => x.type === 'hidden' && x.name !== '_csrf')) (kept[i.name!] ??= []).push(i.value ?? '');
    expect(kept.status).toEqual(['cancelled']);
    expect(kept.confirmer).toEqual(['oui']);
    expect((await agent.post(`/admin/rencontres/${w.id}`, kept)).status).toBe(303);
    const cancelled = await t.db.kysely.selectFrom('outbox_messages').selectAll().where('kind', '=', 'webinar-cancelled').execute();
    expect(cancelled).toHaveLength(2);
    const ics = readEvent(JSON.parse(cancelled[0]!.attachments)[0].content);
    expect(ics.method).toBe('CANCEL');
    expect(ics.status).toBe('CANCELLED');
    const audit = await t.db.kysely.selectFrom('audit_log').select('action').where('subject_id', '=', w.id).orderBy('at').execute();
    expect(audit.map((x) => x.action)).toEqual(['webinar.updated', 'webinar.updated', 'webinar.cancelled']);
  });

  it('proposes the next dates on the territory’s rule (third Friday, every two months, 12:30) and creates the chosen ones as drafts', async () => {
    t.clock.set('2027-01-04T09:00:00.000Z');
    const page = await agent.get('/admin/rencontres/planifier');
    const html = await page.text();
    const dates = [...html.matchAll(/name="dates" value="(\d{4}-\d{2}-\d{2})"/g)].map((m) => m[1]);
    expect(dates.slice(0, 4)).toEqual(['2027-01-15', '2027-03-19', '2027-05-21', '2027-07-16']);
    const none = await agent.post('/admin/rencontres/planifier', {});
    expect(none.status).toBe(422);
    expect(await none.text()).toContain('Cochez au moins une date');
    const res = await agent.post('/admin/rencontres/planifier', { dates: ['2027-01-15', '2027-03-19'] });
    expect(res.status).toBe(303);
    const drafts = await t.db.kysely.selectFrom('webinars').select(['status', 'starts_at', 'ends_at']).orderBy('starts_at').execute();
    expect(drafts).toEqual([
      { status: 'draft', starts_at: '2027-01-15T11:30:00.000Z', ends_at: '2027-01-15T12:30:00.000Z' },
      { status: 'draft', starts_at: '2027-03-19T11:30:00.000Z', ends_at: '2027-03-19T12:30:00.000Z' },
    ]);
    const again = await (await agent.get('/admin/rencontres/planifier')).text();
    expect(again).not.toContain('value="2027-01-15"');
    // Drafts are not public.
    expect((await t.app.request('/rencontres/rencontre-2027-01-15')).status).toBe(404);
  });
});
