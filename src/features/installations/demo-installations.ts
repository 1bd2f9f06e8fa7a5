import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { FollowUpTable, InstallationTable, NewCandidateRow, NewRegistrationRow, NewWebinarRow } from '../../platform/db/schema.ts';
import type { Territory } from '../territory/territory.ts';
import { newFollowUpToken } from './follow-up-token.ts';
import { followUpDays } from './installation.ts';

/** A follow_ups row with the column migration 0007 added (see follow-up-tables.ts). */
type FollowUpRow = FollowUpTable & { help_topics: string };

const EMPLOYERS = ['Centre hospitalier', 'Collège public', 'Entreprise de menuiserie', 'Maison de santé', 'Coopérative laitière', 'Scierie', 'Établissement d’accueil pour personnes âgées'];
const ACTIVITIES = ['salarie', 'salarie', 'salarie', 'creation', 'reprise', 'teletravail', 'autre'] as const;
const HOUSINGS = ['location', 'location', 'achat', 'temporaire'] as const;

/**
 * The demo's settled households: some people who came to a past Rencontre settled a few months later
 * in a town of the region they looked at, and were followed up at 3, 6 and 12 months (answered, or
 * not, as far as the demo's "now"). Deterministic with the demo's own generator, so figures can be
 * quoted. Sets their files' stage; returns the rows to insert.
 */
export function demoInstallations(input: {
  territory: Territory;
  now: Date;
  tokenKey: Buffer;
  random: () => number;
  webinars: NewWebinarRow[];
  people: NewCandidateRow[];
  registrations: NewRegistrationRow[];
  /** About one attendee in this many settles. */
  oneIn?: number;
}): { installations: InstallationTable[]; followUps: FollowUpRow[] } {
  const { territory: t, now, random } = input;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const today = DateTime.fromJSDate(now).setZone(t.timezone).toISODate()!;
  const startOf = new Map(input.webinars.map((w) => [w.id, w.starts_at]));
  const byId = new Map(input.people.map((p) => [p.id, p]));
  const installations: InstallationTable[] = [];
  const followUps: FollowUpRow[] = [];
  const settled = new Set<string>();
  for (const r of input.registrations) {
    if (r.attended !== 1 || settled.has(r.candidate_id) || random() >= 1 / (input.oneIn ?? 25)) continue;
    const startedAt = DateTime.fromISO(startOf.get(r.webinar_id)!, { zone: t.timezone });
    const installedOn = startedAt.plus({ days: int(60, 240) }).toISODate()!;
    // Settled at least a week ago: the demo shows what has happened, not what will.
    if (installedOn > DateTime.fromISO(today).minus({ days: 7 }).toISODate()!) continue;
    const person = byId.get(r.candidate_id)!;
    settled.add(person.id);
    const region = t.regions.find((x) => x.key === person.desired_region) ?? pick(t.regions);
    const activity = pick(ACTIVITIES);
    const id = randomUUID();
    const createdAt = DateTime.fromISO(`${installedOn}T10:00:00`, { zone: t.timezone }).toUTC().toISO()!;
    installations.push({
      id,
      candidate_id: person.id,
      installed_on: installedOn,
      commune_code: null,
      commune_name: region.towns.length ? pick(region.towns) : region.label,
      region_key: region.key,
      adults: int(1, 2),
      children: int(0, 3),
      activity,
      employer: activity === 'salarie' ? pick(EMPLOYERS) : null,
      housing: pick(HOUSINGS),
      left_on: null,
      left_reason: null,
      created_by: null,
      created_at: createdAt,
    });
    let answered = false;
    for (const f of followUpDays(installedOn)) {
      const fid = randomUUID();
      const token = newFollowUpToken(input.tokenKey, fid);
      const due = f.dueOn <= today;
      const answers = due && random() < 0.75;
      const sentAt = DateTime.fromISO(`${f.dueOn}T09:00:00`, { zone: t.timezone });
      const answeredAt = sentAt.plus({ days: int(0, 5), hours: int(1, 9) });
      const help = answers && random() < 0.25 ? [pick(['emploi-conjoint', 'logement', 'ecoles'] as const)] : [];
      answered ||= answers;
      followUps.push({
        id: fid,
        installation_id: id,
        candidate_id: person.id,
        months: f.months,
        due_on: f.dueOn,
        status: !due ? 'scheduled' : answers ? 'answered' : 'no-answer',
        token_nonce: token.nonce,
        answer_token_hash: token.hash,
        sent_at: due ? sentAt.toUTC().toISO()! : null,
        answered_at: answers ? answeredAt.toUTC().toISO()! : null,
        wellbeing: answers ? int(3, 5) : null,
        needs_help: answers ? (help.length ? 1 : 0) : null,
        message: null,
        still_there: answers ? 1 : null,
        help_topics: JSON.stringify(help),
      });
    }
    person.stage = answered ? 'followed-up' : 'installed';
    person.stage_changed_at = createdAt;
  }
  return { installations, followUps };
}
