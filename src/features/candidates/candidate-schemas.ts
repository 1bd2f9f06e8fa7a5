import { z } from 'zod';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import { stages, abandonReasons } from './change-stage.ts';
import { agentEntryKinds, housingPlans, maturities, memberKinds, projectTypes, schoolNeeds } from './candidate-file.ts';
import { horizons } from '../registrations/registration.ts';
import { parseDay } from '../tasks/task.ts';

/** The forms of the candidate file, each field with the French message shown beside it. */

const valuesOf = (l: ReadonlyArray<{ value: string }>) => l.map((x) => x.value) as [string, ...string[]];
const blankToNull = (v: string) => (v === '' ? null : v);
const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} doit faire ${max.toLocaleString('fr-FR')} caractères au plus`)
    .transform(blankToNull);
/** A choice from a list, or nothing: an empty select is "not known yet", not an error. */
const optionalChoice = (list: ReadonlyArray<{ value: string }>, message: string) =>
  z
    .string()
    .refine((v) => v === '' || list.some((x) => x.value === v), message)
    .transform(blankToNull);

function withDefaults<T extends z.ZodTypeAny>(defaults: Record<string, string>, schema: T) {
  return z.preprocess((raw) => ({ ...defaults, ...(typeof raw === 'object' && raw ? raw : {}) }), schema);
}

export function fieldErrors(e: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const i of e.issues) out[String(i.path[0] ?? 'form')] ??= i.message;
  return out;
}

const phone = z
  .string()
  .trim()
  .max(30, 'Le numéro de téléphone doit faire 30 caractères au plus')
  .refine((v) => v === '' || (/^[+0-9 ().-]+$/.test(v) && v.replace(/\D/g, '').length >= 9 && v.replace(/\D/g, '').length <= 15), 'Saisissez un numéro de téléphone valide, comme 06 12 34 56 78')
  .transform(blankToNull);

export const identityFieldOrder = ['firstName', 'lastName', 'email', 'phone', 'postcode', 'town', 'country'];
export const identitySchema = withDefaults(
  { firstName: '', lastName: '', email: '', phone: '', postcode: '', town: '', country: '' },
  z.object({
    firstName: z.string().trim().min(1, 'Saisissez le prénom').max(100, 'Le prénom doit faire 100 caractères au plus'),
    lastName: z.string().trim().min(1, 'Saisissez le nom').max(100, 'Le nom doit faire 100 caractères au plus'),
    email: z.string().trim().max(254, 'L’adresse e-mail doit faire 254 caractères au plus').pipe(z.email('Saisissez une adresse e-mail valide, comme nom@exemple.fr')),
    phone,
    postcode: z
      .string()
      .trim()
      .refine((v) => v === '' || /^[0-9A-Za-z -]{2,10}$/.test(v), 'Saisissez un code postal valide, comme 69003')
      .transform(blankToNull),
    town: optionalText(100, 'La commune'),
    country: optionalText(100, 'Le pays'),
  }),
);
export type IdentityForm = z.output<typeof identitySchema>;

export const projectFieldOrder = ['projectType', 'sector', 'maturity', 'horizon', 'desiredRegion', 'commune', 'communeCode', 'housingPlan', 'drivingLicence'];
export function projectSchema(regionKeys: string[]) {
  return withDefaults(
    { projectType: '', sector: '', maturity: '', horizon: '', desiredRegion: '', commune: '', communeCode: '', housingPlan: '', drivingLicence: '' },
    z.object({
      projectType: optionalChoice(projectTypes, 'Choisissez un type de projet dans la liste'),
      sector: optionalText(120, 'Le secteur'),
      maturity: optionalChoice(maturities, 'Choisissez où en est le projet dans la liste'),
      horizon: optionalChoice(horizons, 'Choisissez un horizon dans la liste'),
      desiredRegion: z
        .string()
        .refine((v) => v === '' || v === 'unknown' || regionKeys.includes(v), 'Choisissez une région dans la liste')
        .transform(blankToNull),
      commune: optionalText(100, 'La commune'),
      communeCode: z
        .string()
        .refine((v) => v === '' || /^[0-9AB]{5}$/.test(v), 'Choisissez une commune dans la liste')
        .transform(blankToNull),
      housingPlan: optionalChoice(housingPlans, 'Choisissez louer, acheter ou pas encore décidé'),
      drivingLicence: z
        .enum(['', 'oui', 'non'], { message: 'Répondez oui ou non' })
        .transform((v) => (v === 'oui' ? 1 : v === 'non' ? 0 : null)),
    }),
  );
}
export type ProjectForm = z.output<ReturnType<typeof projectSchema>>;

export const memberFieldOrder = ['kind', 'firstName', 'age', 'occupation', 'needsJob', 'schoolNeed'];
export const memberSchema = withDefaults(
  { kind: '', firstName: '', age: '', occupation: '', needsJob: '', schoolNeed: '' },
  z
    .object({
      kind: z.enum(valuesOf(memberKinds), { message: 'Dites s’il s’agit d’un adulte ou d’un enfant' }),
      firstName: optionalText(60, 'Le prénom'),
      age: z
        .string()
        .trim()
        .refine((v) => v === '' || (/^\d{1,3}$/.test(v) && Number(v) <= 120), 'Saisissez un âge en années, comme 8')
        .transform((v) => (v === '' ? null : Number(v))),
      occupation: optionalText(120, 'L’activité'),
      needsJob: z.string().transform((v) => (v === 'oui' ? 1 : 0)),
      schoolNeed: optionalChoice(schoolNeeds, 'Choisissez un besoin dans la liste'),
    })
    .superRefine((m, ctx) => {
      if (m.kind === 'child' && m.age === null) ctx.addIssue({ code: 'custom', path: ['age'], message: 'Saisissez l’âge de l’enfant' });
      if (m.kind === 'child' && m.age !== null && m.age > 25) ctx.addIssue({ code: 'custom', path: ['age'], message: 'Un enfant du foyer a 25 ans au plus : sinon, ajoutez un adulte' });
    })
    // What does not apply to the kind chosen is not kept (a school need for an adult).
    .transform((m) => (m.kind === 'adult' ? { ...m, schoolNeed: null } : { ...m, occupation: null, needsJob: 0 })),
);
export type MemberForm = z.output<typeof memberSchema>;

export const entryFieldOrder = ['kind', 'date', 'text'];
export function entrySchema(today: string) {
  return withDefaults(
    { kind: '', date: '', text: '' },
    z.object({
      kind: z.enum(valuesOf(agentEntryKinds), { message: 'Dites s’il s’agit d’une note, d’un appel ou d’un entretien' }),
      // A day as the date field sends it (2027-01-15) or as typed where there is no date picker
      // (15/01/2027), and a day that exists: Date.parse takes 2027-02-31 for 3 March.
      date: z
        .string()
        .trim()
        .min(1, 'Indiquez la date, comme 15/01/2027')
        .transform((v, ctx) => {
          const day = parseDay(v);
          if (!day) {
            ctx.addIssue({ code: 'custom', message: 'Indiquez une date réelle, comme 15/01/2027' });
            return z.NEVER;
          }
          return day;
        })
        .refine((v) => v <= today, 'La date ne peut pas être dans le futur'),
      text: z.string().trim().min(1, 'Écrivez ce qu’il faut retenir').max(4000, 'Le texte doit faire 4 000 caractères au plus'),
    }),
  );
}
export type EntryForm = z.output<ReturnType<typeof entrySchema>>;

export const stageFieldOrder = ['stage', 'reason'];
export const stageSchema = withDefaults(
  { stage: '', reason: '' },
  z
    .object({
      stage: z.enum(valuesOf(stages), { message: 'Choisissez une étape' }),
      reason: z.string(),
    })
    .superRefine((v, ctx) => {
      if (v.stage === 'abandoned' && !abandonReasons.some((r) => r.value === v.reason)) ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Choisissez le motif de l’abandon' });
    })
    .transform((v) => ({ stage: v.stage as (typeof stages)[number]['value'], reason: v.stage === 'abandoned' ? v.reason : null })),
);

export const viewNameSchema = withDefaults(
  { name: '' },
  z.object({ name: z.string().trim().min(1, 'Donnez un nom à cette vue').max(80, 'Le nom doit faire 80 caractères au plus') }),
);
