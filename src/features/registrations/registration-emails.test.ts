import { randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebinar, parsedForm } from '../../../tests/support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { headerText, SmtpPeer, type ReceivedMail } from '../../../tests/support/smtp.ts';
import { createSmtpTransport, type MailTransport } from '../../platform/email/transport.ts';
import { loadTerritory } from '../territory/territory.ts';
import type { Webinar } from '../webinars/webinar.ts';
import { cancelRegistration } from './cancel-registration.ts';
import { registerCandidate } from './register-candidate.ts';
import { renderRegistrationEmail } from './registration-emails.tsx';
import { hashToken } from './registration-token.ts';

const candidateActor = { type: 'candidate' as const, id: null };
const noSource = { utmSource: null, utmMedium: null, utmCampaign: null };
const PUBLIC_URL = 'http://nv.test';

/** Reads a calendar file with ical.js, resolving its TZIDs with the VTIMEZONE it carries and nothing else. */
function readCalendar(ics: string) {
  const cal = new ICAL.Component(ICAL.parse(ics));
  ICAL.TimezoneService.reset();
  const vtimezones = cal.getAllSubcomponents('vtimezone');
  for (const vtz of vtimezones) ICAL.TimezoneService.register(vtz);
  const vevent = cal.getFirstSubcomponent('vevent');
  if (!vevent) throw new Error('no VEVENT in the calendar file');
  return { cal, vtimezones, vevent, event: new ICAL.Event(vevent) };
}

function calendarOf(mail: ReceivedMail) {
  const ics = mail.parsed.attachments.filter((a) => a.filename?.endsWith('.ics'));
  expect(ics).toHaveLength(1);
  return ics[0]!;
}

/** The private token, read back from the personal join link in the text part. */
function tokenIn(text: string): string {
  const m = new RegExp(`${PUBLIC_URL.replace(/[.]/g, '\\.')}/mon-inscription/([A-Za-z0-9_-]{43})/rejoindre`).exec(text);
  if (!m) throw new Error(`no personal join link in:\n${text}`);
  return m[1]!;
}

