import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { escapeXml, lineChart, movingAverage, project, scatter2d, sphere3d, tickStep } from '../../tools/plots.js';

function parse(svg: string) {
  expect(XMLValidator.validate(svg)).toBe(true);
  return svg;
}
const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

describe('plots', () => {
  it('scatter2d draws one circle per point and one ray per class', () => {
    const points = Array.from({ length: 50 }, (_, i) => [Math.cos(i), Math.sin(i) * 3]);
    const svg = parse(
      scatter2d({
        title: 'a < b & "c"',
        points,
        labels: points.map((_, i) => i % 10),
        weights: Array.from({ length: 10 }, (_, c) => [Math.cos(c), Math.sin(c)]),
      }),
    );
    expect(count(svg, /<circle cx="[\d.-]+" cy="[\d.-]+" r="1.6"/g)).toBe(50);
    expect(count(svg, /class="weight"/g)).toBe(10);
    expect(svg).toContain('a &lt; b &amp; &quot;c&quot;');
    const doc = new XMLParser({ ignoreAttributes: false }).parse(svg);
    expect(doc.svg['@_xmlns']).toBe('http://www.w3.org/2000/svg');
  });

  it('scatter2d has one legend entry per class, each with its colour and number', () => {
    const legendOf = (svg: string) =>
      [...svg.matchAll(/<circle cx="[\d.-]+" cy="[\d.-]+" r="5" fill="(#[0-9a-f]+)"\/><text [^>]*>(\d+)<\/text>/g)].map((m) => [m[1], Number(m[2])]);
    const points = [
      [1, 0],
      [0, 1],
    ];
    for (const classes of [10, 12]) {
      const weights = Array.from({ length: classes }, (_, c) => [Math.cos(c), Math.sin(c)]);
      const entries = legendOf(parse(scatter2d({ title: 't', points, labels: [0, 1], weights })));
      expect(entries.map(([, c]) => c)).toEqual(Array.from({ length: classes }, (_, c) => c));
      // Each entry's colour is its class's, the colour of that class's points and ray.
      const svg = scatter2d({ title: 't', points, labels: [0, 1], weights });
      const pointColours = [...svg.matchAll(/r="1.6" fill="(#[0-9a-f]+)"/g)].map((m) => m[1]);
      expect(entries.slice(0, 2).map(([colour]) => colour)).toEqual(pointColours);
    }
  });

  it('sphere3d draws every point in each view', () => {
    const points = Array.from({ length: 20 }, (_, i) => [Math.cos(i), Math.sin(i), i / 10 - 1]);
    const svg = parse(
      sphere3d({
        title: 't',
        points,
        labels: points.map((_, i) => i % 10),
        weights: [[1, 0, 0]],
        views: [
          [0, 0],
          [90, 30],
          [10, 80],
        ],
      }),
    );
    expect(count(svg, /class="view"/g)).toBe(3);
    expect(count(svg, /class="pt"/g)).toBe(60);
  });

  it('project is a rotation: it keeps unit length', () => {
    for (const [a, e] of [
      [0, 0],
      [37, 12],
      [180, 80],
    ] as const) {
      const p = project([0.6, 0, 0.8], a, e);
      expect(Math.hypot(...p)).toBeCloseTo(1, 12);
    }
    expect(project([0, 0, 1], 0, 90)).toEqual([0, expect.closeTo(0, 12), expect.closeTo(1, 12)]);
  });

  it('lineChart draws one polyline per series with all points', () => {
    const svg = parse(
      lineChart({
        title: 'loss',
        xLabel: 'step',
        yLabel: 'loss',
        series: [
          { name: 'a', x: [1, 2, 3], y: [3, 2, 1] },
          { name: 'b', x: [1, 2], y: [1, 1] },
        ],
      }),
    );
    const polylines = svg.match(/<polyline[^>]*points="([^"]*)"/g)!;
    expect(polylines.length).toBe(2);
    expect(polylines[0].split(' ').filter((t) => /\d,\d/.test(t)).length).toBe(3);
  });

  it('tickStep, movingAverage and escapeXml', () => {
    expect(tickStep(10)).toBe(2);
    expect(tickStep(1)).toBe(0.2);
    expect(tickStep(1600)).toBe(200);
    expect(tickStep(0)).toBe(1);
    expect(movingAverage([1, 2, 3, 4], 2)).toEqual([1, 1.5, 2.5, 3.5]);
    expect(escapeXml('<&>')).toBe('&lt;&amp;&gt;');
  });
});
