import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Db } from '../../platform/db/database.ts';
import type { NewCandidateRow, NewRegistrationRow, NewWebinarRow } from '../../platform/db/schema.ts';
import { zonedWallTimeToUtc } from '../../platform/time.ts';
import { households, horizons, projects, UNKNOWN_REGION } from '../registrations/registration.ts';
import { hashToken, newRegistrationToken } from '../registrations/registration-token.ts';
import { territoryDirectory, themeLabel, type Territory } from '../territory/territory.ts';
import { proposeNextEditions } from '../webinars/webinar-schedule.ts';
import { webinarSlug } from '../webinars/webinar.ts';
import { demoInstallations } from '../installations/demo-installations.ts';
import type { FollowUpTables } from '../installations/follow-up-tables.ts';
import { demoHouseholds } from '../candidates/demo-households.ts';
import type { ReferentTables } from '../referents/referent-tables.ts';

const demoSchema = z.object({
  history: z.array(
    z.object({
      date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      kind: z.enum(['generic', 'thematic']),
      theme: z.string().optional(),
      registrations: z.number().int().min(0),
      attendees: z.number().int().min(0),
    }),
  ),
  upcoming: z.object({ count: z.number().int().min(0), registrationsOnFirst: z.number().int().min(0), registrationsOnOthers: z.number().int().min(0) }),
  promotionCostCents: z.number().int().min(0),
  speakers: z.array(z.object({ name: z.string(), role: z.string() })),
  partners: z.array(z.string()),
  origins: z.array(z.object({ town: z.string().optional(), postcode: z.string().optional(), country: z.string().optional(), weight: z.number().int().min(1) })),
});
export type DemoData = z.infer<typeof demoSchema>;

export function loadDemoData(territoryNameOrPath: string): DemoData | null {
  const file = path.join(territoryDirectory(territoryNameOrPath), 'demo.json');
  if (!fs.existsSync(file)) return null;
  return demoSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

const FIRST_NAMES = ['Camille', 'Léa', 'Manon', 'Chloé', 'Sarah', 'Julie', 'Emma', 'Inès', 'Laura', 'Pauline', 'Marion', 'Élodie', 'Aurélie', 'Sophie', 'Nadia', 'Amandine', 'Hélène', 'Céline', 'Maëlle', 'Anaïs', 'Thomas', 'Nicolas', 'Julien', 'Maxime', 'Antoine', 'Romain', 'Kevin', 'Mathieu', 'Guillaume', 'Alexandre', 'Sébastien', 'Karim', 'Benoît', 'Jérôme', 'François', 'Yanis', 'Loïc', 'Mehdi', 'Olivier', 'Baptiste'];
const LAST_NAMES = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard', 'André', 'Mercier', 'Dupont', 'Lambert', 'Bonnet', 'François', 'Martinez', 'Legrand', 'Garnier', 'Faure', 'Rousseau', 'Blanc', 'Guérin', 'Muller', 'Henry', 'Roussel', 'Nicolas', 'Perrin', 'Morin', 'Mathieu', 'Clément', 'Gauthier', 'Dumont', 'Lopez', 'Fontaine', 'Chevalier', 'Robin', 'Masson', 'Benali', 'Nguyen', 'Da Silva', 'Haddad'];
const CAMPAIGNS = [
  { utm_source: 'facebook', utm_medium: 'paid-social', weight: 45 },
  { utm_source: 'newsletter', utm_medium: 'email', weight: 15 },
  { utm_source: 'linkedin', utm_medium: 'social', weight: 10 },
  { utm_source: null, utm_medium: null, weight: 30 },
];
const HEARD = { facebook: 'facebook', newsletter: 'newsletter', linkedin: 'linkedin' } as Record<string, string>;

/** A small seeded generator: the demo is the same at every start, so its figures can be quoted. */
function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const weighted = <T extends { weight: number }>(list: readonly T[]): T => {
    const total = list.reduce((a, x) => a + x.weight, 0);
    let r = next() * total;
    for (const x of list) if ((r -= x.weight) < 0) return x;
    return list[list.length - 1]!;
  };
  return { next, pick, weighted, int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)) };
}

function strip(s: string) {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '');
}

export interface SeedSummary {
  webinars: number;
  candidates: number;
  registrations: number;
}

/**
 * The demo: the territory's past editions as the programme reported them (registrations and
 * attendance per edition), then the coming editions on the territory's rule with a few registrations.
 * People are synthetic; about one in eight comes back to a later edition.
 */
