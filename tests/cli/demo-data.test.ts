import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoData, seedDemo } from '../../src/features/demo/seed-demo.ts';
import type { RegistrationRow, WebinarRow } from '../../src/platform/db/schema.ts';
import { createTestContext, dialects, type TestContext } from '../support/harness.ts';

const PARIS = 'Europe/Paris';
const wall = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).setZone(PARIS);

describe.each(dialects())('the Lozère demo data, seeded on %s', (dialect) => {
  let t: TestContext;
  let webinars: WebinarRow[];
  let registrations: RegistrationRow[];
  const inYear = (year: number) => webinars.filter((w) => wall(w.starts_at).year === year);
  const regsOf = (w: WebinarRow) => registrations.filter((r) => r.webinar_id === w.id);

  beforeAll(async () => {
    t = await createTestContext(dialect);
    await seedDemo(t.db, t.territory, loadDemoData('lozere')!, { now: t.clock.now(), tokenKey: t.s.tokenKey });
    webinars = await t.db.kysely.selectFrom('webinars').selectAll().orderBy('starts_at').execute();
    registrations = await t.db.kysely.selectFrom('registrations').selectAll().execute();
  });
  afterAll(async () => {
    await t.close();
  });

  it('has the six editions of 2023 as the programme reported them: two generic, four on the four themes, 236 registrations', () => {
    const y2023 = inYear(2023);
    expect(y2023).toHaveLength(6);
    expect(y2023.filter((w) => w.kind === 'generic')).toHaveLength(2);
    const thematic = y2023.filter((w) => w.kind === 'thematic');
    expect(thematic.map((w) => w.theme).sort()).toEqual(['focus-emploi', 'reconversion-professionnelle', 'reprise-activite', 'systeme-educatif']);
    expect(y2023.reduce((n, w) => n + regsOf(w).length, 0)).toBe(236);
  });

  it('had between 40 and 60 % of registrants attending each past edition, and a replay for each', () => {
    const past = webinars.filter((w) => w.ends_at < t.clock.now().toISOString());
    expect(past.length).toBe(9);
    for (const w of past) {
      const regs = regsOf(w);
      const rate = regs.filter((r) => r.attended === 1).length / regs.length;
      expect(rate, `${w.slug}: ${rate}`).toBeGreaterThanOrEqual(0.4);
      expect(rate, `${w.slug}: ${rate}`).toBeLessThanOrEqual(0.6);
      expect(regs.every((r) => r.attended !== null)).toBe(true);
      expect(w.replay_url).toMatch(/^https:\/\//);
    }
  });

  it('has three generic editions in 2024', () => {
    const y2024 = inYear(2024);
    expect(y2024).toHaveLength(3);
    expect(y2024.every((w) => w.kind === 'generic')).toBe(true);
  });

  it('has people who registered to several editions, one candidate each', async () => {
    const perCandidate = new Map<string, number>();
    for (const r of registrations) perCandidate.set(r.candidate_id, (perCandidate.get(r.candidate_id) ?? 0) + 1);
    const returning = [...perCandidate.values()].filter((n) => n > 1).length;
    expect(returning).toBeGreaterThanOrEqual(10);
    const candidates = await t.db.kysely.selectFrom('candidates').select(['email_normalized']).execute();
    expect(candidates).toHaveLength(perCandidate.size);
    expect(new Set(candidates.map((c) => c.email_normalized)).size).toBe(candidates.length);
    // A person is registered at most once to one edition.
    expect(new Set(registrations.map((r) => `${r.webinar_id}:${r.candidate_id}`)).size).toBe(registrations.length);
  });

  it('looks like real people: French names, coming from large cities or from abroad, mixed projects and campaign sources', async () => {
    const candidates = await t.db.kysely.selectFrom('candidates').selectAll().execute();
    expect(candidates.some((c) => /[éèëïç]/i.test(`${c.first_name}${c.last_name}`))).toBe(true);
    const towns = new Set(candidates.map((c) => c.town).filter(Boolean));
    for (const big of ['Paris', 'Lyon', 'Montpellier', 'Toulouse', 'Marseille']) expect(towns).toContain(big);
    expect(candidates.some((c) => c.country !== 'France' && c.town === null)).toBe(true);
    expect(candidates.filter((c) => c.country === 'France').every((c) => /^\d{5}$/.test(c.postcode ?? ''))).toBe(true);
    expect(new Set(candidates.map((c) => c.project)).size).toBeGreaterThanOrEqual(4);
    expect(new Set(registrations.map((r) => r.utm_source))).toEqual(new Set(['facebook', 'newsletter', 'linkedin', null]));
  });

  it('plans the coming editions every two months, on a Friday, 12:30 to 13:30 Paris time in winter and in summer, with a few registrations each', () => {
    const now = t.clock.now().toISOString();
    const coming = webinars.filter((w) => w.starts_at > now);
    expect(coming.length).toBeGreaterThanOrEqual(3);
    coming.forEach((w, i) => {
      const start = wall(w.starts_at);
      const end = wall(w.ends_at);
      expect(start.weekday, w.slug).toBe(5);
      expect(start.toFormat('HH:mm'), w.slug).toBe('12:30');
      expect(end.toFormat('HH:mm'), w.slug).toBe('13:30');
      expect(end.toISODate()).toBe(start.toISODate());
      if (i > 0) {
        const previous = wall(coming[i - 1]!.starts_at);
        expect(start.year * 12 + start.month - (previous.year * 12 + previous.month), w.slug).toBe(2);
      }
      const regs = regsOf(w);
      expect(regs.length, w.slug).toBeGreaterThan(0);
      expect(regs.length, w.slug).toBeLessThanOrEqual(20);
      expect(regs.every((r) => r.created_at <= now && r.attended === null)).toBe(true);
      expect(w.join_url).toMatch(/^https:\/\//);
    });
    // 12:30 in Paris is 11:30 UTC in winter and 10:30 UTC in summer: the wall time holds across the change.
    const offsets = new Set(coming.map((w) => wall(w.starts_at).offset));
    expect(offsets).toEqual(new Set([60, 120]));
  });

  it('held every past edition on a Friday at 12:30 Paris time too, with registrations made before it', () => {
    for (const w of webinars.filter((x) => x.ends_at < t.clock.now().toISOString())) {
      expect(wall(w.starts_at).weekday, w.slug).toBe(5);
      expect(wall(w.starts_at).toFormat('HH:mm'), w.slug).toBe('12:30');
      expect(regsOf(w).every((r) => r.created_at < w.starts_at)).toBe(true);
    }
  });
});
