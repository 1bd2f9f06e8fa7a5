import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebinar } from '../../../tests/support/fixtures.ts';
import { createTestContext, dialects, type TestContext } from '../../../tests/support/harness.ts';
import { systemActor } from '../../platform/audit/audit.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Services } from '../../services.ts';
import { setAttendanceByAgent } from '../attendance/record-attendance.ts';
import { hashToken, registrationToken } from '../registrations/registration-token.ts';
import { applyZoomImport, previewZoomImport, ZoomImportRefused, type ZoomImportInput } from './import-zoom-reports.ts';

const fixture = (name: string) => fs.readFileSync(new URL(`../../../tests/fixtures/zoom/${name}`, import.meta.url));
const APRIL = { registrationsCsv: fixture('2026-04-24-registration-report.csv'), attendeesCsv: fixture('2026-04-24-attendee-report.csv') };
const NOVEMBER = { attendeesCsv: fixture('2025-11-28-attendee-report.csv') };

/** Everything an import could write, to compare before and after. */
async function snapshot(db: Db) {
  const k = db.kysely;
  return {
    webinars: await k.selectFrom('webinars').selectAll().orderBy('id').execute(),
    candidates: await k.selectFrom('candidates').selectAll().orderBy('id').execute(),
    registrations: await k.selectFrom('registrations').selectAll().orderBy('id').execute(),
    outbox: await k.selectFrom('outbox_messages').selectAll().orderBy('id').execute(),
    audit: await k.selectFrom('audit_log').selectAll().orderBy('id').execute(),
  };
}

/** Each registrant of a Rencontre by e-mail: [attended, minutes]. */
async function attendanceByEmail(db: Db, webinarId: string) {
  const rows = await db.kysely
    .selectFrom('registrations')
    .innerJoin('candidates', 'candidates.id', 'registrations.candidate_id')
    .select(['candidates.email_normalized as email', 'registrations.attended', 'registrations.attended_minutes'])
    .where('registrations.webinar_id', '=', webinarId)
    .orderBy('candidates.email_normalized')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.email, [r.attended, r.attended_minutes]]));
}

async function refusal(p: Promise<unknown>): Promise<ZoomImportRefused> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ZoomImportRefused) return e;
    throw e;
  }
  throw new Error('the import was not refused');
}

