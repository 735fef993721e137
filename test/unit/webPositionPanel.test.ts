import { describe, expect, it } from 'vitest';
import { buildPositionLayout, buildPositionUpdate, type PlottedDevice } from '../../web/wall/panels/positionOptions';
import { axisExtent, equalAspectExtents, extractTrail, trailOpacity } from '../../web/wall/panels/positionTrail';
import { seriesOf, T0 } from './panelFixtures';

describe('position trail', () => {
  it('pairs x and y by timestamp, skipping points without a partner', () => {
    const x = seriesOf([
      [T0, 1],
      [T0 + 1000, 2],
      [T0 + 2000, 3],
    ]);
    const y = seriesOf([
      [T0, 10],
      [T0 + 2000, 30],
      [T0 + 3000, 40],
    ]);
    expect(extractTrail(x, y)).toEqual([
      { ts: T0, x: 1, y: 10 },
      { ts: T0 + 2000, x: 3, y: 30 },
    ]);
  });

  it('keeps only the newest points', () => {
    const points: [number, number][] = Array.from({ length: 100 }, (_, i) => [T0 + i * 1000, i]);
    const trail = extractTrail(seriesOf(points), seriesOf(points), 60);
    expect(trail).toHaveLength(60);
    expect(trail[0]?.x).toBe(40);
    expect(trail[59]?.x).toBe(99);
  });

  it('fades from the oldest point to the newest', () => {
    expect(trailOpacity(0, 10)).toBeLessThan(trailOpacity(5, 10));
    expect(trailOpacity(9, 10)).toBeCloseTo(0.7);
    expect(trailOpacity(0, 1)).toBeGreaterThan(0);
  });
});

describe('position extents', () => {
  it('spans the expected ranges the devices declare, padded', () => {
    const x = axisExtent(
      [
        { min: -42.5, max: 42.5 },
        { min: -50, max: 10 },
      ],
      [],
    );
    expect(x?.min).toBeCloseTo(-50 - 92.5 * 0.06);
    expect(x?.max).toBeCloseTo(42.5 + 92.5 * 0.06);
  });

  it('takes in the data of devices without a range, and survives a single point or none', () => {
    const extent = axisExtent([{ min: 0, max: 10 }, undefined], [15]);
    expect(extent?.max).toBeGreaterThan(15);
    expect(axisExtent([undefined, { min: 5 }], [3])).toEqual({ min: 2, max: 4 });
    expect(axisExtent([], [])).toBeNull();
  });

  it('makes a metre as long on x as on y, keeping the centre and everything that fitted', () => {
    // The vehicle loop: 85 m by 30 m in a 1600 × 800 px plot.
    const { x, y } = equalAspectExtents({ min: -42.5, max: 42.5 }, { min: -15, max: 15 }, 1600, 800);
    expect((x.max - x.min) / 1600).toBeCloseTo((y.max - y.min) / 800);
    expect(x).toEqual({ min: -42.5, max: 42.5 });
    expect(y.min).toBeLessThan(-15);
    expect((y.min + y.max) / 2).toBeCloseTo(0);
    // A square area in a tall plot: y gets the extra metres instead.
    const tall = equalAspectExtents({ min: 0, max: 10 }, { min: 0, max: 10 }, 100, 400);
    expect(tall.x).toEqual({ min: 0, max: 10 });
    expect(tall.y).toEqual({ min: -15, max: 25 });
  });
});

describe('position options', () => {
  const car: PlottedDevice = {
    key: 'b1/car',
    label: '<b>Car</b>',
    color: '#4cc9f0',
    dimmed: false,
    trail: [
      { ts: T0, x: 0, y: 0 },
      { ts: T0 + 1000, x: 1, y: 0 },
    ],
    position: { x: 1, y: 0 },
  };
  const extents = { x: { min: -10, max: 10 }, y: { min: -5, max: 5 } };
  const look = { fontSize: 18, fontFamily: 'sans-serif', halo: '#131a26', units: { x: 'm', y: 'm' } };

  it('draws a trail and a labelled head per device, without animation, at the given extents', () => {
    const option = buildPositionLayout([car], extents, look);
    expect(option.animation).toBe(false);
    expect(option.xAxis).toMatchObject({ type: 'value', min: -10, max: 10 });
    const series = option.series as Record<string, unknown>[];
    expect(series.map((s) => [s['id'], s['animation']])).toEqual([
      ['trail:b1/car', false],
      ['heads', false],
    ]);
    // The name travels as data for the canvas, never as markup.
    expect(series[1]?.['data']).toEqual([
      { name: '<b>Car</b>', value: [1, 0], symbolSize: 23, itemStyle: { color: '#4cc9f0', opacity: 1 }, label: { color: '#4cc9f0' } },
    ]);
  });

  it('fades a device that is not current, and draws live ones over it', () => {
    const shuttle = { ...car, key: 'b1/shuttle', label: 'Shuttle', dimmed: true };
    const update = buildPositionUpdate([car, shuttle], extents, look);
    const [carTrail, shuttleTrail, heads] = update.series as { data: { name?: string; symbolSize?: number; itemStyle?: { opacity: number } }[] }[];
    // Smaller too: where labels overlap, ECharts keeps the one of the larger dot.
    expect(heads?.data.map((d) => [d.name, d.itemStyle?.opacity, d.symbolSize])).toEqual([
      ['Shuttle', 0.4, 18],
      ['<b>Car</b>', 1, 23],
    ]);
    expect(shuttleTrail?.data[1]?.itemStyle?.opacity).toBeLessThan(carTrail?.data[1]?.itemStyle?.opacity ?? 0);
  });
});
