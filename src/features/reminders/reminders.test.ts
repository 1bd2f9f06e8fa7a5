import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { createWebinar, parsedForm } from '../../../tests/support/fixtures.ts';
import { cancelRegistration } from '../registrations/cancel-registration.ts';
import { registerCandidate } from '../registrations/register-candidate.ts';
import { latestDueMoment, reminderLead, reminderMoments } from './reminder-schedule.ts';

const noSource = { utmSource: null, utmMedium: null, utmCampaign: null };
const OFFSETS = ['P7D', 'P1D', 'PT1H'];

describe('when reminders are due', () => {
  it('counts days back in Paris wall-clock time, across the change to summer time', () => {
    // Friday 2 April 2027, 12:30 in Paris (summer time since 28 March): 10:30Z.
    const moments = reminderMoments('2027-04-02T10:30:00.000Z', OFFSETS, 'Europe/Paris');
    expect(moments.map((m) => [m.key, m.at.toISOString()])).toEqual([
      // 26 March is still winter time: 12:30 in Paris is 11:30Z, not 10:30Z.
      ['P7D', '2027-03-26T11:30:00.000Z'],
      ['P1D', '2027-04-01T10:30:00.000Z'],
      ['PT1H', '2027-04-02T09:30:00.000Z'],
    ]);
    // And back to winter time at the end of October.
    const autumn = reminderMoments('2027-11-05T11:30:00.000Z', OFFSETS, 'Europe/Paris');
    expect(autumn[0]!.at.toISOString()).toBe('2027-10-29T10:30:00.000Z');
  });

  it('keeps only the latest moment due, and none once the Rencontre has started', () => {
    const start = '2027-04-02T10:30:00.000Z';
    expect(latestDueMoment(start, OFFSETS, 'Europe/Paris', new Date('2027-03-20T00:00:00Z'))).toBeNull();
    expect(latestDueMoment(start, OFFSETS, 'Europe/Paris', new Date('2027-03-30T00:00:00Z'))!.key).toBe('P7D');
    expect(latestDueMoment(start, OFFSETS, 'Europe/Paris', new Date('2027-04-02T10:00:00Z'))!.key).toBe('PT1H');
    expect(latestDueMoment(start, OFFSETS, 'Europe/Paris', new Date(start))).toBeNull();
  });

  it('says when in French', () => {
    expect(['P7D', 'P1D', 'PT1H', 'PT30M', 'PT2H'].map(reminderLead)).toEqual(['dans 7 jours', 'demain', 'dans une heure', 'dans 30 minutes', 'dans 2 heures']);
  });
});

