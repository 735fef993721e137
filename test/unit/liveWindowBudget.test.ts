/**
 * The live window's memory follows the points it holds (LiveWindowSeries grows on demand) and each
 * booth's series and bytes are budgeted (DeviceDirectory): refusals are counted against the booth
 * that caused them, evictions give bytes back, and another booth is never touched.
 */
import { describe, expect, it } from 'vitest';
import { BudgetRefusals } from '../../server/budgets/BudgetRefusals';
import { DeviceDirectory, type DirectoryLimits } from '../../server/live/DeviceDirectory';
import { BYTES_PER_POINT, INITIAL_POINTS, LiveWindowSeries } from '../../server/live/LiveWindowSeries';

describe('LiveWindowSeries growth', () => {
  it('starts small and doubles up to its capacity, asking for each growth', () => {
    const asked: number[] = [];
    const buffer = new LiveWindowSeries(900, 1);
    expect(buffer.allocatedBytes).toBe(INITIAL_POINTS * BYTES_PER_POINT);
    const sizes = new Set<number>();
    for (let t = 0; t < 2000; t++) {
      buffer.push(t, t, (bytes) => (asked.push(bytes), true));
      sizes.add(buffer.allocatedPoints);
    }
    expect([...sizes]).toEqual([8, 16, 32, 64, 128, 256, 512, 900]);
    expect(asked).toEqual([8, 16, 32, 64, 128, 256, 388].map((points) => points * BYTES_PER_POINT));
    expect(buffer.since(0).ts).toEqual(Array.from({ length: 900 }, (_, i) => 1100 + i));
  });

  it('a series heard once costs its initial allocation, not its window', () => {
    const buffer = new LiveWindowSeries(900, 1000);
    buffer.push(1, 1);
    expect(buffer.allocatedBytes).toBe(INITIAL_POINTS * BYTES_PER_POINT);
  });

  it('refused growth keeps the newest points within what it has, and says so; growth later resumes in order', () => {
    let allow = false;
    const buffer = new LiveWindowSeries(100, 1, 4);
    const outcomes = [];
    for (let t = 0; t < 10; t++) outcomes.push(buffer.push(t, t * 10, () => allow));
    expect(outcomes).toEqual(['added', 'added', 'added', 'added', ...Array<string>(6).fill('squeezed')]);
    expect(buffer.since(0)).toEqual({ ts: [6, 7, 8, 9], values: [60, 70, 80, 90] });
    allow = true;
    expect(buffer.push(10, 100, () => allow)).toBe('added');
    expect(buffer.allocatedPoints).toBe(8);
    expect(buffer.since(0).ts).toEqual([6, 7, 8, 9, 10]);
  });

  it('rolls at full capacity as designed, and replaces within a slot without growing', () => {
    const buffer = new LiveWindowSeries(8, 1000, 8);
    expect(buffer.push(0, 1, () => false)).toBe('added');
    expect(buffer.push(500, 2, () => false)).toBe('replaced');
    for (let t = 1; t < 8; t++) buffer.push(t * 1000, t, () => false);
    expect(buffer.push(8000, 8, () => false)).toBe('rolled');
    expect(buffer.since(0).ts[0]).toBe(1000);
  });
});

describe('DeviceDirectory per-booth budgets', () => {
  const limits: DirectoryLimits = {
    windowMs: 900_000,
    maxPointsPerSeries: 900,
    maxDevicesPerBooth: 10,
    maxSeriesPerDevice: 64,
    maxSeriesPerBooth: 20,
    maxLiveWindowBytesPerBooth: 64 * 1024,
  };
  const make = (overrides: Partial<DirectoryLimits> = {}) => {
    const refusals = new BudgetRefusals(['a', 'b']);
    return { directory: new DeviceDirectory({ ...limits, ...overrides }, refusals), refusals };
  };
  const values = (n: number, v = 1) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}`, v]));

  it('accounts allocated bytes, refuses series past maxSeriesPerBooth (no latest either), and counts them against the booth', () => {
    const { directory, refusals } = make();
    directory.recordTelemetry('a', 'd1', 1000, values(16), 1000);
    directory.recordTelemetry('a', 'd2', 1000, values(16), 1000);
    expect(directory.boothUsage('a')).toEqual({ series: 20, liveWindowBytes: 20 * INITIAL_POINTS * BYTES_PER_POINT });
    expect(Object.keys(directory.get('a', 'd2')!.latest)).toHaveLength(4);
    expect(refusals.forBooth('a').get('series-budget')).toBe(12);
    // Booth b has its own budget: unaffected by a at its limit.
    directory.recordTelemetry('b', 'd1', 1000, values(16), 1000);
    expect(directory.boothUsage('b').series).toBe(16);
    expect(refusals.forBooth('b').size).toBe(0);
  });

  it('stops growth at maxLiveWindowBytesPerBooth: existing series keep their newest points, new series are refused', () => {
    const { directory, refusals } = make({ maxSeriesPerBooth: 1000, maxLiveWindowBytesPerBooth: 64 * 1024 });
    for (let t = 0; t < 900; t++) directory.recordTelemetry('a', 'dense', t * 1000, values(8, t), t * 1000);
    const usage = directory.boothUsage('a');
    expect(usage.liveWindowBytes).toBeLessThanOrEqual(64 * 1024);
    expect(usage.liveWindowBytes).toBeGreaterThan(32 * 1024);
    expect(refusals.forBooth('a').get('live-window-bytes')).toBeGreaterThan(0);
    const record = directory.get('a', 'dense')!;
    for (const window of directory.window(record, 0)) expect(window.ts.at(-1)).toBe(899_000);
    // Every byte is spoken for; another booth still gets a whole window.
    for (let t = 0; t < 900; t++) directory.recordTelemetry('b', 'env', t * 1000, { t }, t * 1000);
    expect(directory.window(directory.get('b', 'env')!, 0)[0]!.ts).toHaveLength(900);
    expect(refusals.forBooth('b').size).toBe(0);
  });

  it('an evicted device gives back its series and bytes, counted as device-evicted against its booth only', () => {
    const { directory, refusals } = make({ maxSeriesPerBooth: 1000, maxDevicesPerBooth: 3 });
    directory.recordTelemetry('b', 'keeper', 1, values(2), 1);
    for (let i = 0; i < 10; i++) directory.recordTelemetry('a', `d${i}`, 1, values(4), 1);
    expect(directory.boothUsage('a')).toEqual({ series: 12, liveWindowBytes: 12 * INITIAL_POINTS * BYTES_PER_POINT });
    expect(refusals.forBooth('a').get('device-evicted')).toBe(7);
    expect(directory.get('b', 'keeper')).toBeDefined();
    expect(directory.boothUsage('b').series).toBe(2);
    expect(refusals.forBooth('b').size).toBe(0);
  });

  it('holds fresh-id floods to the budget: 38,400 series wanted, at most maxSeriesPerBooth held', () => {
    const { directory, refusals } = make({ maxDevicesPerBooth: 500, maxSeriesPerBooth: 5000, maxLiveWindowBytesPerBooth: 64 * 1024 * 1024 });
    for (let i = 0; i < 600; i++) directory.recordTelemetry('a', `flood-${i}`, 1, values(64), 1);
    expect(directory.boothUsage('a').series).toBeLessThanOrEqual(5000);
    expect(directory.boothUsage('a').liveWindowBytes).toBeLessThanOrEqual(5000 * INITIAL_POINTS * BYTES_PER_POINT);
    expect(refusals.forBooth('a').get('device-evicted')).toBe(100);
  });
});
