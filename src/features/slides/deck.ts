import { z } from 'zod';

/**
 * A Rencontre's slides: an outline of the content base's sections (the territory's generic one, or
 * its theme's), that agents may adjust for one edition — reorder, hide, add a slide of their own.
 * Only the adjustments are stored (the plan); the slides themselves are built from the content base
 * each time they are shown, so that a figure corrected once is correct on the next slide shown.
 * The first slide (the Rencontre) and the last (how to be accompanied) are always there.
 */

export interface PlanItem {
  /** "section:acces" or "custom:<id>". */
  ref: string;
  hidden: boolean;
}

export interface CustomSlide {
  title: string;
  /** Markdown. */
  body: string;
  notes: string;
}

export interface Plan {
  items: PlanItem[];
  custom: Record<string, CustomSlide>;
}

export const planSchema = z.object({
  items: z.array(z.object({ ref: z.string().regex(/^(section|custom):[a-z0-9-]+$/), hidden: z.boolean().default(false) })).max(60),
  custom: z.record(z.string().regex(/^[a-z0-9-]+$/), z.object({ title: z.string().min(1).max(120), body: z.string().max(2000).default(''), notes: z.string().max(5000).default('') })).default({}),
});

export interface OutlineConfig {
  generic?: string[];
  byTheme: Record<string, string[]>;
}

/** The sections a Rencontre shows by default: its theme's outline, else the generic one, else the whole catalogue. */
export function defaultOutline(slides: OutlineConfig, theme: string | null, catalogue: readonly string[]): string[] {
  const keys = (theme ? slides.byTheme[theme] : undefined) ?? slides.generic ?? [...catalogue];
  return [...new Set(keys.filter((k) => catalogue.includes(k)))];
}

export function defaultPlan(sectionKeys: string[]): Plan {
  return { items: sectionKeys.map((k) => ({ ref: `section:${k}`, hidden: false })), custom: {} };
}

export function parsePlan(json: string): Plan | null {
  try {
    const parsed = planSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export type PlanChange =
  | { kind: 'move'; ref: string; by: -1 | 1 }
  | { kind: 'toggle'; ref: string }
  | { kind: 'add-section'; key: string }
  | { kind: 'add-custom'; id: string; slide: CustomSlide; after: string | null }
  | { kind: 'edit-custom'; id: string; slide: CustomSlide }
  | { kind: 'remove'; ref: string };

/** One adjustment applied to a plan; the plan is returned as is when the change does not apply. */
export function applyChange(plan: Plan, change: PlanChange): Plan {
  const items = plan.items.map((i) => ({ ...i }));
  const custom = { ...plan.custom };
  const at = (ref: string) => items.findIndex((i) => i.ref === ref);
  switch (change.kind) {
    case 'move': {
      const i = at(change.ref);
      const j = i + change.by;
      if (i < 0 || j < 0 || j >= items.length) return plan;
      [items[i], items[j]] = [items[j]!, items[i]!];
      break;
    }
    case 'toggle': {
      const i = at(change.ref);
      if (i < 0) return plan;
      items[i]!.hidden = !items[i]!.hidden;
      break;
    }
    case 'add-section': {
      const ref = `section:${change.key}`;
      if (at(ref) >= 0) return plan;
      items.push({ ref, hidden: false });
      break;
    }
    case 'add-custom': {
      const ref = `custom:${change.id}`;
      custom[change.id] = change.slide;
      const after = change.after === null ? -1 : at(change.after);
      items.splice(change.after === null ? 0 : after >= 0 ? after + 1 : items.length, 0, { ref, hidden: false });
      break;
    }
    case 'edit-custom': {
      if (!custom[change.id]) return plan;
      custom[change.id] = change.slide;
      break;
    }
    case 'remove': {
      const i = at(change.ref);
      if (i < 0) return plan;
      items.splice(i, 1);
      if (change.ref.startsWith('custom:')) delete custom[change.ref.slice('custom:'.length)];
      break;
    }
  }
  return { items, custom };
}

/** "il reste 38 min", "commence dans 2 h 05", "terminée". */
export function timeLeft(now: Date, startsAt: string, endsAt: string): string {
  const start = new Date(startsAt).getTime();
  const end = new Date(endsAt).getTime();
  const t = now.getTime();
  const fmt = (ms: number) => {
    const minutes = Math.ceil(ms / 60_000);
    if (minutes < 60) return `${minutes}\u00a0min`;
    const h = Math.floor(minutes / 60);
    if (h >= 48) return `${Math.floor(h / 24)}\u00a0jours`;
    return `${h}\u00a0h\u00a0${String(minutes % 60).padStart(2, '0')}`;
  };
  if (t >= end) return 'Rencontre terminée';
  if (t < start) return `Commence dans ${fmt(start - t)}`;
  return `Il reste ${fmt(end - t)}`;
}
