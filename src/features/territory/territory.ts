import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * A territory is configuration, not code: everything that is Lozère's (names, colours, themes,
 * natural regions, legal notices, schedule rule, demo history) lives in territories/<id>/.
 */

const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'couleur attendue au format #rrggbb');
const key = z.string().regex(/^[a-z0-9-]+$/, 'clé en minuscules, chiffres et tirets');

/** The sectors of offers when a territory names none: a general list, nothing local. */
export const DEFAULT_OFFER_SECTORS: ReadonlyArray<{ key: string; label: string }> = [
  { key: 'sante-social', label: 'Santé et médico-social' },
  { key: 'commerce', label: 'Commerce' },
  { key: 'artisanat', label: 'Artisanat' },
  { key: 'agriculture', label: 'Agriculture' },
  { key: 'tourisme', label: 'Tourisme, hôtellerie et restauration' },
  { key: 'industrie', label: 'Industrie' },
  { key: 'batiment', label: 'Bâtiment et travaux publics' },
  { key: 'transport', label: 'Transport et logistique' },
  { key: 'services', label: 'Services' },
  { key: 'education', label: 'Éducation et formation' },
  { key: 'numerique', label: 'Numérique' },
  { key: 'fonction-publique', label: 'Fonction publique' },
  { key: 'logement', label: 'Logement' },
];

export const territorySchema = z.object({
  id: key,
  name: z.string().min(1),
  /** "en Lozère", "dans le Cantal": the French preposition varies. */
  inName: z.string().min(1),
  /** The name as a sentence uses it, with its article: "la Lozère", "le Cantal" ("découvrir la Lozère"). */
  theName: z.string().min(1).optional(),
  programmeName: z.string().min(1),
  webinarSeriesName: z.string().min(1),
  tagline: z.string().min(1),
  authority: z
    .object({
      name: z.string().min(1),
      /** The name with its article, as a sentence uses it: "le Département de la Lozère", "la Communauté de communes…". */
      the: z.string().min(1).optional(),
      /** "du Département de la Lozère", "de la Communauté de communes…". */
      of: z.string().min(1).optional(),
      address: z.string().min(1),
      publicationDirector: z.string().min(1),
      siret: z.string().optional(),
    })
    .transform((a) => ({ ...a, the: a.the ?? `le ${a.name}`, of: a.of ?? `du ${a.name}` })),
  host: z.object({ name: z.string().min(1), address: z.string().min(1) }),
  identity: z.object({
    logoText: z.string().min(1),
    logoSubtext: z.string().default(''),
    colours: z.object({ primary: colour, primaryDark: colour, accent: colour, surface: colour, text: colour }),
  }),
  contact: z.object({ email: z.email(), phone: z.string().optional(), address: z.string().optional() }),
  dpo: z.object({ name: z.string().min(1), email: z.email(), address: z.string().min(1) }),
  timezone: z.string().default('Europe/Paris'),
  themes: z.array(z.object({ key, label: z.string().min(1), description: z.string().default('') })).min(1),
  regions: z.array(z.object({ key, label: z.string().min(1), towns: z.array(z.string()).default([]) })).min(1),
  heardFrom: z.array(z.object({ key, label: z.string().min(1) })).min(1),
  programme: z.array(z.object({ key, label: z.string().min(1) })).min(1),
  schedule: z.object({
    everyMonths: z.number().int().min(1).max(12),
    /** A month (1-12) that has an edition; the others follow every `everyMonths`. */
    firstMonth: z.number().int().min(1).max(12),
    /** ISO weekday: 1 = Monday … 7 = Sunday. */
    weekday: z.number().int().min(1).max(7),
    /** Which occurrence of the weekday in the month: 1..4, or -1 for the last. */
    weekOfMonth: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(-1)]),
    time: z.string().regex(/^\d{2}:\d{2}$/),
    durationMinutes: z.number().int().min(15).max(480),
    defaultCapacity: z.number().int().min(1).nullable(),
  }),
  /**
   * When reminders go out before a Rencontre, as ISO 8601 durations counted back from its start in the
   * territory's zone: P7D is 7 days before at the same wall-clock time, PT1H one hour before.
   */
  reminders: z.array(z.string().regex(/^P(T?\d+[DHM])+$/, 'durée ISO 8601 attendue, comme P7D ou PT1H')).default(['P7D', 'P1D', 'PT1H']),
  /**
   * Offers (optional): after how many weeks without a word from its owner an offer asks to be
   * confirmed, how many days it then waits before it expires, and the sectors offers are filed under.
   */
  offers: z
    .object({
      confirmAfterWeeks: z.number().int().min(1).max(52).default(8),
      expireAfterDays: z.number().int().min(1).max(90).default(14),
      sectors: z.array(z.object({ key, label: z.string().min(1) })).min(1).default(() => [...DEFAULT_OFFER_SECTORS]),
    })
    .default(() => ({ confirmAfterWeeks: 8, expireAfterDays: 14, sectors: [...DEFAULT_OFFER_SECTORS] })),
  /** Minutes present from which a registrant counts as having attended. */
  attendanceThresholdMinutes: z.number().int().min(1).max(480).default(10),
  retention: z.object({ candidateMonths: z.number().int().min(1).default(36) }),
  /**
   * Who follows a household that asks to be accompanied, by agents' e-mails: by the natural region it
   * looks at, its project, or the theme of the Rencontre it came from (in that order); otherwise the
   * rotation, among `rotation` or among every active agent. Optional: without it, rotation only.
   */
  referents: z
    .object({
      byRegion: z.record(key, z.email('adresse e-mail d’agent attendue')).default({}),
      byProject: z.record(key, z.email('adresse e-mail d’agent attendue')).default({}),
      byTheme: z.record(key, z.email('adresse e-mail d’agent attendue')).default({}),
      rotation: z.array(z.email('adresse e-mail d’agent attendue')).min(1).optional(),
    })
    .strict()
    .optional(),
  accessibility: z.object({
    status: z.enum(['totalement conforme', 'partiellement conforme', 'non conforme']),
    auditDate: z.string().nullable().default(null),
    statementDate: z.string(),
  }),
  /**
   * Which communes are the territory's, from the official administrative data, and the natural region
   * of each: the one of its intercommunality (SIREN of the EPCI), unless the commune itself (INSEE
   * code) is given another. Without it the territory has no communes.
   */
  communes: z
    .object({
      departements: z.array(z.string().regex(/^(\d{2,3}|2[AB])$/, 'code de département attendu, comme 48 ou 2A')).min(1),
      regionByEpci: z.record(z.string().regex(/^\d{9}$/, 'SIREN de l’intercommunalité attendu (9 chiffres)'), key).default({}),
      regionByCommune: z.record(z.string().regex(/^(\d{5}|2[AB]\d{3})$/, 'code INSEE de commune attendu (5 caractères)'), key).default({}),
    })
    .strict()
    .optional(),
  /**
   * The outline of a Rencontre's slides: content sections in the order shown, for a generic Rencontre
   * and per theme (a theme without an outline of its own takes the generic one; without a generic one,
   * every section in the catalogue's order).
   */
  slides: z
    .object({
      generic: z.array(key).min(1).optional(),
      byTheme: z.record(key, z.array(key).min(1)).default({}),
    })
    .strict()
    .default({ byTheme: {} }),
}).superRefine((t, ctx) => {
  // A commune sent to a region the territory does not have, or an outline for an unknown theme, is a typo.
  const regions = t.regions.map((r) => r.key);
  for (const field of ['regionByEpci', 'regionByCommune'] as const) {
    for (const [code, region] of Object.entries(t.communes?.[field] ?? {})) {
      if (!regions.includes(region)) ctx.addIssue({ code: 'custom', path: ['communes', field, code], message: `région inconnue : ${region} (attendu : ${regions.join(', ')})` });
    }
  }
  const themes = t.themes.map((x) => x.key);
  for (const theme of Object.keys(t.slides.byTheme)) {
    if (!themes.includes(theme)) ctx.addIssue({ code: 'custom', path: ['slides', 'byTheme', theme], message: `thème inconnu : ${theme} (attendu : ${themes.join(', ')})` });
  }
}).superRefine((t, ctx) => {
  // A mapping to a region or theme the territory does not have would never apply: say so at start.
  for (const [field, known] of [
    ['byRegion', t.regions.map((r) => r.key)],
    ['byTheme', t.themes.map((x) => x.key)],
  ] as const) {
    for (const k of Object.keys(t.referents?.[field] ?? {})) {
      if (!known.includes(k)) ctx.addIssue({ code: 'custom', path: ['referents', field, k], message: `clé inconnue : ${k} (attendu : ${known.join(', ')})` });
    }
  }
}).transform((t) => ({ ...t, theName: t.theName ?? t.name }));

