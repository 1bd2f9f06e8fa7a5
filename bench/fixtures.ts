/**
 * Data the bench needs, written straight through Kysely inside the server process (between
 * measurements): a Rencontre like the demo's next edition, and registrations in bulk for the
 * back-office table. Registrations made under load go through HTTP, never through here.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../src/platform/db/database.ts';
import type { NewCandidateRow, NewRegistrationRow, NewWebinarRow } from '../src/platform/db/schema.ts';
import { households, horizons, projects } from '../src/features/registrations/registration.ts';
import { newRegistrationToken } from '../src/features/registrations/registration-token.ts';
import { zonedWallTimeToUtc } from '../src/platform/time.ts';
import type { RegistrationCheck, WebinarCreated } from './protocol.ts';

/** A published generic Rencontre about two months ahead, a Friday at 12:30 Paris time, with the demo's speakers. */
export async function createWebinar(db: Db, o: { slug: string; capacity: number | null; now: Date }): Promise<WebinarCreated> {
  const day = new Date(o.now.getTime() + 60 * 24 * 3600_000);
  day.setUTCDate(day.getUTCDate() + ((5 - day.getUTCDay() + 7) % 7));
  const date = day.toISOString().slice(0, 10);
  const start = zonedWallTimeToUtc(date, '12:30', 'Europe/Paris');
  const nowIso = o.now.toISOString();
  const row: NewWebinarRow = {
    id: randomUUID(),
    slug: o.slug,
    title: 'Rencontre Lozère Nouvelle Vie',
    kind: 'generic',
    theme: null,
    status: 'published',
    starts_at: start.toISOString(),
    ends_at: new Date(start.getTime() + 3600_000).toISOString(),
    capacity: o.capacity,
    video_tool: 'link',
    join_url: `https://visio.example.org/j/${date.replaceAll('-', '')}`,
    replay_url: null,
    summary: 'Une heure pour découvrir la Lozère, ses régions, son emploi et sa qualité de vie, et savoir comment être accompagné·e dans votre projet.',
    description: '',
    programme: '[]',
    speakers: JSON.stringify([
      { name: 'Claire Bonnet', role: 'cheffe de projet Lozère Nouvelle Vie' },
      { name: 'Julien Roux', role: 'chargé d’accueil des nouveaux habitants' },
    ]),
    partners: JSON.stringify(['France Travail Lozère']),
    promotion_cost_cents: null,
    created_at: nowIso,
    updated_at: nowIso,
  };
  await db.kysely.insertInto('webinars').values(row).execute();
  return { id: row.id, slug: row.slug };
}

const firstNames = ['Élise', 'Thomas', 'Camille', 'Nicolas', 'Léa', 'Julien', 'Manon', 'Antoine', 'Chloé', 'Hugo', 'Sarah', 'Maxime', 'Inès', 'Lucas', 'Zoé', 'Mathieu', 'Anaïs', 'Romain', 'Pauline', 'Théo'];
const lastNames = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard', 'André', 'Mercier'];
const origins = [
  ['75011', 'Paris'],
  ['69003', 'Lyon'],
  ['13005', 'Marseille'],
  ['31000', 'Toulouse'],
  ['34000', 'Montpellier'],
  ['44000', 'Nantes'],
  ['33000', 'Bordeaux'],
  ['59000', 'Lille'],
] as const;
const regions = ['aubrac', 'margeride', 'vallee-du-lot', 'causses-et-gorges', 'cevennes-mont-lozere', 'unknown'];
const sources = [null, 'facebook', 'linkedin', 'newsletter', 'ouest-france'];
const heard = [null, 'facebook', 'linkedin', 'site'];

/**
 * `count` people registered to one Rencontre, written in one transaction (chunks of 200 rows per
 * INSERT): about 90 % confirmed, 7 % waiting, 3 % cancelled, over the last 60 days.
 */
