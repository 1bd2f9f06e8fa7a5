import type { AttendanceEntry } from '../video-adapter.ts';

/**
 * What BigBlueButton can and cannot tell about attendance:
 * - `getMeetingInfo` is a live snapshot: who is in the meeting now (userID = our registration id), no
 *   join times, and nothing once the meeting has ended and left the server's memory.
 * - `getRecordings` gives a participant count per recording, nobody's name.
 * - The bbb-webhooks package (optional on a BBB server) posts `user-joined`, `user-left` and
 *   `meeting-ended` events as they happen: the only history of who stayed how long.
 * So minutes come only from those events, stored by our side as they arrive; the live snapshot only
 * says whether a person with no `user-left` yet is still there.
 */

export type BbbPresenceKind = 'user-joined' | 'user-left' | 'meeting-ended';

/** One event of bbb-webhooks, as the callback routes hand it over and the platform stores it. */
export interface BbbPresenceEvent {
  kind: BbbPresenceKind;
  /** Our meetingID (BBB's "external-meeting-id"). */
  meetingId: string;
  internalMeetingId: string | null;
  /** The userID we put in the join URL: the registration id (BBB's "external-user-id"). */
  userId: string | null;
  /** BBB's id for one connection of that person; two tabs are two internal users. */
  internalUserId: string | null;
  name: string | null;
  role: 'VIEWER' | 'MODERATOR' | null;
  /** When BBB says it happened (the event's own timestamp), ISO 8601. */
  at: string;
}

export interface PresenceContext {
  now: Date;
  /** userIDs in the live snapshot (getMeetingInfo) when the meeting is running; null when it is not. */
  presentNow: ReadonlySet<string> | null;
  /** When the meeting ended as BBB's API still says (getMeetingInfo endTime), if known. */
  endedAt: Date | null;
  /** The planned end: the last resort for a segment whose end nobody reported. */
  plannedEnd: Date | null;
}

type Interval = [number, number];

function union(intervals: Interval[]): number {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0;
  let cur: Interval | null = null;
  for (const iv of sorted) {
    if (!cur || iv[0] > cur[1]) {
      if (cur) total += cur[1] - cur[0];
      cur = [iv[0], iv[1]];
    } else if (iv[1] > cur[1]) cur[1] = iv[1];
  }
  if (cur) total += cur[1] - cur[0];
  return total;
}

/**
 * Minutes per person from join/leave events: segments are paired per connection (internal user id),
 * a connection with no `user-left` ends at the next `meeting-ended`, else now if the person is in the
 * live snapshot, else when the API says the meeting ended, else at the planned end (never after now).
 * Overlapping connections of one person (phone and laptop) count once. The same event received twice
 * counts once.
 */
export function attendanceFromPresence(events: readonly BbbPresenceEvent[], ctx: PresenceContext): AttendanceEntry[] {
  const seen = new Set<string>();
  const unique = events.filter((e) => {
    const k = `${e.kind}|${e.internalMeetingId ?? ''}|${e.internalUserId ?? e.userId ?? ''}|${e.at}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  const sorted = unique
    .map((e) => ({ e, t: new Date(e.at).getTime() }))
    .filter((x) => Number.isFinite(x.t))
    .sort((a, b) => a.t - b.t);
  const ends = sorted.filter((x) => x.e.kind === 'meeting-ended').map((x) => x.t);
  const now = ctx.now.getTime();
  const fallbackEnd = (who: string | null): number => {
    if (who && ctx.presentNow?.has(who)) return now;
    if (ctx.presentNow) return now; // running, but this connection is gone without a user-left: we cannot do better than now
    const end = ctx.endedAt?.getTime() ?? ctx.plannedEnd?.getTime() ?? now;
    return Math.min(end, now);
  };

  const open = new Map<string, { userId: string; start: number }>();
  const intervals = new Map<string, Interval[]>();
  const firstJoin = new Map<string, number>();
  const names = new Map<string, string>();
  const close = (connection: string, at: number) => {
    const o = open.get(connection);
    if (!o) return;
    open.delete(connection);
    const list = intervals.get(o.userId) ?? [];
    list.push([o.start, Math.max(o.start, at)]);
    intervals.set(o.userId, list);
  };

  for (const { e, t } of sorted) {
    if (e.kind === 'meeting-ended') {
      for (const c of [...open.keys()]) close(c, t);
      continue;
    }
    const userId = e.userId;
    const connection = e.internalUserId ?? userId;
    if (!connection) continue;
    if (e.kind === 'user-joined') {
      if (!userId) continue;
      if (e.name) names.set(userId, e.name);
      if (!firstJoin.has(userId)) firstJoin.set(userId, t);
      // A second join of the same connection without a leave: the first one ended when it came back.
      close(connection, t);
      open.set(connection, { userId, start: t });
    } else {
      close(connection, t);
    }
  }
  for (const [c, o] of [...open.entries()]) {
    const nextEnd = ends.find((x) => x >= o.start);
    close(c, nextEnd ?? fallbackEnd(o.userId));
  }

  return [...intervals.entries()].map(([userId, ivs]) => ({
    registrantId: userId,
    email: null,
    name: names.get(userId) ?? '',
    minutes: Math.round(union(ivs) / 60_000),
    joinedAt: firstJoin.has(userId) ? new Date(firstJoin.get(userId)!).toISOString() : null,
  }));
}
