import { z } from 'zod';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Territory } from '../territory/territory.ts';
import { households, horizons, projects, UNKNOWN_REGION } from './registration.ts';

const trimmed = (max: number, tooLong: string) => z.string().trim().max(max, tooLong);
const optionalText = (max: number, tooLong: string) =>
  z
    .string()
    .trim()
    .max(max, tooLong)
    .optional()
    .transform((v) => (v ? v : null));

const valuesOf = (list: ReadonlyArray<{ value: string }>) => list.map((x) => x.value) as [string, ...string[]];

/** The order of the fields on the page: the error summary lists errors in this order. */
export const registrationFieldOrder = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'livesIn',
  'postcode',
  'town',
  'country',
  'project',
  'household',
  'horizon',
  'desiredRegion',
  'heardFrom',
  'question',
];

const addressFields = new Set(['livesIn', 'postcode', 'town', 'country']);

export function registrationFormSchema(t: Territory) {
  const regionKeys = [UNKNOWN_REGION, ...t.regions.map((r) => r.key)] as [string, ...string[]];
  const heardKeys = t.heardFrom.map((h) => h.key) as [string, ...string[]];
  // A field missing from the post (a robot, an old page) reads as empty, so it gets the French message.
  // Built key by key in one order, not by spreading the post over blanks: zod reads an object of one
  // shape several times faster (3 µs against 15 for a registration).
  const withBlanks = (raw: unknown) => {
    const post = (typeof raw === 'object' && raw ? raw : {}) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of registrationFieldOrder) out[k] = Object.hasOwn(post, k) ? post[k] : '';
    // Unknown keys are dropped by the object below anyway.
    out.newsOptIn = Object.hasOwn(post, 'newsOptIn') ? post.newsOptIn : undefined;
    return out;
  };
  const shape = z
    .object({
      firstName: trimmed(100, 'Le prénom doit faire 100 caractères au plus').min(1, 'Saisissez votre prénom'),
      lastName: trimmed(100, 'Le nom doit faire 100 caractères au plus').min(1, 'Saisissez votre nom'),
      email: z
        .string()
        .trim()
        .min(1, 'Saisissez votre adresse e-mail')
        .max(254, 'L’adresse e-mail doit faire 254 caractères au plus')
        .pipe(z.email('Saisissez une adresse e-mail valide, comme nom@exemple.fr')),
      phone: optionalText(30, 'Le numéro de téléphone doit faire 30 caractères au plus').refine(
        (v) => v === null || (/^[+0-9 ().-]+$/.test(v) && v.replace(/\D/g, '').length >= 9 && v.replace(/\D/g, '').length <= 15),
        'Saisissez un numéro de téléphone valide, comme 06 12 34 56 78 ou +33 6 12 34 56 78',
      ),
      livesIn: z.enum(['france', 'etranger'], { message: 'Indiquez si vous habitez en France ou à l’étranger' }),
      postcode: optionalText(10, 'Le code postal doit faire 5 chiffres'),
      town: optionalText(100, 'Le nom de la commune doit faire 100 caractères au plus'),
      country: optionalText(100, 'Le nom du pays doit faire 100 caractères au plus'),
      project: z.enum(valuesOf(projects), { message: 'Choisissez votre projet' }),
      household: z.enum(valuesOf(households), { message: 'Indiquez avec qui vous envisagez de vous installer' }),
      horizon: z.enum(valuesOf(horizons), { message: 'Indiquez quand vous envisagez de vous installer' }),
      desiredRegion: z.enum(regionKeys, { message: `Choisissez où vous imaginez vivre ${t.inName}, ou « Je ne sais pas encore »` }),
      heardFrom: z
        .union([z.literal(''), z.enum(heardKeys)], { message: 'Choisissez une réponse dans la liste' })
        .optional()
        .transform((v) => (v ? v : null)),
      question: optionalText(1000, 'Votre question doit faire 1 000 caractères au plus'),
      newsOptIn: z
        .string()
        .optional()
        .transform((v) => v === 'oui'),
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
      // zod skips a refinement once any field has failed; GOV.UK wants every error at once, so this one
      // runs whenever the fields it reads are themselves valid.
      { when: (payload) => !payload.issues.some((i) => addressFields.has(String(i.path?.[0]))) },
    )
    .transform((v) => ({
      ...v,
      postcode: v.livesIn === 'france' && v.postcode ? v.postcode.replace(/\s/g, '') : null,
      town: v.livesIn === 'france' ? v.town : null,
      country: v.livesIn === 'etranger' ? v.country : 'France',
    }));
  return z.preprocess(withBlanks, shape);
}

export type RegistrationForm = z.output<ReturnType<typeof registrationFormSchema>>;

/** The campaign a visitor came from, kept with the registration; anything else in the link is ignored. */
export const sourceSchema = z.object({
  utmSource: z.string().trim().max(100).optional().transform((v) => v || null).catch(null),
  utmMedium: z.string().trim().max(100).optional().transform((v) => v || null).catch(null),
  utmCampaign: z.string().trim().max(150).optional().transform((v) => v || null).catch(null),
});
export type Source = z.output<typeof sourceSchema>;

/** zod issues → one French message per field, the first one found. */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const k = String(issue.path[0] ?? 'form');
    if (!(k in out)) out[k] = issue.message;
  }
  return out;
}
