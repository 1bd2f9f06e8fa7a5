import { z } from 'zod';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import { movers, needs } from '../accompaniment/accompaniment.ts';
import { housingPlans, projectTypes, type ProjectType } from '../candidates/candidate-file.ts';
import { horizons, UNKNOWN_REGION } from '../registrations/registration.ts';
import type { Territory } from '../territory/territory.ts';

/**
 * The first contact form of the programme, for people who have not come to a Rencontre: one topic a
 * page (GOV.UK question pages), saved as they go, then checked and sent. Answers are kept as typed,
 * step by step, and read through these schemas again at the end.
 */

export const STEP_KEYS = ['vous', 'foyer', 'projet', 'lieu', 'quand', 'aide'] as const;
export type StepKey = (typeof STEP_KEYS)[number];
export type Answers = Partial<Record<StepKey, Record<string, string | string[]>>> & { source?: string | null };

/** An unfinished form is kept this long after its last answer, then deleted. */
export const KEEP_DAYS = 30;

export const stepTitles: Record<StepKey, string> = {
  vous: 'Vous',
  foyer: 'Votre foyer',
  projet: 'Votre projet',
  lieu: 'Où vous imaginez vivre',
  quand: 'Quand',
  aide: 'L’aide que vous souhaitez',
};

export const stepFieldOrder: Record<StepKey, string[]> = {
  vous: ['firstName', 'lastName', 'email', 'phone', 'livesIn', 'postcode', 'town', 'country'],
  foyer: ['movers', 'occupation', 'partnerOccupation', 'partnerNeedsJob', 'childrenAges'],
  projet: ['projectType', 'description'],
  lieu: ['region', 'commune', 'housing'],
  quand: ['horizon'],
  aide: ['needs', 'message'],
};

const valuesOf = (list: ReadonlyArray<{ value: string }>) => list.map((x) => x.value) as [string, ...string[]];
const text = (max: number, tooLong: string) => z.string().trim().max(max, tooLong);
const optional = (max: number, tooLong: string) => text(max, tooLong).transform((v) => v || null);
const phoneOk = (v: string) => /^[+0-9 ().-]+$/.test(v) && v.replace(/\D/g, '').length >= 9 && v.replace(/\D/g, '').length <= 15;
/** A field missing from the post (a robot, an old page) reads as empty, so it gets the French message. */
const withBlanks = (keys: string[], lists: string[] = []) => (raw: unknown) => ({
  ...Object.fromEntries(keys.map((k) => [k, lists.includes(k) ? [] : ''])),
  ...(typeof raw === 'object' && raw ? raw : {}),
});

const vousSchema = z.preprocess(
  withBlanks(stepFieldOrder.vous),
  z
    .object({
      firstName: text(100, 'Le prénom doit faire 100 caractères au plus').min(1, 'Saisissez votre prénom'),
      lastName: text(100, 'Le nom doit faire 100 caractères au plus').min(1, 'Saisissez votre nom'),
      email: z.string().trim().min(1, 'Saisissez votre adresse e-mail').max(254, 'L’adresse e-mail doit faire 254 caractères au plus').pipe(z.email('Saisissez une adresse e-mail valide, comme nom@exemple.fr')),
      phone: optional(30, 'Le numéro de téléphone doit faire 30 caractères au plus').refine((v) => v === null || phoneOk(v), 'Saisissez un numéro de téléphone valide, comme 06 12 34 56 78 ou +33 6 12 34 56 78'),
      livesIn: z.enum(['france', 'etranger'], { message: 'Indiquez si vous habitez en France ou à l’étranger' }),
      postcode: optional(10, 'Le code postal doit faire 5 chiffres'),
      town: optional(100, 'Le nom de la commune doit faire 100 caractères au plus'),
      country: optional(100, 'Le nom du pays doit faire 100 caractères au plus'),
    })
    .superRefine(
      (v, ctx) => {
        if (v.livesIn === 'france') {
          if (!v.postcode) ctx.addIssue({ code: 'custom', path: ['postcode'], message: 'Saisissez votre code postal' });
          else if (!/^\d{5}$/.test(v.postcode.replace(/\s/g, ''))) ctx.addIssue({ code: 'custom', path: ['postcode'], message: 'Le code postal doit faire 5 chiffres, comme 75011' });
          if (!v.town) ctx.addIssue({ code: 'custom', path: ['town'], message: 'Saisissez votre commune' });
        } else if (v.livesIn === 'etranger' && !v.country) {
          ctx.addIssue({ code: 'custom', path: ['country'], message: 'Saisissez le pays où vous habitez' });
        }
      },
      // Every error at once (GOV.UK): this runs whenever the fields it reads are valid themselves.
      { when: (payload) => !payload.issues.some((i) => ['livesIn', 'postcode', 'town', 'country'].includes(String(i.path?.[0]))) },
    )
    .transform((v) => ({ ...v, postcode: v.livesIn === 'france' && v.postcode ? v.postcode.replace(/\s/g, '') : null, town: v.livesIn === 'france' ? v.town : null, country: v.livesIn === 'etranger' ? v.country : 'France' })),
);

