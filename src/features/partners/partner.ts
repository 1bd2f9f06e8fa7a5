/** Domain vocabulary of partner organisations; labels are the French the pages show. */

/** What a partner helps newcomers with: the programme's areas of accompaniment, nothing local. */
export const partnerThemes = [
  { value: 'emploi', label: 'Emploi et recrutement' },
  { value: 'creation-reprise', label: 'Création et reprise d’entreprise' },
  { value: 'agriculture', label: 'Installation agricole' },
  { value: 'artisanat', label: 'Artisanat' },
  { value: 'commerce', label: 'Commerce' },
  { value: 'logement', label: 'Logement' },
  { value: 'formation', label: 'Formation et reconversion' },
  { value: 'famille', label: 'Familles : écoles, garde d’enfants, loisirs' },
  { value: 'mobilite', label: 'Mobilité et services publics' },
] as const;

export type PartnerTheme = (typeof partnerThemes)[number]['value'];

export const partnerStatusLabels = { active: 'Actif', archived: 'Archivé' } as const;
export const partnerUserStatusLabels = { active: 'Actif', invited: 'Invité·e', disabled: 'Désactivé·e' } as const;

export function themeLabels(keys: readonly string[]): string[] {
  return keys.map((k) => partnerThemes.find((t) => t.value === k)?.label ?? k);
}

/** "France Travail Lozère" → "france-travail-lozere": lower case, no accents, words joined by hyphens. */
export function slugify(text: string, max = 60): string {
  const s = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, ' ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, max).replace(/-+$/, '') || 'sans-titre';
}

/** A JSON array of strings from a column, tolerant of an empty or broken value. */
export function parseKeys(json: string | null | undefined): string[] {
  if (!json) return [];
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
