import type { Services } from '../../services.ts';
import type { AppointmentFacts } from './appointment-emails.tsx';
import { appointmentToken } from './appointment-token.ts';
import type { AppointmentRecord } from './appointments-repository.ts';

/** What the e-mails and calendar files of an appointment need, from its record. */
export function factsOf(s: Services, r: AppointmentRecord, now: Date): AppointmentFacts {
  return {
    territory: s.territory,
    publicUrl: s.config.publicUrl,
    appointmentId: r.id,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    mode: r.mode,
    videoUrl: r.video_url,
    phone: r.phone,
    topic: r.topic,
    agentName: r.agentName,
    agentEmail: r.agentEmail,
    candidateId: r.candidateId,
    candidateName: `${r.first_name} ${r.last_name}`,
    candidateFirstName: r.first_name,
    candidateEmail: r.email,
    token: appointmentToken(s.tokenKey, r.id, r.token_nonce),
    now,
  };
}
