import { randomBytes } from 'node:crypto';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { loadTerritory } from '../territory/territory.ts';
import type { Webinar } from '../webinars/webinar.ts';
import { foldIcsLines, renderRegistrationEmailFast } from './registration-email-templates.ts';
import { renderRegistrationEmail, type RegistrationEmailKind } from './registration-emails.tsx';

const territory = loadTerritory('lozere');
/** Two renders a second apart differ by their DTSTAMP only. */
const sameStamp = (ics: string) => ics.replace(/^DTSTAMP:\d{8}T\d{6}Z$/m, 'DTSTAMP:X');

function webinar(over: Partial<Webinar> = {}): Webinar {
  return {
    id: 'w-templates',
    slug: 'rencontre-2027-03-19',
    title: 'Rencontre Lozère Nouvelle Vie',
    kind: 'generic',
    theme: null,
    status: 'published',
    startsAt: '2027-03-19T11:30:00.000Z',
    endsAt: '2027-03-19T12:30:00.000Z',
    capacity: 100,
    videoTool: 'link',
    joinUrl: 'https://visio.example.org/j/123',
    replayUrl: null,
    summary: 'Une heure pour découvrir la Lozère.',
    description: '',
    programme: [],
    speakers: [],
    partners: [],
    promotionCostCents: null,
    calendarSequence: 2,
    ...over,
  };
}

const names = ['Élise', 'Zoë-Anaïs', 'O’Brien & <Fils>', `Jean "Jo" l'Ancien`, 'Zoé 😀', '$& $1 $$', 'Ægir Łukasz 李', ''];
const webinars = [
  webinar(),
  // Commas and semicolons are escaped in the calendar, emoji and accents take several octets: the
  // folds move, and must move as they would in a full render.
  webinar({ title: 'Rencontre ; thème « reprise d’activité », 2027 🎉', summary: 'Une heure, un café ; des réponses. ' + 'é'.repeat(90) }),
  webinar({ startsAt: '2027-10-31T11:30:00.000Z', endsAt: '2027-10-31T12:30:00.000Z', joinUrl: null }),
];

describe('registration e-mails from a per-Rencontre template', () => {
  it.each<[RegistrationEmailKind, boolean | undefined]>([
    ['confirmed', undefined],
    ['promoted', undefined],
    ['cancelled', true],
    ['cancelled', false],
    ['waitlisted', undefined],
  ])('%s (wasConfirmed %s): byte for byte the full render, whatever the name, title or token', async (kind, wasConfirmed) => {
    for (const publicUrl of ['http://nv.test', 'https://www.lozere-nouvelle-vie.example']) {
      for (const w of webinars) {
        for (const firstName of names) {
          const token = randomBytes(32).toString('base64url');
          const c = { territory, publicUrl, webinar: w, firstName, token, wasConfirmed, waitlistPosition: kind === 'waitlisted' ? 3 : undefined };
          const fast = await renderRegistrationEmailFast(kind, c);
          const full = await renderRegistrationEmail(kind, c);
          expect(fast.subject).toBe(full.subject);
          expect(fast.html).toBe(full.html);
          expect(fast.text).toBe(full.text);
          expect(fast.attachments.map((a) => ({ ...a, content: sameStamp(a.content) }))).toEqual(full.attachments.map((a) => ({ ...a, content: sameStamp(a.content) })));
        }
      }
    }
  });

  it('writes the current DTSTAMP in UTC, and a calendar file that parses', async () => {
    const before = new Date(Math.floor(Date.now() / 1000) * 1000);
    const mail = await renderRegistrationEmailFast('confirmed', { territory, publicUrl: 'http://nv.test', webinar: webinar(), firstName: 'Élise', token: randomBytes(32).toString('base64url') });
    const vevent = new ICAL.Component(ICAL.parse(mail.attachments[0]!.content)).getFirstSubcomponent('vevent')!;
    const stamp = (vevent.getFirstPropertyValue('dtstamp') as ICAL.Time).toJSDate();
    expect(stamp.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(stamp.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('folds as ical-generator does: at most 75 octets a line, never inside a character', () => {
    const line = 'DESCRIPTION:' + 'aé😀'.repeat(40);
    const folded = foldIcsLines(line);
    for (const l of folded.split('\r\n')) expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
    expect(folded.replaceAll('\r\n ', '')).toBe(line);
    expect(folded).not.toMatch(/\uFFFD/);
  });
});
