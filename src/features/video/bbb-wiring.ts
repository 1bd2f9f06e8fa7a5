import { randomUUID } from 'node:crypto';
import type { Services } from '../../services.ts';
import type { BbbPresenceEvent } from './bbb/bbb-attendance.ts';
import type { ReplayGuard } from './bbb/bbb-callbacks.ts';

/** BigBlueButton's join and leave events, kept as they come (the same event twice is kept once). */
export async function storePresence(s: Services, e: BbbPresenceEvent): Promise<void> {
  await s.db.kysely
    .insertInto('video_presence')
    .values({
      id: randomUUID(),
      dedupe_key: [e.meetingId, e.kind, e.internalUserId ?? e.userId ?? '', e.at].join('|'),
      meeting_id: e.meetingId,
      kind: e.kind,
      user_id: e.userId,
      internal_user_id: e.internalUserId,
      name: e.name,
      role: e.role,
      internal_meeting_id: e.internalMeetingId,
      at: e.at,
      created_at: s.clock.now().toISOString(),
    })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .execute();
}

export async function presenceLog(s: Services, meetingId: string): Promise<BbbPresenceEvent[]> {
  const rows = await s.db.kysely.selectFrom('video_presence').selectAll().where('meeting_id', '=', meetingId).orderBy('at').orderBy('id').execute();
  return rows.map((r) => ({ kind: r.kind, meetingId: r.meeting_id, internalMeetingId: r.internal_meeting_id, userId: r.user_id, internalUserId: r.internal_user_id, name: r.name, role: r.role, at: r.at }));
}

/** Callbacks already processed, in the database: with several web processes, each callback is handled once. */
export function databaseReplayGuard(s: Services): ReplayGuard {
  return {
    async claim(key, until) {
      const now = s.clock.now().toISOString();
      await s.db.kysely.deleteFrom('callback_claims').where('until', '<', now).execute();
      const r = await s.db.kysely
        .insertInto('callback_claims')
        .values({ key, until: until.toISOString(), created_at: now })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    async release(key) {
      await s.db.kysely.deleteFrom('callback_claims').where('key', '=', key).execute();
    },
  };
}
