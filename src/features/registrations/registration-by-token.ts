import { NotFound } from '../../platform/http/errors.ts';
import type { Services } from '../../services.ts';
import { findCandidateById } from '../candidates/candidates-repository.ts';
import { findWebinarById } from '../webinars/webinars-repository.ts';
import { hashToken, looksLikeToken } from './registration-token.ts';
import { findRegistrationByTokenHash } from './registrations-repository.ts';

/** What a private link opens: the registration, its Rencontre and its person; 404 for anything else. */
export async function loadRegistrationByToken(s: Services, token: string) {
  // A link cut or changed on its way (a mail client that wraps it, a copy by hand) is the usual cause: say what to do.
  const help = `Ouvrez-le directement depuis l’e-mail reçu, sans le recopier. S’il ne fonctionne toujours pas, écrivez-nous à ${s.territory.contact.email}.`;
  if (!looksLikeToken(token)) throw new NotFound(`Ce lien n’est pas complet. ${help}`);
  const registration = await findRegistrationByTokenHash(s.db.kysely, hashToken(token));
  if (!registration) throw new NotFound(`Ce lien n’est pas ou plus valide. ${help}`);
  const webinar = (await findWebinarById(s.db.kysely, registration.webinar_id))!;
  const candidate = (await findCandidateById(s.db.kysely, registration.candidate_id))!;
  return { token, registration, webinar, candidate };
}
