/**
 * The data set of the statistics bench: ten years of a national-scale deployment, made by a seeded
 * generator so that every run (and both databases) get the same rows: 10,000 Rencontres, 500,000
 * households, 1,000,000 registrations, with the requests, stages, installations, follow-ups and
 * replay e-mails that such a history leaves. Written in bulk (one transaction of prepared statements
 * on SQLite, unnest() batches on PostgreSQL), after the migrations, so the indexes are the real ones.
 */
import BetterSqlite3 from 'better-sqlite3';
import { DateTime } from 'luxon';
import pg from 'pg';

export const SCALE = { years: [2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025], webinars: 10_000, households: 500_000, registrations: 1_000_000 };
/** Bump when the generator changes: a stored data set of another version is made again. */
export const GENERATOR_VERSION = 'stats-3';
/** The instant the data set is generated for: everything before it has happened. */
export const DATA_NOW = '2026-06-01T10:00:00.000Z';

function prng(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}

type Row = Record<string, string | number | null>;
export interface Table {
  name: string;
  columns: string[];
  rows: Array<Array<string | number | null>>;
}

const THEMES = ['reconversion-professionnelle', 'systeme-educatif', 'reprise-activite', 'focus-emploi', 'logement'];
const SOURCES = ['facebook', 'facebook', 'facebook', 'newsletter', 'linkedin', 'instagram', 'partenaire', null, null, null];
const PROJECTS = ['salarie', 'creation-reprise', 'teletravail', 'reconversion', 'autre', null];
const HOUSEHOLDS = ['seul', 'couple', 'enfants'];
const REGIONS = ['aubrac', 'margeride', 'vallee-du-lot', 'causses-et-gorges', 'cevennes-mont-lozere'];
const ACTIVITIES = ['job', 'job', 'job', 'creation', 'takeover', 'remote-work'];
const REASONS = ['emploi', 'emploi-conjoint', 'logement', 'famille', 'autre-territoire', 'projet-abandonne', 'sans-nouvelles'];
const DEPARTEMENTS = [...Array.from({ length: 95 }, (_, i) => String(i + 1).padStart(2, '0')).filter((d) => d !== '20'), '200', '202', '971', '972', '974'];

const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 86_400_000;

