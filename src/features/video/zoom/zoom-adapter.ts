import type { ZoomConfig } from '../../../config.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { Clock } from '../../../platform/time.ts';
import type { AttendanceEntry, Person, RegisteredPerson, Recording, Room, RoomSpec, VideoAdapter } from '../video-adapter.ts';
import { summariseParticipants, type ZoomParticipantRow } from './zoom-attendance.ts';
import { createZoomClient, pathSegment, ZoomApiError, type ZoomClient } from './zoom-client.ts';

/** What we keep of a Zoom webinar in `Room.data`. No start_url: it lets anyone start the webinar as its host. */
export interface ZoomRoomData {
  /** The UUID Zoom gave the webinar when it was created. */
  uuid: string | null;
  /**
   * The UUID of the instance that actually took place, from the `webinar.ended` notification (see
   * `withEndedInstance`). Without it, the numeric id is used, which Zoom resolves to the latest instance.
   */
  instanceUuid?: string;
}

interface ZoomWebinar {
  id: number;
  uuid?: string;
  join_url?: string;
}

interface ZoomRegistrantCreated {
  id?: number;
  registrant_id?: string;
  join_url?: string;
}

interface ZoomRegistrant {
  id: string;
  email: string;
  status?: 'approved' | 'pending' | 'denied';
  join_url?: string;
}

interface ZoomRegistrantPage {
  next_page_token?: string;
  registrants?: ZoomRegistrant[];
}

interface ZoomParticipantPage {
  next_page_token?: string;
  participants?: ZoomParticipantRow[];
}

interface ZoomRecordings {
  uuid?: string;
  share_url?: string;
  recording_play_passcode?: string;
  recording_files?: { id?: string; file_type?: string; status?: string }[];
}

/** Zoom limits a topic to 200 characters. */
const TOPIC_MAX = 200;
/** The largest page Zoom serves. */
const PAGE_SIZE = 300;

/**
 * Zoom webinars (Server-to-Server OAuth app of the territory's account). Each Rencontre is a scheduled webinar
 * (type 5) with manual approval: the people we push are approved by us at once, so a registration link that leaks
 * lets nobody in (the lesson of Indico PR #322). Zoom sends no e-mail of its own — we send ours, in French.
 */
export function createZoomAdapter(config: ZoomConfig, deps: { fetch?: typeof fetch; clock: Clock; logger: Logger; timeoutMs?: number }): VideoAdapter {
  const logger = deps.logger.child({ video: 'zoom' });
  const api = createZoomClient(config, { ...deps, logger });

  return {
    kind: 'zoom',

    async ensureRoom(spec: RoomSpec, existing: Room | null): Promise<Room> {
      const schedule = scheduleOf(spec);
      if (existing) {
        try {
          await api.request('PATCH', `/webinars/${pathSegment(existing.externalId)}`, {
            // Manual approval again, in case someone switched it in Zoom's web portal since.
            body: { ...schedule, settings: { approval_type: 1, ...(spec.capacity !== null ? { registrants_restrict_number: spec.capacity } : {}) } },
          });
          return { externalId: existing.externalId, data: { ...existing.data }, joinUrl: null };
        } catch (e) {
          if (!(e instanceof ZoomApiError && e.status === 404)) throw e;
          // Deleted on Zoom's side: a new webinar, whose new id tells the caller to register everyone again.
          logger.warn('zoom: webinar gone on Zoom, creating a new one', { externalId: existing.externalId });
        }
      }
      const created = await api.request<ZoomWebinar>('POST', `/users/${pathSegment(config.userId)}/webinars`, {
        body: {
          ...schedule,
          type: 5,
          settings: {
            approval_type: 1,
            registrants_confirmation_email: false,
            registrants_email_notification: false,
            attendees_and_panelists_reminder_email_notification: { enable: false, type: 0 },
            follow_up_attendees_email_notification: { enable: false, type: 0 },
            follow_up_absentees_email_notification: { enable: false, type: 0 },
            email_language: 'fr-FR',
            auto_recording: 'cloud',
            ...(spec.capacity !== null ? { registrants_restrict_number: spec.capacity } : {}),
          },
        },
      });
      if (!created || typeof created.id !== 'number') throw new Error('Zoom created a webinar but did not return its id');
      const data: ZoomRoomData = { uuid: created.uuid ?? null };
      logger.info('zoom: webinar created', { externalId: String(created.id) });
      return { externalId: String(created.id), data: { ...data }, joinUrl: null };
    },

    async deleteRoom(room: Room): Promise<void> {
      try {
        await api.request('DELETE', `/webinars/${pathSegment(room.externalId)}`);
      } catch (e) {
        if (e instanceof ZoomApiError && e.status === 404) return;
        throw e;
      }
    },

    async addRegistrant(room: Room, person: Person): Promise<RegisteredPerson> {
      const webinar = pathSegment(room.externalId);
      const email = person.email.trim();
      let created: ZoomRegistrantCreated | null;
      try {
        // The documented body of this call has no auto_approve (only the batch call has): under manual approval
        // the new registrant is pending until we approve it just below.
        created = await api.request<ZoomRegistrantCreated>('POST', `/webinars/${webinar}/registrants`, {
          body: { email, first_name: firstNameOf(person), ...(person.lastName.trim() ? { last_name: person.lastName.trim() } : {}) },
        });
      } catch (e) {
        // Zoom refuses some e-mails it already knows (notably a cancelled registrant, kept as "denied"): find them.
        if (!(e instanceof ZoomApiError) || (e.status !== 400 && e.status !== 409)) throw e;
        const known = await findRegistrant(api, webinar, email);
        if (!known) throw e;
        if (known.status !== 'approved') await setStatus(api, webinar, 'approve', known.id, email);
        return { registrantId: known.id, joinUrl: known.join_url ?? null };
      }
      const registrantId = created?.registrant_id;
      if (!registrantId) throw new Error('Zoom registered the person but returned no registrant_id');
      // Also when Zoom answered with an existing registration of this e-mail: approving an approved one is harmless.
      await setStatus(api, webinar, 'approve', registrantId, email);
      return { registrantId, joinUrl: created?.join_url ?? null };
    },

    async cancelRegistrant(room: Room, person: Person, registered: RegisteredPerson): Promise<void> {
      const webinar = pathSegment(room.externalId);
      try {
        const id = registered.registrantId ?? (await findRegistrant(api, webinar, person.email.trim()))?.id;
        if (!id) return;
        await setStatus(api, webinar, 'cancel', id, person.email.trim());
      } catch (e) {
        // The webinar itself is gone: nobody can join it any more.
        if (e instanceof ZoomApiError && e.status === 404) return;
        throw e;
      }
    },

    async joinUrlAtClick(): Promise<string | null> {
      return null;
    },

    async fetchAttendance(room: Room): Promise<AttendanceEntry[]> {
      const rows: ZoomParticipantRow[] = [];
      let next: string | undefined;
      do {
        const page = await api.request<ZoomParticipantPage>('GET', `/past_webinars/${pathSegment(pastInstanceOf(room))}/participants`, {
          // registrant_id is the one key for people whose e-mail Zoom hides; one description of this endpoint says
          // it only comes back when asked for through include_fields, so we ask.
          query: { page_size: PAGE_SIZE, next_page_token: next, include_fields: 'registrant_id' },
        });
        rows.push(...(page?.participants ?? []));
        next = page?.next_page_token || undefined;
      } while (next);
      return summariseParticipants(rows);
    },

    async fetchRecording(room: Room): Promise<Recording | null> {
      let rec: ZoomRecordings | null;
      try {
        rec = await api.request<ZoomRecordings>('GET', `/meetings/${pathSegment(pastInstanceOf(room))}/recordings`);
      } catch (e) {
        if (e instanceof ZoomApiError && e.status === 404) return null;
        throw e;
      }
      const files = rec?.recording_files ?? [];
      if (!rec?.share_url || files.length === 0) return null;
      // A file still being processed: the replay is not ready for everyone yet.
      if (files.some((f) => f.status !== undefined && f.status !== 'completed')) return null;
      const recordingId = rec.uuid ?? files.find((f) => f.id)?.id;
      if (!recordingId) return null;
      return { shareUrl: withPasscode(rec.share_url, rec.recording_play_passcode), recordingId };
    },
  };
}