export type Territory = z.infer<typeof territorySchema>;

export class TerritoryError extends Error {}

/** The territories shipped with the application, found from this file so that any working directory works (CLI, services). */
const SHIPPED_TERRITORIES = fileURLToPath(new URL('../../../territories/', import.meta.url));

/** Resolves a territory name (a folder under the application's territories/) or a path to a folder. */
export function territoryDirectory(nameOrPath: string, root = SHIPPED_TERRITORIES): string {
  if (nameOrPath.includes('/') || nameOrPath.includes(path.sep)) return path.resolve(nameOrPath);
  return path.join(root, nameOrPath);
}

export function loadTerritory(nameOrPath: string): Territory {
  const dir = territoryDirectory(nameOrPath);
  const file = path.join(dir, 'territory.json');
  if (!fs.existsSync(file)) throw new TerritoryError(`Territoire introuvable : ${file}`);
  const parsed = territorySchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `- ${i.path.join('.')}: ${i.message}`);
    throw new TerritoryError(`Configuration du territoire invalide (${file}) :\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}

export function themeLabel(t: Territory, themeKey: string | null): string | null {
  if (!themeKey) return null;
  return t.themes.find((x) => x.key === themeKey)?.label ?? themeKey;
}

export function regionLabel(t: Territory, regionKey: string | null): string | null {
  if (!regionKey) return null;
  if (regionKey === 'unknown') return 'Je ne sais pas encore';
  return t.regions.find((x) => x.key === regionKey)?.label ?? regionKey;
}

const WEEKDAYS = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];
const EVERY = ['', 'Tous les mois', 'Tous les deux mois', 'Tous les trois mois', 'Tous les quatre mois', 'Tous les cinq mois', 'Tous les six mois'];

/** "Tous les deux mois, un vendredi de 12 h 30 à 13 h 30": the territory's rule in words. */
export function scheduleSentence(t: Territory): string {
  const r = t.schedule;
  const [h, m] = r.time.split(':').map(Number) as [number, number];
  const end = h * 60 + m + r.durationMinutes;
  const fmt = (mins: number) => `${Math.floor(mins / 60) % 24}\u00a0h\u00a0${String(mins % 60).padStart(2, '0')}`;
  const every = EVERY[r.everyMonths] ?? `Tous les ${r.everyMonths} mois`;
  return `${every}, un ${WEEKDAYS[r.weekday - 1]} de ${fmt(h * 60 + m)} à ${fmt(end)}`;
}

/** "Le Département de la Lozère": the authority at the start of a sentence. */
export function authorityAtStart(t: Territory): string {
  return t.authority.the.charAt(0).toUpperCase() + t.authority.the.slice(1);
}
