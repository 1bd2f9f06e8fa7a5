import type { Services } from '../../services.ts';
import type { Room } from './video-adapter.ts';
import { roomOf, scheduleAttendanceFetch, scheduleRecordingFetch } from './video-jobs.ts';

/** What a video tool tells us (signed notification, callback), in our words. */
export interface VideoEvent {
  tool: 'zoom' | 'bbb';
  kind: 'ended' | 'recording-ready';
  externalId: string;
  /** The instance or recording concerned, when the tool says: also what makes a redelivery a no-op. */
  reference: string | null;
  /** For Zoom's `webinar.ended`: the room to store so that attendance is read from that instance. */
  updateRoom?: (room: Room) => Room;
}

/**
 * Turns a tool's notification into jobs, quickly and idempotently: the tool gets its answer at once,
 * the slow work (reading attendance, the recording, sending the replay) happens in the job runner.
 */
export async function handleVideoEvent(s: Services, e: VideoEvent): Promise<void> {
  const row = await s.db.kysely
    .selectFrom('webinars')
    .select(['id', 'video_external_id', 'video_data'])
    .where('video_tool', '=', e.tool)
    .where('video_external_id', '=', e.externalId)
    .executeTakeFirst();
  if (!row) {
    s.logger.warn('video event for an unknown room', { tool: e.tool, kind: e.kind });
    return;
  }
  const now = s.clock.now();
  await s.db.transaction(async (trx) => {
    if (e.kind === 'ended') {
      const room = roomOf({ videoExternalId: row.video_external_id, videoData: row.video_data });
      if (room && e.updateRoom) await trx.updateTable('webinars').set({ video_data: JSON.stringify(e.updateRoom(room).data) }).where('id', '=', row.id).execute();
      await scheduleAttendanceFetch(trx, now, row.id, e.reference ?? 'ended');
    } else {
      await scheduleRecordingFetch(trx, now, row.id, e.reference ?? 'ready');
    }
  });
  s.jobQueued();
}