describe.each(dialects())('importing Zoom reports on %s', (dialect) => {
  let t: TestContext;
  beforeEach(async () => {
    t = await createTestContext(dialect);
  });
  afterEach(async () => {
    await t.close();
  });
  const apply = (input: ZoomImportInput, s: Services = t.s) => applyZoomImport(s, { ...input, actor: systemActor });

  /** Someone the platform knows already, under another spelling of the address and another surname. */
  async function knownGaelle() {
    const id = randomUUID();
    await t.db.kysely
      .insertInto('candidates')
      .values({
        id,
        email: 'Gaelle.Rouviere@example.fr',
        email_normalized: 'gaelle.rouviere@example.fr',
        first_name: 'Gaëlle',
        last_name: 'Rouvière-Blanc',
        phone: null,
        postcode: '1000',
        town: 'Bruxelles',
        country: 'Belgique',
        project: 'teletravail',
        household: 'couple',
        horizon: 'plus-1-an',
        desired_region: null,
        news_opt_in: 0,
        news_opt_in_at: null,
        first_source: 'facebook',
        first_webinar_id: null,
        created_at: '2025-01-10T10:00:00.000Z',
        updated_at: '2025-01-10T10:00:00.000Z',
        last_contact_at: '2025-01-10T10:00:00.000Z',
      })
      .execute();
    return id;
  }

  it('previews without writing, then imports both reports of a Rencontre held before the platform: the Rencontre, the missing people and registrations, attendance', async () => {
    const gaelle = await knownGaelle();
    const before = await snapshot(t.db);

    const preview = await previewZoomImport(t.s, APRIL);
    expect(await snapshot(t.db)).toEqual(before);
    expect(preview.webinar).toEqual({
      match: 'create',
      id: null,
      title: 'Rencontre Lozère Nouvelle Vie – avril 2026',
      startsAt: '2026-04-24T10:30:00.000Z',
      endsAt: '2026-04-24T11:31:48.000Z',
      zoomWebinarId: '84512345678',
    });
    expect(preview.people.toCreate.map((p) => p.email)).toEqual([
      'elodie.fabre@example.fr',
      'francois.muller@example.org',
      'anais.lebihan@example.net',
      'jb.ndiaye@example.com',
      'zoe.chassagne@example.fr',
      'mathieu.pages@example.fr',
    ]);
    expect(preview.people.toCreate[0]).toEqual({ email: 'elodie.fabre@example.fr', firstName: 'Élodie', lastName: 'Fabre', lines: { registrations: [7], attendees: [16, 17] } });
    expect(preview.people.existing).toBe(1);
    expect(preview.registrations).toEqual({ toCreate: 7, existing: 0 });
    expect(preview.attendance).toEqual({ present: 4, absent: 3, keptByAgent: 0, thresholdMinutes: 10, minutes: 45 + 52 + 6 + 38 + 30 });
    expect(preview.matchedByName).toEqual([{ name: 'Zoé C.', email: 'zoe.chassagne@example.fr', lines: [21] }]);
    expect(preview.unmatched).toEqual([
      { name: 'Invité Zoom', lines: [26], minutes: 15, isGuest: true, reason: 'no-email' },
      { name: 'iPhone de Paul', lines: [27, 28], minutes: 22, isGuest: true, reason: 'no-email' },
    ]);
    expect(preview.skipped).toEqual([{ file: 'registrations', line: 14, name: 'Test Robot', email: 'noreply@mailinator.com', status: 'denied' }]);
    expect([preview.hosts, preview.panelists, preview.guests]).toEqual([1, 1, 7]);
    expect(preview.customQuestions).toHaveLength(2);

    const outcome = await apply(APRIL);
    expect(outcome.attendance).toEqual({ present: 4, absent: 3, keptByAgent: 0, unmatched: 2 });
    expect(outcome.applied.people.toCreate.map((p) => p.email)).toEqual(preview.people.toCreate.map((p) => p.email));
    expect(outcome.applied.registrations).toEqual(preview.registrations);

    const webinar = await t.db.kysely.selectFrom('webinars').selectAll().where('id', '=', outcome.webinarId).executeTakeFirstOrThrow();
    expect(webinar).toMatchObject({
      slug: 'rencontre-2026-04-24',
      title: 'Rencontre Lozère Nouvelle Vie – avril 2026',
      status: 'published',
      starts_at: '2026-04-24T10:30:00.000Z',
      ends_at: '2026-04-24T11:31:48.000Z',
      video_external_id: '84512345678',
      capacity: null,
    });
    expect(await attendanceByEmail(t.db, webinar.id)).toEqual({
      'anais.lebihan@example.net': [0, 0],
      'elodie.fabre@example.fr': [1, 45],
      'francois.muller@example.org': [1, 52],
      'gaelle.rouviere@example.fr': [1, 30],
      'jb.ndiaye@example.com': [0, 6],
      'mathieu.pages@example.fr': [0, 0],
      'zoe.chassagne@example.fr': [1, 38],
    });
    const regs = await t.db.kysely.selectFrom('registrations').selectAll().where('webinar_id', '=', webinar.id).execute();
    expect(regs.every((r) => r.status === 'confirmed' && r.created_by === 'import' && r.attendance_source === 'zoom-report' && r.attendance_overridden === 0)).toBe(true);
    // Each has a working private link, though nobody is told: no e-mail at all.
    for (const r of regs) expect(r.manage_token_hash).toBe(hashToken(registrationToken(t.s.tokenKey, r.id, r.token_nonce)));
    expect(await t.db.kysely.selectFrom('outbox_messages').select('id').execute()).toEqual([]);

    // New people are dated from their own registration, with what Zoom's standard fields gave.
    const elodie = await t.db.kysely.selectFrom('candidates').selectAll().where('email_normalized', '=', 'elodie.fabre@example.fr').executeTakeFirstOrThrow();
    expect(elodie).toMatchObject({ first_name: 'Élodie', last_name: 'Fabre', phone: '06 12 34 56 78', town: 'Lyon', postcode: '69003', country: 'France', first_source: 'import-zoom', first_webinar_id: webinar.id, news_opt_in: 0 });
    expect([elodie.created_at, elodie.last_contact_at]).toEqual(['2026-04-10T18:15:02.000Z', '2026-04-10T18:15:02.000Z']);
    const elodieReg = regs.find((r) => r.candidate_id === elodie.id)!;
    expect([elodieReg.created_at, elodieReg.confirmed_at]).toEqual(['2026-04-10T18:15:02.000Z', '2026-04-10T18:15:02.000Z']);
    const francois = await t.db.kysely.selectFrom('candidates').select('id').where('email_normalized', '=', 'francois.muller@example.org').executeTakeFirstOrThrow();
    expect(regs.find((r) => r.candidate_id === francois.id)!.question).toBe('Y a-t-il des écoles bilingues, près de Mende ?');

    // The person already known is left as she was; the denied registrant, the host and the panelist are nobody here.
    const { last_activity_at: knownActivity, ...known } = await t.db.kysely.selectFrom('candidates').selectAll().where('id', '=', gaelle).executeTakeFirstOrThrow();
    const { last_activity_at: _before, ...knownBefore } = before.candidates.find((c) => c.id === gaelle)!;
    expect(known).toEqual(knownBefore);
    // Only her file's timeline has news: the imported registration, dated from Zoom's report, then her attendance, dated from the Rencontre.
    const gaelleReg = regs.find((r) => r.candidate_id === gaelle)!;
    const timeline = await t.db.kysely.selectFrom('timeline_events').select(['kind', 'at']).where('candidate_id', '=', gaelle).orderBy('at').execute();
    expect(timeline).toEqual([
      { kind: 'registration', at: gaelleReg.created_at },
      { kind: 'attendance', at: webinar.ends_at },
    ]);
    expect(knownActivity).toBe(webinar.ends_at);
    const emails = (await t.db.kysely.selectFrom('candidates').select('email_normalized').execute()).map((c) => c.email_normalized);
    expect(emails).toHaveLength(7);
    expect(emails).not.toContain('noreply@mailinator.com');
    expect(emails).not.toContain('nouvellevie@lozere.fr');
    expect(emails).not.toContain('claire.vidal@francetravail.example');

    const audit = await t.db.kysely.selectFrom('audit_log').select(['action', 'subject_id', 'details']).where('action', 'in', ['import.zoom', 'webinar.created']).orderBy('action').execute();
    expect(audit.map((a) => [a.action, a.subject_id])).toEqual([
      ['import.zoom', webinar.id],
      ['webinar.created', webinar.id],
    ]);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ peopleCreated: 6, peopleExisting: 1, registrationsCreated: 7, present: 4, absent: 3, unmatched: 2, matchedByName: 1, skipped: 1 });
    expect(audit[0]!.details).not.toContain('@');
  });

  it('imports the same files twice without changing anything the second time', async () => {
    const first = await apply(APRIL);
    const after = await snapshot(t.db);

    const again = await previewZoomImport(t.s, APRIL);
    expect(again.webinar).toMatchObject({ match: 'zoom-id', id: first.webinarId });
    expect([again.people.toCreate.length, again.people.existing, again.registrations.toCreate, again.registrations.existing]).toEqual([0, 7, 0, 7]);
    expect(again.attendance).toMatchObject({ present: 4, absent: 3 });

    const second = await apply(APRIL);
    expect(second.webinarId).toBe(first.webinarId);
    expect(second.applied.people.toCreate).toEqual([]);
    expect(second.applied.registrations.toCreate).toBe(0);
    await apply({ attendeesCsv: APRIL.attendeesCsv });
    await apply({ registrationsCsv: APRIL.registrationsCsv });
    const { audit: auditAfter, ...rest } = await snapshot(t.db);
    const { audit: _audit, ...restBefore } = after;
    expect(rest).toEqual(restBefore);
    // Only the record that the imports were run.
    expect(auditAfter.length - after.audit.length).toBe(3 + 2);
  });

  it('finds the Rencontre planned on the platform by its date, keeps an agent’s choice, and counts its own registrants missing from the report as absent', async () => {
    const w = await createWebinar(t.db, { date: '2026-04-24', title: 'Rencontre d’avril (plateforme)' });
    const webinarBefore = await t.db.kysely.selectFrom('webinars').selectAll().where('id', '=', w.id).executeTakeFirstOrThrow();
    const seat = async (email: string, first: string, last: string) => {
      const candidateId = randomUUID();
      const registrationId = randomUUID();
      const at = '2026-04-01T10:00:00.000Z';
      await t.db.kysely
        .insertInto('candidates')
        .values({ id: candidateId, email, email_normalized: email, first_name: first, last_name: last, phone: null, postcode: null, town: null, country: null, project: null, household: null, horizon: null, desired_region: null, news_opt_in: 0, news_opt_in_at: null, first_source: null, first_webinar_id: w.id, created_at: at, updated_at: at, last_contact_at: at })
        .execute();
      await t.db.kysely
        .insertInto('registrations')
        .values({ id: registrationId, webinar_id: w.id, candidate_id: candidateId, status: 'confirmed', token_nonce: 'n', manage_token_hash: `h-${registrationId}`, project: null, household: null, horizon: null, desired_region: null, heard_from: null, question: null, utm_source: null, utm_medium: null, utm_campaign: null, created_by: 'candidate', created_at: at, confirmed_at: at, cancelled_at: null, waitlist_rank: null, attended: null, attended_minutes: null })
        .execute();
      return registrationId;
    };
    const francois = await seat('francois.muller@example.org', 'François', 'Müller');
    await seat('paul.martin@example.org', 'Paul', 'Martin');
    // The agent saw François's connection was someone else's: absent, whatever Zoom says.
    await setAttendanceByAgent(t.s, { registrationId: francois, attended: false, actor: systemActor });

    const preview = await previewZoomImport(t.s, APRIL);
    expect(preview.webinar).toMatchObject({ match: 'date', id: w.id, title: 'Rencontre d’avril (plateforme)' });
    expect([preview.people.toCreate.length, preview.people.existing, preview.registrations.toCreate, preview.registrations.existing]).toEqual([6, 1, 6, 1]);
    expect(preview.attendance).toMatchObject({ present: 3, absent: 5, keptByAgent: 1 });

    const outcome = await apply(APRIL);
    expect(outcome.webinarId).toBe(w.id);
    expect(outcome.attendance).toEqual({ present: 3, absent: 5, keptByAgent: 1, unmatched: 2 });
    const byEmail = await attendanceByEmail(t.db, w.id);
    expect(byEmail['francois.muller@example.org']).toEqual([0, null]);
    expect(byEmail['paul.martin@example.org']).toEqual([0, 0]);
    expect(byEmail['elodie.fabre@example.fr']).toEqual([1, 45]);
    const francoisAfter = await t.db.kysely.selectFrom('registrations').selectAll().where('id', '=', francois).executeTakeFirstOrThrow();
    expect(francoisAfter).toMatchObject({ attendance_overridden: 1, attendance_source: 'agent', created_by: 'candidate' });
    expect(await t.db.kysely.selectFrom('webinars').selectAll().where('id', '=', w.id).executeTakeFirstOrThrow()).toEqual(webinarBefore);
    expect(await t.db.kysely.selectFrom('webinars').select('id').execute()).toHaveLength(1);
  });

  it('attaches the reports to the Rencontre the agent chose, by its address, and says when its date differs', async () => {
    const w = await createWebinar(t.db, { date: '2026-04-17', slug: 'rencontre-2026-04-17' });
    const preview = await previewZoomImport(t.s, { ...APRIL, webinarId: 'rencontre-2026-04-17' });
    expect(preview.webinar).toMatchObject({ match: 'given', id: w.id });
    expect(preview.warnings).toContain('La Rencontre choisie a eu lieu le 17 avril 2026, les rapports parlent d’une séance du 24 avril 2026.');
    const outcome = await apply({ ...APRIL, webinarId: w.id });
    expect(outcome.webinarId).toBe(w.id);
    expect(Object.keys(await attendanceByEmail(t.db, w.id))).toHaveLength(7);
  });

  it('from the attendee report alone, creates the Rencontre at Zoom’s real start; the registration report then adds the person without an e-mail, whose connection counts at the next import', async () => {
    const first = await apply({ attendeesCsv: APRIL.attendeesCsv });
    expect(first.applied.webinar).toMatchObject({ match: 'create', startsAt: '2026-04-24T10:27:00.000Z', endsAt: '2026-04-24T11:31:48.000Z' });
    expect(first.applied.warnings.some((x) => x.includes('heure réelle de début dans Zoom (12 h 27)'))).toBe(true);
    expect([first.applied.people.toCreate.length, first.applied.registrations.toCreate]).toEqual([6, 6]);
    expect(first.applied.unmatched.map((u) => [u.name, u.minutes])).toEqual([
      ['Zoé C.', 38],
      ['Invité Zoom', 15],
      ['iPhone de Paul', 22],
    ]);
    expect(first.attendance).toEqual({ present: 3, absent: 3, keptByAgent: 0, unmatched: 3 });

    const second = await apply({ registrationsCsv: APRIL.registrationsCsv });
    expect(second.webinarId).toBe(first.webinarId);
    expect(second.applied.webinar.match).toBe('zoom-id');
    expect(second.applied.people.toCreate.map((p) => p.email)).toEqual(['zoe.chassagne@example.fr']);
    expect(second.applied.registrations).toEqual({ toCreate: 1, existing: 6 });
    expect(second.attendance).toBeNull();
    expect((await attendanceByEmail(t.db, first.webinarId))['zoe.chassagne@example.fr']).toEqual([null, null]);

    const third = await apply({ attendeesCsv: APRIL.attendeesCsv });
    expect(third.applied.matchedByName).toEqual([{ name: 'Zoé C.', email: 'zoe.chassagne@example.fr', lines: [21] }]);
    expect([third.applied.people.toCreate.length, third.applied.registrations.toCreate]).toEqual([0, 0]);
    expect(third.attendance).toEqual({ present: 4, absent: 3, keptByAgent: 0, unmatched: 2 });
    expect((await attendanceByEmail(t.db, first.webinarId))['zoe.chassagne@example.fr']).toEqual([1, 38]);
  });

  it('counts presence from the territory’s threshold: 10 minutes exactly is present, 9 is not; a higher threshold counts fewer', async () => {
    const outcome = await apply(NOVEMBER);
    const w = await t.db.kysely.selectFrom('webinars').selectAll().where('id', '=', outcome.webinarId).executeTakeFirstOrThrow();
    expect(w).toMatchObject({ title: 'Rencontre thématique : reprendre une entreprise en Lozère', starts_at: '2025-11-28T11:31:00.000Z', ends_at: '2025-11-28T12:29:02.000Z', slug: 'rencontre-2025-11-28', video_external_id: '81298765432' });
    expect(outcome.attendance).toEqual({ present: 3, absent: 2, keptByAgent: 0, unmatched: 0 });
    expect(await attendanceByEmail(t.db, w.id)).toEqual({
      'aegir.thorsson@example.is': [0, 9],
      'helene.castanier@example.fr': [1, 47],
      'loic.berard@example.com': [1, 42],
      'noemie.causse@example.fr': [1, 10],
      'seb.ollier@example.org': [0, 0],
    });

    const strict: Services = { ...t.s, territory: { ...t.s.territory, attendanceThresholdMinutes: 40 } };
    const april = await apply(APRIL, strict);
    expect(april.attendance).toMatchObject({ present: 2, absent: 5 });
    expect(Object.entries(await attendanceByEmail(t.db, april.webinarId)).filter(([, [attended]]) => attended === 1).map(([e]) => e)).toEqual(['elodie.fabre@example.fr', 'francois.muller@example.org']);
  });

  it('reads the times in the Zoom account’s zone when it is not the territory’s', async () => {
    const outcome = await apply({ registrationsCsv: APRIL.registrationsCsv, zone: 'America/New_York' });
    const w = await t.db.kysely.selectFrom('webinars').selectAll().where('id', '=', outcome.webinarId).executeTakeFirstOrThrow();
    expect([w.starts_at, w.ends_at]).toEqual(['2026-04-24T16:30:00.000Z', '2026-04-24T17:30:00.000Z']);
  });

  it('refuses a broken file whole, naming the line, and writes nothing, not even from the other, valid file', async () => {
    await apply(NOVEMBER);
    const before = await snapshot(t.db);
    const cases: Array<[ZoomImportInput, string, RegExp]> = [
      [{ registrationsCsv: APRIL.registrationsCsv, attendeesCsv: fixture('broken-bad-date.csv') }, 'attendees', /^Ligne 18 : la date « 13\/45\/2026 12:28:30 PM » n’est pas lisible/],
      [{ registrationsCsv: APRIL.registrationsCsv, attendeesCsv: fixture('broken-missing-section.csv') }, 'attendees', /^la section « Attendee Details » est absente/],
      [{ registrationsCsv: fixture('broken-wrong-columns.csv'), attendeesCsv: APRIL.attendeesCsv }, 'registrations', /^Ligne 6 : il manque la colonne « Email »/],
      [{ registrationsCsv: APRIL.attendeesCsv }, 'registrations', /^Ligne 1 : ce fichier est un rapport de participation/],
      [{ registrationsCsv: APRIL.registrationsCsv, attendeesCsv: NOVEMBER.attendeesCsv }, 'files', /^les deux rapports ne portent pas sur le même webinaire Zoom \(845 1234 5678 et 812 9876 5432\)/],
      [{}, 'files', /^donnez au moins un des deux rapports/],
      [{ ...APRIL, zone: 'Paris' }, 'zone', /^le fuseau horaire « Paris » est inconnu/],
      [{ ...APRIL, webinarId: 'rencontre-1999-01-01' }, 'webinar', /^aucune Rencontre ne correspond à « rencontre-1999-01-01 »/],
    ];
    for (const [input, field, message] of cases) {
      const preview = await refusal(previewZoomImport(t.s, input));
      const applied = await refusal(apply(input));
      for (const e of [preview, applied]) {
        expect(Object.keys(e.problems)).toEqual([field]);
        expect(e.problems[field as keyof typeof e.problems]![0]).toMatch(message);
      }
    }
    expect(await snapshot(t.db)).toEqual(before);
  });

  it('refuses to guess between two Rencontres of the same day equally far from the report’s time', async () => {
    await createWebinar(t.db, { date: '2026-04-24', starts_at: '2026-04-24T09:30:00.000Z', ends_at: '2026-04-24T10:30:00.000Z' });
    await createWebinar(t.db, { date: '2026-04-24', starts_at: '2026-04-24T11:30:00.000Z', ends_at: '2026-04-24T12:30:00.000Z' });
    const e = await refusal(apply(APRIL));
    expect(e.problems.webinar![0]).toMatch(/^plusieurs Rencontres ont lieu le 24 avril 2026/);
  });

  it('makes one Rencontre and one registration a person when two agents import the same files at the same moment', async () => {
    const [a, b] = await Promise.all([apply(APRIL), apply(APRIL)]);
    expect(a.webinarId).toBe(b.webinarId);
    expect(a.applied.registrations.toCreate + b.applied.registrations.toCreate).toBe(7);
    expect(a.applied.people.toCreate.length + b.applied.people.toCreate.length).toBe(7);
    const k = t.db.kysely;
    expect(await k.selectFrom('webinars').select('id').execute()).toHaveLength(1);
    expect(await k.selectFrom('candidates').select('id').execute()).toHaveLength(7);
    expect(await k.selectFrom('registrations').select('id').execute()).toHaveLength(7);
    expect(Object.values(await attendanceByEmail(t.db, a.webinarId)).filter(([attended]) => attended === 1)).toHaveLength(4);
  });

  it('leaves nothing half-imported when the transaction fails in the middle', async () => {
    const before = await snapshot(t.db);
    // The server's key becomes unreadable after three registrations are written (say, the disk failed).
    let reads = 0;
    const failing = { ...t.s } as Services;
    Object.defineProperty(failing, 'tokenKey', {
      get: () => {
        if (++reads > 3) throw new Error('key unreadable');
        return t.s.tokenKey;
      },
    });
    await expect(apply(APRIL, failing)).rejects.toThrow('key unreadable');
    expect(reads).toBe(4);
    expect(await snapshot(t.db)).toEqual(before);
    // And the same import then goes through whole.
    const outcome = await apply(APRIL);
    expect(outcome.applied.registrations.toCreate).toBe(7);
  });
});
