import { DateTime } from 'luxon';
import { z } from 'zod';
import type { FieldErrors } from '../../platform/views/form-kit.tsx';
import { parseDay } from '../tasks/task.ts';

/** Domain rules of appointments with a referent: modes, the publishing form, the booking window. */

export type AppointmentMode = 'phone' | 'video';
export const modeLabels: Record<AppointmentMode, string> = { phone: 'Par téléphone', video: 'En visio' };

/** How far ahead a person sees open slots, and how late before a slot they may still take it. */
export const BOOKING_WINDOW_DAYS = 42;
export const MIN_NOTICE_MS = 2 * 3600_000;
/** At most this many slots in one publication: a typo in the hours must not make a hundred. */
export const MAX_SLOTS_AT_ONCE = 24;

export const durations = [15, 20, 30, 45, 60] as const;

const time = /^([01]\d|2[0-3]):([0-5]\d)$/;
const minutesOf = (v: string) => Number(v.slice(0, 2)) * 60 + Number(v.slice(3, 5));

export const slotFieldOrder = ['mode', 'day', 'from', 'to', 'duration', 'videoUrl'];

/** The form a referent fills to publish slots: one day, from one hour to another, cut in equal slots. */
export const publishSlotsSchema = z
  .object({
    mode: z.enum(['phone', 'video'], { message: 'Choisissez par téléphone ou en visio' }),
    day: z
      .string({ error: 'Indiquez le jour des créneaux' })
      .trim()
      .min(1, 'Indiquez le jour des créneaux')
      .transform((v, ctx) => parseDay(v) ?? (ctx.addIssue({ code: 'custom', message: 'Indiquez une date réelle, comme 12/01/2027' }), z.NEVER)),
    from: z.string({ error: 'Indiquez l’heure de début, comme 09:00' }).trim().regex(time, 'Indiquez l’heure de début, comme 09:00'),
    to: z.string({ error: 'Indiquez l’heure de fin, comme 12:00' }).trim().regex(time, 'Indiquez l’heure de fin, comme 12:00'),
    duration: z.coerce.number({ message: 'Choisissez la durée d’un rendez-vous' }).refine((n) => (durations as readonly number[]).includes(n), 'Choisissez la durée d’un rendez-vous'),
    videoUrl: z.string().trim().max(500, 'Le lien doit faire 500 caractères au plus').default(''),
  })
  .superRefine((f, ctx) => {
    if (time.test(f.from) && time.test(f.to)) {
      const span = minutesOf(f.to) - minutesOf(f.from);
      if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'L’heure de fin doit être après l’heure de début' });
      else if (span < f.duration) ctx.addIssue({ code: 'custom', path: ['to'], message: 'Entre le début et la fin, il faut la place d’un rendez-vous au moins' });
      else if (Math.floor(span / f.duration) > MAX_SLOTS_AT_ONCE) ctx.addIssue({ code: 'custom', path: ['to'], message: `Publiez ${MAX_SLOTS_AT_ONCE} créneaux au plus à la fois` });
    }
    if (f.mode === 'video') {
      if (!f.videoUrl) ctx.addIssue({ code: 'custom', path: ['videoUrl'], message: 'Indiquez le lien de la visio, qui sera envoyé à la personne' });
      else if (!/^https:\/\/[^\s/]+\.[^\s]+$/.test(f.videoUrl)) ctx.addIssue({ code: 'custom', path: ['videoUrl'], message: 'Indiquez un lien qui commence par https://' });
    }
  });
export type PublishSlotsForm = z.output<typeof publishSlotsSchema>;

export function zodFieldErrors(e: z.ZodError, fallback: string): FieldErrors {
  const out: FieldErrors = {};
  for (const i of e.issues) out[String(i.path[0] ?? fallback)] ??= i.message;
  return out;
}

/**
 * The slots a publication makes: back to back from `from`, each `duration` minutes, as long as one
 * fits before `to`; wall times of the territory's zone, so 09:00 is 09:00 in winter and in summer.
 */
export function slotsOf(f: Pick<PublishSlotsForm, 'day' | 'from' | 'to' | 'duration'>, zone: string): Array<{ startsAt: Date; endsAt: Date }> {
  const first = DateTime.fromISO(`${f.day}T${f.from}`, { zone });
  const last = DateTime.fromISO(`${f.day}T${f.to}`, { zone });
  const out: Array<{ startsAt: Date; endsAt: Date }> = [];
  for (let start = first; start.plus({ minutes: f.duration }) <= last; start = start.plus({ minutes: f.duration })) {
    out.push({ startsAt: start.toJSDate(), endsAt: start.plus({ minutes: f.duration }).toJSDate() });
  }
  return out;
}

const phoneOk = (v: string) => /^[+0-9 ().-]+$/.test(v) && v.replace(/\D/g, '').length >= 9 && v.replace(/\D/g, '').length <= 15;

export const bookingFieldOrder = ['slot', 'phone', 'topic'];

/** The confirmation a person sends for one slot: a phone number when the referent is to call. */
export function bookingSchema(mode: AppointmentMode) {
  return z.object({
    phone: z
      .string()
      .trim()
      .max(30, 'Le numéro de téléphone doit faire 30 caractères au plus')
      .default('')
      .refine((v) => mode !== 'phone' || v !== '', 'Indiquez le numéro auquel votre référent vous appellera')
      .refine((v) => v === '' || phoneOk(v), 'Saisissez un numéro de téléphone valide, comme 06 12 34 56 78')
      .transform((v) => v || null),
    topic: z
      .string()
      .trim()
      .max(1000, 'Le message doit faire 1 000 caractères au plus')
      .default('')
      .transform((v) => v || null),
  });
}
export type BookingForm = z.output<ReturnType<typeof bookingSchema>>;
