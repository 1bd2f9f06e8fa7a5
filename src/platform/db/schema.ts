import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Table types, as Kysely's example app writes them. Timestamps are ISO 8601 strings in UTC
 * ("2027-01-08T11:30:00.000Z") on both databases (ADR 0002); booleans are integers 0/1.
 */

export interface WebinarTable {
  id: string;
  slug: string;
  title: string;
  kind: 'generic' | 'thematic';
  theme: string | null;
  status: 'draft' | 'published' | 'cancelled';
  starts_at: string;
  ends_at: string;
  /** null means no limit. */
  capacity: number | null;
  video_tool: 'link' | 'zoom' | 'bbb';
  join_url: string | null;
  replay_url: string | null;
  summary: string;
  description: string;
  /** JSON array of programme item keys or free strings. */
  programme: string;
  /** JSON array of { name, role }. */
  speakers: string;
  /** JSON array of partner organisation names. */
  partners: string;
  promotion_cost_cents: number | null;
  /** Incremented at each change of date or link, so calendars replace the event (iCalendar SEQUENCE). */
  calendar_sequence: ColumnType<number, number | undefined, number>;
  /** The Zoom webinar id or BigBlueButton meeting id, once the adapter has created it. */
  video_external_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON: what the adapter keeps (Zoom uuid, recording ids…); never secrets. */
  video_data: ColumnType<string, string | undefined, string>;
  /** When an agent or the adapter asked for the replay to be sent (the fan-out job runs from there). */
  replay_requested_at: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: string;
  updated_at: string;
}
export type WebinarRow = Selectable<WebinarTable>;
export type NewWebinarRow = Insertable<WebinarTable>;
export type WebinarUpdate = Updateable<WebinarTable>;

export interface CandidateTable {
  id: string;
  email: string;
  /** Lower-cased, trimmed: the key that finds one person again. */
  email_normalized: string;
  first_name: string;
  last_name: string;
  phone: string | null;
  postcode: string | null;
  town: string | null;
  country: string | null;
  project: string | null;
  household: string | null;
  horizon: string | null;
  desired_region: string | null;
  news_opt_in: number;
  news_opt_in_at: string | null;
  first_source: string | null;
  first_webinar_id: string | null;
  created_at: string;
  updated_at: string;
  /** Last contact initiated by the person: the start of the retention period. */
  last_contact_at: string;
  /** The person asked for no more invitations to Rencontres (one-click link); transactional mail still goes. */
  invitations_opt_out_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** Where the household stands: contact → qualified → accompanied → visit → decision → installed → followed-up; or abandoned, dormant. */
  stage: ColumnType<CandidateStage | null, CandidateStage | null | undefined, CandidateStage | null>;
  stage_changed_at: ColumnType<string | null, string | null | undefined, string | null>;
  abandon_reason: ColumnType<string | null, string | null | undefined, string | null>;
  /** The agent who follows this household. */
  referent_id: ColumnType<string | null, string | null | undefined, string | null>;
  project_type: ColumnType<string | null, string | null | undefined, string | null>;
  project_sector: ColumnType<string | null, string | null | undefined, string | null>;
  project_maturity: ColumnType<string | null, string | null | undefined, string | null>;
  /** INSEE code of the commune they imagine living in. */
  desired_commune: ColumnType<string | null, string | null | undefined, string | null>;
  housing_plan: ColumnType<string | null, string | null | undefined, string | null>;
  driving_licence: ColumnType<number | null, number | null | undefined, number | null>;
  /** Set when this file was merged into another: it stays for the record, the other is the file. */
  merged_into_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** Last thing that happened on the file (any event), for "last contact" filters. */
  last_activity_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** Name, e-mail and phone digits without accents, for the list's search (candidateKeys()). */
  search_text: ColumnType<string | null, string | null | undefined, string | null>;
  /** The phone as a national number, digits only: two files with one phone may be one household. */
  phone_key: ColumnType<string | null, string | null | undefined, string | null>;
  /** "first last|town" without accents: two files with one name and town may be one household. */
  name_key: ColumnType<string | null, string | null | undefined, string | null>;
}
export type CandidateStage = 'contact' | 'qualified' | 'accompanied' | 'visit' | 'decision' | 'installed' | 'followed-up' | 'abandoned' | 'dormant';
export type CandidateRow = Selectable<CandidateTable>;
export type NewCandidateRow = Insertable<CandidateTable>;