/** "3, 7, 12" → [3, 7, 12]; null when it is not a list of ages. */
export function parseAges(raw: string): number[] | null {
  const v = raw.trim();
  if (!v) return [];
  const parts = v.split(/[,;]|\s+et\s+/).map((x) => x.trim().replace(/\s*ans?$/i, ''));
  if (parts.some((x) => !/^\d{1,2}$/.test(x))) return null;
  const ages = parts.map(Number);
  return ages.length <= 10 && ages.every((a) => a <= 25) ? ages : null;
}

const foyerSchema = z.preprocess(
  withBlanks(stepFieldOrder.foyer),
  z
    .object({
      movers: z.enum(valuesOf(movers), { message: 'Indiquez qui s’installerait' }),
      occupation: optional(100, 'Votre métier doit faire 100 caractères au plus'),
      partnerOccupation: optional(100, 'Le métier de votre conjoint·e doit faire 100 caractères au plus'),
      partnerNeedsJob: z.enum(['', 'oui', 'non'], { message: 'Répondez par oui ou par non' }).transform((v) => (v === '' ? null : v === 'oui')),
      childrenAges: z.string().transform((v, ctx) => {
        const ages = parseAges(v);
        if (ages === null) {
          ctx.addIssue({ code: 'custom', message: 'Indiquez l’âge de chaque enfant en chiffres, séparés par des virgules, comme 3, 7, 12' });
          return z.NEVER;
        }
        return ages;
      }),
    })
    .transform((v) => (v.movers === 'seul' ? { ...v, partnerOccupation: null, partnerNeedsJob: null } : v)),
);

const projetSchema = z.preprocess(
  withBlanks(stepFieldOrder.projet),
  z.object({
    projectType: z.enum(valuesOf(projectTypes), { message: 'Choisissez le projet qui vous ressemble le plus' }),
    description: text(2000, 'La description doit faire 2 000 caractères au plus').min(1, 'Décrivez votre projet en quelques mots'),
  }),
);

function lieuSchema(t: Territory, communeCodes: ReadonlySet<string>) {
  return z.preprocess(
    withBlanks(stepFieldOrder.lieu),
    z.object({
      region: z.enum([UNKNOWN_REGION, ...t.regions.map((r) => r.key)] as [string, ...string[]], { message: `Choisissez où vous imaginez vivre ${t.inName}, ou « Je ne sais pas encore »` }),
      commune: z
        .string()
        .trim()
        .refine((v) => v === '' || communeCodes.has(v), 'Choisissez une commune de la liste, ou « Pas encore d’idée »')
        .transform((v) => v || null),
      housing: z.enum(valuesOf(housingPlans), { message: 'Indiquez si vous pensez louer ou acheter, ou que ce n’est pas encore décidé' }),
    }),
  );
}

const quandSchema = z.preprocess(withBlanks(stepFieldOrder.quand), z.object({ horizon: z.enum(valuesOf(horizons), { message: 'Indiquez quand vous envisagez de vous installer' }) }));

const aideSchema = z.preprocess(
  withBlanks(stepFieldOrder.aide, ['needs']),
  z.object({
    needs: z.array(z.enum(valuesOf(needs), { message: 'Choisissez parmi les aides proposées' })),
    message: optional(2000, 'Le message doit faire 2 000 caractères au plus'),
  }),
);

export function stepSchemas(t: Territory, communeCodes: ReadonlySet<string>) {
  return { vous: vousSchema, foyer: foyerSchema, projet: projetSchema, lieu: lieuSchema(t, communeCodes), quand: quandSchema, aide: aideSchema };
}
type Schemas = ReturnType<typeof stepSchemas>;
export type StepValues = { [K in StepKey]: z.output<Schemas[K]> };

export function stepErrors(e: z.ZodError, step: StepKey): FieldErrors {
  const out: FieldErrors = {};
  for (const i of e.issues) out[String(i.path[0] ?? stepFieldOrder[step][0])] ??= i.message;
  return out;
}

/** The first step not answered yet, or null when every step is. */
export function firstMissingStep(answers: Answers): StepKey | null {
  return STEP_KEYS.find((k) => !answers[k]) ?? null;
}

/** Every step read again through its schema: all the answers, or the first step to see again. */
export function readAnswers(answers: Answers, schemas: Schemas): { ok: true; values: StepValues } | { ok: false; step: StepKey } {
  const values: Partial<StepValues> = {};
  for (const k of STEP_KEYS) {
    const parsed = schemas[k].safeParse(answers[k] ?? {});
    if (!parsed.success) return { ok: false, step: k };
    (values as Record<string, unknown>)[k] = parsed.data;
  }
  return { ok: true, values: values as StepValues };
}

/** The registration form's project answer that a project type means (the file keeps both). */
export const registrationProjectOf: Record<ProjectType, string> = {
  salarie: 'salarie',
  creation: 'creation-reprise',
  reprise: 'creation-reprise',
  agriculture: 'autre',
  teletravail: 'teletravail',
  reconversion: 'reconversion',
  plusieurs: 'autre',
};

/** The household answer of the registration form that "who would move" means. */
export const householdOf: Record<string, string | null> = { seul: 'seul', couple: 'couple', famille: 'enfants', autre: null };

/** The school or childcare a child of this age needs, as the file's vocabulary says it. */
export function schoolNeedOf(age: number): string {
  if (age < 3) return 'creche';
  if (age < 6) return 'maternelle';
  if (age < 11) return 'elementaire';
  if (age < 15) return 'college';
  if (age < 18) return 'lycee';
  return 'aucun';
}
