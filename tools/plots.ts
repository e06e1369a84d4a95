// SVG figures written by the example itself (no canvas, no native dependencies): 2D embeddings,
// 3D embeddings on the sphere from several viewpoints, and line charts.

/** Ten distinguishable colours, one per digit (Tableau 10). */
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

const FONT = 'font-family="sans-serif" font-size="12"';
const TITLE_FONT = 'font-family="sans-serif" font-size="14"';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function n(v: number): string {
  return Number.isFinite(v) ? (Math.round(v * 10) / 10).toString() : '0';
}

function svg(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function legend(x: number, y: number, classes: number, names: readonly string[] = []): string[] {
  return Array.from(
    { length: classes },
    (_, c) =>
      `<circle cx="${x}" cy="${y + 16 * c}" r="5" fill="${PALETTE[c % PALETTE.length]}"/><text x="${x + 10}" y="${y + 16 * c + 4}" ${FONT}>${escapeXml(names[c] ?? String(c))}</text>`,
  );
}

/** The room a legend of these class names needs right of its marker (none beyond the plot for numbers). */
function legendRoom(names: readonly string[]): number {
  return names.some((name) => name.length > 2) ? 7 * Math.max(...names.map((name) => name.length)) : 0;
}

/** "Nice" tick step for a range, 1/2/5 × 10^k. */
export function tickStep(range: number, target = 5): number {
  if (!(range > 0)) return 1;
  const raw = range / target;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const m = raw / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

export interface Scatter2dOptions {
  title: string;
  points: number[][];
  labels: number[];
  /** Class weight directions, drawn as rays from the origin (scaled to the plot). */
  weights?: number[][];
  /** The legend's name of each label (default: the label's number). */
  classNames?: readonly string[];
}

/** 2-D embeddings coloured by class, with the class weight directions as rays. One <circle> per point. */
export function scatter2d({ title, points, labels, weights = [], classNames = [] }: Scatter2dOptions): string {
  const size = 520;
  const pad = 40;
  const extent = Math.max(1e-9, ...points.map((p) => Math.max(Math.abs(p[0]!), Math.abs(p[1]!))));
  const s = (size / 2 - pad) / extent;
  const cx = size / 2;
  const cy = size / 2 + 10;
  const body = [`<text x="${cx}" y="20" text-anchor="middle" ${TITLE_FONT}>${escapeXml(title)}</text>`];
  body.push(
    `<line x1="${pad}" y1="${cy}" x2="${size - pad}" y2="${cy}" stroke="#ddd"/><line x1="${cx}" y1="${cy - size / 2 + pad}" x2="${cx}" y2="${cy + size / 2 - pad}" stroke="#ddd"/>`,
  );
  body.push('<g fill-opacity="0.5">');
  points.forEach((p, i) => body.push(`<circle cx="${n(cx + s * p[0]!)}" cy="${n(cy - s * p[1]!)}" r="1.6" fill="${PALETTE[labels[i]! % PALETTE.length]}"/>`));
  body.push('</g>');
  weights.forEach((w, c) => {
    const len = Math.hypot(w[0]!, w[1]!) || 1;
    const r = size / 2 - pad;
    body.push(
      `<line class="weight" x1="${cx}" y1="${cy}" x2="${n(cx + (r * w[0]!) / len)}" y2="${n(cy - (r * w[1]!) / len)}" stroke="${PALETTE[c % PALETTE.length]}" stroke-width="2.5"/>`,
    );
  });
  body.push(...legend(size - 24, 40, Math.max(10, weights.length), classNames));
  return svg(size + legendRoom(classNames), size + 20, body);
}

/** Rotates a unit vector to a view with azimuth and elevation (degrees); returns [x, y, depth]. */
export function project(v: number[], azimuth: number, elevation: number): [number, number, number] {
  const a = (azimuth * Math.PI) / 180;
  const e = (elevation * Math.PI) / 180;
  const [x, y, z] = [v[0]!, v[1]!, v[2]!];
  const x1 = x * Math.cos(a) - y * Math.sin(a);
  const y1 = x * Math.sin(a) + y * Math.cos(a);
  // Elevation tilts the view about the screen's horizontal axis.
  const y2 = y1 * Math.sin(e) + z * Math.cos(e);
  const depth = y1 * Math.cos(e) - z * Math.sin(e);
  return [x1, y2, -depth];
}

export interface Sphere3dOptions {
  title: string;
  points: number[][];
  labels: number[];
  weights?: number[][];
  /** [azimuth, elevation] pairs in degrees. Default: four views. */
  views?: Array<[number, number]>;
  /** A legend with the name of each label, right of the views (default: none). */
  classNames?: readonly string[];
}

/**
 * 3-D embeddings normalized onto the unit sphere, drawn orthographically from several viewpoints,
 * near hemisphere opaque and far hemisphere faint. Each view holds one <circle class="pt"> per point.
 */
export function sphere3d({
  title,
  points,
  labels,
  weights = [],
  views = [
    [0, 20],
    [90, 20],
    [180, 20],
    [45, 80],
  ],
  classNames = [],
}: Sphere3dOptions): string {
  const panel = 260;
  const r = panel / 2 - 16;
  const width = panel * views.length + (classNames.length > 0 ? 24 + legendRoom(classNames) : 0);
  const height = panel + 40;
  const body = [`<text x="${width / 2}" y="20" text-anchor="middle" ${TITLE_FONT}>${escapeXml(title)}</text>`];
  const units = points.map((p) => {
    const len = Math.hypot(p[0]!, p[1]!, p[2]!) || 1;
    return [p[0]! / len, p[1]! / len, p[2]! / len];
  });
  views.forEach(([az, el], k) => {
    const cx = panel * k + panel / 2;
    const cy = 30 + panel / 2;
    body.push(`<g class="view"><circle cx="${cx}" cy="${cy}" r="${r}" fill="none" stroke="#bbb"/>`);
    body.push(`<text x="${cx}" y="${height - 4}" text-anchor="middle" ${FONT}>azimuth ${az}°, elevation ${el}°</text>`);
    const projected = units.map((u, i) => ({ p: project(u, az, el), c: labels[i]! }));
    projected.sort((a, b) => a.p[2] - b.p[2]);
    projected.forEach(({ p, c }) => {
      const front = p[2] >= 0;
      body.push(
        `<circle class="pt" cx="${n(cx + r * p[0])}" cy="${n(cy - r * p[1])}" r="1.5" fill="${PALETTE[c % PALETTE.length]}" fill-opacity="${front ? 0.8 : 0.12}"/>`,
      );
    });
    weights.forEach((w, c) => {
      const len = Math.hypot(w[0]!, w[1]!, w[2]!) || 1;
      const p = project([w[0]! / len, w[1]! / len, w[2]! / len], az, el);
      body.push(
        `<line class="weight" x1="${cx}" y1="${cy}" x2="${n(cx + r * p[0])}" y2="${n(cy - r * p[1])}" stroke="${PALETTE[c % PALETTE.length]}" stroke-width="2" stroke-dasharray="${p[2] >= 0 ? 'none' : '3,3'}"/>`,
      );
    });
    body.push('</g>');
  });
  if (classNames.length > 0) body.push(...legend(panel * views.length + 8, 40, classNames.length, classNames));
  return svg(width, height, body);
}

export interface Series {
  name: string;
  x: number[];
  y: number[];
}

/** Smooths a series with a trailing moving average of `window` points (1 = none). */
export function movingAverage(values: number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  values.forEach((v, i) => {
    sum += v;
    if (i >= window) sum -= values[i - window]!;
    out.push(sum / Math.min(i + 1, window));
  });
  return out;
}

/** Line chart of several series on shared axes, with ticks and a legend. One <polyline> per series. */
export function lineChart({
  title,
  series,
  xLabel,
  yLabel,
  xRange,
}: {
  title: string;
  series: Series[];
  xLabel: string;
  yLabel: string;
  /** The x axis's ends (default: the data's, widened to include 0 and 1). */ xRange?: [number, number];
}): string {
  const width = 640;
  const height = 380;
  const left = 60;
  const right = 130;
  const top = 36;
  const bottom = 46;
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  const [x0, x1] = xRange ?? [Math.min(...xs, 0), Math.max(...xs, 1)];
  let [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  if (!(y1 > y0)) [y0, y1] = [y0 - 1, y0 + 1];
  const px = (x: number) => left + ((x - x0) / (x1 - x0 || 1)) * (width - left - right);
  const py = (y: number) => height - bottom - ((y - y0) / (y1 - y0)) * (height - top - bottom);
  const body = [`<text x="${width / 2}" y="20" text-anchor="middle" ${TITLE_FONT}>${escapeXml(title)}</text>`];
  body.push(`<rect x="${left}" y="${top}" width="${width - left - right}" height="${height - top - bottom}" fill="none" stroke="#999"/>`);
  const xStep = tickStep(x1 - x0);
  for (let t = Math.ceil(x0 / xStep) * xStep; t <= x1 + 1e-9; t += xStep) {
    body.push(
      `<line x1="${n(px(t))}" y1="${height - bottom}" x2="${n(px(t))}" y2="${height - bottom + 4}" stroke="#999"/><text x="${n(px(t))}" y="${height - bottom + 16}" text-anchor="middle" ${FONT}>${+t.toPrecision(6)}</text>`,
    );
  }
  const yStep = tickStep(y1 - y0);
  for (let t = Math.ceil(y0 / yStep) * yStep; t <= y1 + 1e-9; t += yStep) {
    body.push(
      `<line x1="${left}" y1="${n(py(t))}" x2="${width - right}" y2="${n(py(t))}" stroke="#eee"/><text x="${left - 6}" y="${n(py(t) + 4)}" text-anchor="end" ${FONT}>${+t.toPrecision(6)}</text>`,
    );
  }
  body.push(`<text x="${(left + width - right) / 2}" y="${height - 8}" text-anchor="middle" ${FONT}>${escapeXml(xLabel)}</text>`);
  body.push(
    `<text x="14" y="${(top + height - bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(top + height - bottom) / 2})" ${FONT}>${escapeXml(yLabel)}</text>`,
  );
  series.forEach((s, k) => {
    const pts = s.x.map((x, i) => `${n(px(x))},${n(py(s.y[i]!))}`).join(' ');
    const colour = PALETTE[k % PALETTE.length];
    body.push(`<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${pts}"/>`);
    body.push(
      `<line x1="${width - right + 12}" y1="${top + 12 + 18 * k}" x2="${width - right + 32}" y2="${top + 12 + 18 * k}" stroke="${colour}" stroke-width="2"/><text x="${width - right + 38}" y="${top + 16 + 18 * k}" ${FONT}>${escapeXml(s.name)}</text>`,
    );
  });
  return svg(width, height, body);
}
