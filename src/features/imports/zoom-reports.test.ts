import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_REPORT_BYTES, parseAttendeeReport, parseRegistrationReport, parseZoomDate, ZoomReportError, type ReportIssue } from './zoom-reports.ts';

const fixture = (name: string) => fs.readFileSync(new URL(`../../../tests/fixtures/zoom/${name}`, import.meta.url));
const PARIS = 'Europe/Paris';

/** The issues a refused file reports, or a failure if it was accepted. */
function refusal(f: () => unknown): ReportIssue[] {
  try {
    f();
  } catch (e) {
    if (e instanceof ZoomReportError) return e.issues;
    throw e;
  }
  throw new Error('the file was accepted');
}

describe('Zoom attendee report', () => {
  it('reads the summary, the hosts, the panelists and every connection of the attendee section, BOM and all', () => {
    const r = parseAttendeeReport(fixture('2026-04-24-attendee-report.csv'), PARIS);
    expect(r.summary).toEqual({ topic: 'Rencontre Lozère Nouvelle Vie – avril 2026', zoomWebinarId: '84512345678', actualStartAt: '2026-04-24T10:27:48.000Z', actualDurationMinutes: 64 });
    expect(r.hosts).toEqual([{ line: 8, name: 'Lozère Nouvelle Vie', email: 'nouvellevie@lozere.fr' }]);
    expect(r.panelists).toEqual([{ line: 12, name: 'Claire Vidal (France Travail)', email: 'claire.vidal@francetravail.example' }]);
    expect(r.attendees).toHaveLength(13);
    expect(r.attendees[0]).toEqual({
      line: 16,
      attended: true,
      displayName: 'Élodie Fabre',
      firstName: 'Élodie',
      lastName: 'Fabre',
      email: 'elodie.fabre@example.fr',
      phone: '06 12 34 56 78',
      registeredAt: '2026-04-10T18:15:02.000Z',
      approvalStatus: 'approved',
      joinedAt: '2026-04-24T10:29:10.000Z',
      leftAt: '2026-04-24T10:53:40.000Z',
      minutes: 25,
      isGuest: true,
    });
    // An absent registrant: "--" for the times and the minutes.
    expect(r.attendees.find((a) => a.lastName === 'Le Bihan')).toMatchObject({ line: 19, attended: false, joinedAt: null, leftAt: null, minutes: 0, isGuest: false });
    // A connection without an e-mail, and a guest with no registration at all.
    expect(r.attendees.find((a) => a.firstName === 'Zoé')).toMatchObject({ email: null, displayName: 'Zoé C.', minutes: 38 });
    expect(r.attendees.find((a) => a.displayName === 'Invité Zoom')).toMatchObject({ email: null, registeredAt: null, approvalStatus: null, isGuest: true, minutes: 15 });
    expect(r.attendees.reduce((n, a) => n + a.minutes, 0)).toBe(25 + 20 + 52 + 6 + 38 + 10 + 15 + 5 + 15 + 12 + 10);
    expect(r.notes).toEqual([]);
  });

  it('takes line ends in LF, the trailing commas Zoom writes, and an empty panelist section', () => {
    const r = parseAttendeeReport(fixture('2025-11-28-attendee-report.csv'), PARIS);
    expect(r.summary).toEqual({ topic: 'Rencontre thématique : reprendre une entreprise en Lozère', zoomWebinarId: '81298765432', actualStartAt: '2025-11-28T11:31:02.000Z', actualDurationMinutes: 58 });
    expect(r.panelists).toEqual([]);
    expect(r.hosts).toHaveLength(1);
    expect(r.attendees.map((a) => [a.line, a.email, a.minutes])).toEqual([
      [15, 'helene.castanier@example.fr', 47],
      [16, 'loic.berard@example.com', 20],
      [17, 'loic.berard@example.com', 18],
      [18, 'seb.ollier@example.org', 0],
      [19, 'loic.berard@example.com', 4],
      [20, 'aegir.thorsson@example.is', 9],
      [21, 'noemie.causse@example.fr', 10],
    ]);
  });

  it('reads a file saved again by a French spreadsheet (semicolons), and says which sections it does not read', () => {
    const csv = [
      'Attendee Report',
      'Topic;Webinar ID;Actual Start Time;Actual Duration (minutes)',
      'Rencontre;845 1234 5678;04/24/2026 12:27:48 PM;64',
      'Attendee Details',
      'Attended;User Name (Original Name);First Name;Last Name;Email;Registration Time;Approval Status;Join Time;Leave Time;Time in Session (minutes);Is Guest',
      'Yes;Élodie Fabre;Élodie;Fabre;elodie.fabre@example.fr;04/10/2026 08:15:02 PM;approved;04/24/2026 12:29:10 PM;04/24/2026 12:53:40 PM;25;Yes',
      'Other Attended',
      'User Name (Original Name);Join Time',
      'Quelqu’un;04/24/2026 12:29:10 PM',
    ].join('\n');
    const r = parseAttendeeReport(csv, PARIS);
    expect(r.attendees).toHaveLength(1);
    expect(r.attendees[0]).toMatchObject({ email: 'elodie.fabre@example.fr', minutes: 25 });
    expect(r.notes).toEqual(['Section « Other Attended » (ligne 7) non lue : elle ne sert pas à la participation des inscrits.']);
  });

  it('refuses a date it cannot read, naming the line', () => {
    const issues = refusal(() => parseAttendeeReport(fixture('broken-bad-date.csv'), PARIS));
    expect(issues).toEqual([{ line: 18, message: 'la date « 13/45/2026 12:28:30 PM » n’est pas lisible (attendu : le format de Zoom, mois/jour/année et heure, comme 04/26/2026 10:45:17 AM).' }]);
    expect(new ZoomReportError(issues).message).toMatch(/^Ligne 18 : la date « 13\/45\/2026 12:28:30 PM » n’est pas lisible/);
  });

  it('reports every broken line of a file at once', () => {
    const csv = [
      'Topic,Webinar ID,Actual Start Time',
      'Rencontre,845 1234 5678,04/24/2026 12:27:48 PM',
      'Attendee Details',
      'Attended,User Name (Original Name),Email,Join Time,Time in Session (minutes),Is Guest',
      'Peut-être,Élodie Fabre,elodie.fabre@example.fr,04/24/2026 12:29:10 PM,25,Yes',
      'Yes,François Müller,francois.muller@,04/24/2026 12:29:10 PM,vingt,Yes',
    ].join('\r\n');
    expect(refusal(() => parseAttendeeReport(csv, PARIS))).toEqual([
      { line: 5, message: 'la colonne « Attended » vaut « Peut-être » : Yes ou No attendu.' },
      { line: 6, message: 'l’adresse e-mail « francois.muller@ » n’est pas valide.' },
      { line: 6, message: 'la durée « vingt » de la colonne « Time in Session (minutes) » n’est pas un nombre de minutes.' },
    ]);
  });

  it('refuses a report without its attendee section, a header without its columns, and the other kind of report', () => {
    expect(refusal(() => parseAttendeeReport(fixture('broken-missing-section.csv'), PARIS))).toEqual([
      { line: null, message: 'la section « Attendee Details » est absente : ce fichier n’est pas un rapport de participation complet exporté de Zoom (Attendee Report).' },
    ]);
    const noMinutes = ['Topic,Webinar ID', 'Rencontre,845', 'Attendee Details', 'Attended,User Name (Original Name),Email', 'Yes,Élodie,elodie@example.fr'].join('\n');
    expect(refusal(() => parseAttendeeReport(noMinutes, PARIS))).toEqual([{ line: 4, message: 'il manque la colonne « Time in Session (minutes) » dans la section « Attendee Details ».' }]);
    expect(refusal(() => parseAttendeeReport(fixture('2026-04-24-registration-report.csv'), PARIS))).toEqual([
      { line: 1, message: 'ce fichier est un rapport d’inscription (Registration Report), pas un rapport de participation (Attendee Report).' },
    ]);
  });

  it('refuses what is not a CSV from Zoom: another encoding, a quote never closed, an empty file, a file too large', () => {
    const latin1 = Buffer.from('Topic,Webinar ID\r\nRencontre Lozère,845\r\n', 'latin1');
    expect(refusal(() => parseAttendeeReport(latin1, PARIS))[0]!.message).toMatch(/^le fichier n’est pas encodé en UTF-8/);
    const unclosed = ['Topic,Webinar ID', 'Rencontre,845', 'Attendee Details', 'Attended,User Name (Original Name),Email,Time in Session (minutes)', 'Yes,"Élodie Fabre,elodie@example.fr,25', 'Yes,Paul,paul@example.fr,12'].join('\n');
    expect(refusal(() => parseAttendeeReport(unclosed, PARIS))).toEqual([{ line: 5, message: 'un guillemet ouvert n’est jamais refermé : le fichier est incomplet ou mal formé.' }]);
    expect(refusal(() => parseAttendeeReport('\uFEFF\r\n', PARIS))).toEqual([{ line: null, message: 'le fichier est vide.' }]);
    expect(refusal(() => parseAttendeeReport(Buffer.alloc(MAX_REPORT_BYTES + 1, 0x41), PARIS))[0]!.message).toBe('le fichier fait 5 Mo : un rapport Zoom importé doit faire 5 Mo au plus.');
    expect(refusal(() => parseAttendeeReport('Topic\nx\n', 'Europe/Lozère'))[0]!.message).toMatch(/^le fuseau horaire « Europe\/Lozère » est inconnu/);
  });
});

