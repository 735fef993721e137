import { describe, expect, it } from 'vitest';
import type { LinePoint } from '../../web/shared/chartOptions';
import { decimateLine, PIXELS_PER_BUCKET } from '../../web/shared/lineDecimation';

/** 600 points over a minute, a sine with one spike and one dip, as a tile chart holds at 10 readings/s. */
function busyLine(): LinePoint[] {
  const points: LinePoint[] = [];
  for (let i = 0; i < 600; i++) points.push([i * 100, Math.sin(i / 20) * 10]);
  (points[123] as LinePoint)[1] = 95;
  (points[456] as LinePoint)[1] = -80;
  return points;
}

const WINDOW = { min: 0, max: 60_000 };

describe('decimateLine', () => {
  it('hands a chart at most two points per bucket of its width', () => {
    const thinned = decimateLine(busyLine(), WINDOW, 150);
    expect(thinned.length).toBeLessThanOrEqual(2 * Math.floor(150 / PIXELS_PER_BUCKET) + 1);
    expect(thinned.length).toBeLessThan(600);
  });

  it('keeps the spike, the dip, the first and the newest point, in time order', () => {
    const line = busyLine();
    const thinned = decimateLine(line, WINDOW, 150);
    expect(thinned).toContain(line[123]);
    expect(thinned).toContain(line[456]);
    expect(thinned[0]).toBe(line[0]);
    expect(thinned[thinned.length - 1]).toBe(line[599]);
    const times = thinned.map(([ts]) => ts);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Within every bucket, nothing outside what was kept: the drawn envelope is the same.
    const max = Math.max(...thinned.map(([, v]) => v ?? -Infinity));
    const min = Math.min(...thinned.map(([, v]) => v ?? Infinity));
    expect([min, max]).toEqual([-80, 95]);
  });

  it('keeps every gap (null) where it was, so a break in the line stays a break', () => {
    const line = busyLine();
    line.splice(300, 0, [29_950, null]);
    const thinned = decimateLine(line, WINDOW, 150);
    const gaps = thinned.filter(([, v]) => v === null);
    expect(gaps).toEqual([[29_950, null]]);
    const at = thinned.findIndex(([, v]) => v === null);
    expect((thinned[at - 1] as LinePoint)[0]).toBeLessThan(29_950);
    expect((thinned[at + 1] as LinePoint)[0]).toBeGreaterThan(29_950);
  });

  it('returns a short line untouched', () => {
    const line: LinePoint[] = [
      [0, 1],
      [1000, 2],
      [2000, 3],
    ];
    expect(decimateLine(line, WINDOW, 150)).toBe(line);
  });
});
