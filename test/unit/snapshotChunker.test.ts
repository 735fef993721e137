/**
 * The snapshot chunker against a real DeviceDirectory: every chunk bounded, the whole snapshot
 * capped, the oldest points of every series left out first and counted, booths taking turns.
 */
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../contract/live';
import { DeviceDirectory } from '../../server/live/DeviceDirectory';
import { numberBytes, snapshotChunks } from '../../server/live/SnapshotChunker';

const NOW = 1_764_000_000_000;
const WINDOW_MS = 15 * 60_000;
const BOOTHS = [
  { id: 'a', name: 'Booth A' },
  { id: 'b', name: 'Booth B' },
];

function directory(points = 900): DeviceDirectory {
  return new DeviceDirectory({ windowMs: WINDOW_MS, maxPointsPerSeries: points, maxDevicesPerBooth: 1000, maxSeriesPerDevice: 64 });
}

/** `devices` devices × `metrics` metrics, one point a second over `seconds`, values with long decimals. */
function fill(dir: DeviceDirectory, booth: string, devices: number, metrics: number, seconds: number, prefix = 'd'): void {
  for (let s = 0; s < seconds; s++) {
    const ts = NOW - (seconds - s) * 1000;
    for (let d = 0; d < devices; d++) {
      const values = Object.create(null) as Record<string, number>;
      for (let m = 0; m < metrics; m++) values[`metric-${m}`] = Math.sin(ts + d + m) * 1000;
      dir.recordTelemetry(booth, `${prefix}${d}`, ts, values, ts);
    }
  }
}

const all = (dir: DeviceDirectory, maxBytes: number, chunkBytes: number, booths = ['a', 'b']): Snapshot[] => [
  ...snapshotChunks(dir, BOOTHS, { booths, windowMs: WINDOW_MS }, { maxBytes, chunkBytes }, () => NOW),
];

/** Points per `booth/device/metric`, merged over chunks in order, as the page merges them. */
function merged(chunks: Snapshot[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const chunk of chunks) {
    for (const device of chunk.devices) {
      for (const column of device.series) {
        const key = `${device.booth}/${device.device}/${column.metric}`;
        out.set(key, [...(out.get(key) ?? []), ...column.ts]);
      }
    }
  }
  return out;
}