describe('Zoom registration report', () => {
  it('reads the summary and every registrant, with Zoom’s standard fields and the custom questions apart', () => {
    const r = parseRegistrationReport(fixture('2026-04-24-registration-report.csv'), PARIS);
    expect(r.summary).toEqual({ topic: 'Rencontre Lozère Nouvelle Vie – avril 2026', zoomWebinarId: '84512345678', scheduledAt: '2026-04-24T10:30:00.000Z' });
    expect(r.customQuestions).toEqual(['Quel est votre projet d’installation ?', 'Comment avez-vous connu les Rencontres ?']);
    expect(r.registrants.map((x) => [x.line, x.email, x.approvalStatus])).toEqual([
      [7, 'elodie.fabre@example.fr', 'approved'],
      [8, 'francois.muller@example.org', 'approved'],
      [9, 'anais.lebihan@example.net', 'approved'],
      [10, 'jb.ndiaye@example.com', 'approved'],
      [11, 'zoe.chassagne@example.fr', 'approved'],
      [12, 'GAELLE.Rouviere@Example.fr', 'approved'],
      [13, 'mathieu.pages@example.fr', 'approved'],
      [14, 'noreply@mailinator.com', 'denied'],
    ]);
    expect(r.registrants[1]).toEqual({
      line: 8,
      firstName: 'François',
      lastName: 'Müller',
      email: 'francois.muller@example.org',
      registeredAt: '2026-04-11T05:02:44.000Z',
      approvalStatus: 'approved',
      phone: null,
      town: 'Strasbourg',
      postcode: '67000',
      country: 'France',
      question: 'Y a-t-il des écoles bilingues, près de Mende ?',
      answers: { 'Quel est votre projet d’installation ?': 'Télétravail', 'Comment avez-vous connu les Rencontres ?': 'Bouche à oreille' },
    });
  });

  it('takes a "Registrant Details" title before the header, as some exports write', () => {
    const csv = [
      'Registration Report',
      'Topic,Webinar ID,Scheduled Time',
      'Rencontre,845 1234 5678,"Apr 24, 2026 12:30 PM"',
      'Registrant Details',
      'First Name,Last Name,Email,Registration Time,Approval Status',
      'Élodie,Fabre,elodie.fabre@example.fr,04/10/2026 08:15:02 PM,approved',
    ].join('\n');
    const r = parseRegistrationReport(csv, PARIS);
    expect(r.summary.scheduledAt).toBe('2026-04-24T10:30:00.000Z');
    expect(r.registrants).toHaveLength(1);
  });

  it('refuses a header without the e-mail column, a registrant without an address, and the other kind of report', () => {
    expect(refusal(() => parseRegistrationReport(fixture('broken-wrong-columns.csv'), PARIS))).toEqual([{ line: 6, message: 'il manque la colonne « Email » dans la ligne d’en-tête des inscrits.' }]);
    const noAddress = ['Topic,ID,Scheduled Time', 'Rencontre,845,04/24/2026 12:30 PM', 'First Name,Last Name,Email,Registration Time,Approval Status', 'Élodie,Fabre,,04/10/2026 08:15:02 PM,approved'].join('\n');
    expect(refusal(() => parseRegistrationReport(noAddress, PARIS))).toEqual([{ line: 4, message: 'l’adresse e-mail est vide : Zoom en demande une à chaque inscrit.' }]);
    expect(refusal(() => parseRegistrationReport(fixture('2025-11-28-attendee-report.csv'), PARIS))).toEqual([
      { line: 1, message: 'ce fichier est un rapport de participation (Attendee Report), pas un rapport d’inscription (Registration Report).' },
    ]);
  });
});

describe('Zoom dates', () => {
  it('reads US dates in the account’s zone, summer and winter time alike', () => {
    expect(parseZoomDate('04/26/2026 10:45:17 AM', PARIS)).toBe('2026-04-26T08:45:17.000Z');
    expect(parseZoomDate('11/28/2025 12:31:02 PM', PARIS)).toBe('2025-11-28T11:31:02.000Z');
    expect(parseZoomDate('4/6/2026 1:05 PM', PARIS)).toBe('2026-04-06T11:05:00.000Z');
    expect(parseZoomDate('04/26/2026 12:00:00 AM', PARIS)).toBe('2026-04-25T22:00:00.000Z');
    expect(parseZoomDate('Apr 24, 2026 12:30 PM', 'America/New_York')).toBe('2026-04-24T16:30:00.000Z');
    expect(parseZoomDate('13/45/2026 10:45:17 AM', PARIS)).toBeNull();
    expect(parseZoomDate('26/04/2026 10:45', PARIS)).toBeNull();
  });
});
