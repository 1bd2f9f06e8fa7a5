import { z } from 'zod';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import { partnerThemes } from './partner.ts';

const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} doit faire ${max.toLocaleString('fr-FR')} caractères au plus`)
    .transform((v) => v || null);

export const optionalEmail = (message: string) =>
  z
    .string()
    .trim()
    .max(254, 'L’adresse e-mail est trop longue')
    .refine((v) => v === '' || z.email().safeParse(v).success, message)
    .transform((v) => v || null);

export const optionalPhone = z
  .string()
  .trim()
  .max(30, 'Le numéro de téléphone doit faire 30 caractères au plus')
  .refine((v) => v === '' || (/^[+0-9 ().-]+$/.test(v) && v.replace(/\D/g, '').length >= 9 && v.replace(/\D/g, '').length <= 15), 'Saisissez un numéro de téléphone valide, comme 04 66 12 34 56')
  .transform((v) => v || null);

const website = z
  .string()
  .trim()
  .max(300, 'L’adresse du site doit faire 300 caractères au plus')
  .refine((v) => v === '' || /^https?:\/\/[^\s/$.?#].[^\s]*$/i.test(v), 'Saisissez l’adresse complète du site, commençant par https://')
  .transform((v) => v || null);

const themeValues = partnerThemes.map((t) => t.value) as [string, ...string[]];

/** The partner form of the back-office; `regions` is checked against the territory by the caller. */
export function partnerSchema(regionKeys: readonly string[]) {
  return z.preprocess(
    (raw) => ({ name: '', role: '', email: '', phone: '', website: '', address: '', contactName: '', contactTitle: '', contactEmail: '', contactPhone: '', ...(typeof raw === 'object' && raw ? raw : {}) }),
    z.object({
      name: z.string().trim().min(1, 'Saisissez le nom de l’organisation').max(150, 'Le nom doit faire 150 caractères au plus'),
      role: z.string().trim().min(1, 'Décrivez en une phrase ce que l’organisation fait pour les nouveaux habitants').max(1000, 'La description doit faire 1 000 caractères au plus'),
      themes: z.array(z.enum(themeValues, { message: 'Choisissez des thèmes dans la liste' })).min(1, 'Cochez au moins un thème'),
      regions: z.array(z.string().refine((r) => regionKeys.includes(r), 'Choisissez des régions dans la liste')).default([]),
      email: optionalEmail('Saisissez une adresse e-mail valide, comme accueil@exemple.fr'),
      phone: optionalPhone,
      website,
      address: optionalText(300, 'L’adresse'),
      contactName: optionalText(100, 'Le nom du contact'),
      contactTitle: optionalText(100, 'La fonction du contact'),
      contactEmail: optionalEmail('Saisissez une adresse e-mail valide pour le contact, comme prenom.nom@exemple.fr'),
      contactPhone: optionalPhone,
    }),
  );
}
export type PartnerForm = z.output<ReturnType<typeof partnerSchema>>;
export const partnerFieldOrder = ['name', 'role', 'themes', 'regions', 'email', 'phone', 'website', 'address', 'contactName', 'contactTitle', 'contactEmail', 'contactPhone'];

export const partnerUserSchema = z.object({
  name: z.string().trim().min(1, 'Saisissez le nom de la personne').max(100, 'Le nom doit faire 100 caractères au plus'),
  email: z.string().trim().min(1, 'Saisissez l’adresse e-mail de la personne').max(254, 'L’adresse e-mail est trop longue').pipe(z.email('Saisissez une adresse e-mail valide, comme nom@exemple.fr')),
});

/** The first message of each field, for the form kit. */
export function fieldErrors(e: z.ZodError, fallback = 'name'): FieldErrors {
  const out: FieldErrors = {};
  for (const i of e.issues) out[String(i.path[0] ?? fallback)] ??= i.message;
  return out;
}

/** The form's body with its repeated fields (checkboxes) as arrays. */
export function formWithLists(params: URLSearchParams, lists: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.fromEntries(params);
  for (const l of lists) out[l] = params.getAll(l);
  return out;
}
