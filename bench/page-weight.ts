/**
 * What a phone downloads for a Rencontre page, read from the real responses: the HTML, the one
 * stylesheet, and every address either of them would make the browser fetch.
 */
import { gzipSync } from 'node:zlib';

export interface PageWeight {
  path: string;
  htmlBytes: number;
  htmlGzipBytes: number;
  stylesheets: string[];
  stylesheetBytes: number;
  stylesheetGzipBytes: number;
  /** Addresses the browser would fetch on its own (scripts, styles, images, frames, fonts, CSS url()). */
  fetchedUrls: string[];
  /** Of those, the ones on another origin: each is a request to a third party. */
  thirdPartyFetches: string[];
  /** Links (a href, form action) to another origin: followed only if the person chooses to. */
  externalLinks: string[];
  scriptTags: number;
  inlineHandlers: number;
  javascriptUrls: number;
  /** The registration form posts without JavaScript: method=post, an action on this site, a submit button. */
  formWorksWithoutScript: boolean;
}

const attr = (tag: string, name: string) => new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag)?.slice(2).find((v) => v !== undefined);

export async function measurePageWeight(origin: string, path: string): Promise<PageWeight> {
  const res = await fetch(origin + path);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
  const html = Buffer.from(await res.arrayBuffer());
  const text = html.toString('utf8');
  const tags = text.match(/<[a-z][^>]*>/gi) ?? [];
  const fetched: string[] = [];
  const links: string[] = [];
  const stylesheets: string[] = [];
  for (const tag of tags) {
    const name = /^<([a-z0-9]+)/i.exec(tag)![1]!.toLowerCase();
    if (name === 'a' || name === 'area') {
      const href = attr(tag, 'href');
      if (href) links.push(href);
      continue;
    }
    if (name === 'form') {
      links.push(attr(tag, 'action') ?? path);
      continue;
    }
    if (name === 'link') {
      const rel = (attr(tag, 'rel') ?? '').toLowerCase();
      const href = attr(tag, 'href');
      if (!href) continue;
      if (/\bstylesheet\b/.test(rel)) stylesheets.push(href);
      if (/stylesheet|icon|preload|prefetch|preconnect|dns-prefetch|modulepreload|manifest/.test(rel)) fetched.push(href);
      continue;
    }
    for (const a of ['src', 'data', 'poster', 'background']) {
      const v = attr(tag, a);
      if (v) fetched.push(v);
    }
    const srcset = attr(tag, 'srcset');
    if (srcset) for (const part of srcset.split(',')) fetched.push(part.trim().split(/\s+/)[0]!);
  }
  for (const m of text.matchAll(/url\(\s*['"]?([^'")]+)['"]?\s*\)/gi)) fetched.push(m[1]!);

  let stylesheetBytes = 0;
  let stylesheetGzipBytes = 0;
  for (const href of stylesheets) {
    const css = await fetch(new URL(href, origin + path));
    if (css.status !== 200) throw new Error(`GET ${href}: ${css.status}`);
    const body = Buffer.from(await css.arrayBuffer());
    stylesheetBytes += body.length;
    stylesheetGzipBytes += gzipSync(body).length;
    const cssText = body.toString('utf8');
    for (const m of cssText.matchAll(/url\(\s*['"]?([^'")]+)['"]?\s*\)/gi)) fetched.push(m[1]!);
    for (const m of cssText.matchAll(/@import\s+(?:url\()?\s*['"]?([^'")\s;]+)/gi)) fetched.push(m[1]!);
  }

  const isElsewhere = (u: string) => {
    if (/^(data|mailto|tel|about|#)/i.test(u) || u.startsWith('#')) return false;
    try {
      return new URL(u, origin + path).origin !== origin;
    } catch {
      return true;
    }
  };
  const form = tags.find((t) => /^<form\b/i.test(t) && /inscription/.test(attr(t, 'action') ?? ''));
  const formWorksWithoutScript = Boolean(form && (attr(form, 'method') ?? '').toLowerCase() === 'post' && !isElsewhere(attr(form, 'action')!) && /<button\b[^>]*>|<input\b[^>]*type="submit"/i.test(text));
  return {
    path,
    htmlBytes: html.length,
    htmlGzipBytes: gzipSync(html).length,
    stylesheets,
    stylesheetBytes,
    stylesheetGzipBytes,
    fetchedUrls: [...new Set(fetched)],
    thirdPartyFetches: [...new Set(fetched.filter(isElsewhere))],
    externalLinks: [...new Set(links.filter(isElsewhere))],
    scriptTags: (text.match(/<script\b/gi) ?? []).length,
    inlineHandlers: tags.filter((t) => /\son[a-z]+\s*=/i.test(t)).length,
    javascriptUrls: (text.match(/javascript:/gi) ?? []).length,
    formWorksWithoutScript,
  };
}
