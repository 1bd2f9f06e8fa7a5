import { NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { findCandidateById } from '../candidates/candidates-repository.ts';
import { findWebinarById } from '../webinars/webinars-repository.ts';
import { hashToken, looksLikeToken } from './registration-token.ts';
import { findRegistrationByTokenHash } from './registrations-repository.ts';

/** What a private link opens: the registration, its Rencontre and its person; 404 for anything else. */
export async function loadRegistrationByToken(s: Services, token: string) {
  if (!looksLikeToken(token)) throw new NotFound('Ce lien n’est pas valide');
  const registration = await findRegistrationByTokenHash(s.db.kysely, hashToken(token));
  if (!registration) throw new NotFound('Ce lien n’est pas ou plus valide');
  const webinar = (await findWebinarById(s.db.kysely, registration.webinar_id))!;
  const candidate = (await findCandidateById(s.db.kysely, registration.candidate_id))!;
  return { token, registration, webinar, candidate };
}
