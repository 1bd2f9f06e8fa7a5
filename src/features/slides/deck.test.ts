import { describe, expect, it } from 'vitest';
import { applyChange, defaultOutline, defaultPlan, timeLeft } from './deck.ts';

const catalogue = ['acces', 'regions', 'ecoles', 'emploi', 'logement'];

describe('the outline of a Rencontre', () => {
  it('is the theme’s when it has one, else the generic one, else the whole catalogue', () => {
    const slides = { generic: ['acces', 'regions', 'emploi'], byTheme: { 'systeme-educatif': ['ecoles', 'acces'] } };
    expect(defaultOutline(slides, 'systeme-educatif', catalogue)).toEqual(['ecoles', 'acces']);
    expect(defaultOutline(slides, 'logement', catalogue)).toEqual(['acces', 'regions', 'emploi']);
    expect(defaultOutline(slides, null, catalogue)).toEqual(['acces', 'regions', 'emploi']);
    expect(defaultOutline({ byTheme: {} }, null, catalogue)).toEqual(catalogue);
    // A section the catalogue does not have is ignored rather than shown empty.
    expect(defaultOutline({ generic: ['acces', 'inconnue', 'acces'], byTheme: {} }, null, catalogue)).toEqual(['acces']);
  });

  it('is adjusted for one edition: moved, hidden, added to, removed from', () => {
    let plan = defaultPlan(['acces', 'regions', 'emploi']);
    plan = applyChange(plan, { kind: 'move', ref: 'section:emploi', by: -1 });
    expect(plan.items.map((i) => i.ref)).toEqual(['section:acces', 'section:emploi', 'section:regions']);
    // Moving the first one up changes nothing.
    expect(applyChange(plan, { kind: 'move', ref: 'section:acces', by: -1 })).toBe(plan);
    plan = applyChange(plan, { kind: 'toggle', ref: 'section:regions' });
    expect(plan.items.find((i) => i.ref === 'section:regions')!.hidden).toBe(true);
    plan = applyChange(plan, { kind: 'add-custom', id: 'a1', slide: { title: 'Le salon de Lyon', body: '- samedi', notes: '' }, after: 'section:acces' });
    expect(plan.items.map((i) => i.ref)).toEqual(['section:acces', 'custom:a1', 'section:emploi', 'section:regions']);
    plan = applyChange(plan, { kind: 'add-custom', id: 'a2', slide: { title: 'Bienvenue', body: '', notes: '' }, after: null });
    expect(plan.items[0]!.ref).toBe('custom:a2');
    plan = applyChange(plan, { kind: 'add-section', key: 'logement' });
    expect(plan.items.at(-1)!.ref).toBe('section:logement');
    expect(applyChange(plan, { kind: 'add-section', key: 'logement' })).toBe(plan);
    plan = applyChange(plan, { kind: 'remove', ref: 'custom:a1' });
    expect(plan.custom.a1).toBeUndefined();
    expect(plan.items.map((i) => i.ref)).toEqual(['custom:a2', 'section:acces', 'section:emploi', 'section:regions', 'section:logement']);
  });

  it('says how long is left', () => {
    const start = '2027-01-15T11:30:00.000Z';
    const end = '2027-01-15T12:30:00.000Z';
    expect(timeLeft(new Date('2027-01-15T11:52:10Z'), start, end)).toBe('Il reste 38\u00a0min');
    expect(timeLeft(new Date('2027-01-15T10:00:00Z'), start, end)).toBe('Commence dans 1\u00a0h\u00a030');
    expect(timeLeft(new Date('2027-01-15T12:30:00Z'), start, end)).toBe('Rencontre terminée');
  });
});
