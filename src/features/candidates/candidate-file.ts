/**
 * Domain vocabulary of a household's file: the project, the people in it, what agents write, who may
 * edit it, and the keys that find one household again. Labels are the French the pages show.
 */

export const projectTypes = [
  { value: 'salarie', label: 'Emploi salarié' },
  { value: 'creation', label: 'Création d’entreprise' },
  { value: 'reprise', label: 'Reprise d’entreprise' },
  { value: 'agriculture', label: 'Installation agricole' },
  { value: 'teletravail', label: 'Télétravail' },
  { value: 'reconversion', label: 'Reconversion' },
  { value: 'plusieurs', label: 'Plusieurs projets' },
] as const;
export type ProjectType = (typeof projectTypes)[number]['value'];

/**
 * The answer given at registration ("creation-reprise"…) says less than the file's type: a file whose
 * type nobody has set yet is found under each type its registration answer may mean.
 */
const registrationProjectMeaning: Record<string, ProjectType[]> = {
  salarie: ['salarie'],
  'creation-reprise': ['creation', 'reprise'],
  teletravail: ['teletravail'],
  reconversion: ['reconversion'],
};

/** The stored values (file type or registration answer) that a project filter matches. */
export function projectValuesMatching(type: string): string[] {
  return [type, ...Object.entries(registrationProjectMeaning).filter(([, types]) => types.includes(type as ProjectType)).map(([answer]) => answer)];
}

export const maturities = [
  { value: 'idee', label: 'Une idée' },
  { value: 'reflexion', label: 'En réflexion' },
  { value: 'construit', label: 'Projet construit' },
  { value: 'pret', label: 'Prêt·e à partir' },
] as const;

export const housingPlans = [
  { value: 'location', label: 'Louer' },
  { value: 'achat', label: 'Acheter' },
  { value: 'indecis', label: 'Pas encore décidé' },
] as const;

export const schoolNeeds = [
  { value: 'creche', label: 'Crèche ou assistant·e maternel·le' },
  { value: 'maternelle', label: 'École maternelle' },
  { value: 'elementaire', label: 'École élémentaire' },
  { value: 'college', label: 'Collège' },
  { value: 'lycee', label: 'Lycée' },
  { value: 'aucun', label: 'Aucun besoin' },
] as const;

export const memberKinds = [
  { value: 'adult', label: 'Adulte' },
  { value: 'child', label: 'Enfant' },
] as const;

/** What an agent writes on a file by hand; everything else the platform writes by itself. */
export const agentEntryKinds = [
  { value: 'note', label: 'Note' },
  { value: 'call', label: 'Appel' },
  { value: 'meeting', label: 'Entretien' },
] as const;
export type AgentEntryKind = (typeof agentEntryKinds)[number]['value'];

/** "Sans contact depuis…": the file's last activity is older than this many days. */
export const quietPeriods = [
  { value: '30', label: 'Sans contact depuis 30 jours' },
  { value: '90', label: 'Sans contact depuis 90 jours' },
  { value: '180', label: 'Sans contact depuis 6 mois' },
] as const;

/** The art. 9 reminder shown beside every free-text field of the file (CNIL: no unguided free text). */
export const SENSITIVE_DATA_REMINDER =
  'N’écrivez ici que ce qui sert au projet d’installation : ni santé, ni handicap, ni opinions politiques, religieuses ou syndicales, ni origine, ni vie sexuelle, ni condamnations. La personne peut demander à lire sa fiche.';

export interface AgentRef {
  id: string;
  role: 'admin' | 'referent';
}

/**
 * Who may change a file: an admin, any file; a referent, the files they follow and the ones nobody
 * follows yet. Every agent may read every file (a referent answers the phone for a colleague).
 */
export function canEditFile(agent: AgentRef, file: { referent_id: string | null }): boolean {
  return agent.role === 'admin' || file.referent_id === null || file.referent_id === agent.id;
}

/** Exports and merges touch many files at once: admins only. */
export function canActOnMany(agent: AgentRef): boolean {
  return agent.role === 'admin';
}

/** Lower case, no accents, anything but letters, digits, "@" and "." as one space: what a search compares. */
export function fold(s: string | null | undefined): string {
  return (s ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9@.]+/g, ' ')
    .trim();
}

/** A French phone as its national number ("+33 6 12…" and "06.12…" are one phone); null if too short to be one. */
export function phoneKey(phone: string | null | undefined): string | null {
  let d = (phone ?? '').replace(/\D/g, '');
  if (d.startsWith('0033')) d = `0${d.slice(4)}`;
  else if (d.startsWith('33') && d.length === 11) d = `0${d.slice(2)}`;
  return d.length >= 9 ? d : null;
}

/**
 * The derived columns every write of a name, e-mail, phone or town must refresh (the list's search
 * and the duplicates finder read them). One function, so that the keys mean the same everywhere.
 */
export function candidateKeys(c: { first_name: string; last_name: string; email_normalized: string; phone: string | null; town: string | null }): { search_text: string; phone_key: string | null; name_key: string | null } {
  const phone = phoneKey(c.phone);
  const name = `${fold(c.first_name)} ${fold(c.last_name)}`.trim();
  return {
    search_text: [fold(c.first_name), fold(c.last_name), c.email_normalized, phone ?? ''].join(' ').trim(),
    phone_key: phone,
    name_key: name && c.town ? `${name}|${fold(c.town)}` : null,
  };
}

/** What a typed search looks for in search_text: folded, and a phone typed with spaces as its digits. */
export function searchNeedle(q: string): string {
  const digits = q.replace(/[\s.()-]/g, '');
  if (/^\+?\d{2,}$/.test(digits)) return phoneKey(digits) ?? digits.replace(/^\+/, '');
  return fold(q);
}
