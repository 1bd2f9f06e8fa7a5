import { z } from 'zod';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import { horizons } from '../registrations/registration.ts';

/** The help a household can ask for: the programme's five areas of accompaniment. */
export const needs = [
  { value: 'emploi', label: 'Trouver un emploi' },
  { value: 'emploi-conjoint', label: 'Un emploi pour mon conjoint ou ma conjointe' },
  { value: 'reprise', label: 'Créer ou reprendre une entreprise' },
  { value: 'logement', label: 'Trouver un logement' },
  { value: 'ecoles', label: 'Écoles, crèches et garde d’enfants' },
] as const;

export const movers = [
  { value: 'seul', label: 'Moi seul·e' },
  { value: 'couple', label: 'Nous deux, en couple' },
  { value: 'famille', label: 'Toute la famille, avec des enfants' },
  { value: 'autre', label: 'Autre situation' },
] as const;

export const accompanimentFieldOrder = ['project', 'horizon', 'movers', 'needs', 'phone', 'message'];

const valuesOf = (l: ReadonlyArray<{ value: string }>) => l.map((x) => x.value) as [string, ...string[]];

export const accompanimentSchema = z.preprocess(
  (raw) => ({ project: '', horizon: '', movers: '', phone: '', message: '', ...(typeof raw === 'object' && raw ? raw : {}) }),
  z.object({
    project: z.string().trim().min(1, 'Décrivez votre projet en quelques mots').max(2000, 'La description doit faire 2 000 caractères au plus'),
    horizon: z.enum(valuesOf(horizons), { message: 'Indiquez quand vous envisagez de vous installer' }),
    movers: z.enum(valuesOf(movers), { message: 'Indiquez qui s’installerait' }),
    needs: z.array(z.enum(valuesOf(needs))).default([]),
    phone: z
      .string()
      .trim()
      .max(30, 'Le numéro de téléphone doit faire 30 caractères au plus')
      .refine((v) => v === '' || (/^[+0-9 ().-]+$/.test(v) && v.replace(/\D/g, '').length >= 9 && v.replace(/\D/g, '').length <= 15), 'Saisissez un numéro de téléphone valide, comme 06 12 34 56 78')
      .transform((v) => v || null),
    message: z
      .string()
      .trim()
      .max(2000, 'Le message doit faire 2 000 caractères au plus')
      .transform((v) => v || null),
  }),
);
export type AccompanimentForm = z.output<typeof accompanimentSchema>;

export function accompanimentErrors(e: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const i of e.issues) out[String(i.path[0] ?? 'project')] ??= i.message;
  return out;
}
