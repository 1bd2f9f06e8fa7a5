import type { Child } from 'hono/jsx';
import type { Context } from 'hono';

export interface DocumentProps {
  title: string;
  /** Pages that re-render a form in error are titled "Erreur : …" (GOV.UK). */
  hasError?: boolean;
  stylesheet: string;
  description?: string;
  lang?: string;
  bodyClass?: string;
  noindex?: boolean;
  children: Child;
}

export function Document(p: DocumentProps) {
  return (
    <html lang={p.lang ?? 'fr'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{(p.hasError ? 'Erreur : ' : '') + p.title}</title>
        {p.description ? <meta name="description" content={p.description} /> : null}
        {p.noindex ? <meta name="robots" content="noindex" /> : null}
        <link rel="stylesheet" href={p.stylesheet} />
        {/* No icon yet: without this, every browser asks for /favicon.ico and gets the 404 page. */}
        <link rel="icon" href="data:," />
      </head>
      <body class={p.bodyClass}>{p.children}</body>
    </html>
  );
}

/** The HTML of a page, doctype first: hono/jsx writes no doctype of its own. */
export async function renderPage(node: Child): Promise<string> {
  return '<!DOCTYPE html>' + (await (node as { toString(): string | Promise<string> }).toString());
}

/** Sends a server-rendered page. */
export async function sendPage(c: Context, node: Child, status: 200 | 201 | 400 | 403 | 404 | 409 | 410 | 422 | 429 | 500 | 503 = 200) {
  return c.html(await renderPage(node), status);
}