export async function seedRegistrations(db: Db, tokenKey: Buffer, webinarId: string, count: number, now: Date): Promise<number> {
  const candidates: NewCandidateRow[] = [];
  const registrations: NewRegistrationRow[] = [];
  const runTag = randomUUID().slice(0, 8);
  let rank = 0;
  for (let i = 0; i < count; i++) {
    const first = firstNames[i % firstNames.length]!;
    const last = lastNames[(i * 7) % lastNames.length]!;
    const [postcode, town] = origins[(i * 3) % origins.length]!;
    const at = new Date(now.getTime() - 60 * 24 * 3600_000 + Math.floor((i / count) * 59 * 24 * 3600_000)).toISOString();
    const email = `${first}.${last}.${i}.${runTag}@exemple.fr`.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
    const candidateId = randomUUID();
    const project = projects[i % projects.length]!.value;
    const household = households[(i * 5) % households.length]!.value;
    const horizon = horizons[(i * 3) % horizons.length]!.value;
    const region = regions[(i * 11) % regions.length]!;
    candidates.push({
      id: candidateId,
      email,
      email_normalized: email.toLowerCase(),
      first_name: first,
      last_name: last,
      phone: i % 3 === 0 ? `06 ${String(10 + (i % 90))} ${String(i % 100).padStart(2, '0')} 34 56` : null,
      postcode,
      town,
      country: 'France',
      project,
      household,
      horizon,
      desired_region: region,
      news_opt_in: i % 4 === 0 ? 1 : 0,
      news_opt_in_at: i % 4 === 0 ? at : null,
      first_source: sources[i % sources.length]!,
      first_webinar_id: webinarId,
      created_at: at,
      updated_at: at,
      last_contact_at: at,
    });
    const status = i % 33 === 0 ? 'cancelled' : i % 14 === 0 ? 'waitlisted' : 'confirmed';
    const id = randomUUID();
    const { hash, nonce } = newRegistrationToken(tokenKey, id);
    registrations.push({
      id,
      webinar_id: webinarId,
      candidate_id: candidateId,
      status,
      token_nonce: nonce,
      manage_token_hash: hash,
      project,
      household,
      horizon,
      desired_region: region,
      heard_from: heard[i % heard.length]!,
      question: i % 9 === 0 ? 'Quelles aides pour reprendre un commerce en centre-bourg ?' : null,
      utm_source: sources[i % sources.length]!,
      utm_medium: sources[i % sources.length] ? 'social' : null,
      utm_campaign: sources[i % sources.length] ? 'rencontre-printemps' : null,
      created_by: 'candidate',
      created_at: at,
      confirmed_at: status === 'confirmed' ? at : null,
      cancelled_at: status === 'cancelled' ? at : null,
      waitlist_rank: status === 'waitlisted' ? ++rank : null,
      attended: null,
      attended_minutes: null,
    });
  }
  await db.transaction(async (trx) => {
    for (let i = 0; i < count; i += 200) await trx.insertInto('candidates').values(candidates.slice(i, i + 200)).execute();
    for (let i = 0; i < count; i += 200) await trx.insertInto('registrations').values(registrations.slice(i, i + 200)).execute();
  });
  // PostgreSQL's autovacuum analyses a table after such a load within a minute; we do not wait for it.
  // SQLite gets nothing: the app never runs ANALYZE there, so neither does the bench.
  if (db.dialect === 'postgres') await sql`analyze`.execute(db.kysely);
  return count;
}

/**
 * After a registration load: every key answered 303 must lead to its submission, its registration
 * and the registration's confirmation in the outbox; and the Rencontre's totals must agree.
 */
export async function verifyRegistrations(db: Db, webinarId: string, keys: string[]): Promise<RegistrationCheck> {
  const k = db.kysely;
  const found = new Map<string, { registrationId: string; hasOutbox: boolean }>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await k
      .selectFrom('submissions as s')
      .innerJoin('registrations as r', 'r.id', 's.registration_id')
      .leftJoin('outbox_messages as o', 'o.registration_id', 'r.id')
      .select(['s.key', 'r.id as registrationId', 'o.id as outboxId'])
      .where('s.key', 'in', keys.slice(i, i + 500))
      .where('r.webinar_id', '=', webinarId)
      .execute();
    for (const r of rows) {
      const prev = found.get(r.key);
      found.set(r.key, { registrationId: r.registrationId, hasOutbox: Boolean(prev?.hasOutbox) || r.outboxId !== null });
    }
  }
  const count = async (q: Promise<{ n: number | string | bigint }>) => Number((await q).n);
  const registrations = await count(k.selectFrom('registrations').select((eb) => eb.fn.countAll<number>().as('n')).where('webinar_id', '=', webinarId).executeTakeFirstOrThrow());
  const outboxRows = await count(
    k
      .selectFrom('outbox_messages as o')
      .innerJoin('registrations as r', 'r.id', 'o.registration_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('r.webinar_id', '=', webinarId)
      .where('o.kind', '=', 'registration-confirmed')
      .executeTakeFirstOrThrow(),
  );
  const auditRows = await count(
    k
      .selectFrom('audit_log as a')
      .innerJoin('registrations as r', 'r.id', 'a.subject_id')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('a.subject_type', '=', 'registration')
      .where('r.webinar_id', '=', webinarId)
      .executeTakeFirstOrThrow(),
  );
  const values = [...found.values()];
  return {
    registrations,
    keysFound: values.length,
    keysMissing: keys.length - values.length,
    keysWithoutOutbox: values.filter((v) => !v.hasOutbox).length,
    outboxRows,
    auditRows,
  };
}
