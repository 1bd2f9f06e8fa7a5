import type { WebinarRow } from '../../platform/db/schema.ts';

/** A Rencontre: one edition of the webinar series, generic or on a theme. */
export interface Webinar {
  id: string;
  slug: string;
  title: string;
  kind: 'generic' | 'thematic';
  theme: string | null;
  status: 'draft' | 'published' | 'cancelled';
  startsAt: string;
  endsAt: string;
  capacity: number | null;
  videoTool: 'link' | 'zoom' | 'bbb';
  joinUrl: string | null;
  replayUrl: string | null;
  summary: string;
  description: string;
  programme: string[];
  speakers: Speaker[];
  partners: string[];
  promotionCostCents: number | null;
  /** iCalendar SEQUENCE: raised at each change of date or link. */
  calendarSequence: number;
}

export interface Speaker {
  name: string;
  role: string;
}

function parseJsonArray<T>(s: string, fallback: T[]): T[] {
  try {
    const v = JSON.parse(s);
    return Array.isArray(v) ? v : fallback;
  } catch {
    return fallback;
  }
}

export function webinarFromRow(r: WebinarRow): Webinar {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    kind: r.kind,
    theme: r.theme,
    status: r.status,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    capacity: r.capacity,
    videoTool: r.video_tool,
    joinUrl: r.join_url,
    replayUrl: r.replay_url,
    summary: r.summary,
    description: r.description,
    programme: parseJsonArray<string>(r.programme, []),
    speakers: parseJsonArray<Speaker>(r.speakers, []),
    partners: parseJsonArray<string>(r.partners, []),
    promotionCostCents: r.promotion_cost_cents,
    calendarSequence: r.calendar_sequence,
  };
}

export type RegistrationWindow = 'open' | 'not-published' | 'cancelled' | 'started';

/** Registration is open on a published Rencontre until it starts. */
export function registrationWindow(w: Pick<Webinar, 'status' | 'startsAt'>, now: Date): RegistrationWindow {
  if (w.status === 'cancelled') return 'cancelled';
  if (w.status !== 'published') return 'not-published';
  if (now.getTime() >= new Date(w.startsAt).getTime()) return 'started';
  return 'open';
}

export function seatsLeft(capacity: number | null, confirmed: number): number | null {
  return capacity === null ? null : Math.max(0, capacity - confirmed);
}

/** "rencontre-2027-01-15" or with a theme "rencontre-2027-03-19-reprise-activite". */
export function webinarSlug(startDateInZone: string, theme: string | null): string {
  return ['rencontre', startDateInZone, theme].filter(Boolean).join('-');
}

/** Whether a person with a seat has somewhere to go: a pasted link, or a personal one from Zoom or BigBlueButton. */
export function hasJoinPath(w: Pick<Webinar, 'videoTool' | 'joinUrl'>): boolean {
  return w.videoTool !== 'link' || Boolean(w.joinUrl);
}