describe.each(dialects())('the confirmation, as a real SMTP peer receives it, on %s', (dialect) => {
  let peer: SmtpPeer;
  let transport: MailTransport;
  let t: TestContext;
  beforeAll(async () => {
    peer = await SmtpPeer.start();
  });
  afterAll(async () => {
    await peer.stop();
  });
  beforeEach(async () => {
    peer.received.length = 0;
    transport = createSmtpTransport(peer.url);
    t = await createTestContext(dialect, { transport });
  });
  afterEach(async () => {
    await t.close();
    await transport.close();
  });

  const cases = [
    { season: 'winter (UTC+1)', date: '2027-01-15', utcStart: '2027-01-15T11:30:00.000Z', utcEnd: '2027-01-15T12:30:00.000Z', slot: 'vendredi 15 janvier 2027, de 12\u00a0h\u00a030 à 13\u00a0h\u00a030 (heure de Paris)' },
    { season: 'summer (UTC+2)', date: '2027-07-16', utcStart: '2027-07-16T10:30:00.000Z', utcEnd: '2027-07-16T11:30:00.000Z', slot: 'vendredi 16 juillet 2027, de 12\u00a0h\u00a030 à 13\u00a0h\u00a030 (heure de Paris)' },
  ];

  it.each(cases)('in $season: French text and HTML, Paris time, personal links, Auto-Submitted, one .ics at 12:30 Paris on a Friday', async (c) => {
    const w = await createWebinar(t.db, { date: c.date });
    expect(w.starts_at).toBe(c.utcStart);
    const reg = await registerCandidate(t.s, { webinarId: w.id, submissionKey: randomUUID(), form: parsedForm(), source: noSource, actor: candidateActor });
    expect(reg.status).toBe('confirmed');
    expect(peer.received).toHaveLength(0);

    expect(await t.worker.drain()).toBe(1);
    expect(peer.received).toHaveLength(1);
    const mail = peer.received[0]!;
    const m = mail.parsed;
    const row = await t.db.kysely.selectFrom('outbox_messages').selectAll().where('registration_id', '=', reg.registrationId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', attempts: 1, transport: 'smtp', last_error: null });

    // Envelope and headers.
    expect(mail.envelope.to).toEqual(['elise.martin@example.org']);
    expect(m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : null).toBe('elise.martin@example.org');
    expect(m.from?.value[0]).toMatchObject({ address: 'nouvellevie@lozere.fr', name: 'Lozère Nouvelle Vie' });
    expect(m.subject).toBe(`Inscription confirmée : ${w.title}, ${c.slot.split(',')[0]}`);
    expect(headerText(m, 'Auto-Submitted')).toBe('auto-generated');
    expect(m.messageId).toBe(`<${row.id}@test.local>`);

    // Both parts, in French, with the date in Paris time.
    expect(m.text).toBeTruthy();
    expect(m.html).toBeTruthy();
    const text = m.text!;
    const html = m.html as string;
    expect(text).toContain('Bonjour Élise,');
    expect(text).toContain(`Quand : ${c.slot}`);
    expect(html).toContain(c.slot);
    expect(html).toMatch(/<html lang="fr"/);

    // The personal links: the join link and the management link carry this registration's own token.
    const token = tokenIn(text);
    const stored = await t.db.kysely.selectFrom('registrations').select('manage_token_hash').where('id', '=', reg.registrationId).executeTakeFirstOrThrow();
    expect(hashToken(token)).toBe(stored.manage_token_hash);
    const join = `${PUBLIC_URL}/mon-inscription/${token}/rejoindre`;
    const manage = `${PUBLIC_URL}/mon-inscription/${token}`;
    expect(text).toContain(join);
    expect(text).toContain(`: ${manage}\n`);
    expect(html).toContain(`href="${join}"`);
    expect(html).toContain(`href="${manage}"`);
    // ... and they work: the management page opens, the join link leads to the video room.
    const page = await t.app.request(new URL(manage).pathname);
    expect(page.status).toBe(200);
    const joined = await t.app.request(new URL(join).pathname);
    expect(joined.status).toBe(302);
    expect(joined.headers.get('location')).toBe(w.join_url);

    // One calendar file, read back by ical.js.
    const att = calendarOf(mail);
    expect(att.contentType).toBe('text/calendar');
    expect(att.filename).toBe('rencontre.ics');
    const { cal, vtimezones, vevent, event } = readCalendar(att.content.toString('utf8'));
    expect(cal.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(vtimezones.map((z) => z.getFirstPropertyValue('tzid'))).toEqual(['Europe/Paris']);
    expect(vtimezones[0]!.getAllSubcomponents().map((s) => s.name).sort()).toEqual(['daylight', 'standard']);

    expect(event.summary).toBe(w.title);
    expect(event.uid).toBe(`webinar-${w.id}@nv.test`);
    expect(vevent.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Paris');
    const start = event.startDate;
    const end = event.endDate;
    expect(start.zone?.tzid).toBe('Europe/Paris');
    expect([start.hour, start.minute, start.dayOfWeek()]).toEqual([12, 30, ICAL.Time.FRIDAY]);
    expect([end.hour, end.minute]).toEqual([13, 30]);
    // The instant, converted by ical.js through the file's own VTIMEZONE rules.
    const startUtc = start.convertToZone(ICAL.Timezone.utcTimezone);
    const endUtc = end.convertToZone(ICAL.Timezone.utcTimezone);
    expect(startUtc.toJSDate().toISOString()).toBe(c.utcStart);
    expect(endUtc.toJSDate().toISOString()).toBe(c.utcEnd);
    expect(startUtc.toJSDate().toISOString()).toBe(w.starts_at);
    // The join link is the personal one, never the raw room address.
    expect(event.location).toBe(join);
    expect(String(vevent.getFirstPropertyValue('description'))).not.toContain(w.join_url!);
    // DTSTAMP is UTC, as RFC 5545 requires.
    expect((vevent.getFirstPropertyValue('dtstamp') as ICAL.Time).zone).toBe(ICAL.Timezone.utcTimezone);

    const alarms = vevent.getAllSubcomponents('valarm');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.getFirstPropertyValue('action')).toBe('DISPLAY');
    expect((alarms[0]!.getFirstPropertyValue('trigger') as ICAL.Duration).toSeconds()).toBe(-15 * 60);
  });

  it('the waiting list e-mail has no calendar file; moving up, the person gets one, and the one who cancelled gets a CANCEL', async () => {
    const w = await createWebinar(t.db, { capacity: 1 });
    const a = await registerCandidate(t.s, { webinarId: w.id, submissionKey: randomUUID(), form: parsedForm({ email: 'a@example.org' }), source: noSource, actor: candidateActor });
    await registerCandidate(t.s, { webinarId: w.id, submissionKey: randomUUID(), form: parsedForm({ email: 'b@example.org' }), source: noSource, actor: candidateActor });
    expect(await t.worker.drain()).toBe(2);
    expect(peer.receivedFor('b@example.org')).toHaveLength(1);
    const waiting = peer.receivedFor('b@example.org')[0]!.parsed;
    expect(waiting.subject).toBe(`Liste d’attente : ${w.title}, vendredi 15 janvier 2027`);
    expect(waiting.text).toContain('en position 1');
    // The replay that the pages promise to everyone registered, the e-mails promise too.
    expect(waiting.text).toContain('Quoi qu’il arrive, vous recevrez le replay après la Rencontre.');
    expect(waiting.attachments).toHaveLength(0);
    expect(headerText(waiting, 'Auto-Submitted')).toBe('auto-generated');

    await cancelRegistration(t.s, { registrationId: a.registrationId, actor: candidateActor });
    expect(await t.worker.drain()).toBe(2);
    const promoted = peer.receivedFor('b@example.org')[1]!.parsed;
    expect(promoted.subject).toBe(`Une place s’est libérée : ${w.title}, vendredi 15 janvier 2027`);
    expect(readCalendar(calendarOf(peer.receivedFor('b@example.org')[1]!).content.toString('utf8')).cal.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(promoted.text).toContain('Vous recevrez un rappel avant la Rencontre, puis le replay, que vous ayez pu y assister ou non.');
    expect(peer.receivedFor('a@example.org')[0]!.parsed.text).toContain('Vous recevrez un rappel avant la Rencontre, puis le replay, que vous ayez pu y assister ou non.');
    const cancelled = peer.receivedFor('a@example.org')[1]!;
    expect(cancelled.parsed.subject).toBe(`Inscription annulée : ${w.title}, vendredi 15 janvier 2027`);
    expect(cancelled.parsed.text).toContain('Vous recevrez quand même le replay après la Rencontre.');
    expect(cancelled.parsed.html).toContain('Vous recevrez quand même le replay après la Rencontre.');
    expect(readCalendar(calendarOf(cancelled).content.toString('utf8')).cal.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(peer.received).toHaveLength(4);
  });
});

describe('rendering a registration e-mail', () => {
  const territory = loadTerritory('lozere');
  const webinar = (date: string, startUtc: string): Webinar =>
    ({
      id: 'w1',
      slug: `rencontre-${date}`,
      title: `Rencontre du ${date}`,
      summary: 'Une heure pour découvrir la Lozère.',
      startsAt: startUtc,
      endsAt: new Date(new Date(startUtc).getTime() + 3600_000).toISOString(),
      joinUrl: 'https://visio.example.org/j/123',
      calendarSequence: 0,
    }) as Webinar;
  const token = 'A'.repeat(43);

  it('a cancellation of a confirmed seat carries a CANCEL calendar file that replaces the event', async () => {
    const w = webinar('2027-03-19', '2027-03-19T11:30:00.000Z');
    const confirmed = await renderRegistrationEmail('confirmed', { territory, publicUrl: PUBLIC_URL, webinar: w, firstName: 'Élise', token });
    const cancelled = await renderRegistrationEmail('cancelled', { territory, publicUrl: PUBLIC_URL, webinar: w, firstName: 'Élise', token, wasConfirmed: true });
    expect(cancelled.subject).toBe(`Inscription annulée : ${w.title}, vendredi 19 mars 2027`);
    expect(cancelled.attachments).toHaveLength(1);
    const before = readCalendar(confirmed.attachments[0]!.content);
    const after = readCalendar(cancelled.attachments[0]!.content);
    expect(after.cal.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(after.vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
    // Same UID, higher SEQUENCE: calendars remove the event they already have.
    expect(after.event.uid).toBe(before.event.uid);
    expect(after.event.sequence).toBeGreaterThan(before.event.sequence);
    expect(after.vevent.getAllSubcomponents('valarm')).toHaveLength(0);
    expect(cancelled.attachments[0]!.contentType).toContain('method=CANCEL');
    // A person who only waited had nothing in their calendar.
    const fromWaitlist = await renderRegistrationEmail('cancelled', { territory, publicUrl: PUBLIC_URL, webinar: w, firstName: 'Élise', token, wasConfirmed: false });
    expect(fromWaitlist.attachments).toHaveLength(0);
    // …nor a seat to free: the e-mail says they left the waiting list.
    expect(fromWaitlist.text).toContain(`Votre inscription à la ${w.title} est annulée : vous n’êtes plus sur la liste d’attente.`);
    expect(fromWaitlist.text).not.toContain('Votre place a été libérée');
    expect(cancelled.text).toContain('Votre place a été libérée pour une autre personne.');
  });

  it.each([
    // 28 March and 31 October 2027 are the Sundays the clocks change in Paris.
    ['2027-03-28', '2027-03-28T10:30:00.000Z'],
    ['2027-10-31', '2027-10-31T11:30:00.000Z'],
  ])('on %s, a day the clocks change, the event stays at 12:30 Paris (%s)', async (date, utc) => {
    const mail = await renderRegistrationEmail('confirmed', { territory, publicUrl: PUBLIC_URL, webinar: webinar(date, utc), firstName: 'Élise', token });
    expect(mail.text).toContain('de 12\u00a0h\u00a030 à 13\u00a0h\u00a030 (heure de Paris)');
    const { event } = readCalendar(mail.attachments[0]!.content);
    expect([event.startDate.hour, event.startDate.minute]).toEqual([12, 30]);
    expect(event.startDate.convertToZone(ICAL.Timezone.utcTimezone).toJSDate().toISOString()).toBe(utc);
  });

  it('the calendar file does not depend on the server time zone, even at an hour that zone skips', async () => {
    const saved = process.env.TZ;
    // Node reads TZ again when it is assigned: this process now believes it runs in New York.
    process.env.TZ = 'America/New_York';
    try {
      expect(new Date('2027-01-15T12:00:00Z').getTimezoneOffset()).toBe(300);
      // 02:30 on 14 March 2027 does not exist in New York (clocks jump from 02:00 to 03:00); in Paris it is an ordinary hour.
      for (const [date, utcStart, wall] of [
        ['2027-03-14', '2027-03-14T01:30:00.000Z', [2, 30]],
        ['2027-01-15', '2027-01-15T11:30:00.000Z', [12, 30]],
      ] as const) {
        const mail = await renderRegistrationEmail('confirmed', { territory, publicUrl: PUBLIC_URL, webinar: webinar(date, utcStart), firstName: 'Élise', token });
        const { event } = readCalendar(mail.attachments[0]!.content);
        expect([event.startDate.hour, event.startDate.minute]).toEqual(wall);
        expect(event.startDate.convertToZone(ICAL.Timezone.utcTimezone).toJSDate().toISOString()).toBe(utcStart);
        expect(event.duration.toSeconds()).toBe(3600);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});
