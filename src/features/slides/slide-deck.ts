import { randomUUID } from 'node:crypto';
import { recordAudit, type Actor } from '../../platform/audit/audit.ts';
import type { AgentRow } from '../../platform/db/schema.ts';
import type { Services } from '../../services.ts';
import { listActiveReferents } from '../agents/agents-repository.ts';
import { fillFigures, SECTION_KEYS, type ContentDocument } from '../content/content.ts';
import { loadContentPages, type ContentPage } from '../content/content-base.ts';
import { contentDbOf, imageSizes } from '../content/content-repository.ts';
import type { Webinar } from '../webinars/webinar.ts';
import { applyChange, defaultOutline, defaultPlan, parsePlan, type Plan, type PlanChange } from './deck.ts';

/** One slide as the presenter view, the notes and the print view show it. */
export type Slide =
  | { kind: 'title'; id: string; title: string; notes: string }
  | { kind: 'section'; id: string; title: string; page: ContentPage; notes: string }
  | { kind: 'custom'; id: string; title: string; body: string; notes: string }
  | { kind: 'accompaniment'; id: string; title: string; notes: string; referents: string[] };

/** A line of the editor: every item of the plan, with what it would show. */
export interface PlanLine {
  ref: string;
  hidden: boolean;
  title: string;
  source: 'section' | 'custom';
  /** A section without content yet is kept in the plan but not shown. */
  isEmpty: boolean;
}

export interface Deck {
  webinar: Webinar;
  plan: Plan;
  isAdjusted: boolean;
  lines: PlanLine[];
  slides: Slide[];
  /** Sections of the catalogue, with content, that the plan does not have: what "add a section" offers. */
  missingSections: ContentPage[];
  imageSizes: Map<string, { width: number; height: number }>;
  /** Where people without a registration ask to be accompanied, and the same written short for a slide. */
  accompanimentUrl: string;
  accompanimentShort: string;
}

const ACCOMPANIMENT_PATH = '/premier-contact';

async function storedPlan(s: Services, webinarId: string): Promise<Plan | null> {
  const row = await contentDbOf(s.db.kysely).selectFrom('slide_decks').select('plan').where('webinar_id', '=', webinarId).executeTakeFirst();
  return row ? parsePlan(row.plan) : null;
}

/**
 * The slides of a Rencontre, built now from the content base and the edition's plan: a section's
 * slide shows its latest version, so a figure corrected in the content base is already corrected here.
 */
export async function buildDeck(s: Services, webinar: Webinar): Promise<Deck> {
  const [pages, stored, referents] = await Promise.all([loadContentPages(s), storedPlan(s, webinar.id), listActiveReferents(s.db.kysely)]);
  const plan = stored ?? defaultPlan(defaultOutline(s.territory.slides, webinar.theme, SECTION_KEYS));
  const sections = new Map(pages.filter((p) => p.ref.kind === 'section').map((p) => [`section:${p.ref.key}`, p]));
  const lines: PlanLine[] = plan.items.map((item) => {
    const page = sections.get(item.ref);
    const custom = item.ref.startsWith('custom:') ? plan.custom[item.ref.slice(7)] : undefined;
    return { ref: item.ref, hidden: item.hidden, title: page?.document.title ?? custom?.title ?? item.ref, source: page ? 'section' : 'custom', isEmpty: page ? !page.isPublished : !custom };
  });
  const t = s.territory;
  const slides: Slide[] = [{ kind: 'title', id: 'ouverture', title: webinar.title, notes: `Accueillir les participants, présenter l’équipe ${t.programmeName} et le déroulé de l’heure.` }];
  for (const item of plan.items) {
    if (item.hidden) continue;
    const page = sections.get(item.ref);
    if (page) {
      if (page.isPublished) slides.push({ kind: 'section', id: page.ref.key, title: page.document.title, page, notes: page.document.notes });
      continue;
    }
    const id = item.ref.slice('custom:'.length);
    const custom = plan.custom[id];
    if (custom) slides.push({ kind: 'custom', id: `ajout-${id}`, title: custom.title, body: custom.body, notes: custom.notes });
  }
  slides.push({
    kind: 'accompaniment',
    id: 'accompagnement',
    title: 'Être accompagné·e pour votre installation',
    notes: 'Rappeler que l’accompagnement est gratuit et personnalisé : un référent suit chaque projet jusqu’à l’installation. Laisser le QR code à l’écran pendant les questions.',
    referents: referents.map((r) => r.name),
  });
  const url = new URL(ACCOMPANIMENT_PATH, s.config.publicUrl).toString();
  const ids = slides.flatMap((x) => (x.kind === 'section' ? x.page.document.images.slice(0, 1).map((i) => i.id) : []));
  return {
    webinar,
    plan,
    isAdjusted: stored !== null,
    lines,
    slides,
    missingSections: pages.filter((p) => p.ref.kind === 'section' && p.isPublished && !plan.items.some((i) => i.ref === `section:${p.ref.key}`)),
    imageSizes: await imageSizes(s.db.kysely, ids),
    accompanimentUrl: url,
    accompanimentShort: url.replace(/^https?:\/\//, '').replace(/\/$/, ''),
  };
}

/** What a slide of this document says: its own slide text, else the page's lead. */
export function slideText(d: ContentDocument): string {
  return fillFigures(d.slide.trim() || d.summary.trim(), d.figures);
}

/**
 * Adjusts a Rencontre's slides for this edition only (the content base and the other editions are
 * untouched): the plan is stored whole, with who changed it, and the change goes to the journal.
 */
export async function changeSlidePlan(s: Services, input: { webinar: Webinar; change: PlanChange; agent: AgentRow; actor: Actor }): Promise<Plan> {
  const now = s.clock.now();
  return s.db.transaction(async (trx) => {
    const c = contentDbOf(trx);
    const row = await c.selectFrom('slide_decks').select('plan').where('webinar_id', '=', input.webinar.id).executeTakeFirst();
    const current = (row ? parsePlan(row.plan) : null) ?? defaultPlan(defaultOutline(s.territory.slides, input.webinar.theme, SECTION_KEYS));
    const next = applyChange(current, input.change);
    const plan = JSON.stringify(next);
    await c
      .insertInto('slide_decks')
      .values({ webinar_id: input.webinar.id, plan, updated_at: now.toISOString(), updated_by: input.agent.id })
      .onConflict((oc) => oc.column('webinar_id').doUpdateSet({ plan, updated_at: now.toISOString(), updated_by: input.agent.id }))
      .execute();
    await recordAudit(trx, now, input.actor, 'slides.changed', { type: 'webinar', id: input.webinar.id }, { change: input.change.kind, ref: 'ref' in input.change ? input.change.ref : 'id' in input.change ? input.change.id : input.change.key });
    return next;
  });
}

/** Back to the outline of the Rencontre's theme (or the generic one): the edition's adjustments are dropped. */
export async function resetSlidePlan(s: Services, input: { webinar: Webinar; actor: Actor }): Promise<void> {
  const now = s.clock.now();
  await s.db.transaction(async (trx) => {
    await contentDbOf(trx).deleteFrom('slide_decks').where('webinar_id', '=', input.webinar.id).execute();
    await recordAudit(trx, now, input.actor, 'slides.reset', { type: 'webinar', id: input.webinar.id });
  });
}

export const newCustomSlideId = () => randomUUID().slice(0, 8);
