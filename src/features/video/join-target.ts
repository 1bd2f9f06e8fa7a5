import type { CandidateRow, RegistrationRow } from '../../platform/db/schema.ts';
import type { Services } from '../../services.ts';
import type { Webinar } from '../webinars/webinar.ts';
import { roomOf } from './video-jobs.ts';

/**
 * Where a person's personal link leads at the time they click it: the link pasted by the agent, their
 * own Zoom link, or a BigBlueButton join URL signed right now. Null when there is nowhere to go yet.
 */
export async function joinTarget(s: Services, w: Webinar, r: RegistrationRow, person: Pick<CandidateRow, 'email' | 'first_name' | 'last_name'>): Promise<string | null> {
  if (w.videoTool === 'link') return w.joinUrl;
  if (w.videoTool === 'zoom') return r.video_join_url;
  const adapter = s.video.bbb;
  if (!adapter) return null;
  const row = await s.db.kysely.selectFrom('webinars').select(['video_external_id', 'video_data']).where('id', '=', w.id).executeTakeFirstOrThrow();
  const room = roomOf({ videoExternalId: row.video_external_id, videoData: row.video_data });
  if (!room) return null;
  return adapter.joinUrlAtClick(room, { registrationId: r.id, email: person.email, firstName: person.first_name, lastName: person.last_name }, 'viewer');
}