export interface RegistrationTable {
  id: string;
  webinar_id: string;
  candidate_id: string;
  status: 'confirmed' | 'waitlisted' | 'cancelled';
  /** With the server's secret key, gives the private token again (reminders need it). */
  token_nonce: string;
  /** SHA-256 of the private token, to find the registration from a link; the token is never stored. */
  manage_token_hash: string;
  project: string | null;
  household: string | null;
  horizon: string | null;
  desired_region: string | null;
  heard_from: string | null;
  question: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  created_by: 'candidate' | 'agent' | 'import';
  created_at: string;
  confirmed_at: string | null;
  cancelled_at: string | null;
  /** Order on the waiting list, given under the Rencontre's lock: first come, first served, even within one millisecond. */
  waitlist_rank: number | null;
  attended: number | null;
  attended_minutes: number | null;
  /** The registrant id the video tool gave (Zoom), to match attendance when the e-mail is empty. */
  video_registrant_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** A personal join link from the video tool (Zoom); ours (/mon-inscription/…/rejoindre) redirects to it. */
  video_join_url: ColumnType<string | null, string | null | undefined, string | null>;
  attendance_source: ColumnType<'adapter' | 'zoom-report' | 'agent' | 'demo' | null, 'adapter' | 'zoom-report' | 'agent' | 'demo' | null | undefined, 'adapter' | 'zoom-report' | 'agent' | 'demo' | null>;
  /** An agent set attendance by hand: imports and adapters no longer change it. */
  attendance_overridden: ColumnType<number, number | undefined, number>;
  no_show_invited_at: ColumnType<string | null, string | null | undefined, string | null>;
}
export type RegistrationRow = Selectable<RegistrationTable>;
export type NewRegistrationRow = Insertable<RegistrationTable>;

/** One row per submitted registration form: the idempotency record of a form post. */
export interface SubmissionTable {
  key: string;
  webinar_id: string;
  registration_id: string;
  outcome: 'created' | 'existing';
  created_at: string;
}

export interface OutboxMessageTable {
  id: string;
  /** Unique: one message per event, whatever the retries. */
  dedupe_key: string;
  kind: string;
  to_address: string;
  subject: string;
  html: string;
  text: string;
  /** JSON array of { filename, contentType, content } with content in UTF-8 text. */
  attachments: string;
  /** JSON object of extra headers. */
  headers: string;
  /** cancelled: no longer to be sent (a reminder to someone who cancelled). */
  status: 'queued' | 'sending' | 'sent' | 'retrying' | 'failed' | 'cancelled';
  attempts: number;
  run_after: string;
  locked_until: string | null;
  last_error: string | null;
  last_attempt_at: string | null;
  sent_at: string | null;
  transport: string | null;
  candidate_id: string | null;
  webinar_id: string | null;
  registration_id: string | null;
  created_at: string;
  /** Not worth sending after this instant: the worker marks it cancelled instead. */
  expires_at: ColumnType<string | null, string | null | undefined, string | null>;
}
export type OutboxMessageRow = Selectable<OutboxMessageTable>;
export type NewOutboxMessageRow = Insertable<OutboxMessageTable>;

export interface AuditLogTable {
  id: string;
  at: string;
  actor_type: 'candidate' | 'agent' | 'system' | 'anonymous' | 'partner';
  actor_id: string | null;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  ip: string | null;
  /** JSON object; never secrets, tokens or message bodies. */
  details: string;
}
export type NewAuditLogRow = Insertable<AuditLogTable>;

export interface AgentTable {
  id: string;
  email: string;
  email_normalized: string;
  name: string;
  role: 'admin' | 'referent';
  /** invited: has not set a password yet. */
  status: 'active' | 'invited' | 'disabled';
  /** argon2id; null until the invitation is accepted. */
  password_hash: string | null;
  created_at: string;
  updated_at: string;
  last_sign_in_at: string | null;
}
export type AgentRow = Selectable<AgentTable>;

/** Server-side sessions: the cookie holds a random token, the table its SHA-256. */
export interface SessionTable {
  id_hash: string;
  agent_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}
export type SessionRow = Selectable<SessionTable>;

