import { describe, expect, it } from 'vitest';
import { fillFigures, formatDuration, formatFigureDate, isFigureStale, livingSlug, parseDuration, parseFigureDate } from './content.ts';
import { renderMarkdown } from './content-markdown.ts';
import { detectImageKind } from './content-images.ts';

describe('figures', () => {
  it('reads a date the way agents type it, and refuses one that does not exist', () => {
    expect(parseFigureDate('2024')).toBe('2024');
    expect(parseFigureDate('03/2024')).toBe('2024-03');
    expect(parseFigureDate('3/2024')).toBe('2024-03');
    expect(parseFigureDate('12/03/2024')).toBe('2024-03-12');
    expect(parseFigureDate('2024-03-12')).toBe('2024-03-12');
    expect(parseFigureDate('29/02/2024')).toBe('2024-02-29');
    expect(parseFigureDate('29/02/2023')).toBeNull();
    expect(parseFigureDate('13/2024')).toBeNull();
    expect(parseFigureDate('hier')).toBeNull();
    expect(formatFigureDate('2024-03-01')).toBe('1er mars 2024');
    expect(formatFigureDate('2024-11')).toBe('novembre 2024');
  });

  it('flags a figure once the period it describes ended more than a year ago', () => {
    const now = new Date('2027-01-04T09:00:00Z');
    expect(isFigureStale({ date: '2024' }, now)).toBe(true);
    expect(isFigureStale({ date: '2025' }, now)).toBe(true);
    expect(isFigureStale({ date: '2026' }, now)).toBe(false);
    expect(isFigureStale({ date: '2025-12' }, now)).toBe(true);
    expect(isFigureStale({ date: '2026-01' }, now)).toBe(false);
    expect(isFigureStale({ date: '2026-01-04' }, now)).toBe(false);
    expect(isFigureStale({ date: '2026-01-03' }, new Date('2027-01-04T00:00:01Z'))).toBe(true);
  });

  it('puts a figure’s current value where a text names it', () => {
    const figures = [{ label: 'Taux de chômage', value: '4,6 %' }];
    expect(fillFigures('Un chômage bas ([[Taux de chômage]]).', figures)).toBe('Un chômage bas (4,6 %).');
    expect(fillFigures('[[ taux de chômage ]]', figures)).toBe('4,6 %');
    expect(fillFigures('[[Inconnu]] reste', figures)).toBe('[[Inconnu]] reste');
  });

  it('reads and writes durations', () => {
    expect(parseDuration('1 h 40')).toBe(100);
    expect(parseDuration('1h40')).toBe(100);
    expect(parseDuration('2 h')).toBe(120);
    expect(parseDuration('35 min')).toBe(35);
    expect(parseDuration('1:05')).toBe(65);
    expect(parseDuration('longtemps')).toBeNull();
    expect(formatDuration(100)).toBe('1\u00a0h\u00a040');
    expect(formatDuration(35)).toBe('35\u00a0min');
  });

  it('makes the public address from the territory’s own wording', () => {
    expect(livingSlug('en Lozère')).toBe('vivre-en-lozere');
    expect(livingSlug('dans le Cantal')).toBe('vivre-dans-le-cantal');
    expect(livingSlug('à La Réunion')).toBe('vivre-a-la-reunion');
  });
});

describe('Markdown', () => {
  it('renders a script tag, an event handler and a javascript: link inert', () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\n<p onclick="x()">p</p>\n\n[lien](javascript:alert(1)) <a href="https://x.org">brut</a>\n\n<xmp><script>alert(2)</script></xmp>');
    expect(html).not.toMatch(/<script|<p onclick|href="javascript|<a href="https:\/\/x.org"|<xmp/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('keeps the formatting agents use, with headings under the page’s own title', () => {
    expect(renderMarkdown('# Titre\n\n**gras** et [lien](https://example.org)\n\n- un\n- deux')).toBe('<h2>Titre</h2>\n<p><strong>gras</strong> et <a href="https://example.org">lien</a></p>\n<ul>\n<li>un</li>\n<li>deux</li>\n</ul>\n');
    // Pictures come from the uploads with their text alternative, never from the text.
    expect(renderMarkdown('![un chat](https://example.org/chat.png)')).toBe('<p>un chat</p>\n');
  });
});

describe('image check by content', () => {
  it('recognises JPEG, PNG and WebP by their first bytes, and nothing else', () => {
    expect(detectImageKind(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('jpeg');
    expect(detectImageKind(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('png');
    expect(detectImageKind(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(detectImageKind(new TextEncoder().encode('<!DOCTYPE html><script>'))).toBeNull();
    expect(detectImageKind(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(detectImageKind(new TextEncoder().encode('GIF89a'))).toBeNull();
  });
});
