import type { AttendanceEntry } from '../video-adapter.ts';

/** One row of `GET /past_webinars/{id}/participants`: one session segment of one person. */
export interface ZoomParticipantRow {
  id?: string;
  name?: string;
  user_id?: string;
  registrant_id?: string;
  user_email?: string;
  join_time?: string;
  leave_time?: string;
  /** Documented in seconds. */
  duration?: number;
  failover?: boolean;
  status?: 'in_meeting' | 'in_waiting_room';
  internal_user?: boolean;
}

interface Group {
  registrantId: string | null;
  emails: Set<string>;
  rows: ZoomParticipantRow[];
}

/**
 * Folds Zoom's participant rows into one entry a person. Someone who drops and rejoins has one row a segment, so
 * the segments are added up. People are told apart by `registrant_id` (the only key when `user_email` is empty, as
 * it is for people outside the host's account), else by e-mail, else by name; a row without registrant id whose
 * e-mail matches a registrant's row joins that registrant.
 *
 * Time present is the union of the [join_time, leave_time] intervals when every segment has both: overlapping rows
 * (a failover, two devices) are then not counted twice, and Zoom's `duration` unit (documented in seconds, reported
 * as minutes in one vendor sample) does not matter. Otherwise the `duration` values, in seconds, are added. Rows
 * of people kept in a waiting room are not presence. Minutes are rounded to the nearest minute.
 */
export function summariseParticipants(rows: readonly ZoomParticipantRow[]): AttendanceEntry[] {
  const present = rows.filter((r) => r.status !== 'in_waiting_room');
  const byRegistrant = new Map<string, Group>();
  const byEmail = new Map<string, Group>();
  const byName = new Map<string, Group>();

  for (const r of present) {
    const rid = clean(r.registrant_id);
    if (!rid) continue;
    let g = byRegistrant.get(rid);
    if (!g) byRegistrant.set(rid, (g = { registrantId: rid, emails: new Set(), rows: [] }));
    g.rows.push(r);
    const email = clean(r.user_email)?.toLowerCase();
    if (email) g.emails.add(email);
  }
  for (const g of byRegistrant.values()) for (const e of g.emails) if (!byEmail.has(e)) byEmail.set(e, g);

  for (const r of present) {
    if (clean(r.registrant_id)) continue;
    const email = clean(r.user_email)?.toLowerCase();
    if (email) {
      let g = byEmail.get(email);
      if (!g) byEmail.set(email, (g = { registrantId: null, emails: new Set([email]), rows: [] }));
      g.rows.push(r);
      continue;
    }
    const name = (clean(r.name) ?? '').toLowerCase().replace(/\s+/g, ' ');
    let g = byName.get(name);
    if (!g) byName.set(name, (g = { registrantId: null, emails: new Set(), rows: [] }));
    g.rows.push(r);
  }

  const groups = new Set<Group>([...byRegistrant.values(), ...byEmail.values(), ...byName.values()]);
  const entries: AttendanceEntry[] = [];
  for (const g of groups) {
    const ordered = [...g.rows].sort((a, b) => (a.join_time ?? '').localeCompare(b.join_time ?? ''));
    const first = ordered[0];
    if (!first) continue;
    const firstEmail = ordered.map((r) => clean(r.user_email)).find(Boolean) ?? null;
    const joins = ordered.map((r) => parseTime(r.join_time)).filter((t): t is number => t !== null);
    entries.push({
      registrantId: g.registrantId,
      email: firstEmail,
      name: ordered.map((r) => clean(r.name)).find(Boolean) ?? firstEmail ?? '',
      minutes: Math.round(presentSeconds(ordered) / 60),
      joinedAt: joins.length ? new Date(Math.min(...joins)).toISOString() : null,
    });
  }
  return entries.sort((a, b) => (a.joinedAt ?? '').localeCompare(b.joinedAt ?? '') || a.name.localeCompare(b.name));
}

function presentSeconds(rows: ZoomParticipantRow[]): number {
  const intervals: [number, number][] = [];
  for (const r of rows) {
    const from = parseTime(r.join_time);
    const to = parseTime(r.leave_time);
    if (from === null || to === null || to < from) {
      return rows.reduce((s, x) => s + (typeof x.duration === 'number' && x.duration > 0 ? x.duration : 0), 0);
    }
    intervals.push([from, to]);
  }
  intervals.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curFrom = -Infinity;
  let curTo = -Infinity;
  for (const [from, to] of intervals) {
    if (from > curTo) {
      if (curTo > curFrom) total += curTo - curFrom;
      curFrom = from;
      curTo = to;
    } else if (to > curTo) {
      curTo = to;
    }
  }
  if (curTo > curFrom) total += curTo - curFrom;
  return total / 1000;
}

function parseTime(t: string | undefined): number | null {
  if (!t) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

function clean(s: string | undefined): string | null {
  const t = s?.trim();
  return t ? t : null;
}