/** One-time links: invitation and password reset. */
export interface AgentTokenTable {
  token_hash: string;
  agent_id: string;
  purpose: 'invite' | 'reset';
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface JobTable {
  id: string;
  kind: string;
  dedupe_key: string;
  payload: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  run_after: string;
  attempts: number;
  locked_until: string | null;
  last_error: string | null;
  progress_done: number;
  progress_total: number | null;
  created_at: string;
  updated_at: string;
}
export type JobRow = Selectable<JobTable>;

export interface AccompanimentRequestTable {
  id: string;
  candidate_id: string;
  registration_id: string | null;
  webinar_id: string | null;
  project: string;
  horizon: string;
  movers: string;
  /** JSON array of need keys: job, spouse-job, takeover, housing, schools. */
  needs: string;
  message: string | null;
  status: 'new' | 'assigned' | 'closed';
  created_at: string;
}

export interface SurveyAnswerTable {
  id: string;
  registration_id: string;
  webinar_id: string;
  /** 1 to 5. */
  usefulness: number;
  recommend: 'oui' | 'peut-etre' | 'non';
  comment: string | null;
  created_at: string;
}

export interface VideoPresenceTable {
  id: string;
  dedupe_key: string;
  meeting_id: string;
  kind: 'user-joined' | 'user-left' | 'meeting-ended';
  user_id: string | null;
  internal_user_id: string | null;
  name: string | null;
  role: 'VIEWER' | 'MODERATOR' | null;
  internal_meeting_id: string | null;
  at: string;
  created_at: string;
}

/** Callbacks already processed (by any process), until their key may be forgotten. */
export interface CallbackClaimTable {
  key: string;
  until: string;
  created_at: string;
}

export interface HouseholdMemberTable {
  id: string;
  candidate_id: string;
  kind: 'adult' | 'child';
  first_name: string | null;
  age: number | null;
  occupation: string | null;
  needs_job: number;
  school_need: string | null;
  created_at: string;
}

export interface TimelineEventTable {
  id: string;
  candidate_id: string;
  at: string;
  kind: string;
  dedupe_key: string;
  actor_type: 'candidate' | 'agent' | 'system' | 'partner' | 'anonymous';
  actor_id: string | null;
  subject_type: string | null;
  subject_id: string | null;
  summary: string;
  data: string;
}
export type TimelineEventRow = Selectable<TimelineEventTable>;

export interface StageChangeTable {
  id: string;
  candidate_id: string;
  from_stage: string | null;
  to_stage: string;
  reason: string | null;
  at: string;
  actor_type: string;
  actor_id: string | null;
}

export interface TaskTable {
  id: string;
  candidate_id: string | null;
  assignee_id: string;
  title: string;
  /** YYYY-MM-DD in the territory's zone. */
  due_on: string;
  status: 'open' | 'done' | 'cancelled';
  source: 'agent' | 'system';
  created_by: string | null;
  created_at: string;
  done_at: string | null;
  reminded_at: string | null;
}

export interface SavedViewTable {
  id: string;
  agent_id: string;
  name: string;
  query: string;
  created_at: string;
}

export interface AppointmentSlotTable {
  id: string;
  agent_id: string;
  starts_at: string;
  ends_at: string;
  mode: 'phone' | 'video';
  status: 'open' | 'booked' | 'withdrawn';
  video_url: string | null;
  created_at: string;
}

export interface AppointmentTable {
  id: string;
  slot_id: string;
  candidate_id: string;
  status: 'booked' | 'cancelled' | 'done' | 'missed';
  topic: string | null;
  token_nonce: string;
  manage_token_hash: string;
  booked_at: string;
  cancelled_at: string | null;
}

export interface InstallationTable {
  id: string;
  candidate_id: string;
  installed_on: string;
  commune_code: string | null;
  commune_name: string;
  region_key: string | null;
  adults: number;
  children: number;
  activity: string;
  employer: string | null;
  housing: string | null;
  left_on: string | null;
  left_reason: string | null;
  created_by: string | null;
  created_at: string;
}

export interface FollowUpTable {
  id: string;
  installation_id: string;
  candidate_id: string;
  months: number;
  due_on: string;
  status: 'scheduled' | 'sent' | 'answered' | 'no-answer' | 'cancelled';
  token_nonce: string;
  answer_token_hash: string;
  sent_at: string | null;
  answered_at: string | null;
  wellbeing: number | null;
  needs_help: number | null;
  message: string | null;
  still_there: number | null;
}

export interface ContactFormTable {
  id: string;
  token_hash: string;
  data: string;
  step: string;
  candidate_id: string | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
}

export interface CommuneTable {
  code: string;
  name: string;
  name_search: string;
  postcodes: string;
  population: number | null;
  epci_code: string | null;
  epci_name: string | null;
  region_key: string | null;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  webinars: WebinarTable;
  candidates: CandidateTable;
  registrations: RegistrationTable;
  submissions: SubmissionTable;
  outbox_messages: OutboxMessageTable;
  audit_log: AuditLogTable;
  meta: MetaTable;
  agents: AgentTable;
  sessions: SessionTable;
  agent_tokens: AgentTokenTable;
  jobs: JobTable;
  accompaniment_requests: AccompanimentRequestTable;
  survey_answers: SurveyAnswerTable;
  video_presence: VideoPresenceTable;
  callback_claims: CallbackClaimTable;
  household_members: HouseholdMemberTable;
  timeline_events: TimelineEventTable;
  stage_changes: StageChangeTable;
  tasks: TaskTable;
  saved_views: SavedViewTable;
  appointment_slots: AppointmentSlotTable;
  appointments: AppointmentTable;
  installations: InstallationTable;
  follow_ups: FollowUpTable;
  contact_forms: ContactFormTable;
  communes: CommuneTable;
}

export type { ColumnType, Generated };

// ---- Partners, offers and referrals (migration 0010). A second declaration of Database: TypeScript
// merges it with the first, so these tables are appended without touching the lines above.

export interface PartnerTable {
  id: string;
  /** In addresses: /admin/partenaires/<slug>. */
  slug: string;
  name: string;
  /** What the organisation does for newcomers, in a sentence or two. */
  role: string;
  /** JSON array of partner theme keys. */
  themes: string;
  /** JSON array of the territory's natural region keys; empty means the whole territory. */
  regions: string;
  email: string | null;
  phone: string | null;
  website: string | null;
  address: string | null;
  contact_name: string | null;
  contact_title: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  /** archived: kept for the record; its users cannot sign in, its offers leave the public pages. */
  status: 'active' | 'archived';
  created_at: string;
  updated_at: string;
}
export type PartnerRow = Selectable<PartnerTable>;

export interface PartnerUserTable {
  id: string;
  partner_id: string;
  email: string;
  email_normalized: string;
  name: string;
  status: 'active' | 'invited' | 'disabled';
  password_hash: string | null;
  created_at: string;
  updated_at: string;
  last_sign_in_at: string | null;
}
export type PartnerUserRow = Selectable<PartnerUserTable>;

/** Partner users' sessions: a table apart from the agents' (the cookie holds a token, the table its SHA-256). */
export interface PartnerSessionTable {
  id_hash: string;
  partner_user_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
}
export type PartnerSessionRow = Selectable<PartnerSessionTable>;

export interface PartnerUserTokenTable {
  token_hash: string;
  partner_user_id: string;
  purpose: 'invite' | 'reset';
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export type OfferType = 'job' | 'takeover' | 'premises' | 'farm' | 'housing';
export type OfferStatus = 'draft' | 'published' | 'filled' | 'expired';

export interface OfferTable {
  id: string;
  slug: string;
  title: string;
  type: OfferType;
  /** A sector key of the territory's offers configuration. */
  sector: string;
  commune_code: string | null;
  commune_name: string;
  region_key: string | null;
  description: string;
  conditions: string;
  partner_id: string | null;
  contact_name: string | null;
  contact_email: string | null;
  contact_phone: string | null;
  valid_from: string | null;
  valid_until: string | null;
  status: OfferStatus;
  search_text: string;
  created_by_type: 'agent' | 'partner' | 'system';
  created_by_id: string | null;
  published_at: string | null;
  confirmed_at: string | null;
  confirm_requested_at: string | null;
  confirm_token_hash: string | null;
  filled_at: string | null;
  expired_at: string | null;
  import_batch: string | null;
  created_at: string;
  updated_at: string;
}
export type OfferRow = Selectable<OfferTable>;

export type ProposalOutcome = 'interested' | 'applied' | 'hired' | 'taken-over' | 'declined';

export interface OfferProposalTable {
  id: string;
  candidate_id: string;
  offer_id: string;
  proposed_by: string;
  proposed_at: string;
  reason: string;
  outcome: ProposalOutcome | null;
  outcome_at: string | null;
  outcome_by: string | null;
}
export type OfferProposalRow = Selectable<OfferProposalTable>;

export type ReferralStatus = 'awaiting-consent' | 'consented' | 'declined' | 'withdrawn';
export type ReferralOutcome = 'contacted' | 'in-progress' | 'succeeded' | 'not-pursued';

export interface ReferralTable {
  id: string;
  candidate_id: string;
  partner_id: string;
  referent_id: string;
  summary: string;
  status: ReferralStatus;
  token_nonce: string;
  consent_token_hash: string;
  requested_at: string;
  consent_given_at: string | null;
  consent_declined_at: string | null;
  consent_withdrawn_at: string | null;
  outcome: ReferralOutcome | null;
  outcome_note: string | null;
  outcome_at: string | null;
  outcome_by: string | null;
  created_at: string;
  updated_at: string;
}
export type ReferralRow = Selectable<ReferralTable>;

export interface Database {
  partners: PartnerTable;
  partner_users: PartnerUserTable;
  partner_sessions: PartnerSessionTable;
  partner_user_tokens: PartnerUserTokenTable;
  offers: OfferTable;
  offer_proposals: OfferProposalTable;
  referrals: ReferralTable;
}
