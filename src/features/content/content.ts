/**
 * The territory's content base: one page per section of the catalogue below and one per natural
 * region of the territory's configuration. The catalogue is the same for every territory (what a
 * newcomer asks about); the words, figures and pictures are each territory's own, in the database,
 * first loaded from territories/<id>/content.json.
 */

export const SECTIONS = [
  { key: 'acces', title: 'Venir et se déplacer', hint: 'Où est le territoire, les routes, le train, les temps de trajet depuis les grandes villes.' },
  { key: 'regions', title: 'Les régions naturelles', hint: 'Les régions naturelles et leurs villes principales.' },
  { key: 'qualite-de-vie', title: 'La qualité de vie', hint: 'Nature, calme, sécurité, services, coût de la vie.' },
  { key: 'loisirs-sport', title: 'Loisirs et sport', hint: 'Activités de plein air, associations, équipements sportifs.' },
  { key: 'culture-gastronomie', title: 'Culture et gastronomie', hint: 'Patrimoine, festivals, produits du terroir.' },
  { key: 'ecoles', title: 'Écoles et garde d’enfants', hint: 'De la crèche au lycée, les internats, les transports scolaires.' },
  { key: 'sante', title: 'Santé', hint: 'Hôpitaux, maisons de santé, médecins, établissements médico-sociaux.' },
  { key: 'emploi', title: 'L’emploi et les secteurs qui recrutent', hint: 'Le marché du travail, les métiers recherchés, l’emploi du conjoint.' },
  { key: 'reprise', title: 'Entreprises à reprendre', hint: 'Commerces, artisanat, exploitations agricoles : les réseaux de la transmission.' },
  { key: 'logement', title: 'Se loger', hint: 'Louer, acheter, rénover : les aides et les interlocuteurs.' },
  { key: 'temoignages', title: 'Ils se sont installés', hint: 'Témoignages de personnes et de familles installées.' },
] as const;

export type SectionKey = (typeof SECTIONS)[number]['key'];

export const SECTION_KEYS: readonly string[] = SECTIONS.map((s) => s.key);

export function isSectionKey(k: string): k is SectionKey {
  return SECTION_KEYS.includes(k);
}

export type PageRef = { kind: 'section'; key: string } | { kind: 'region'; key: string };

/** "section:acces" or "region:aubrac": how a page is named in the database. */
export function pageKey(ref: PageRef): string {
  return `${ref.kind}:${ref.key}`;
}

export function parsePageKey(k: string): PageRef | null {
  const m = /^(section|region):([a-z0-9-]+)$/.exec(k);
  return m ? { kind: m[1] as 'section' | 'region', key: m[2]! } : null;
}

export interface Figure {
  label: string;
  value: string;
  source: string;
  sourceUrl: string | null;
  /** When the figure was true: "2024", "2024-03" or "2024-03-12". */
  date: string;
}

export interface ImageRef {
  /** The id of the stored image (content_images.id): never a name chosen by whoever uploaded it. */
  id: string;
  alt: string;
  caption: string;
  credit: string;
}

export interface Link {
  label: string;
  url: string;
}

export type TravelMode = 'voiture' | 'train' | 'car' | 'avion';

export interface TravelTime {
  /** The city people come from. */
  from: string;
  /** Its département, which places it on the map ("34", "69", "75"). */
  departement: string;
  /** Where in the territory the time is counted to ("Mende", "Saint-Chély-d'Apcher"); empty when it is the territory as a whole. */
  to: string;
  minutes: number;
  mode: TravelMode;
}

export interface ContentDocument {
  title: string;
  /** One or two sentences: the lead of the page, the card on the index, the slide when it has no text of its own. */
  summary: string;
  /** The page's text, in Markdown. */
  body: string;
  /** What the slide says (short Markdown: a few bullet points); the summary when empty. */
  slide: string;
  /** The presenter's notes for the slide (Markdown), never shown to the public. */
  notes: string;
  figures: Figure[];
  images: ImageRef[];
  links: Link[];
  travelTimes: TravelTime[];
}

export function emptyDocument(title: string): ContentDocument {
  return { title, summary: '', body: '', slide: '', notes: '', figures: [], images: [], links: [], travelTimes: [] };
}

/** A page with nothing to say yet is left out of the public site and of the slides. */
export function hasContent(d: ContentDocument): boolean {
  return Boolean(d.summary.trim() || d.body.trim() || d.figures.length || d.images.length || d.travelTimes.length);
}

export interface ContentVersion {
  id: string;
  pageKey: string;
  number: number;
  document: ContentDocument;
  createdAt: string;
  createdBy: string | null;
  createdByName: string;
  comment: string | null;
  restoredFrom: number | null;
}

