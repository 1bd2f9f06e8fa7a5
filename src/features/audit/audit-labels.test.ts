import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { actionFamilies, actionLabels, subjectLabels } from './audit-log.ts';

const src = fileURLToPath(new URL('../../', import.meta.url));
const files = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path.join(dir, e.name)] : []));

describe('the journal’s words for actions', () => {
  it('has a French label for every action the code records (no raw key such as offer.confirmation-requested on the page)', () => {
    const actions = new Set<string>();
    for (const file of files(src)) {
      const code = fs.readFileSync(file, 'utf8');
      // The action of a recordAudit(…) call, and the `action:` of the helpers that record one.
      const places = [...code.matchAll(/recordAudit\(([^;]*)/g), ...code.matchAll(/\baction: ([^,\n}]*)/g)].map((m) => m[1]!);
      for (const place of places) for (const m of place.matchAll(/'([a-z-]+\.[a-z-]+)'/g)) actions.add(m[1]!);
    }
    expect(actions.size).toBeGreaterThan(50);
    expect([...actions].filter((a) => !(a in actionLabels)).sort()).toEqual([]);
  });

  it('has a French word for every kind of subject the code records', () => {
    const kinds = new Set<string>();
    for (const file of files(src)) {
      for (const m of fs.readFileSync(file, 'utf8').matchAll(/\{ type: '([a-z-]+)', id\b/g)) kinds.add(m[1]!);
    }
    // Actors, not subjects: the journal's "Qui" column names them.
    for (const actor of ['system', 'anonymous']) kinds.delete(actor);
    expect(kinds.size).toBeGreaterThan(15);
    expect([...kinds].filter((k) => !(k in subjectLabels)).sort()).toEqual([]);
  });

  it('puts every action in exactly one family of the journal’s filter', () => {
    const families = (action: string) => actionFamilies.filter((f) => f.prefixes.some((p) => action.startsWith(p))).map((f) => f.key);
    const wrong = Object.keys(actionLabels)
      .map((a) => [a, families(a)] as const)
      .filter(([, f]) => f.length !== 1);
    expect(wrong).toEqual([]);
  });
});
