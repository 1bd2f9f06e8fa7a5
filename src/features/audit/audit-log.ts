import type { Kysely } from 'kysely';
import type { Database } from '../../platform/db/schema.ts';

export const AUDIT_PAGE_SIZE = 100;

/** What an admin reads in the journal: the action names of the platform in French. */
export const actionLabels: Record<string, string> = {
  'agent.sign-in': 'Connexion',
  'agent.sign-in-failed': 'Connexion refusée',
  'agent.sign-in-throttled': 'Connexion bloquée (trop de tentatives)',
  'agent.sign-out': 'Déconnexion',
  'agent.created': 'Agent créé',
  'agent.invited': 'Agent invité',
  'agent.invitation-accepted': 'Invitation acceptée',
  'agent.password-changed': 'Mot de passe changé',
  'agent.password-reset-sent': 'Lien de mot de passe envoyé',
  'agent.disabled': 'Agent désactivé',
  'agent.enabled': 'Agent réactivé',
  'webinar.created': 'Rencontre créée',
  'webinar.updated': 'Rencontre modifiée',
  'webinar.cancelled': 'Rencontre annulée',
  'registration.confirmed': 'Inscription confirmée',
  'registration.waitlisted': 'Inscription en liste d’attente',
  'registration.cancelled': 'Inscription annulée',
  'registration.promoted': 'Place attribuée depuis la liste d’attente',
  'registration.promoted-by-agent': 'Place donnée par un agent',
  'registrations.exported': 'Export des inscrits',
  'candidate.data-exported': 'Export de ses données par la personne',
  'candidate.news-opt-in': 'Nouvelles des Rencontres acceptées par la personne',
  'candidate.news-opt-out': 'Nouvelles des Rencontres refusées par la personne',
  'email.resent': 'Courriel renvoyé',
  'security.csrf-refused': 'Requête refusée (jeton de sécurité)',
  'security.forbidden': 'Accès refusé',
  'accompaniment.requested': 'Demande d’accompagnement',
  'appointment.booked': 'Rendez-vous pris',
  'appointment.held': 'Rendez-vous tenu',
  'appointment.missed': 'Rendez-vous manqué (personne absente)',
  'appointment.cancelled': 'Rendez-vous annulé',
  'appointment.slot-withdrawn': 'Créneau retiré',
  'appointment.slots-published': 'Créneaux publiés',
  'attendance.recorded': 'Présences enregistrées',
  'attendance.set-by-agent': 'Présence corrigée par un agent',
  'candidate.entry-added': 'Note ajoutée au dossier',
  'candidate.invitations-opt-out': 'Plus d’invitations (demande de la personne)',
  'candidate.merged': 'Dossiers fusionnés',
  'candidate.stage-changed': 'Étape du dossier changée',
  'candidate.identity-updated': 'Identité modifiée',
  'candidate.project-updated': 'Projet modifié',
  'candidate.member-added': 'Membre du foyer ajouté',
  'candidate.member-updated': 'Membre du foyer modifié',
  'candidate.member-removed': 'Membre du foyer retiré',
  'candidates.exported': 'Export des candidats',
  'candidates.view-saved': 'Vue enregistrée',
  'candidates.view-deleted': 'Vue supprimée',
  'contact-form.submitted': 'Premier contact reçu',
  'content.image-added': 'Image ajoutée',
  'content.saved': 'Contenu enregistré',
  'follow-up.answered': 'Suivi après installation répondu',
  'import.zoom': 'Import d’un rapport Zoom',
  'installation.recorded': 'Installation enregistrée',
  'installation.departure-recorded': 'Départ enregistré',
  'invitations.no-shows': 'Invitations des absents envoyées',
  'offer.confirmation-requested': 'Confirmation d’offre demandée',
  'offer.confirmed': 'Offre confirmée',
  'offer.created': 'Offre créée',
  'offer.expired': 'Offre expirée',
  'offer.imported': 'Offres importées',
  'offer.proposal-outcome': 'Suite donnée à une offre proposée',
  'offer.proposed': 'Offre proposée',
  'offer.status-changed': 'Statut d’offre changé',
  'offer.updated': 'Offre modifiée',
  'partner-user.disabled': 'Compte partenaire désactivé',
  'partner-user.enabled': 'Compte partenaire réactivé',
  'partner-user.invitation-accepted': 'Invitation partenaire acceptée',
  'partner-user.invited': 'Compte partenaire invité',
  'partner-user.link-sent': 'Lien envoyé à un partenaire',
  'partner-user.password-changed': 'Mot de passe partenaire changé',
  'partner-user.sign-in': 'Connexion (partenaire)',
  'partner-user.sign-in-failed': 'Connexion partenaire refusée',
  'partner-user.sign-in-throttled': 'Connexion partenaire bloquée (trop de tentatives)',
  'partner-user.sign-out': 'Déconnexion (partenaire)',
  'partner.archived': 'Partenaire archivé',
  'partner.created': 'Partenaire créé',
  'partner.demo-seeded': 'Partenaires de démonstration créés',
  'partner.reactivated': 'Partenaire réactivé',
  'partner.updated': 'Partenaire modifié',
  'referent.acknowledged': 'Prise en charge par le référent',
  'referent.assigned': 'Référent attribué',
  'referent.reassigned': 'Référent changé',
  'referral.outcome': 'Suite donnée par un partenaire',
  'referral.requested': 'Mise en relation demandée',
  'referral.consent-given': 'Accord pour une mise en relation',
  'replay.link-changed': 'Lien du replay changé',
  'replay.requested': 'Envoi du replay demandé',
  'slides.changed': 'Diaporama modifié',
  'slides.reset': 'Diaporama remis à zéro',
  'statistics.exported': 'Export des statistiques',
  'survey.answered': 'Questionnaire répondu',
  'task.cancelled': 'Tâche annulée',
  'task.created': 'Tâche créée',
  'task.done': 'Tâche faite',
  'task.updated': 'Tâche modifiée',
  'webinar.room-opened': 'Salle en ligne ouverte',
  'audit.purged': 'Journal purgé',
};

