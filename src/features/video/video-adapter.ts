/**
 * The video tools a Rencontre can use, behind one interface: a link pasted by an agent, Zoom (API) or
 * BigBlueButton (self-hosted). Adapters never see our database: they take and return plain values, and
 * the use cases around them store what they return.
 */

export type VideoToolKind = 'link' | 'zoom' | 'bbb';

export interface RoomSpec {
  webinarId: string;
  title: string;
  startsAt: string;
  endsAt: string;
  timezone: string;
  capacity: number | null;
  /** Where people land when they leave (BBB logoutURL), e.g. the Rencontre's public page. */
  returnUrl: string;
}

export interface Room {
  externalId: string;
  /** What the adapter needs to keep (Zoom uuid, BBB meeting id…): stored as JSON, never secrets. */
  data: Record<string, unknown>;
  /** A common join link for all (the "link" tool), when there is one. */
  joinUrl: string | null;
}

export interface Person {
  registrationId: string;
  email: string;
  firstName: string;
  lastName: string;
}

export interface RegisteredPerson {
  /** The tool's own id for this person (Zoom registrant_id), kept to match attendance. */
  registrantId: string | null;
  /** A personal link from the tool (Zoom); ours redirects to it. */
  joinUrl: string | null;
}

/** One person's presence as the tool reports it; several segments of one person are already summed. */
export interface AttendanceEntry {
  registrantId: string | null;
  email: string | null;
  name: string;
  minutes: number;
  joinedAt: string | null;
}

export interface Recording {
  /** The address registrants can watch the replay at. */
  shareUrl: string;
  /** The tool's id for the recording, to avoid sending the replay twice for the same one. */
  recordingId: string;
}

export interface VideoAdapter {
  readonly kind: VideoToolKind;
  /** Creates the room, or updates it when `existing` is given (title, time). Safe to call again. */
  ensureRoom(spec: RoomSpec, existing: Room | null): Promise<Room>;
  /** Cancels or deletes the room of a cancelled Rencontre. */
  deleteRoom(room: Room): Promise<void>;
  /** Registers a person with the tool, when the tool knows people; approved at once by us. */
  addRegistrant(room: Room, person: Person): Promise<RegisteredPerson>;
  /** Takes a person off the tool's list (they cancelled): their personal link stops working. */
  cancelRegistrant(room: Room, person: Person, registered: RegisteredPerson): Promise<void>;
  /**
   * The address to send a person to when they click their personal link at the time of the Rencontre
   * (BBB signs a fresh join URL here). Null when the tool has nothing better than the stored link.
   */
  joinUrlAtClick(room: Room, person: Person, role: 'viewer' | 'moderator'): Promise<string | null>;
  /** Who attended, after the end. */
  fetchAttendance(room: Room): Promise<AttendanceEntry[]>;
  /** The recording to send as the replay, when it is ready. */
  fetchRecording(room: Room): Promise<Recording | null>;
}