describe('snapshotChunks', () => {
  it('sends a small window as one final chunk equal to the whole snapshot', () => {
    const dir = directory();
    fill(dir, 'a', 2, 3, 10);
    const chunks = all(dir, 8 * 1024 * 1024, 256 * 1024);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ chunk: 0, final: true, truncated: { points: 0, devices: 0 }, booths: BOOTHS });
    expect(chunks[0]!.devices.map((d) => d.device).sort()).toEqual(['d0', 'd1']);
    expect(chunks[0]!.devices[0]!.series).toHaveLength(3);
    expect(chunks[0]!.devices[0]!.series[0]!.ts).toHaveLength(10);
  });

  it('keeps every chunk near its bound and loses nothing under the cap', () => {
    const dir = directory();
    fill(dir, 'a', 20, 16, 300); // 96,000 points, ~2.5 MB of JSON
    const chunks = all(dir, 64 * 1024 * 1024, 64 * 1024);
    expect(chunks.length).toBeGreaterThan(20);
    chunks.forEach((chunk, index) => {
      expect(chunk.chunk).toBe(index);
      expect(chunk.final).toBe(index === chunks.length - 1);
      // One point or one summary past the bound at most.
      expect(JSON.stringify(chunk).length).toBeLessThan(64 * 1024 + 2048);
    });
    expect(chunks.at(-1)!.truncated).toEqual({ points: 0, devices: 0 });
    const points = merged(chunks);
    expect(points.size).toBe(20 * 16);
    for (const ts of points.values()) {
      expect(ts).toHaveLength(300);
      expect(ts).toEqual([...ts].sort((x, y) => x - y)); // older slices first: the page appends
    }
  });

  // Small chunks with large summaries (64 latest values repeated at every chunk boundary) are the hard case for the cap.
  it.each([
    { metrics: 32, chunkBytes: 256 * 1024 },
    { metrics: 64, chunkBytes: 16 * 1024 },
  ])(
    'caps the whole snapshot, leaving out the oldest points of every series, and says how many ($metrics metrics, $chunkBytes-byte chunks)',
    ({ metrics, chunkBytes }) => {
      const dir = directory();
      fill(dir, 'a', 30, metrics, 600); // up to 1.15 M points, ~30 MB of JSON
      const maxBytes = 2 * 1024 * 1024;
      const chunks = all(dir, maxBytes, chunkBytes);
      const sent = chunks.reduce((sum, chunk) => sum + JSON.stringify(chunk).length, 0);
      expect(sent).toBeLessThanOrEqual(maxBytes);
      expect(sent).toBeGreaterThan(maxBytes * 0.8); // the cap is used, not wasted
      const points = merged(chunks);
      let kept = 0;
      for (const [key, ts] of points) {
        const [booth, device, metric] = key.split('/') as [string, string, string];
        const full = dir.get(booth, device)!.series.get(metric)!.since(0).ts;
        expect(ts).toEqual(full.slice(full.length - ts.length)); // the newest part, each point once, nothing from the middle
        expect(ts.length).toBeGreaterThan(0);
        kept += ts.length;
      }
      expect(points.size).toBe(30 * metrics); // every series keeps its recent part
      expect(chunks.at(-1)!.truncated).toEqual({ points: 30 * metrics * 600 - kept, devices: 0 });
    },
  );

  it('gives every booth its turn: a flooding booth does not push another out of the first chunk', () => {
    const dir = directory();
    fill(dir, 'b', 3, 2, 5, 'quiet');
    fill(dir, 'a', 400, 8, 5, 'flood'); // heard more recently than b
    const chunks = all(dir, 8 * 1024 * 1024, 32 * 1024);
    const first = chunks[0]!.devices.map((d) => `${d.booth}/${d.device}`);
    expect(first.slice(0, 6).filter((key) => key.startsWith('b/'))).toHaveLength(3);
  });

  it('leaves out whole devices, the last in line, only when even their summaries do not fit', () => {
    const dir = directory();
    for (let d = 0; d < 200; d++) dir.recordMeta('a', `d${d}`, { name: 'x'.repeat(1000) });
    const chunks = all(dir, 64 * 1024, 16 * 1024);
    const sent = chunks.flatMap((c) => c.devices.map((d) => d.device));
    const { devices } = chunks.at(-1)!.truncated!;
    expect(devices).toBeGreaterThan(100);
    expect(new Set(sent).size + devices).toBe(200);
    expect(chunks.reduce((sum, chunk) => sum + JSON.stringify(chunk).length, 0)).toBeLessThanOrEqual(64 * 1024);
  });

  it('reads the directory as it is at each chunk: evicted devices skipped, points that arrive meanwhile left to the frames', () => {
    const dir = new DeviceDirectory({ windowMs: WINDOW_MS, maxPointsPerSeries: 900, maxDevicesPerBooth: 4, maxSeriesPerDevice: 64 });
    fill(dir, 'a', 4, 4, 200);
    const generator = snapshotChunks(dir, BOOTHS, { booths: ['a'], windowMs: WINDOW_MS }, { maxBytes: 64 * 1024 * 1024, chunkBytes: 4 * 1024 }, () => NOW);
    const chunks: Snapshot[] = [generator.next().value as Snapshot];
    const inProgress = chunks[0]!.devices.at(-1)!;
    const column = inProgress.series.at(-1)!;
    // Between chunks: the series being sent gets a new point (which the next frame carries), which also
    // makes its device the most recently heard; a newcomer then evicts the least recently heard one.
    dir.recordTelemetry('a', inProgress.device, NOW + 500, { [column.metric]: 1 }, NOW + 500);
    const order = [...dir.records(new Set(['a']))].map((r) => r.device);
    dir.recordTelemetry('a', 'newcomer', NOW + 600, { x: 1 }, NOW + 600);
    const evicted = order.find((device) => !dir.get('a', device))!;
    expect(evicted).toBeDefined();
    for (let next = generator.next(); !next.done; next = generator.next()) chunks.push(next.value);

    const later = chunks.slice(1).flatMap((c) => c.devices.map((d) => d.device));
    expect(later).not.toContain(evicted);
    expect(later).not.toContain('newcomer'); // not planned: it reaches the wall in frames
    const ts = merged(chunks).get(`a/${inProgress.device}/${column.metric}`)!;
    expect(ts).toHaveLength(200); // nothing lost, nothing repeated
    expect(new Set(ts).size).toBe(200);
    expect(ts.at(-1)).toBeLessThan(NOW + 500);
    expect(chunks.at(-1)!.truncated).toEqual({ points: 0, devices: 0 });
  });

  it('measures numbers as JSON prints them', () => {
    for (const value of [0, 7, -7, 10, 99, 100, 1_764_000_000_000, -123456, 0.1, -2.5e-7, 1e21, 123.456]) {
      expect(numberBytes(value)).toBe(JSON.stringify(value).length);
    }
  });
});