export const STALE_AFTER_DAYS = 365;

/** When the period a figure's date names is over: 2024 → 1 January 2025, 2024-03 → 1 April 2024, 2024-03-12 → 13 March 2024. */
export function figurePeriodEnd(date: string): Date | null {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(date);
  if (!m) return null;
  const y = Number(m[1]);
  if (m[3]) return new Date(Date.UTC(y, Number(m[2]) - 1, Number(m[3]) + 1));
  if (m[2]) return new Date(Date.UTC(y, Number(m[2]), 1));
  return new Date(Date.UTC(y + 1, 0, 1));
}

/**
 * A figure is to be checked ("à vérifier") once the period it describes ended more than a year ago:
 * a newer one has probably been published since. A figure of 2024 is flagged from 2 January 2026.
 */
export function isFigureStale(f: Pick<Figure, 'date'>, now: Date): boolean {
  const end = figurePeriodEnd(f.date);
  if (!end) return true;
  return now.getTime() - end.getTime() > STALE_AFTER_DAYS * 86_400_000;
}

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** "2024", "mars 2024", "12 mars 2024". */
export function formatFigureDate(date: string): string {
  const m = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$/.exec(date);
  if (!m) return date;
  if (m[3]) return `${Number(m[3])}${m[3] === '01' ? 'er' : ''} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
  if (m[2]) return `${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
  return m[1]!;
}

/**
 * What an agent types as a figure's date, in French or ISO order: "2024", "03/2024", "12/03/2024",
 * "2024-03", "2024-03-12". Null when it is no real date.
 */
export function parseFigureDate(input: string): string | null {
  const s = input.trim();
  let y: string | undefined, mo: string | undefined, d: string | undefined;
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})$/.exec(s))) [y] = [m[1]];
  else if ((m = /^(\d{1,2})[/.-](\d{4})$/.exec(s))) [mo, y] = [m[1], m[2]];
  else if ((m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s))) [d, mo, y] = [m[1], m[2], m[3]];
  else if ((m = /^(\d{4})-(\d{1,2})$/.exec(s))) [y, mo] = [m[1], m[2]];
  else if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s))) [y, mo, d] = [m[1], m[2], m[3]];
  else return null;
  const year = Number(y);
  if (year < 1900 || year > 2200) return null;
  if (mo === undefined) return String(year);
  const month = Number(mo);
  if (month < 1 || month > 12) return null;
  const mm = String(month).padStart(2, '0');
  if (d === undefined) return `${year}-${mm}`;
  const day = Number(d);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return `${year}-${mm}-${String(day).padStart(2, '0')}`;
}

/** "1 h 40", "45 min", "3 h". */
export function formatDuration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m}\u00a0min`;
  return m === 0 ? `${h}\u00a0h` : `${h}\u00a0h\u00a0${String(m).padStart(2, '0')}`;
}

/** "1 h 40", "1h40", "100 min", "2 h", "1:40" → minutes; null when unreadable. */
export function parseDuration(input: string): number | null {
  const s = input.trim().toLowerCase().replace(/\s+/g, '');
  let m: RegExpExecArray | null;
  if ((m = /^(\d{1,2})h(\d{1,2})?(min)?$/.exec(s))) return Number(m[1]) * 60 + Number(m[2] ?? 0);
  if ((m = /^(\d{1,2}):(\d{2})$/.exec(s))) return Number(m[1]) * 60 + Number(m[2]);
  if ((m = /^(\d{1,4})(min|mn|minutes?)?$/.exec(s))) return Number(m[1]);
  return null;
}

export const TRAVEL_MODES: Record<TravelMode, string> = { voiture: 'en voiture', train: 'en train', car: 'en car', avion: 'en avion' };

/** "vivre-en-lozere", "vivre-dans-le-cantal": the public pages' address, from the territory's own wording. */
export function livingSlug(inName: string): string {
  return `vivre ${inName}`
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** "Vivre en Lozère", "Vivre dans le Cantal". */
export function livingTitle(inName: string): string {
  return `Vivre ${inName}`;
}

/**
 * A text names a key figure of its page as [[its label]] and shows its current value: the number is
 * typed once, in the figure, and a correction reaches every sentence and slide that quotes it. A name
 * that matches no figure is left as typed, for the agent to see.
 */
export function fillFigures(text: string, figures: readonly Pick<Figure, 'label' | 'value'>[]): string {
  if (!text.includes('[[')) return text;
  const byLabel = new Map(figures.map((f) => [f.label.trim().toLowerCase(), f.value]));
  return text.replace(/\[\[([^\]\n]{1,120})\]\]/g, (whole, label: string) => byLabel.get(label.trim().toLowerCase()) ?? whole);
}
