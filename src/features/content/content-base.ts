import type { Db } from '../../platform/db/database.ts';
import type { Services } from '../../services.ts';
import type { Territory } from '../territory/territory.ts';
import { emptyDocument, hasContent, isFigureStale, pageKey, SECTIONS, type ContentDocument, type ContentVersion, type PageRef } from './content.ts';
import { latestVersions } from './content-repository.ts';

/** One page of the content base as it stands: its latest version, or an empty page not yet written. */
export interface ContentPage {
  ref: PageRef;
  key: string;
  /** The catalogue's title for a section, the region's label for a region. */
  defaultTitle: string;
  hint: string;
  version: ContentVersion | null;
  document: ContentDocument;
  isPublished: boolean;
}

/** Every page the territory has, in order: the sections of the catalogue, then its natural regions. */
export function contentPages(t: Territory, latest: Map<string, ContentVersion>): ContentPage[] {
  const refs: Array<{ ref: PageRef; title: string; hint: string }> = [
    ...SECTIONS.map((s) => ({ ref: { kind: 'section' as const, key: s.key }, title: s.title, hint: s.hint })),
    ...t.regions.map((r) => ({ ref: { kind: 'region' as const, key: r.key }, title: r.label, hint: `La région naturelle ${r.label} : ses paysages, ses villes, ses atouts.` })),
  ];
  return refs.map(({ ref, title, hint }) => {
    const key = pageKey(ref);
    const version = latest.get(key) ?? null;
    const document = version?.document ?? emptyDocument(title);
    return { ref, key, defaultTitle: title, hint, version, document, isPublished: hasContent(document) };
  });
}

export async function loadContentPages(s: Pick<Services, 'db' | 'territory'>): Promise<ContentPage[]> {
  return contentPages(s.territory, await latestVersions(s.db.kysely));
}

export interface StaleFigure {
  page: ContentPage;
  label: string;
  value: string;
  date: string;
}

export function staleFigures(pages: ContentPage[], now: Date): StaleFigure[] {
  return pages.flatMap((page) => page.document.figures.filter((f) => isFigureStale(f, now)).map((f) => ({ page, label: f.label, value: f.value, date: f.date })));
}

/** The dashboard's line: figures older than a year, to check. */
export async function contentAttention(s: Pick<Services, 'db' | 'territory' | 'clock'>): Promise<Array<{ text: string; href: string }>> {
  const stale = staleFigures(await loadContentPages(s), s.clock.now());
  if (stale.length === 0) return [];
  const pages = new Set(stale.map((x) => x.page.key)).size;
  return [{ text: `${stale.length} chiffre${stale.length > 1 ? 's' : ''} clé${stale.length > 1 ? 's' : ''} à vérifier (plus d’un an) dans ${pages} page${pages > 1 ? 's' : ''} de contenu`, href: '/admin/contenus#a-verifier' }];
}

/**
 * Changes to the content base, counted per database: caches of rendered pages and slides compare
 * this number to know whether what they hold is still current. A write in this process bumps it at
 * once; other processes (PostgreSQL with several web processes) see the change when their short
 * cache lifetime runs out.
 */
const generations = new WeakMap<object, number>();

export function contentGeneration(db: Db): number {
  return generations.get(db) ?? 0;
}

export function contentChanged(db: Db): void {
  generations.set(db, contentGeneration(db) + 1);
}
