import { describe, expect, it } from 'vitest';
import { ChartSeries } from '../../web/shared/ChartSeries';

function points(buffer: ChartSeries): [number, number][] {
  const out: [number, number][] = [];
  buffer.forEach((ts, value) => out.push([ts, value]));
  return out;
}

describe('ChartSeries', () => {
  it('keeps at most `capacity` points, dropping the oldest', () => {
    const buffer = new ChartSeries(3);
    for (let ts = 1; ts <= 5; ts++) buffer.append(ts, ts * 10);
    expect(buffer.length).toBe(3);
    expect(points(buffer)).toEqual([
      [3, 30],
      [4, 40],
      [5, 50],
    ]);
  });

  it('stays bounded and ordered over many wrap-arounds', () => {
    const buffer = new ChartSeries(600);
    for (let ts = 0; ts < 100_000; ts++) buffer.append(ts, ts);
    expect(buffer.length).toBe(600);
    const ts = points(buffer).map(([t]) => t);
    expect(ts[0]).toBe(100_000 - 600);
    expect(ts.every((t, i) => i === 0 || t > (ts[i - 1] ?? Infinity))).toBe(true);
  });

  it('ignores a time it already holds, and puts late points in their place', () => {
    const buffer = new ChartSeries(10);
    expect(buffer.append(100, 1)).toBe(true);
    expect(buffer.append(100, 2)).toBe(false);
    expect(buffer.append(50, 3)).toBe(true);
    expect(buffer.append(101, 4)).toBe(true);
    expect(buffer.append(75, 5)).toBe(true);
    expect(buffer.append(75, 6)).toBe(false);
    expect(points(buffer)).toEqual([
      [50, 3],
      [75, 5],
      [100, 1],
      [101, 4],
    ]);
    expect(buffer.lastTs()).toBe(101);
    expect(buffer.lastValue()).toBe(4);
  });

  it('stays bounded and ordered when late points arrive in a full, wrapped ring', () => {
    const buffer = new ChartSeries(5);
    for (let ts = 10; ts <= 100; ts += 10) buffer.append(ts, ts); // holds 60..100, wrapped
    expect(buffer.append(5, 5)).toBe(false); // older than everything held
    expect(buffer.append(85, 85)).toBe(true); // 60 goes
    expect(points(buffer).map(([t]) => t)).toEqual([70, 80, 85, 90, 100]);
    expect(buffer.append(71, 71)).toBe(true);
    expect(points(buffer).map(([t]) => t)).toEqual([71, 80, 85, 90, 100]);
    expect(buffer.length).toBe(5);
  });

  it('ignores non-finite points', () => {
    const buffer = new ChartSeries(10);
    expect(buffer.append(Number.NaN, 1)).toBe(false);
    expect(buffer.append(1, Number.POSITIVE_INFINITY)).toBe(false);
    expect(buffer.length).toBe(0);
  });

  it('trims points older than a time', () => {
    const buffer = new ChartSeries(4);
    for (let ts = 1; ts <= 6; ts++) buffer.append(ts, ts);
    expect(buffer.trimBefore(5)).toBe(2);
    expect(points(buffer)).toEqual([
      [5, 5],
      [6, 6],
    ]);
    expect(buffer.trimBefore(100)).toBe(2);
    expect(buffer.length).toBe(0);
    expect(buffer.lastTs()).toBeUndefined();
    expect(buffer.append(1, 1)).toBe(true);
  });

  it('rejects a capacity that cannot hold a point', () => {
    expect(() => new ChartSeries(0)).toThrow(RangeError);
  });
});