/**
 * The room as it should be stored once Zoom has told us (`webinar.ended`) which instance took place, so that the
 * participants and the recording are read from that instance and not from a later one.
 */
export function withEndedInstance(room: Room, instanceUuid: string): Room {
  return { ...room, data: { ...room.data, instanceUuid } };
}

function pastInstanceOf(room: Room): string {
  const uuid = room.data.instanceUuid;
  return typeof uuid === 'string' && uuid ? uuid : room.externalId;
}

function scheduleOf(spec: RoomSpec) {
  const start = new Date(spec.startsAt);
  const minutes = Math.max(1, Math.round((new Date(spec.endsAt).getTime() - start.getTime()) / 60_000));
  return {
    topic: [...spec.title].slice(0, TOPIC_MAX).join(''),
    // UTC with a Z (Zoom reads it as GMT); the timezone field says how Zoom shows it.
    start_time: start.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    duration: minutes,
    timezone: spec.timezone,
  };
}

function firstNameOf(p: Person): string {
  // Zoom requires a first name.
  return p.firstName.trim() || p.lastName.trim() || p.email.split('@')[0] || '-';
}

async function setStatus(api: ZoomClient, webinar: string, action: 'approve' | 'cancel', id: string, email: string): Promise<void> {
  await api.request('PUT', `/webinars/${webinar}/registrants/status`, { body: { action, registrants: [{ id, email }] } });
}

async function findRegistrant(api: ZoomClient, webinar: string, email: string): Promise<ZoomRegistrant | null> {
  const wanted = email.toLowerCase();
  for (const status of ['approved', 'pending', 'denied'] as const) {
    let next: string | undefined;
    do {
      const page = await api.request<ZoomRegistrantPage>('GET', `/webinars/${webinar}/registrants`, {
        query: { status, page_size: PAGE_SIZE, next_page_token: next },
      });
      const hit = page?.registrants?.find((r) => r.email.toLowerCase() === wanted);
      if (hit) return { ...hit, status: hit.status ?? status };
      next = page?.next_page_token || undefined;
    } while (next);
  }
  return null;
}

function withPasscode(shareUrl: string, passcode: string | undefined): string {
  if (!passcode) return shareUrl;
  const u = new URL(shareUrl);
  if (u.searchParams.has('pwd')) return shareUrl;
  u.searchParams.set('pwd', passcode);
  return u.toString();
}