/**
 * The journal's filter: families of actions, each by the prefixes of their keys. Every action the
 * platform records is in exactly one (a test checks), so that none escapes a filter.
 */
export const actionFamilies = [
  { key: 'connexions', label: 'Connexions et agents', prefixes: ['agent.'] },
  { key: 'rencontres', label: 'Rencontres, présences et replays', prefixes: ['webinar.', 'attendance.', 'replay.', 'slides.', 'import.', 'invitations.'] },
  { key: 'inscriptions', label: 'Inscriptions et exports', prefixes: ['registration.', 'registrations.'] },
  { key: 'personnes', label: 'Personnes et fiches', prefixes: ['candidate.', 'candidates.', 'contact-form.', 'accompaniment.', 'installation.', 'follow-up.', 'survey.'] },
  { key: 'suivi', label: 'Référents, tâches et rendez-vous', prefixes: ['referent.', 'task.', 'appointment.'] },
  { key: 'offres', label: 'Offres, partenaires et orientations', prefixes: ['offer.', 'partner.', 'partner-user.', 'referral.'] },
  { key: 'courriels', label: 'Courriels', prefixes: ['email.'] },
  { key: 'contenus', label: 'Contenus et statistiques', prefixes: ['content.', 'statistics.'] },
  { key: 'securite', label: 'Sécurité et journal', prefixes: ['security.', 'audit.'] },
] as const;

export type ActionFamily = (typeof actionFamilies)[number]['key'];

