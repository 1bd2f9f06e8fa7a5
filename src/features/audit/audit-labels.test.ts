import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { actionLabels } from './audit-log.ts';

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
});
