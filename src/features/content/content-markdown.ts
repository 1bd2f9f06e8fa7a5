import { Marked, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';

/**
 * Markdown written by agents, rendered for the public pages and the slides. Two locks, so that one
 * mistake is not enough: marked writes raw HTML found in the text as text (a `<script>` shows as the
 * characters "<script>"), then sanitize-html keeps only the tags and attributes listed below and
 * only http(s) and mailto links. The strict CSP (no inline script) is a third. Headings start at h2:
 * the page's own title is its only h1.
 */

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    html(token: Tokens.HTML | Tokens.Tag) {
      return escapeHtml(token.text);
    },
    heading(token: Tokens.Heading) {
      const level = Math.min(token.depth + 1, 6);
      return `<h${level}>${this.parser.parseInline(token.tokens)}</h${level}>\n`;
    },
    // Pictures come from the page's images (checked, resized, with their text alternative), never from the text.
    image(token: Tokens.Image) {
      return escapeHtml(token.text);
    },
  },
});

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'h2', 'h3', 'h4', 'h5', 'h6', 'ul', 'ol', 'li', 'strong', 'em', 'a', 'blockquote', 'code', 'pre', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'del', 'abbr'],
  allowedAttributes: { a: ['href', 'title'], abbr: ['title'], th: ['scope'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'escape',
};

const cache = new Map<string, string>();
const CACHE_ENTRIES = 2000;

/** Markdown → safe HTML; the same text is rendered once (pages and slides are served from it many times). */
export function renderMarkdown(markdown: string): string {
  const hit = cache.get(markdown);
  if (hit !== undefined) return hit;
  const raw = marked.parse(markdown, { async: false });
  const html = sanitizeHtml(raw, SANITIZE);
  if (cache.size >= CACHE_ENTRIES) cache.clear();
  cache.set(markdown, html);
  return html;
}
