import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordAttendance } from '../../src/features/attendance/record-attendance.ts';
import { inviteNoShows } from '../../src/features/invitations/invite-no-shows.ts';
import { requestReplay } from '../../src/features/replay/send-replay.ts';
import { systemActor } from '../../src/platform/audit/audit.ts';
import { createWebinar, formFields, postForm } from '../support/fixtures.ts';
import { createTestContext, dialects, RecordingTransport, type TestContext } from '../support/harness.ts';
import { hiddenFields } from '../http/html.ts';
import { makeAgent, signIn } from '../support/admin.ts';

/**
 * The promise of the candidate file: every step of the journey writes to the household's timeline by
 * itself. These walks go through the public pages as a person does, and the platform's own workers;
 * no agent types anything, and nothing is written twice when a step is reported again.
 */

describe.each(dialects())('the timeline of a household fills itself, on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect, { now: '2027-01-04T09:00:00.000Z' });
  });
  afterEach(async () => {
    await t.close();
  });

  const fileOf = async (email: string) => t.db.kysely.selectFrom('candidates').selectAll().where('email_normalized', '=', email).executeTakeFirstOrThrow();
  const timelineOf = async (candidateId: string) =>
    t.db.kysely.selectFrom('timeline_events').select(['kind', 'at', 'summary', 'actor_type', 'dedupe_key']).where('candidate_id', '=', candidateId).orderBy('at').orderBy('kind').execute();

  /** Registers through the Rencontre's public page, as a visitor from a campaign link; returns the private link from the confirmation. */
  async function registerOnline(slug: string, fields: Record<string, string>, campaign = '') {
    const page = await (await t.app.request(`/rencontres/${slug}${campaign}`)).text();
    const res = await t.app.request(`/rencontres/${slug}/inscription${campaign}`, postForm({ ...hiddenFields(page), ...formFields(fields) }));
    expect(res.status).toBe(303);
    const mail = await t.db.kysely.selectFrom('outbox_messages').select('text').where('to_address', '=', fields.email!).where('kind', 'like', 'registration-%').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    return /http:\/\/nv\.test(\/mon-inscription\/[A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
  }

  it('register → confirmation sent → attend → replay → survey → ask to be accompanied: each step on the file, dated, none by an agent, none twice', async () => {
    const w = await createWebinar(t.db, { date: '2027-01-15' });
    const link = await registerOnline(w.slug, { email: 'elise.martin@example.org' }, '?utm_source=facebook&utm_medium=paid-social&utm_campaign=janvier');
    const elise = await fileOf('elise.martin@example.org');
    expect(elise).toMatchObject({ stage: 'contact', first_source: 'facebook', first_webinar_id: w.id });
    await t.worker.drain();

    // The Rencontre: the video tool reports her 52 minutes.
    t.clock.set('2027-01-15T13:00:00.000Z');
    const entries = [{ registrantId: null, email: 'Elise.Martin@example.org', name: 'Élise Martin', minutes: 52, joinedAt: null }];
    await recordAttendance(t.s, { webinarId: w.id, entries, source: 'adapter', actor: systemActor });

    // The replay, asked for by the video tool once the recording is ready, goes out by the job and the outbox.
    t.clock.set('2027-01-15T15:00:00.000Z');
    await requestReplay(t.s, { webinarId: w.id, replayUrl: 'https://videos.example.org/rencontre-janvier', actor: systemActor, fromVideoTool: true });
    await t.jobs.drain();
    await t.worker.drain();

    // From her private link: the survey, then the request to be accompanied.
    t.clock.set('2027-01-16T08:00:00.000Z');
    expect((await t.app.request(`${link}/avis`, postForm({ usefulness: '5', recommend: 'oui' }))).status).toBe(303);
    t.clock.set('2027-01-16T08:05:00.000Z');
    const request = postForm({ project: 'Infirmière, je cherche un poste à Mende ; mon conjoint reprendrait une boulangerie.', horizon: '6-12-mois', movers: 'famille', phone: '06 11 22 33 44', needs: 'emploi' });
    expect((await t.app.request(`${link}/accompagnement`, request)).status).toBe(303);
    t.clock.set('2027-01-16T08:06:00.000Z');
    await t.worker.drain();

    const timeline = await timelineOf(elise.id);
    expect(timeline.map((e) => [e.at, e.kind])).toEqual([
      ['2027-01-04T09:00:00.000Z', 'email-sent'],
      ['2027-01-04T09:00:00.000Z', 'registration'],
      ['2027-01-15T12:30:00.000Z', 'attendance'],
      ['2027-01-15T15:00:00.000Z', 'replay'],
      ['2027-01-16T08:00:00.000Z', 'survey'],
      ['2027-01-16T08:05:00.000Z', 'accompaniment-request'],
      ['2027-01-16T08:05:00.000Z', 'stage'],
      ['2027-01-16T08:06:00.000Z', 'email-sent'],
    ]);
    expect(timeline.map((e) => e.summary)).toEqual([
      `E-mail envoyé : Inscription confirmée : ${w.title}, vendredi 15 janvier 2027`,
      `Inscription à « ${w.title} » (15 janv. 2027)`,
      `Présent·e à « ${w.title} » (15 janv. 2027), 52 min`,
      'Replay envoyé : Merci d’être venu·e : le replay de la Rencontre du vendredi 15 janvier 2027',
      `Questionnaire sur « ${w.title} » (15 janv. 2027) : très utile, la recommanderait : oui`,
      'Demande d’accompagnement : Infirmière, je cherche un poste à Mende ; mon conjoint reprendrait une boulangerie.',
      'Étape : Premier contact → Projet qualifié',
      'E-mail envoyé : Votre demande d’accompagnement est bien reçue',
    ]);
    expect(timeline.filter((e) => e.actor_type === 'agent')).toEqual([]);
    // The stage moved by itself, with its date, in the history the statistics read.
    const after = await fileOf('elise.martin@example.org');
    expect(after).toMatchObject({ stage: 'qualified', stage_changed_at: '2027-01-16T08:05:00.000Z', last_activity_at: '2027-01-16T08:06:00.000Z' });
    expect(await t.db.kysely.selectFrom('stage_changes').select(['from_stage', 'to_stage', 'at', 'actor_type']).where('candidate_id', '=', elise.id).execute()).toEqual([
      { from_stage: 'contact', to_stage: 'qualified', at: '2027-01-16T08:05:00.000Z', actor_type: 'candidate' },
    ]);

    // Everything reported again (the video tool's list, the outbox, the replay, the same survey answer): nothing more.
    await recordAttendance(t.s, { webinarId: w.id, entries, source: 'adapter', actor: systemActor });
    await requestReplay(t.s, { webinarId: w.id, replayUrl: 'https://videos.example.org/rencontre-janvier', actor: systemActor, fromVideoTool: true });
    await t.jobs.drain();
    await t.worker.drain();
    await t.app.request(`${link}/avis`, postForm({ usefulness: '5', recommend: 'oui' }));
    expect(await timelineOf(elise.id)).toHaveLength(timeline.length);
    // A changed answer is news.
    await t.app.request(`${link}/avis`, postForm({ usefulness: '4', recommend: 'oui' }));
    expect((await timelineOf(elise.id)).filter((e) => e.kind === 'survey')).toHaveLength(2);
  });

  it('an absent person: absent, the replay for the absent, an invitation to the next Rencontre, then no more invitations, on her file', async () => {
    const w = await createWebinar(t.db, { date: '2027-01-15' });
    const link = await registerOnline(w.slug, { email: 'marc.roux@example.org', firstName: 'Marc', lastName: 'Roux' });
    const marc = await fileOf('marc.roux@example.org');
    await t.worker.drain();
    t.clock.set('2027-01-15T13:30:00.000Z');
    await recordAttendance(t.s, { webinarId: w.id, entries: [], source: 'adapter', actor: systemActor });
    await requestReplay(t.s, { webinarId: w.id, replayUrl: 'https://videos.example.org/rencontre-janvier', actor: systemActor, fromVideoTool: true });
    await t.jobs.drain();
    await t.worker.drain();
    const next = await createWebinar(t.db, { date: '2027-03-19' });
    t.clock.set('2027-01-20T09:00:00.000Z');
    expect(await inviteNoShows(t.s)).toBe(1);
    t.clock.set('2027-01-21T09:00:00.000Z');
    await t.app.request(`${link}/plus-d-invitations`, postForm({}));

    const kinds = (await timelineOf(marc.id)).map((e) => [e.kind, e.summary]);
    expect(kinds).toEqual([
      ['email-sent', `E-mail envoyé : Inscription confirmée : ${w.title}, vendredi 15 janvier 2027`],
      ['registration', `Inscription à « ${w.title} » (15 janv. 2027)`],
      ['attendance', `Absent·e à « ${w.title} » (15 janv. 2027)`],
      ['replay', 'Replay envoyé : Le replay de la Rencontre du vendredi 15 janvier 2027'],
      ['invitation', `Invité·e à « ${next.title} » (19 mars 2027) après une absence`],
      ['consent', 'Ne souhaite plus recevoir d’invitations aux Rencontres'],
    ]);
  });

  it('a waiting list: waitlisted then given the seat someone cancelled, both files told the story', async () => {
    const w = await createWebinar(t.db, { date: '2027-01-15', capacity: 1 });
    const first = await registerOnline(w.slug, { email: 'first@example.org', firstName: 'Anna' });
    await registerOnline(w.slug, { email: 'second@example.org', firstName: 'Bruno' });
    t.clock.set('2027-01-05T10:00:00.000Z');
    expect((await t.app.request(`${first}/annuler`, postForm({}))).status).toBe(303);
    const anna = await fileOf('first@example.org');
    const bruno = await fileOf('second@example.org');
    const of = async (id: string) => (await timelineOf(id)).filter((e) => e.kind === 'registration').map((e) => [e.at, e.summary, e.actor_type]);
    expect(await of(anna.id)).toEqual([
      ['2027-01-04T09:00:00.000Z', `Inscription à « ${w.title} » (15 janv. 2027)`, 'candidate'],
      ['2027-01-05T10:00:00.000Z', `Inscription annulée : « ${w.title} » (15 janv. 2027)`, 'candidate'],
    ]);
    expect(await of(bruno.id)).toEqual([
      ['2027-01-04T09:00:00.000Z', `Sur liste d’attente de « ${w.title} » (15 janv. 2027)`, 'candidate'],
      ['2027-01-05T10:00:00.000Z', `Place obtenue à « ${w.title} » (15 janv. 2027), depuis la liste d’attente`, 'system'],
    ]);
  });

  it('an e-mail that cannot be delivered is on the file, once, for the referent to see', async () => {
    const transport = new RecordingTransport();
    await t.close();
    t = await createTestContext(dialect, { now: '2027-01-04T09:00:00.000Z', transport });
    const w = await createWebinar(t.db, { date: '2027-01-15' });
    transport.failWith = { responseCode: 550, message: '5.1.1 mailbox unknown' };
    await registerOnline(w.slug, { email: 'nobody@example.org' });
    await t.worker.drain();
    await t.worker.drain();
    const file = await fileOf('nobody@example.org');
    const failed = (await timelineOf(file.id)).filter((e) => e.kind.startsWith('email'));
    expect(failed.map((e) => [e.kind, e.summary, e.actor_type])).toEqual([['email-failed', `E-mail non remis : Inscription confirmée : ${w.title}, vendredi 15 janvier 2027`, 'system']]);
  });

  it('on to the 12-month follow-up: a referent given by the rotation, an appointment booked from the private link, the installation, then the follow-ups at 3, 6 and 12 months, all on the file', async () => {
    const julien = await makeAgent(t, 'referent', { name: 'Julien Rouvière' });
    const w = await createWebinar(t.db, { date: '2027-01-15' });
    const link = await registerOnline(w.slug, { email: 'elise.martin@example.org' }, '?utm_source=facebook');
    const elise = await fileOf('elise.martin@example.org');
    t.clock.set('2027-01-15T13:00:00.000Z');
    await recordAttendance(t.s, { webinarId: w.id, entries: [{ registrantId: null, email: 'elise.martin@example.org', name: 'Élise Martin', minutes: 48, joinedAt: null }], source: 'adapter', actor: systemActor });
    t.clock.set('2027-01-16T08:05:00.000Z');
    const ask = postForm({ project: 'Infirmière ; mon conjoint reprendrait une boulangerie.', horizon: '6-12-mois', movers: 'famille', phone: '06 11 22 33 44', needs: 'logement' });
    expect((await t.app.request(`${link}/accompagnement`, ask)).status).toBe(303);
    // The job after the commit gives her a referent.
    t.clock.set('2027-01-16T08:06:00.000Z');
    await t.jobs.drain();
    expect(await fileOf('elise.martin@example.org')).toMatchObject({ referent_id: julien.id, stage: 'accompanied' });

    // Julien publishes slots; Élise books one from her private link, and both get the reminder the day before.
    const asJulien = await signIn(t, julien);
    expect((await asJulien.post('/admin/rendez-vous/creneaux/nouveaux', { mode: 'phone', day: '2027-01-20', from: '10:00', to: '11:00', duration: '30' })).status).toBe(303);
    const slot = await t.db.kysely.selectFrom('appointment_slots').select('id').orderBy('starts_at').executeTakeFirstOrThrow();
    t.clock.set('2027-01-16T08:30:00.000Z');
    expect((await t.app.request(`${link}/rendez-vous`, postForm({ slot: slot.id }))).status).toBe(303);
    expect((await t.app.request(`${link}/rendez-vous/confirmer`, postForm({ slot: slot.id, phone: '06 11 22 33 44', topic: '' }))).status).toBe(303);
    t.clock.set('2027-01-19T09:00:00.000Z');
    await t.jobs.drain();
    expect(await t.db.kysely.selectFrom('outbox_messages').select('to_address').where('kind', 'like', 'appointment-reminder%').orderBy('to_address').execute()).toEqual([{ to_address: 'elise.martin@example.org' }, { to_address: julien.email }]);

    // Settled at the end of February: Julien records it; the follow-ups are scheduled.
    t.clock.set('2027-03-01T09:00:00.000Z');
    const later = await signIn(t, julien);
    expect((await later.post(`/admin/candidats/${elise.id}/installation`, { installedOn: '2027-02-27', communeName: 'Marvejols', regionKey: 'aubrac', adults: '2', children: '2', activity: 'salarie', employer: 'Hôpital de Marvejols', housing: 'location' })).status).toBe(303);
    const followUpLink = async (months: number) => {
      const mail = await t.db.kysely.selectFrom('outbox_messages').select('text').where('kind', '=', 'follow-up').where('to_address', '=', 'elise.martin@example.org').orderBy('created_at', 'desc').executeTakeFirstOrThrow();
      expect(mail.text).toContain(`Cela fait ${months} mois`);
      return /http:\/\/nv\.test(\/suivi\/[A-Za-z0-9_-]{43})/.exec(mail.text)![1]!;
    };
    const tick = async () => {
      await t.jobs.runPeriodic(true);
      await t.jobs.drain();
      await t.worker.drain();
    };

    // 3 months: she asks for help with housing.
    t.clock.set('2027-05-27T08:00:00.000Z');
    await tick();
    t.clock.set('2027-05-27T18:00:00.000Z');
    const three = new URLSearchParams({ wellbeing: '4', stillThere: 'oui', message: '' });
    three.append('help', 'logement');
    expect((await t.app.request(await followUpLink(3), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: three.toString() })).status).toBe(303);
    // 6 months: no answer; two weeks later Julien is asked to call.
    t.clock.set('2027-08-27T08:00:00.000Z');
    await tick();
    await followUpLink(6);
    t.clock.set('2027-09-10T08:00:00.000Z');
    await tick();
    // 12 months: all is well.
    t.clock.set('2028-02-28T08:00:00.000Z');
    await tick();
    t.clock.set('2028-02-28T18:00:00.000Z');
    expect((await t.app.request(await followUpLink(12), postForm({ wellbeing: '5', stillThere: 'oui' }))).status).toBe(303);
    await tick();

    const timeline = await timelineOf(elise.id);
    const story = timeline.filter((e) => e.kind !== 'email-sent').map((e) => [e.kind, e.summary]);
    expect(story).toEqual([
      ['registration', `Inscription à « ${w.title} » (15 janv. 2027)`],
      ['attendance', `Présent·e à « ${w.title} » (15 janv. 2027), 48 min`],
      ['accompaniment-request', 'Demande d’accompagnement : Infirmière ; mon conjoint reprendrait une boulangerie.'],
      ['stage', 'Étape : Premier contact → Projet qualifié'],
      ['referent', 'Référent·e : Julien Rouvière (à tour de rôle)'],
      ['stage', 'Étape : Projet qualifié → Accompagné·e'],
      ['appointment', 'Rendez-vous pris avec Julien Rouvière : mercredi 20 janvier 2027, de 10\u00a0h\u00a000 à 10\u00a0h\u00a030 (heure de Paris), par téléphone'],
      ['installation', 'Installé·e à Marvejols (Aubrac) le 27 févr. 2027 : 2 adultes, 2 enfants, un emploi salarié (Hôpital de Marvejols)'],
      ['stage', 'Étape : Accompagné·e → Installé·e'],
      ['follow-up', 'Suivi à 3 mois envoyé : « comment se passe votre installation ? »'],
      ['follow-up', 'Réponse au suivi à 3 mois : bien (4/5), toujours sur le territoire, aide demandée : le logement'],
      ['stage', 'Étape : Installé·e → Suivi après installation'],
      ['task', 'Tâche pour le 27 mai 2027 (Julien Rouvière) : Aide demandée par Élise Martin au suivi à 3 mois : le logement'],
      ['follow-up', 'Suivi à 6 mois envoyé : « comment se passe votre installation ? »'],
      ['follow-up', 'Pas de réponse au suivi à 6 mois après 14 jours'],
      ['task', 'Tâche pour le 10 sept. 2027 (Julien Rouvière) : Relancer Élise Martin : pas de réponse au suivi à 6 mois'],
      ['follow-up', 'Suivi à 12 mois envoyé : « comment se passe votre installation ? »'],
      ['follow-up', 'Réponse au suivi à 12 mois : très bien (5/5), toujours sur le territoire, pas d’aide demandée'],
    ]);
    // The e-mails she received are on the file too: confirmation, appointment, its reminder, the follow-ups.
    const mails = timeline.filter((e) => e.kind === 'email-sent').map((e) => e.summary);
    expect(mails).toEqual(expect.arrayContaining(['E-mail envoyé : Votre demande d’accompagnement est bien reçue', 'E-mail envoyé : Rendez-vous confirmé avec Julien Rouvière', 'E-mail envoyé : Élise, comment se passe votre installation ?']));
    // Only the installation was an agent's doing: Julien recorded a fact; everything else wrote itself.
    expect(timeline.filter((e) => e.actor_type === 'agent').map((e) => e.kind)).toEqual(['installation', 'stage']);
    expect(await fileOf('elise.martin@example.org')).toMatchObject({ stage: 'followed-up' });
  }, 60_000);
});
