import { z } from 'zod';
import { formatDuration, parseDuration, parseFigureDate, SECTION_KEYS, type ContentDocument, type TravelMode } from './content.ts';

/** What a stored version or territories/<id>/content.json holds for one page. */
const figureSchema = z.object({
  label: z.string().trim().min(1).max(120),
  value: z.string().trim().min(1).max(60),
  source: z.string().trim().min(1).max(200),
  sourceUrl: z.string().trim().url().nullable().default(null),
  date: z.string().refine((d) => parseFigureDate(d) === d, 'date attendue comme 2024, 2024-03 ou 2024-03-12'),
});

export const documentSchema = z.object({
  title: z.string().trim().min(1).max(120),
  summary: z.string().max(600).default(''),
  body: z.string().max(20_000).default(''),
  slide: z.string().max(1_500).default(''),
  notes: z.string().max(5_000).default(''),
  figures: z.array(figureSchema).max(12).default([]),
  images: z.array(z.object({ id: z.string().min(1), alt: z.string().trim().min(1), caption: z.string().default(''), credit: z.string().default('') })).max(12).default([]),
  links: z.array(z.object({ label: z.string().trim().min(1).max(120), url: z.string().trim().url() })).max(12).default([]),
  travelTimes: z
    .array(
      z.object({
        from: z.string().trim().min(1).max(60),
        departement: z.string().regex(/^(\d{2,3}|2[AB])$/),
        to: z.string().trim().max(60).default(''),
        minutes: z.number().int().min(1).max(24 * 60),
        mode: z.enum(['voiture', 'train', 'car', 'avion']),
      }),
    )
    .max(12)
    .default([]),
});

/** territories/<id>/content.json: the pages' first versions, by section key and by region key. */
export const contentFileSchema = z
  .object({
    sections: z.record(z.string(), documentSchema).default({}),
    regions: z.record(z.string(), documentSchema).default({}),
  })
  .strict()
  .superRefine((f, ctx) => {
    for (const k of Object.keys(f.sections)) {
      if (!SECTION_KEYS.includes(k)) ctx.addIssue({ code: 'custom', path: ['sections', k], message: `section inconnue : ${k} (attendu : ${SECTION_KEYS.join(', ')})` });
    }
  });

export type ContentFile = z.infer<typeof contentFileSchema>;

export function parseStoredDocument(json: string, fallbackTitle: string): ContentDocument {
  try {
    const parsed = documentSchema.safeParse(JSON.parse(json));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through: a broken row shows as an empty page rather than an error page
  }
  return documentSchema.parse({ title: fallbackTitle });
}

export type FormValues = Record<string, string>;
export type FieldErrors = Record<string, string>;

/** How many rows of each repeatable group a form shows: the filled ones and a few empty ones to add more. */
export function rowCount(values: FormValues, prefix: string, filled: number, spare = 2): number {
  let highest = -1;
  for (const k of Object.keys(values)) {
    const m = new RegExp(`^${prefix}-(\\d+)-`).exec(k);
    if (m) highest = Math.max(highest, Number(m[1]));
  }
  return Math.min(Math.max(highest + 1, filled + spare), 20);
}

/** The form's fields for a document: the values an edit page starts from. */
export function documentToValues(d: ContentDocument, base: number): FormValues {
  const v: FormValues = { base: String(base), title: d.title, summary: d.summary, body: d.body, slide: d.slide, notes: d.notes, comment: '' };
  d.figures.forEach((f, i) => Object.assign(v, { [`figure-${i}-label`]: f.label, [`figure-${i}-value`]: f.value, [`figure-${i}-source`]: f.source, [`figure-${i}-url`]: f.sourceUrl ?? '', [`figure-${i}-date`]: f.date }));
  d.links.forEach((l, i) => Object.assign(v, { [`link-${i}-label`]: l.label, [`link-${i}-url`]: l.url }));
  d.travelTimes.forEach((t, i) => Object.assign(v, { [`travel-${i}-from`]: t.from, [`travel-${i}-dep`]: t.departement, [`travel-${i}-to`]: t.to, [`travel-${i}-duration`]: formatDuration(t.minutes), [`travel-${i}-mode`]: t.mode }));
  d.images.forEach((im, i) => Object.assign(v, { [`image-${i}-id`]: im.id, [`image-${i}-alt`]: im.alt, [`image-${i}-caption`]: im.caption, [`image-${i}-credit`]: im.credit }));
  return v;
}