/** The rows of every table, in insertion order (parents first). */
export function generateStatsData(): Table[] {
  const rnd = prng(2026);
  const now = Date.parse(DATA_NOW);
  const uuid = (prefix: string, n: number) => `${prefix}${n.toString(16).padStart(12, '0')}`.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*$/, '$1-$2-$3-$4-$5');

  // Rencontres: 1,000 a year, on any day, at 12:30 in Paris (so many territories, one calendar).
  const webinars: Row[] = [];
  const perYear = SCALE.webinars / SCALE.years.length;
  for (const year of SCALE.years) {
    for (let i = 0; i < perYear; i++) {
      const day = DateTime.fromObject({ year, month: 1, day: 1 }, { zone: 'Europe/Paris' }).plus({ days: Math.floor((i * 365) / perYear) });
      const start = day.set({ hour: 12, minute: 30 }).toUTC();
      const thematic = rnd.next() < 0.6;
      webinars.push({
        id: uuid('10000000', webinars.length),
        slug: `rencontre-${webinars.length}`,
        title: `Rencontre ${webinars.length}`,
        kind: thematic ? 'thematic' : 'generic',
        theme: thematic ? rnd.pick(THEMES) : null,
        status: 'published',
        starts_at: start.toJSDate().toISOString(),
        ends_at: start.plus({ hours: 1 }).toJSDate().toISOString(),
        capacity: 200,
        promotion_cost_cents: rnd.next() < 0.7 ? rnd.int(20, 200) * 100 : null,
        created_at: iso(start.toMillis() - 60 * DAY),
        updated_at: iso(start.toMillis() - 60 * DAY),
      });
    }
  }
  const startsMs = webinars.map((w) => Date.parse(String(w.starts_at)));
  const firstAfter = (ms: number) => {
    let lo = 0;
    let hi = startsMs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (startsMs[mid]! < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };

  const candidates: Row[] = [];
  const registrations: Row[] = [];
  const requests: Row[] = [];
  const stages: Row[] = [];
  const installations: Row[] = [];
  const followUps: Row[] = [];
  const outbox: Row[] = [];
  // First contacts until the end of August 2025, so that everyone has Rencontres left to register to.
  const span = Date.parse('2025-09-01T00:00:00.000Z') - Date.parse('2015-12-01T00:00:00.000Z');
  const t0 = Date.parse('2015-12-01T00:00:00.000Z');
  let pairDelta = 0;

  for (let h = 0; h < SCALE.households; h++) {
    const id = uuid('20000000', h);
    const created = t0 + Math.floor(rnd.next() * span);
    const abroad = rnd.next() < 0.03;
    const dep = rnd.pick(DEPARTEMENTS);
    const postcode = abroad ? null : `${dep}${String(rnd.int(0, 10 ** (5 - dep.length) - 1)).padStart(5 - dep.length, '0')}`;
    candidates.push({
      id,
      email: `p${h}@example.org`,
      email_normalized: `p${h}@example.org`,
      first_name: 'Prénom',
      last_name: `Nom${h}`,
      postcode,
      country: abroad ? rnd.pick(['Belgique', 'Suisse', 'Canada']) : 'France',
      first_source: rnd.pick(SOURCES),
      created_at: iso(created),
      updated_at: iso(created),
      last_contact_at: iso(created),
    });
    // Two registrations a household exactly on average: one to three, drawn in pairs that sum to four.
    if (h % 2 === 0) pairDelta = rnd.int(-1, 1);
    const n = 2 + (h % 2 === 0 ? pairDelta : -pairDelta);
    let wi = firstAfter(created + rnd.int(1, 28) * DAY);
    let firstReg: { webinar: number; at: number; attended: boolean } | null = null;
    for (let k = 0; k < n && wi < webinars.length; k++) {
      const w = webinars[wi]!;
      const start = startsMs[wi]!;
      const at = Math.max(created, start - rnd.int(1, 28) * DAY);
      const r = rnd.next();
      const status = r < 0.07 ? 'cancelled' : r < 0.1 ? 'waitlisted' : 'confirmed';
      const held = start < now;
      const attended = held && status === 'confirmed' ? (rnd.next() < 0.5 ? 1 : 0) : null;
      const rid = uuid('30000000', registrations.length);
      registrations.push({
        id: rid,
        webinar_id: w.id!,
        candidate_id: id,
        status,
        token_nonce: 'n',
        manage_token_hash: `h${registrations.length}`,
        project: rnd.pick(PROJECTS),
        household: rnd.pick(HOUSEHOLDS),
        utm_source: rnd.pick(SOURCES),
        created_by: 'candidate',
        created_at: iso(at),
        confirmed_at: status === 'confirmed' ? iso(at) : null,
        cancelled_at: status === 'cancelled' ? iso(at + DAY) : null,
        attended,
        attended_minutes: attended ? rnd.int(10, 60) : attended === 0 ? 0 : null,
      });
      if (held && status !== 'cancelled') {
        outbox.push({ id: uuid('40000000', outbox.length), dedupe_key: `replay:${rid}`, kind: attended ? 'replay-attended' : 'replay-absent', to_address: `p${h}@example.org`, subject: 'Replay', html: '', text: '', status: 'sent', attempts: 1, run_after: iso(start + 2 * 3600_000), sent_at: iso(start + 2 * 3600_000), candidate_id: id, webinar_id: w.id!, registration_id: rid, created_at: iso(start + 2 * 3600_000) });
      }
      if (!firstReg) firstReg = { webinar: wi, at, attended: attended === 1 };
      wi += rnd.int(1, 60);
    }
    // One household in sixteen asks to be accompanied; most are, a quarter of those settle.
    if (firstReg && rnd.next() < 1 / 16) {
      const asked = Math.max(firstReg.at, startsMs[firstReg.webinar]!) + rnd.int(1, 60) * DAY;
      if (asked < now) {
        requests.push({ id: uuid('50000000', requests.length), candidate_id: id, registration_id: null, webinar_id: webinars[firstReg.webinar]!.id!, project: 'p', horizon: '6-12-mois', movers: 'couple', needs: '[]', status: 'new', created_at: iso(asked) });
        const accompanied = asked + rnd.int(2, 40) * DAY;
        if (accompanied < now && rnd.next() < 0.7) {
          stages.push({ id: uuid('60000000', stages.length), candidate_id: id, from_stage: 'contact', to_stage: 'accompanied', reason: null, at: iso(accompanied), actor_type: 'agent' });
          const installedAt = accompanied + rnd.int(60, 400) * DAY;
          if (installedAt < now && rnd.next() < 0.25) {
            const on = new Date(installedAt).toISOString().slice(0, 10);
            stages.push({ id: uuid('60000000', stages.length), candidate_id: id, from_stage: 'accompanied', to_stage: 'installed', reason: null, at: iso(installedAt), actor_type: 'agent' });
            const iid = uuid('70000000', installations.length);
            const left = rnd.next() < 0.1 ? new Date(installedAt + rnd.int(30, 700) * DAY).toISOString().slice(0, 10) : null;
            installations.push({ id: iid, candidate_id: id, installed_on: on, commune_name: 'Mende', region_key: rnd.pick(REGIONS), adults: rnd.int(1, 2), children: rnd.int(0, 3), activity: rnd.pick(ACTIVITIES), left_on: left, created_at: iso(installedAt) });
            for (const months of [3, 6, 12]) {
              const due = installedAt + months * 30 * DAY;
              const answered = due < now && rnd.next() < 0.6;
              followUps.push({ id: uuid('80000000', followUps.length), installation_id: iid, candidate_id: id, months, due_on: new Date(due).toISOString().slice(0, 10), status: answered ? 'answered' : due < now ? 'no-answer' : 'scheduled', token_nonce: 'n', answer_token_hash: `f${followUps.length}`, answered_at: answered ? iso(due + 3 * DAY) : null });
            }
          } else if (rnd.next() < 0.3) {
            stages.push({ id: uuid('60000000', stages.length), candidate_id: id, from_stage: 'accompanied', to_stage: 'abandoned', reason: rnd.pick(REASONS), at: iso(accompanied + rnd.int(30, 300) * DAY), actor_type: 'agent' });
          }
        }
      }
    }
  }

  if (registrations.length !== SCALE.registrations) throw new Error(`generator made ${registrations.length} registrations, not ${SCALE.registrations}`);
  const table = (name: string, rows: Row[], defaults: Row = {}): Table => {
    const columns = [...new Set([...Object.keys(defaults), ...Object.keys(rows[0] ?? {})])];
    return { name, columns, rows: rows.map((r) => columns.map((c) => (c in r ? r[c]! : (defaults[c] ?? null)))) };
  };
  return [
    table('webinars', webinars, { video_tool: 'link', summary: '', description: '', programme: '[]', speakers: '[]', partners: '[]' }),
    table('candidates', candidates, { news_opt_in: 0 }),
    table('registrations', registrations),
    table('accompaniment_requests', requests),
    table('stage_changes', stages),
    table('installations', installations, { adults: 1, children: 0 }),
    table('follow_ups', followUps),
    table('outbox_messages', outbox),
  ];
}

export function writeSqlite(file: string, tables: Table[]): void {
  const raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = OFF');
  raw.pragma('foreign_keys = OFF');
  for (const t of tables) {
    const insert = raw.prepare(`insert into ${t.name} (${t.columns.join(', ')}) values (${t.columns.map(() => '?').join(', ')})`);
    raw.transaction(() => {
      for (const r of t.rows) insert.run(r);
    })();
  }
  raw.pragma('wal_checkpoint(TRUNCATE)');
  raw.exec('analyze');
  raw.close();
}

export async function writePostgres(url: string, tables: Table[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const t of tables) {
      const types = t.columns.map((c) => (t.rows.some((r) => typeof r[t.columns.indexOf(c)] === 'number') ? 'int[]' : 'text[]'));
      const sqlText = `insert into ${t.name} (${t.columns.join(', ')}) select * from unnest(${t.columns.map((_, i) => `$${i + 1}::${types[i]}`).join(', ')})`;
      for (let i = 0; i < t.rows.length; i += 20_000) {
        const batch = t.rows.slice(i, i + 20_000);
        await client.query(sqlText, t.columns.map((_, c) => batch.map((r) => r[c])));
      }
    }
    await client.query('analyze');
  } finally {
    await client.end();
  }
}
