/** Domain vocabulary of a registration to a Rencontre; labels are the French the forms show. */

export const projects = [
  { value: 'salarie', label: 'Trouver un emploi salarié' },
  { value: 'creation-reprise', label: 'Créer ou reprendre une entreprise' },
  { value: 'teletravail', label: 'Continuer mon activité en télétravail' },
  { value: 'reconversion', label: 'Me reconvertir' },
  { value: 'autre', label: 'Autre projet' },
] as const;

export const households = [
  { value: 'seul', label: 'Seul·e' },
  { value: 'couple', label: 'En couple' },
  { value: 'enfants', label: 'Avec des enfants' },
] as const;

export const horizons = [
  { value: 'moins-6-mois', label: 'Dans moins de 6 mois' },
  { value: '6-12-mois', label: 'Dans 6 à 12 mois' },
  { value: 'plus-1-an', label: 'Dans plus d’un an' },
  { value: 'ne-sait-pas', label: 'Je ne sais pas encore' },
] as const;

export type Project = (typeof projects)[number]['value'];
export type Household = (typeof households)[number]['value'];
export type Horizon = (typeof horizons)[number]['value'];

export const UNKNOWN_REGION = 'unknown';

export type RegistrationStatus = 'confirmed' | 'waitlisted' | 'cancelled';

export const statusLabels: Record<RegistrationStatus, string> = {
  confirmed: 'Inscription confirmée',
  waitlisted: 'Sur liste d’attente',
  cancelled: 'Inscription annulée',
};

export function labelOf(list: ReadonlyArray<{ value: string; label: string }>, value: string | null): string | null {
  if (!value) return null;
  return list.find((x) => x.value === value)?.label ?? value;
}

/** One person is one candidate, whatever the case or spaces of the e-mail typed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** "a***@exemple.fr": shown on pages that must not reveal a whole address. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}${'*'.repeat(Math.max(1, Math.min(local.length - 1, 5)))}@${domain}`;
}
