import { DateTime } from 'luxon';
import { z } from 'zod';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import { parseDay } from '../tasks/task.ts';

/**
 * Domain rules of an installation and its follow-ups: the vocabulary, the forms, the schedule. The
 * activity values are the ones the statistics label (salarie, creation, reprise, teletravail, autre).
 */

export const activities = [
  { value: 'salarie', label: 'Un emploi salarié' },
  { value: 'creation', label: 'Une création d’entreprise' },
  { value: 'reprise', label: 'Une reprise d’entreprise' },
  { value: 'teletravail', label: 'Du télétravail' },
  { value: 'autre', label: 'Autre activité' },
] as const;

export const housings = [
  { value: 'location', label: 'En location' },
  { value: 'achat', label: 'Propriétaire' },
  { value: 'temporaire', label: 'Logement temporaire' },
  { value: 'autre', label: 'Autre' },
] as const;

export const departureReasons = [
  { value: 'emploi', label: 'Raisons professionnelles' },
  { value: 'logement', label: 'Logement' },
  { value: 'famille', label: 'Raisons familiales' },
  { value: 'cadre-de-vie', label: 'Le cadre de vie ne convenait pas' },
  { value: 'autre', label: 'Autre raison' },
] as const;

export const wellbeingLabels = ['Très difficilement', 'Difficilement', 'Moyennement', 'Bien', 'Très bien'] as const;

export const helpTopics = [
  { value: 'emploi', label: 'Trouver un emploi' },
  { value: 'emploi-conjoint', label: 'Un emploi pour mon conjoint ou ma conjointe' },
  { value: 'logement', label: 'Le logement' },
  { value: 'ecoles', label: 'L’école, la crèche ou la garde des enfants' },
  { value: 'autre', label: 'Autre chose' },
] as const;

/** The months after settling at which a household is asked how it is going. */
export const FOLLOW_UP_MONTHS = [3, 6, 12] as const;
/** Without an answer this many days after the e-mail, the referent is asked to call. */
export const NO_ANSWER_DAYS = 14;

/**
 * The days of the follow-ups of a household settled on `installedOn`: 3, 6 and 12 months later, the
 * same day of the month, or the month's last day when it has none (31 January + 3 months = 30 April;
 * 30 November + 3 months = 29 February in a leap year).
 */
export function followUpDays(installedOn: string): Array<{ months: number; dueOn: string }> {
  const start = DateTime.fromISO(installedOn, { zone: 'utc' });
  return FOLLOW_UP_MONTHS.map((months) => ({ months, dueOn: start.plus({ months }).toISODate()! }));
}

