import { z } from 'zod';
import { optionalEmail, optionalPhone } from '../partners/partner-schemas.ts';
import { OFFER_TYPE_VALUES } from './offer.ts';

const isoDay = (label: string) =>
  z
    .string()
    .trim()
    .refine((v) => v === '' || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v)), `Saisissez ${label} au format jour/mois/année, par exemple 31/12/2027`)
    .transform((v) => v || null);

/** Dates typed as 31/12/2027 (a spreadsheet, a browser without a date picker) are read as 2027-12-31. */
export function normaliseDay(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const m = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/.exec(v);
  return m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : v;
}

export interface OfferVocabulary {
  sectors: readonly string[];
  regions: readonly string[];
}

/**
 * The fields of an offer, from the form or from one line of an imported file. The commune is checked
 * against the territory's communes by the use case (it needs the database); everything else here.
 */
export function offerSchema(v: OfferVocabulary) {
  return z
    .preprocess(
      (raw) => {
        const r = { title: '', type: '', sector: '', commune: '', region: '', description: '', conditions: '', contactName: '', contactEmail: '', contactPhone: '', validFrom: '', validUntil: '', ...(typeof raw === 'object' && raw ? raw : {}) } as Record<string, unknown>;
        return { ...r, validFrom: normaliseDay(r.validFrom), validUntil: normaliseDay(r.validUntil) };
      },
      z.object({
        title: z.string().trim().min(1, 'Saisissez le titre de l’offre').max(150, 'Le titre doit faire 150 caractères au plus'),
        type: z.enum(OFFER_TYPE_VALUES, { message: 'Choisissez le type d’offre : emploi, entreprise à reprendre, local, exploitation agricole ou logement' }),
        sector: z.string().refine((s) => v.sectors.includes(s), 'Choisissez le secteur dans la liste'),
        commune: z.string().trim().min(1, 'Saisissez la commune, par exemple Mende').max(100, 'Le nom de la commune doit faire 100 caractères au plus'),
        region: z
          .string()
          .trim()
          .refine((r) => r === '' || v.regions.includes(r), 'Choisissez la région dans la liste')
          .transform((r) => r || null),
        description: z.string().trim().min(1, 'Décrivez l’offre en quelques lignes').max(5000, 'La description doit faire 5 000 caractères au plus'),
        conditions: z.string().trim().max(2000, 'Les conditions doivent faire 2 000 caractères au plus'),
        contactName: z
          .string()
          .trim()
          .max(100, 'Le nom du contact doit faire 100 caractères au plus')
          .transform((x) => x || null),
        contactEmail: optionalEmail('Saisissez une adresse e-mail de contact valide, comme recrutement@exemple.fr'),
        contactPhone: optionalPhone,
        validFrom: isoDay('la date de début'),
        validUntil: isoDay('la date de fin'),
      }),
    )
    .refine((o) => !(o.validFrom && o.validUntil && o.validUntil < o.validFrom), {
      path: ['validUntil'],
      message: 'La date de fin doit être après la date de début',
      // Checked even when other fields are wrong, so that every problem is said at once.
      when: (payload) => {
        const v = payload.value as { validFrom?: unknown; validUntil?: unknown } | undefined;
        return typeof v?.validFrom === 'string' && typeof v?.validUntil === 'string' && !payload.issues.some((i) => i.path?.[0] === 'validFrom' || i.path?.[0] === 'validUntil');
      },
    });
}
export type OfferForm = z.output<ReturnType<typeof offerSchema>>;
export const offerFieldOrder = ['title', 'type', 'sector', 'commune', 'region', 'description', 'conditions', 'partner', 'contactName', 'contactEmail', 'contactPhone', 'validFrom', 'validUntil'];