describe.each(dialects())('sending reminders on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect, { now: '2027-03-20T09:00:00.000Z' });
  });
  afterEach(async () => {
    await t.close();
  });

  const register = (webinarId: string, email: string) => registerCandidate(t.s, { webinarId, submissionKey: randomUUID(), form: parsedForm({ email }), source: noSource, actor: { type: 'candidate', id: null } });
  const reminders = () => t.db.kysely.selectFrom('outbox_messages').selectAll().where('kind', '=', 'reminder').orderBy('to_address').execute();
  /** What the worker does every minute: find what is due, then run the jobs. */
  const tick = async () => {
    await t.jobs.runPeriodic(true);
    await t.jobs.drain();
  };

  it('sends each moment once, at its instant, with the join link and the calendar file', async () => {
    const w = await createWebinar(t.db, { date: '2027-04-02' });
    await register(w.id, 'a@example.org');
    await register(w.id, 'b@example.org');
    await tick();
    expect(await reminders()).toHaveLength(0);

    t.clock.set('2027-03-26T11:29:00.000Z');
    await tick();
    expect(await reminders()).toHaveLength(0);
    t.clock.set('2027-03-26T11:30:00.000Z');
    await tick();
    await tick();
    const week = await reminders();
    expect(week.map((m) => m.to_address)).toEqual(['a@example.org', 'b@example.org']);
    expect(week[0]!.subject).toBe('Rappel : la Rencontre Lozère Nouvelle Vie, dans 7 jours');
    expect(week[0]!.text).toMatch(/http:\/\/nv\.test\/mon-inscription\/[A-Za-z0-9_-]{43}\/rejoindre/);
    const cal = new ICAL.Component(ICAL.parse(JSON.parse(week[0]!.attachments)[0].content));
    expect(cal.getFirstSubcomponent('vevent')!.getFirstPropertyValue('dtstart')!.toString()).toBe('2027-04-02T12:30:00');

    t.clock.set('2027-04-01T10:30:00.000Z');
    await tick();
    t.clock.set('2027-04-02T09:30:00.000Z');
    await tick();
    await tick();
    const all = await reminders();
    expect(all).toHaveLength(6);
    expect(all.map((m) => m.subject).filter((x) => x.endsWith('demain'))).toHaveLength(2);
    expect(all.map((m) => m.subject).filter((x) => x.endsWith('dans une heure'))).toHaveLength(2);
  });

  it('after a restart that skipped the moments, sends only the latest one, and none once the Rencontre has started', async () => {
    const w = await createWebinar(t.db, { date: '2027-04-02' });
    await register(w.id, 'a@example.org');
    // The app was down from before the 7-day moment until after the day-before one.
    t.clock.set('2027-04-01T18:00:00.000Z');
    await tick();
    expect((await reminders()).map((m) => m.subject)).toEqual(['Rappel : la Rencontre Lozère Nouvelle Vie, demain']);
    // Down again over the one-hour moment and the start: nothing late.
    t.clock.set('2027-04-02T10:31:00.000Z');
    await tick();
    expect(await reminders()).toHaveLength(1);
  });

  it('sends nobody a reminder for a moment already past when they registered', async () => {
    const w = await createWebinar(t.db, { date: '2027-04-02' });
    t.clock.set('2027-03-30T09:00:00.000Z');
    await register(w.id, 'late@example.org');
    await tick();
    expect(await reminders()).toHaveLength(0);
    t.clock.set('2027-04-01T10:30:00.000Z');
    await tick();
    expect((await reminders()).map((m) => m.subject)).toEqual(['Rappel : la Rencontre Lozère Nouvelle Vie, demain']);
  });

  it('sends none after cancelling, and cancels one already written but not sent', async () => {
    const w = await createWebinar(t.db, { date: '2027-04-02' });
    const a = await register(w.id, 'a@example.org');
    const b = await register(w.id, 'b@example.org');
    await cancelRegistration(t.s, { registrationId: a.registrationId, actor: { type: 'candidate', id: null } });
    t.clock.set('2027-03-26T11:30:00.000Z');
    await tick();
    expect((await reminders()).map((m) => m.to_address)).toEqual(['b@example.org']);
    await cancelRegistration(t.s, { registrationId: b.registrationId, actor: { type: 'candidate', id: null } });
    expect((await reminders()).map((m) => m.status)).toEqual(['cancelled']);
    await t.worker.drain();
    expect((await reminders()).map((m) => m.status)).toEqual(['cancelled']);
  });

  it('a reminder not sent before the start (SMTP down) is cancelled, not sent late', async () => {
    const w = await createWebinar(t.db, { date: '2027-04-02' });
    await register(w.id, 'a@example.org');
    t.clock.set('2027-04-02T09:30:00.000Z');
    await tick();
    expect(await reminders()).toHaveLength(1);
    t.clock.set('2027-04-02T10:31:00.000Z');
    await t.worker.drain();
    expect((await reminders()).map((m) => m.status)).toEqual(['cancelled']);
  });

  it('waiting-list people get reminders once they have a seat, not before', async () => {
    const w = await createWebinar(t.db, { date: '2027-04-02', capacity: 1 });
    await register(w.id, 'a@example.org');
    await register(w.id, 'b@example.org');
    t.clock.set('2027-03-26T11:30:00.000Z');
    await tick();
    expect((await reminders()).map((m) => m.to_address)).toEqual(['a@example.org']);
  });
});