const valuesOf = (l: ReadonlyArray<{ value: string }>) => l.map((x) => x.value) as [string, ...string[]];
const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} doit faire ${max} caractères au plus`)
    .default('')
    .transform((v) => v || null);

/** An empty number field is a missing answer, not zero. */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

const dayWithin = (required: string, bounds: () => { min: string; max: string; tooEarly: string; tooLate: string }) =>
  z
    .string({ error: required })
    .trim()
    .min(1, required)
    .transform((v, ctx) => {
      const day = parseDay(v);
      if (!day) {
        ctx.addIssue({ code: 'custom', message: 'Indiquez une date réelle, comme 12/01/2027' });
        return z.NEVER;
      }
      const b = bounds();
      if (day < b.min) ctx.addIssue({ code: 'custom', message: b.tooEarly });
      else if (day > b.max) ctx.addIssue({ code: 'custom', message: b.tooLate });
      return day;
    });

export const installationFieldOrder = ['installedOn', 'communeCode', 'communeName', 'regionKey', 'adults', 'children', 'activity', 'employer', 'housing'];

/** The form of an installation; `today` bounds the date, `regionKeys` are the territory's. */
export function installationSchema(today: string, regionKeys: string[]) {
  const todayDt = DateTime.fromISO(today);
  return z.object({
    installedOn: dayWithin('Indiquez la date d’installation', () => ({
      min: todayDt.minus({ years: 10 }).toISODate()!,
      max: todayDt.plus({ years: 1 }).toISODate()!,
      tooEarly: 'La date d’installation doit être dans les dix dernières années',
      tooLate: 'La date d’installation doit être dans l’année à venir au plus tard',
    })),
    communeCode: z.string().trim().default(''),
    communeName: optionalText(100, 'Le nom de la commune'),
    regionKey: z
      .string()
      .trim()
      .default('')
      .refine((v) => v === '' || regionKeys.includes(v), 'Choisissez une région de la liste')
      .transform((v) => v || null),
    adults: z.preprocess(blankToUndefined, z.coerce.number({ message: 'Indiquez le nombre d’adultes, en chiffres' }).int('Indiquez un nombre entier d’adultes').min(1, 'Il y a au moins un adulte dans le foyer').max(10, 'Indiquez 10 adultes au plus')),
    children: z.preprocess(blankToUndefined, z.coerce.number({ message: 'Indiquez le nombre d’enfants, en chiffres' }).int('Indiquez un nombre entier d’enfants').min(0, 'Le nombre d’enfants ne peut pas être négatif').max(15, 'Indiquez 15 enfants au plus')),
    activity: z.enum(valuesOf(activities), { message: 'Choisissez l’activité du foyer' }),
    employer: optionalText(200, 'Le nom de l’employeur ou de l’entreprise'),
    housing: z
      .string()
      .trim()
      .default('')
      .refine((v) => v === '' || (valuesOf(housings) as string[]).includes(v), 'Choisissez un logement de la liste')
      .transform((v) => v || null),
  });
}

/**
 * Reads the installation form: every field's error at once, the commune (chosen in the list or
 * typed) included, which depends on two fields and so is checked beside the schema.
 */
export function parseInstallation(body: Record<string, string>, today: string, regionKeys: string[], hasCommuneList: boolean): { ok: true; data: InstallationForm } | { ok: false; errors: FieldErrors } {
  const parsed = installationSchema(today, regionKeys).safeParse(body);
  const errors: FieldErrors = parsed.success ? {} : fieldErrors(parsed.error, 'installedOn');
  if (!body.communeCode?.trim() && !body.communeName?.trim()) {
    errors[hasCommuneList ? 'communeCode' : 'communeName'] = hasCommuneList ? 'Choisissez la commune, ou écrivez son nom si elle n’est pas dans la liste' : 'Indiquez la commune où le foyer s’est installé';
  }
  return parsed.success && Object.keys(errors).length === 0 ? { ok: true, data: parsed.data } : { ok: false, errors };
}
export type InstallationForm = z.output<ReturnType<typeof installationSchema>>;

export const departureFieldOrder = ['leftOn', 'reason'];

export function departureSchema(installedOn: string, today: string) {
  return z.object({
    leftOn: dayWithin('Indiquez la date du départ', () => ({ min: installedOn, max: today, tooEarly: 'Le départ ne peut pas précéder l’installation', tooLate: 'Le départ ne peut pas être à venir' })),
    reason: z.enum(valuesOf(departureReasons), { message: 'Choisissez la raison du départ' }),
  });
}
export type DepartureForm = z.output<ReturnType<typeof departureSchema>>;

export const followUpFieldOrder = ['wellbeing', 'stillThere', 'help', 'message'];

export const followUpAnswerSchema = z.preprocess(
  (raw) => ({ wellbeing: '', stillThere: '', message: '', help: [], ...(typeof raw === 'object' && raw ? raw : {}) }),
  z.object({
    wellbeing: z.coerce.number().int().min(1, 'Dites-nous comment se passe votre installation').max(5, 'Dites-nous comment se passe votre installation'),
    stillThere: z.enum(['oui', 'non'], { message: 'Dites-nous si vous vivez toujours sur le territoire' }).transform((v) => v === 'oui'),
    help: z.array(z.enum(valuesOf(helpTopics), { message: 'Choisissez parmi les aides proposées' })).default([]),
    message: optionalText(2000, 'Le message'),
  }),
);
export type FollowUpAnswer = z.output<typeof followUpAnswerSchema>;

export function fieldErrors(e: z.ZodError, fallback: string): FieldErrors {
  const out: FieldErrors = {};
  for (const i of e.issues) out[String(i.path[0] ?? fallback)] ??= i.message;
  return out;
}

/** "à Mende", but "au Malzieu-Ville" and "aux Bondons": French contracts "à le" and "à les" before a commune's article. */
export function atCommune(name: string): string {
  if (/^Le /.test(name)) return `au ${name.slice(3)}`;
  if (/^Les /.test(name)) return `aux ${name.slice(4)}`;
  return `à ${name}`;
}

export function labelOf(list: ReadonlyArray<{ value: string; label: string }>, value: string | null): string | null {
  if (!value) return null;
  return list.find((x) => x.value === value)?.label ?? value;
}