const isHttpUrl = (s: string) => {
  try {
    const u = new URL(s);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
};

const rowsOf = (values: FormValues, prefix: string) => {
  const idx = new Set<number>();
  for (const k of Object.keys(values)) {
    const m = new RegExp(`^${prefix}-(\\d+)-`).exec(k);
    if (m && Number(m[1]) < 50) idx.add(Number(m[1]));
  }
  return [...idx].sort((a, b) => a - b);
};

const LIMITS = { title: 120, summary: 600, body: 20_000, slide: 1_500, notes: 5_000, comment: 300 };

/**
 * The edit form → a document, or the errors to show at each field (GOV.UK pattern). A repeatable row
 * left entirely blank is dropped; a row half filled says what it lacks. Images are only ever the ones
 * already stored for the page (`knownImages`): a form cannot point at another file.
 */
export function parseContentForm(values: FormValues, knownImages: ReadonlySet<string>): { document: ContentDocument; comment: string | null; base: number } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const text = (k: keyof typeof LIMITS) => (values[k] ?? '').replace(/\r\n/g, '\n');
  for (const k of Object.keys(LIMITS) as Array<keyof typeof LIMITS>) {
    if (text(k).length > LIMITS[k]) errors[k] = `Ce texte est trop long : ${LIMITS[k]} caractères au plus (il en a ${text(k).length}).`;
  }
  const title = text('title').trim();
  if (!title) errors.title = 'Saisissez le titre de la page.';

  const figures: ContentDocument['figures'] = [];
  for (const i of rowsOf(values, 'figure')) {
    const get = (f: string) => (values[`figure-${i}-${f}`] ?? '').trim();
    const row = { label: get('label'), value: get('value'), source: get('source'), url: get('url'), date: get('date') };
    if (!Object.values(row).some(Boolean)) continue;
    const n = `du chiffre clé n°\u00a0${i + 1}`;
    if (!row.label) errors[`figure-${i}-label`] = `Saisissez ce que mesure le chiffre clé n°\u00a0${i + 1}, comme « Taux de chômage ».`;
    else if (row.label.length > 120) errors[`figure-${i}-label`] = `Le libellé ${n} est trop long : 120 caractères au plus.`;
    if (!row.value) errors[`figure-${i}-value`] = `Saisissez la valeur ${n}, comme « 4,8 % ».`;
    else if (row.value.length > 60) errors[`figure-${i}-value`] = `La valeur ${n} est trop longue : 60 caractères au plus.`;
    if (!row.source) errors[`figure-${i}-source`] = `Saisissez la source ${n}, comme « INSEE » : un chiffre sans source ne peut pas être vérifié.`;
    else if (row.source.length > 200) errors[`figure-${i}-source`] = `La source ${n} est trop longue : 200 caractères au plus.`;
    if (row.url && !isHttpUrl(row.url)) errors[`figure-${i}-url`] = `L’adresse de la source ${n} doit commencer par https:// ou http://.`;
    const date = parseFigureDate(row.date);
    if (!row.date) errors[`figure-${i}-date`] = `Saisissez la date ${n} : l’année, le mois ou le jour, comme 2024, 03/2024 ou 12/03/2024.`;
    else if (!date) errors[`figure-${i}-date`] = `La date ${n} doit être une année, un mois ou un jour réels, comme 2024, 03/2024 ou 12/03/2024.`;
    figures.push({ label: row.label, value: row.value, source: row.source, sourceUrl: row.url || null, date: date ?? row.date });
  }
  if (figures.length > 12) errors['figure-12-label'] = 'Douze chiffres clés au plus par page.';

  const links: ContentDocument['links'] = [];
  for (const i of rowsOf(values, 'link')) {
    const label = (values[`link-${i}-label`] ?? '').trim();
    const url = (values[`link-${i}-url`] ?? '').trim();
    if (!label && !url) continue;
    if (!label) errors[`link-${i}-label`] = `Saisissez le texte du lien n°\u00a0${i + 1}, qui dit où il mène.`;
    else if (label.length > 120) errors[`link-${i}-label`] = `Le texte du lien n°\u00a0${i + 1} est trop long : 120 caractères au plus.`;
    if (!url) errors[`link-${i}-url`] = `Saisissez l’adresse du lien n°\u00a0${i + 1}.`;
    else if (!isHttpUrl(url)) errors[`link-${i}-url`] = `L’adresse du lien n°\u00a0${i + 1} doit commencer par https:// ou http://.`;
    links.push({ label, url });
  }

  const travelTimes: ContentDocument['travelTimes'] = [];
  for (const i of rowsOf(values, 'travel')) {
    const from = (values[`travel-${i}-from`] ?? '').trim();
    const dep = (values[`travel-${i}-dep`] ?? '').trim().toUpperCase();
    const duration = (values[`travel-${i}-duration`] ?? '').trim();
    const mode = (values[`travel-${i}-mode`] ?? '').trim();
    const to = (values[`travel-${i}-to`] ?? '').trim();
    if (!from && !dep && !duration && !to) continue;
    const n = `du trajet n°\u00a0${i + 1}`;
    if (!from) errors[`travel-${i}-from`] = `Saisissez la ville de départ ${n}.`;
    if (!/^(\d{2,3}|2[AB])$/.test(dep)) errors[`travel-${i}-dep`] = `Saisissez le numéro de département de la ville de départ ${n}, comme 34 ou 69 : il la place sur la carte.`;
    const minutes = parseDuration(duration);
    if (minutes === null || minutes < 1 || minutes > 24 * 60) errors[`travel-${i}-duration`] = `Saisissez la durée ${n}, comme 1 h 40 ou 100 min.`;
    if (!['voiture', 'train', 'car', 'avion'].includes(mode)) errors[`travel-${i}-mode`] = `Choisissez le moyen de transport ${n}.`;
    if (to.length > 60) errors[`travel-${i}-to`] = `La destination ${n} est trop longue : 60 caractères au plus.`;
    travelTimes.push({ from, departement: dep, to, minutes: minutes ?? 0, mode: (mode || 'voiture') as TravelMode });
  }

  const images: ContentDocument['images'] = [];
  for (const i of rowsOf(values, 'image')) {
    const id = values[`image-${i}-id`] ?? '';
    if (!knownImages.has(id)) continue;
    if (values[`image-${i}-remove`]) continue;
    const alt = (values[`image-${i}-alt`] ?? '').trim();
    if (!alt) errors[`image-${i}-alt`] = `Décrivez l’image n°\u00a0${i + 1} pour les personnes qui ne la voient pas (texte alternatif), ou cochez « Retirer cette image ».`;
    else if (alt.length > 250) errors[`image-${i}-alt`] = `Le texte alternatif de l’image n°\u00a0${i + 1} est trop long : 250 caractères au plus.`;
    images.push({ id, alt, caption: (values[`image-${i}-caption`] ?? '').trim().slice(0, 250), credit: (values[`image-${i}-credit`] ?? '').trim().slice(0, 120) });
  }

  const base = Number.parseInt(values.base ?? '', 10);
  if (!Number.isInteger(base) || base < 0) errors.title ??= 'Le formulaire est incomplet : rechargez la page et recommencez.';
  if (Object.keys(errors).length) return { errors };
  const comment = text('comment').trim();
  return {
    document: { title, summary: text('summary').trim(), body: text('body').trim(), slide: text('slide').trim(), notes: text('notes').trim(), figures, images, links, travelTimes },
    comment: comment || null,
    base,
  };
}
