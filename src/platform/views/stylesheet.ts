import { createHash } from 'node:crypto';
import fs from 'node:fs';

export interface Stylesheet {
  /** Address with a content hash: served with a long cache lifetime. */
  href: string;
  body: string;
  etag: string;
}

export interface Palette {
  primary: string;
  primaryDark: string;
  accent: string;
  surface: string;
  text: string;
}

/**
 * Comments and line breaks are for the people who edit app.css, not for the phones that download it.
 * Only what cannot change a rule's meaning is removed (never a space inside a selector).
 */
export function compactCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\s*([{};,])\s*/g, '$1')
    .replace(/;}/g, '}');
}

const base = compactCss(fs.readFileSync(new URL('./app.css', import.meta.url), 'utf8'));

/** The one stylesheet: the territory's colours as custom properties, then the shared rules. Built once at start. */
export function buildStylesheet(p: Palette): Stylesheet {
  const vars = `:root{--primary:${p.primary};--primary-dark:${p.primaryDark};--accent:${p.accent};--surface:${p.surface};--text:${p.text}}\n`;
  const body = vars + base;
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { href: `/static/app.${hash}.css`, body, etag: `"${hash}"` };
}
