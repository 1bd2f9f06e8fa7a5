import type { Kysely, Transaction } from 'kysely';
import { systemActor } from '../../platform/audit/audit.ts';
import type { Database } from '../../platform/db/schema.ts';
import { enqueueJob, RetryLater, type JobHandler } from '../../platform/jobs/jobs.ts';
import type { Services } from '../../services.ts';
import { recordAttendance } from '../attendance/record-attendance.ts';
import { requestReplay } from '../replay/send-replay.ts';
import type { Webinar } from '../webinars/webinar.ts';
import { webinarFromRow } from '../webinars/webinar.ts';
import type { Person, Room, RoomSpec, VideoAdapter, VideoToolKind } from './video-adapter.ts';

/** The adapters this install has (from its configuration); "link" needs none. */
export type VideoTools = Partial<Record<Exclude<VideoToolKind, 'link'>, VideoAdapter>>;

export const VIDEO_JOBS = {
  ensureRoom: 'video.ensure-room',
  addRegistrant: 'video.add-registrant',
  cancelRegistrant: 'video.cancel-registrant',
  fetchAttendance: 'video.fetch-attendance',
  fetchRecording: 'video.fetch-recording',
} as const;

type Q = Kysely<Database> | Transaction<Database>;
const usesAdapter = (tool: string) => tool === 'zoom' || tool === 'bbb';

/** After a Rencontre is created or changed: its room on the video tool follows (created, moved, or deleted when cancelled). */
export async function afterWebinarSaved(trx: Q, now: Date, w: { id: string; videoTool: string; status: string; updatedAt: string }): Promise<boolean> {
  if (!usesAdapter(w.videoTool) || w.status === 'draft') return false;
  return enqueueJob(trx, now, { kind: VIDEO_JOBS.ensureRoom, dedupeKey: `video:room:${w.id}:${w.updatedAt}`, payload: { webinarId: w.id } });
}

/** After someone gets a seat: they are registered with the video tool, for a personal link. */
export async function afterSeatGiven(trx: Q, now: Date, w: Pick<Webinar, 'videoTool'>, registration: { id: string; nonce: string }): Promise<boolean> {
  if (!usesAdapter(w.videoTool)) return false;
  return enqueueJob(trx, now, { kind: VIDEO_JOBS.addRegistrant, dedupeKey: `video:add:${registration.id}:${registration.nonce}`, payload: { registrationId: registration.id } });
}

/** After a cancellation: the person is taken off the tool's list, so their personal link stops working. */
export async function afterSeatFreed(trx: Q, now: Date, w: Pick<Webinar, 'videoTool'>, registration: { id: string; nonce: string; videoRegistrantId: string | null }): Promise<boolean> {
  if (!usesAdapter(w.videoTool) || !registration.videoRegistrantId) return false;
  return enqueueJob(trx, now, { kind: VIDEO_JOBS.cancelRegistrant, dedupeKey: `video:cancel:${registration.id}:${registration.nonce}`, payload: { registrationId: registration.id } });
}

/** The Rencontre is over (the tool said so, or an agent asks): attendance is read a few minutes later, once the tool has it. */
export async function scheduleAttendanceFetch(trx: Q, now: Date, webinarId: string, trigger: string, delayMs = 5 * 60_000): Promise<boolean> {
  return enqueueJob(trx, now, { kind: VIDEO_JOBS.fetchAttendance, dedupeKey: `video:attendance:${webinarId}:${trigger}`, payload: { webinarId }, runAfter: new Date(now.getTime() + delayMs) });
}

/** A recording is (or may be) ready: it is fetched and becomes the replay. */
export async function scheduleRecordingFetch(trx: Q, now: Date, webinarId: string, trigger: string): Promise<boolean> {
  return enqueueJob(trx, now, { kind: VIDEO_JOBS.fetchRecording, dedupeKey: `video:recording:${webinarId}:${trigger}`, payload: { webinarId } });
}

export function roomOf(w: { videoExternalId: string | null; videoData: string }): Room | null {
  if (!w.videoExternalId) return null;
  return { externalId: w.videoExternalId, data: JSON.parse(w.videoData || '{}'), joinUrl: null };
}