export async function seedDemo(db: Db, t: Territory, demo: DemoData, opts: { now: Date; tokenKey: Buffer }): Promise<SeedSummary> {
  const rnd = prng(48);
  const now = opts.now;
  const nowIso = now.toISOString();
  const [h, m] = t.schedule.time.split(':');
  const webinars: NewWebinarRow[] = [];
  const plan: Array<{ webinar: NewWebinarRow; registrations: number; attendees: number | null }> = [];

  const makeWebinar = (date: string, kind: 'generic' | 'thematic', theme: string | null, status: NewWebinarRow['status'], past: boolean): NewWebinarRow => {
    const start = zonedWallTimeToUtc(date, `${h}:${m}`, t.timezone);
    const end = new Date(start.getTime() + t.schedule.durationMinutes * 60_000);
    const label = kind === 'thematic' ? ` : ${themeLabel(t, theme)}` : '';
    return {
      id: randomUUID(),
      slug: webinarSlug(date, theme),
      title: `Rencontre ${t.programmeName}${label}`,
      kind,
      theme,
      status,
      starts_at: start.toISOString(),
      ends_at: end.toISOString(),
      capacity: t.schedule.defaultCapacity,
      video_tool: 'link',
      join_url: past ? null : `https://visio.example.org/j/${date.replaceAll('-', '')}`,
      replay_url: past ? `https://videos.example.org/rencontres/${date}` : null,
      summary:
        kind === 'thematic'
          ? `Une heure pour découvrir ${t.theName} sous l’angle « ${themeLabel(t, theme)} », avec l’équipe ${t.programmeName} et ses partenaires.`
          : `Une heure pour découvrir ${t.theName}, ses régions, son emploi et sa qualité de vie, et savoir comment être accompagné·e dans votre projet.`,
      description: '',
      programme: JSON.stringify([]),
      speakers: JSON.stringify(demo.speakers.slice(0, kind === 'thematic' ? 3 : 2)),
      partners: JSON.stringify(kind === 'thematic' ? demo.partners.slice(0, 3) : demo.partners.slice(0, 1)),
      promotion_cost_cents: demo.promotionCostCents,
      created_at: start.toISOString(),
      updated_at: start.toISOString(),
    };
  };

  for (const e of demo.history) {
    const w = makeWebinar(e.date, e.kind, e.theme ?? null, 'published', true);
    plan.push({ webinar: w, registrations: e.registrations, attendees: e.attendees });
  }
  const coming = proposeNextEditions(t, now, demo.upcoming.count);
  coming.forEach((p, i) => {
    const theme = i === 1 ? (t.themes[0]?.key ?? null) : null;
    const w = makeWebinar(p.date, theme ? 'thematic' : 'generic', theme, 'published', false);
    w.created_at = nowIso;
    w.updated_at = nowIso;
    w.promotion_cost_cents = null;
    plan.push({ webinar: w, registrations: i === 0 ? demo.upcoming.registrationsOnFirst : demo.upcoming.registrationsOnOthers, attendees: null });
  });

  const people: NewCandidateRow[] = [];
  const usedEmails = new Set<string>();
  const newPerson = (firstSeen: Date, webinarId: string): NewCandidateRow => {
    let first = '';
    let last = '';
    let email = '';
    do {
      first = rnd.pick(FIRST_NAMES);
      last = rnd.pick(LAST_NAMES);
      email = `${strip(first)}.${strip(last)}${usedEmails.size % 3 === 0 ? rnd.int(1, 99) : ''}@example.org`;
    } while (usedEmails.has(email));
    usedEmails.add(email);
    const origin = rnd.weighted(demo.origins);
    const campaign = rnd.weighted(CAMPAIGNS);
    const at = firstSeen.toISOString();
    return {
      id: randomUUID(),
      email,
      email_normalized: email,
      first_name: first,
      last_name: last,
      phone: rnd.next() < 0.6 ? `06 ${rnd.int(10, 99)} ${rnd.int(10, 99)} ${rnd.int(10, 99)} ${rnd.int(10, 99)}` : null,
      postcode: origin.postcode ?? null,
      town: origin.town ?? null,
      country: origin.country ?? 'France',
      project: rnd.pick(projects).value,
      household: rnd.pick(households).value,
      horizon: rnd.pick(horizons).value,
      desired_region: rnd.next() < 0.3 ? UNKNOWN_REGION : rnd.pick(t.regions).key,
      news_opt_in: rnd.next() < 0.4 ? 1 : 0,
      news_opt_in_at: null,
      first_source: campaign.utm_source,
      first_webinar_id: webinarId,
      created_at: at,
      updated_at: at,
      last_contact_at: at,
    };
  };

  const registrations: NewRegistrationRow[] = [];
  for (const p of plan) {
    const w = p.webinar;
    webinars.push(w);
    const start = new Date(w.starts_at);
    const chosen = new Set<string>();
    const regsHere: NewRegistrationRow[] = [];
    for (let i = 0; i < p.registrations; i++) {
      // Registered in the four weeks before the edition, and never later than now for a coming one.
      const latest = Math.min(start.getTime(), now.getTime());
      const registeredAt = new Date(latest - rnd.int(1, 28) * 86_400_000 - rnd.int(0, 86_399) * 1000);
      // About one in eight is someone who already came to an earlier edition.
      let person: NewCandidateRow | undefined;
      if (people.length > 20 && rnd.next() < 0.125) {
        for (let tries = 0; tries < 5 && !person; tries++) {
          const candidate = rnd.pick(people);
          if (!chosen.has(candidate.id) && candidate.created_at < registeredAt.toISOString()) person = candidate;
        }
      }
      if (!person) {
        person = newPerson(registeredAt, w.id);
        people.push(person);
      }
      chosen.add(person.id);
      if (person.news_opt_in && !person.news_opt_in_at) person.news_opt_in_at = registeredAt.toISOString();
      if (person.last_contact_at < registeredAt.toISOString()) person.last_contact_at = registeredAt.toISOString();
      const id = randomUUID();
      const token = newRegistrationToken(opts.tokenKey, id);
      const campaign = rnd.weighted(CAMPAIGNS);
      regsHere.push({
        id,
        webinar_id: w.id,
        candidate_id: person.id,
        status: 'confirmed',
        token_nonce: token.nonce,
        manage_token_hash: hashToken(token.token),
        project: person.project,
        household: person.household,
        horizon: person.horizon,
        desired_region: person.desired_region,
        heard_from: campaign.utm_source ? (HEARD[campaign.utm_source] ?? null) : rnd.pick(t.heardFrom).key,
        question: null,
        utm_source: campaign.utm_source,
        utm_medium: campaign.utm_medium,
        utm_campaign: campaign.utm_source ? `rencontre-${w.slug.slice(10, 17)}` : null,
        created_by: 'candidate',
        created_at: registeredAt.toISOString(),
        confirmed_at: registeredAt.toISOString(),
        cancelled_at: null,
        waitlist_rank: null,
        attended: null,
        attended_minutes: null,
      });
    }
    if (p.attendees !== null) {
      // Attendance as reported: exactly `attendees` registrants were there, for 10 to 60 minutes.
      const order = [...regsHere].sort(() => rnd.next() - 0.5);
      order.forEach((r, i) => {
        const came = i < p.attendees!;
        r.attended = came ? 1 : 0;
        r.attended_minutes = came ? rnd.int(12, 60) : 0;
      });
    }
    registrations.push(...regsHere);
  }

  // Some who came settled since, and were followed up: the statistics have installations to count.
  const settled = demoInstallations({ territory: t, now, tokenKey: opts.tokenKey, random: rnd.next, webinars, people, registrations });
  // The files as the team left them: timelines, stages, referents (the demo team, if already there), people, notes.
  const team = await db.kysely.selectFrom('agents').select(['id', 'name']).where('status', '=', 'active').where('role', '=', 'referent').orderBy('email').execute();
  const files = demoHouseholds({ territory: t, now, random: prng(4805).next, webinars, people, registrations, agents: team });

  await db.transaction(async (trx) => {
    for (const w of webinars) await trx.insertInto('webinars').values(w).execute();
    for (let i = 0; i < people.length; i += 200) await trx.insertInto('candidates').values(people.slice(i, i + 200)).execute();
    for (let i = 0; i < registrations.length; i += 200) await trx.insertInto('registrations').values(registrations.slice(i, i + 200)).execute();
    for (const i of settled.installations) await trx.insertInto('installations').values(i).execute();
    for (const f of settled.followUps) await trx.withTables<FollowUpTables>().insertInto('follow_ups').values(f).execute();
    for (let i = 0; i < files.events.length; i += 200) await trx.insertInto('timeline_events').values(files.events.slice(i, i + 200)).execute();
    for (let i = 0; i < files.stageChanges.length; i += 200) await trx.insertInto('stage_changes').values(files.stageChanges.slice(i, i + 200)).execute();
    for (let i = 0; i < files.members.length; i += 200) await trx.insertInto('household_members').values(files.members.slice(i, i + 200)).execute();
    for (const a of files.assignments) await trx.withTables<ReferentTables>().insertInto('referent_assignments').values(a).execute();
    await trx.insertInto('meta').values({ key: 'demo_seeded_at', value: nowIso }).onConflict((oc) => oc.column('key').doUpdateSet({ value: nowIso })).execute();
  });
  return { webinars: webinars.length, candidates: people.length, registrations: registrations.length };
}

export async function isDatabaseEmpty(db: Db): Promise<boolean> {
  const row = await db.kysely.selectFrom('webinars').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}
