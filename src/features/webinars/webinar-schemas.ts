import { DateTime } from 'luxon';
import { z } from 'zod';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import type { Territory } from '../territory/territory.ts';
import type { VideoToolKind } from '../video/video-adapter.ts';

export const webinarFieldOrder = ['title', 'kind', 'theme', 'date', 'time', 'durationMinutes', 'capacity', 'videoTool', 'joinUrl', 'summary', 'description', 'programme', 'speakers', 'partners', 'promotionCost', 'status'];

const blank = { ...Object.fromEntries(webinarFieldOrder.map((k) => [k, ''])), videoTool: 'link' };

/** The back-office form of a Rencontre: date and time typed in the territory's zone. */
export function webinarFormSchema(t: Territory, videoTools: readonly VideoToolKind[] = ['link']) {
  const themeKeys = t.themes.map((x) => x.key) as [string, ...string[]];
  const programmeKeys = new Set(t.programme.map((x) => x.key));
  const shape = z
    .object({
      title: z.string().trim().min(1, 'Saisissez le titre de la Rencontre').max(200, 'Le titre doit faire 200 caractères au plus'),
      kind: z.enum(['generic', 'thematic'], { message: 'Indiquez si la Rencontre est généraliste ou thématique' }),
      theme: z.union([z.literal(''), z.enum(themeKeys)], { message: 'Choisissez un thème de la liste' }),
      date: z
        .string()
        .trim()
        .min(1, 'Saisissez la date de la Rencontre')
        .refine((v) => DateTime.fromISO(v).isValid && /^\d{4}-\d{2}-\d{2}$/.test(v), 'Saisissez une date réelle, au format jj/mm/aaaa'),
      time: z
        .string()
        .trim()
        .min(1, 'Saisissez l’heure de début')
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Saisissez une heure au format hh:mm, comme 12:30'),
      durationMinutes: z
        .string()
        .trim()
        .min(1, 'Saisissez la durée en minutes')
        .regex(/^\d+$/, 'La durée doit être un nombre entier de minutes, comme 60')
        .transform(Number)
        .pipe(z.number().min(15, 'La durée doit faire au moins 15 minutes').max(480, 'La durée doit faire 8 heures au plus')),
      capacity: z
        .string()
        .trim()
        .regex(/^\d*$/, 'La capacité doit être un nombre entier, ou vide pour ne pas limiter')
        .transform((v) => (v === '' ? null : Number(v)))
        .pipe(z.number().min(1, 'La capacité doit être d’au moins 1 place').max(100_000, 'La capacité doit faire 100 000 places au plus').nullable()),
      videoTool: z.enum(videoTools as [VideoToolKind, ...VideoToolKind[]], { message: 'Choisissez un outil de visioconférence proposé' }),
      joinUrl: z
        .string()
        .trim()
        .max(2000, 'Le lien est trop long')
        .refine((v) => v === '' || /^https:\/\/[^\s]+$/.test(v), 'Le lien de connexion doit commencer par https://')
        .transform((v) => v || null),
      summary: z.string().trim().max(500, 'Le résumé doit faire 500 caractères au plus'),
      description: z.string().trim().max(10_000, 'La présentation doit faire 10 000 caractères au plus'),
      programme: z.array(z.string()).transform((list) => list.filter((k) => programmeKeys.has(k))),
      speakers: z
        .string()
        .max(5000, 'La liste des intervenants est trop longue')
        .transform((v) =>
          v
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
            .map((l) => {
              const [name, ...role] = l.split(',');
              return { name: name!.trim(), role: role.join(',').trim() };
            }),
        ),
      partners: z
        .string()
        .max(5000, 'La liste des partenaires est trop longue')
        .transform((v) =>
          v
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean),
        ),
      promotionCost: z
        .string()
        .trim()
        .regex(/^(\d+([.,]\d{1,2})?)?$/, 'Le coût doit être un montant en euros, comme 50 ou 49,90')
        .transform((v) => (v === '' ? null : Math.round(Number(v.replace(',', '.')) * 100))),
      status: z.enum(['draft', 'published', 'cancelled'], { message: 'Choisissez le statut de la Rencontre' }),
    })
    .superRefine((v, ctx) => {
      if (v.kind === 'thematic' && !v.theme) ctx.addIssue({ code: 'custom', path: ['theme'], message: 'Choisissez le thème de cette Rencontre thématique' });
    })
    // With Zoom or BigBlueButton each person gets a personal link from the tool: no common link is kept.
    .transform((v) => ({ ...v, theme: v.kind === 'thematic' ? v.theme || null : null, joinUrl: v.videoTool === 'link' ? v.joinUrl : null }));
  return z.preprocess((raw) => {
    const r = { ...blank, ...(typeof raw === 'object' && raw ? raw : {}) } as Record<string, unknown>;
    const p = r.programme;
    r.programme = Array.isArray(p) ? p : typeof p === 'string' && p ? [p] : [];
    return r;
  }, shape);
}

export type WebinarForm = z.output<ReturnType<typeof webinarFormSchema>>;

export function webinarFieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const k = String(issue.path[0] ?? 'title');
    out[k] ??= issue.message;
  }
  return out;
}