export async function listAuditEntries(db: Kysely<Database>, f: { family: ActionFamily | null; actor: string; page: number }) {
  let q = db
    .selectFrom('audit_log as a')
    .leftJoin('agents as g', (j) => j.onRef('g.id', '=', 'a.actor_id').on('a.actor_type', '=', 'agent'))
    // A partner's people act in the portal (offers, referral outcomes): the journal names them and their organisation.
    .leftJoin('partner_users as pu', (j) => j.onRef('pu.id', '=', 'a.actor_id').on('a.actor_type', '=', 'partner'))
    .leftJoin('partners as p', 'p.id', 'pu.partner_id');
  const family = actionFamilies.find((x) => x.key === f.family);
  // The prefixes are ours, made of letters, dots and hyphens: nothing to escape in them for LIKE.
  if (family) q = q.where((eb) => eb.or(family.prefixes.map((p) => eb('a.action', 'like', `${p}%`))));
  if (f.actor) q = q.where('a.actor_id', '=', f.actor);
  const [rows, count] = await Promise.all([
    q
      .select(['a.id', 'a.at', 'a.actor_type', 'a.actor_id', 'g.name as actorName', 'pu.name as partnerUserName', 'p.name as partnerName', 'a.action', 'a.subject_type', 'a.subject_id', 'a.ip', 'a.details'])
      .orderBy('a.at', 'desc')
      .orderBy('a.id')
      .limit(AUDIT_PAGE_SIZE)
      .offset((f.page - 1) * AUDIT_PAGE_SIZE)
      .execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** What an action was done to, in the journal's words. */
export const subjectLabels: Record<string, string> = {
  agent: 'Agent',
  candidate: 'Fiche',
  webinar: 'Rencontre',
  registration: 'Inscription',
  partner: 'Partenaire',
  'partner-user': 'Compte partenaire',
  offer: 'Offre',
  'offer-import': 'Import d’offres',
  referral: 'Orientation',
  task: 'Tâche',
  installation: 'Installation',
  'follow-up': 'Suivi',
  appointment: 'Rendez-vous',
  'appointment-slot': 'Créneau',
  'stage-change': 'Étape',
  'saved-view': 'Vue enregistrée',
  content: 'Contenu',
  'contact-form': 'Premier contact',
  accompaniment: 'Demande d’accompagnement',
  message: 'Courriel',
  email: 'Courriel',
};

/** The start of an id would be the same for every id of a minute (they begin with the time): its end tells them apart. */
export const shortId = (id: string) => id.slice(-8);

/** The details' keys that come back most, in French; the others are shown as recorded. */
export const detailLabels: Record<string, string> = {
  email: 'adresse',
  reason: 'motif',
  role: 'rôle',
  name: 'nom',
  webinarId: 'Rencontre',
  candidateId: 'fiche',
  partnerId: 'partenaire',
  agentId: 'agent',
  assigneeId: 'confié à',
  createdBy: 'par',
  path: 'adresse demandée',
  method: 'méthode',
  status: 'statut',
  from: 'de',
  to: 'vers',
  kind: 'type',
  startsAt: 'début',
  dueOn: 'échéance',
  version: 'version',
  outcome: 'résultat',
  count: 'nombre',
};

/** Values of the details that are codes, in French (a role, who acted, why a sign-in was refused). */
export const detailValues: Record<string, string> = {
  admin: 'administrateur·rice',
  referent: 'référent·e',
  candidate: 'la personne',
  agent: 'un agent',
  'unknown-account': 'adresse inconnue',
  'wrong-password': 'mot de passe incorrect',
  'account-disabled': 'compte désactivé',
  'account-invited': 'invitation pas encore acceptée',
  'partner-archived': 'partenaire archivé',
};

/** The back-office page of an action's subject, for the kinds that have one addressed by id. */
export function subjectHref(type: string, id: string): string | null {
  if (type === 'candidate') return `/admin/candidats/${id}`;
  if (type === 'webinar') return `/admin/rencontres/${id}`;
  if (type === 'email' || type === 'message') return `/admin/courriels/${id}`;
  return null;
}

/** Who did it, in the journal's words. */
export function actorLabel(r: { actor_type: string; actorName: string | null; partnerUserName: string | null; partnerName: string | null }): string {
  if (r.actorName) return r.actorName;
  if (r.actor_type === 'partner') return r.partnerUserName ? `${r.partnerUserName} (${r.partnerName ?? 'partenaire'})` : 'un compte partenaire supprimé';
  if (r.actor_type === 'agent') return 'un agent supprimé';
  if (r.actor_type === 'candidate') return 'la personne elle-même';
  if (r.actor_type === 'system') return 'la plateforme';
  return 'anonyme';
}

/** Entries older than the retention period are deleted (CNIL: logs 6 to 12 months); the purge itself is logged. */
export async function purgeAuditLog(db: Kysely<Database>, now: Date, retentionDays: number): Promise<number> {
  const before = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  const r = await db.deleteFrom('audit_log').where('at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows ?? 0n);
}