function spec(s: Services, w: Webinar): RoomSpec {
  return { webinarId: w.id, title: w.title, startsAt: w.startsAt, endsAt: w.endsAt, timezone: s.territory.timezone, capacity: w.capacity, returnUrl: `${s.config.publicUrl}/rencontres/${w.slug}` };
}

/** A rate-limited tool says when to come back: that is not a failure. */
function retryIfRateLimited(e: unknown, now: Date): never {
  const err = e as { isRateLimited?: boolean; retryAfterSeconds?: number };
  if (err?.isRateLimited) throw new RetryLater(new Date(now.getTime() + (err.retryAfterSeconds ?? 60) * 1000), 'limite de débit de l’outil vidéo');
  throw e;
}

async function loadWebinar(s: Services, id: string) {
  const row = await s.db.kysely.selectFrom('webinars').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? { webinar: webinarFromRow(row), row } : null;
}

export function videoJobHandlers(s: Services): Record<string, JobHandler> {
  const adapterFor = (tool: string): VideoAdapter => {
    const a = s.video[tool as 'zoom' | 'bbb'];
    if (!a) throw new Error(`L’outil vidéo « ${tool} » n’est pas configuré sur cette installation`);
    return a;
  };

  const person = async (registrationId: string) =>
    s.db.kysely
      .selectFrom('registrations')
      .innerJoin('candidates', 'candidates.id', 'registrations.candidate_id')
      .select(['registrations.id', 'registrations.status', 'registrations.webinar_id', 'registrations.token_nonce', 'registrations.video_registrant_id', 'registrations.video_join_url', 'candidates.email', 'candidates.first_name', 'candidates.last_name'])
      .where('registrations.id', '=', registrationId)
      .executeTakeFirst();

  return {
    [VIDEO_JOBS.ensureRoom]: async ({ payload }) => {
      const found = await loadWebinar(s, String(payload.webinarId));
      if (!found || !usesAdapter(found.webinar.videoTool)) return;
      const { webinar: w, row } = found;
      const adapter = adapterFor(w.videoTool);
      const existing = roomOf({ videoExternalId: row.video_external_id, videoData: row.video_data });
      const now = s.clock.now();
      if (w.status === 'cancelled') {
        if (existing) await adapter.deleteRoom(existing).catch((e) => retryIfRateLimited(e, now));
        return;
      }
      const room = await adapter.ensureRoom(spec(s, w), existing).catch((e) => retryIfRateLimited(e, now));
      await s.db.transaction(async (trx) => {
        await trx.updateTable('webinars').set({ video_external_id: room.externalId, video_data: JSON.stringify(room.data) }).where('id', '=', w.id).execute();
        // The tools' own signals (Zoom's notifications, BigBlueButton's callbacks) may never come: attendance
        // and the recording are looked for after the planned end anyway. Their keys make a second look a no-op.
        const end = new Date(w.endsAt).getTime();
        await enqueueJob(trx, now, { kind: VIDEO_JOBS.fetchAttendance, dedupeKey: `video:attendance:${w.id}:planned:${w.endsAt}`, payload: { webinarId: w.id }, runAfter: new Date(end + 45 * 60_000) });
        await enqueueJob(trx, now, { kind: VIDEO_JOBS.fetchRecording, dedupeKey: `video:recording:${w.id}:planned:${w.endsAt}`, payload: { webinarId: w.id }, runAfter: new Date(end + 60 * 60_000) });
        // A new room (first time, or the old one was deleted on the tool's side): everyone with a seat registers again.
        if (existing?.externalId !== room.externalId) {
          const seats = await trx.selectFrom('registrations').select(['id', 'token_nonce']).where('webinar_id', '=', w.id).where('status', '=', 'confirmed').execute();
          for (const r of seats) await enqueueJob(trx, now, { kind: VIDEO_JOBS.addRegistrant, dedupeKey: `video:add:${r.id}:${r.token_nonce}:${room.externalId}`, payload: { registrationId: r.id } });
        }
      });
      s.jobQueued();
    },

    [VIDEO_JOBS.addRegistrant]: async ({ payload }) => {
      const p = await person(String(payload.registrationId));
      if (!p || p.status !== 'confirmed') return;
      const found = await loadWebinar(s, p.webinar_id);
      if (!found || !usesAdapter(found.webinar.videoTool) || found.webinar.status !== 'published') return;
      const now = s.clock.now();
      const room = roomOf({ videoExternalId: found.row.video_external_id, videoData: found.row.video_data });
      if (!room) {
        // The room is being created: come back once it exists.
        await afterWebinarSaved(s.db.kysely, now, { id: found.webinar.id, videoTool: found.webinar.videoTool, status: found.webinar.status, updatedAt: found.row.updated_at });
        s.jobQueued();
        throw new RetryLater(new Date(now.getTime() + 30_000), 'salle pas encore créée');
      }
      const who: Person = { registrationId: p.id, email: p.email, firstName: p.first_name, lastName: p.last_name };
      const registered = await adapterFor(found.webinar.videoTool)
        .addRegistrant(room, who)
        .catch((e) => retryIfRateLimited(e, now));
      await s.db.kysely.updateTable('registrations').set({ video_registrant_id: registered.registrantId, video_join_url: registered.joinUrl }).where('id', '=', p.id).execute();
    },

    [VIDEO_JOBS.cancelRegistrant]: async ({ payload }) => {
      const p = await person(String(payload.registrationId));
      if (!p || p.status !== 'cancelled' || !p.video_registrant_id) return;
      const found = await loadWebinar(s, p.webinar_id);
      const room = found ? roomOf({ videoExternalId: found.row.video_external_id, videoData: found.row.video_data }) : null;
      if (!found || !room || !usesAdapter(found.webinar.videoTool)) return;
      const now = s.clock.now();
      await adapterFor(found.webinar.videoTool)
        .cancelRegistrant(room, { registrationId: p.id, email: p.email, firstName: p.first_name, lastName: p.last_name }, { registrantId: p.video_registrant_id, joinUrl: p.video_join_url })
        .catch((e) => retryIfRateLimited(e, now));
      await s.db.kysely.updateTable('registrations').set({ video_join_url: null }).where('id', '=', p.id).execute();
    },

    [VIDEO_JOBS.fetchAttendance]: async ({ payload }) => {
      const found = await loadWebinar(s, String(payload.webinarId));
      if (!found || !usesAdapter(found.webinar.videoTool)) return;
      const room = roomOf({ videoExternalId: found.row.video_external_id, videoData: found.row.video_data });
      if (!room) return;
      const now = s.clock.now();
      let entries;
      try {
        entries = await adapterFor(found.webinar.videoTool).fetchAttendance(room);
      } catch (e) {
        // BigBlueButton without its webhooks keeps no history: an empty list would mark everyone absent.
        if ((e as { code?: string }).code === 'attendance-unavailable') {
          s.logger.warn('attendance not available from the video tool: agents tick it by hand', { webinarId: found.webinar.id });
          return;
        }
        return retryIfRateLimited(e, now);
      }
      await recordAttendance(s, { webinarId: found.webinar.id, entries, source: 'adapter', actor: systemActor });
    },

    [VIDEO_JOBS.fetchRecording]: async ({ payload, job }) => {
      const found = await loadWebinar(s, String(payload.webinarId));
      if (!found || !usesAdapter(found.webinar.videoTool)) return;
      const room = roomOf({ videoExternalId: found.row.video_external_id, videoData: found.row.video_data });
      if (!room) return;
      const now = s.clock.now();
      const recording = await adapterFor(found.webinar.videoTool)
        .fetchRecording(room)
        .catch((e) => retryIfRateLimited(e, now));
      if (!recording) {
        // Not ready yet: look again in a quarter of an hour, for two days after the job was made.
        if (now.getTime() - new Date(job.created_at).getTime() < 2 * 86_400_000) throw new RetryLater(new Date(now.getTime() + 15 * 60_000), 'enregistrement pas encore prêt');
        return;
      }
      if (found.webinar.replayUrl === recording.shareUrl) return;
      await requestReplay(s, { webinarId: found.webinar.id, replayUrl: recording.shareUrl, actor: systemActor, fromVideoTool: true });
    },
  };
}
