/**
 * The page assembling a chunked snapshot (contract/live.ts, Snapshot) with frames arriving between
 * chunks, as socket.io delivers them: the server's real chunker feeds the page's real WallModel.
 */
import { describe, expect, it } from 'vitest';
import type { Frame, Snapshot } from '../../contract/live';
import { DeviceDirectory } from '../../server/live/DeviceDirectory';
import { snapshotChunks } from '../../server/live/SnapshotChunker';
import { WallModel, type DeviceState } from '../../web/wall/WallModel';

const NOW = 1_764_000_000_000;
const WINDOW_MS = 10 * 60_000;
const BOOTHS = [{ id: 'a', name: 'Booth A' }];

function filledDirectory(): DeviceDirectory {
  const dir = new DeviceDirectory({ windowMs: WINDOW_MS, maxPointsPerSeries: 600, maxDevicesPerBooth: 100, maxSeriesPerDevice: 16 });
  for (let s = 300; s > 0; s--) {
    const ts = NOW - s * 1000;
    for (let d = 0; d < 6; d++) dir.recordTelemetry('a', `d${d}`, ts, { t: d * 100 + s, h: s % 7, on: s % 2 === 0 }, ts);
  }
  return dir;
}

const chunksOf = (dir: DeviceDirectory, chunkBytes: number, now = NOW) =>
  snapshotChunks(dir, BOOTHS, { booths: ['a'], windowMs: WINDOW_MS }, { maxBytes: 64 * 1024 * 1024, chunkBytes }, () => now);

function points(device: DeviceState | undefined, metric: string): [number, number][] {
  const out: [number, number][] = [];
  device?.metrics.get(metric)?.series.forEach((ts, value) => out.push([ts, value]));
  return out;
}

function picture(model: WallModel): unknown {
  return [...model.devices()]
    .sort((x, y) => x.key.localeCompare(y.key))
    .map((d) => ({
      key: d.key,
      lastSeen: d.lastSeen,
      metrics: [...d.metrics.values()].map((m) => ({ name: m.name, latest: m.latest, points: points(d, m.name) })),
    }));
}

describe('WallModel and a chunked snapshot', () => {
  it('ends with the same picture as one whole snapshot', () => {
    const dir = filledDirectory();
    const chunks = [...chunksOf(dir, 4 * 1024)];
    expect(chunks.length).toBeGreaterThan(5);
    const chunked = new WallModel({ windowMs: WINDOW_MS });
    for (const chunk of chunks) chunked.applySnapshot(chunk, NOW);
    const whole = new WallModel({ windowMs: WINDOW_MS });
    whole.applySnapshot([...chunksOf(dir, 64 * 1024 * 1024)][0]!, NOW);
    expect(picture(chunked)).toEqual(picture(whole));
    expect(points(chunked.device('a/d3'), 't')).toHaveLength(300);
  });

  it('the first chunk replaces what the page held, later ones add', () => {
    const model = new WallModel({ windowMs: WINDOW_MS });
    const stale: Snapshot = { serverTime: NOW, windowMs: WINDOW_MS, booths: BOOTHS, devices: [], chunk: 0, final: true };
    model.applyFrame({ booth: 'a', serverTime: NOW, readings: [{ booth: 'a', device: 'gone', ts: NOW, values: { t: 1 } }], devices: [] }, NOW);
    model.applySnapshot(stale, NOW);
    expect(model.device('a/gone')).toBeUndefined();
    const chunks = [...chunksOf(filledDirectory(), 4 * 1024)];
    model.applySnapshot(chunks[0]!, NOW);
    const afterFirst = model.size;
    for (const chunk of chunks.slice(1)) model.applySnapshot(chunk, NOW);
    expect(model.size).toBe(6);
    expect(afterFirst).toBeLessThanOrEqual(6);
  });

  it('keeps frames that arrive between chunks, in order, without repeats or gaps', () => {
    const dir = filledDirectory();
    const generator = chunksOf(dir, 4 * 1024);
    const model = new WallModel({ windowMs: WINDOW_MS });
    model.applySnapshot(generator.next().value as Snapshot, NOW);
    // Ticks between chunks, as the server runs them: readings go into the directory and out as frames.
    // Each chunk is built in the turn it is sent, after the frames sent before it; the readings of
    // the next frame are in the directory already, so the chunk repeats some of them.
    let ts = NOW;
    let pending: Frame | undefined;
    for (;;) {
      if (pending) model.applyFrame(pending, pending.serverTime);
      ts += 200;
      const readings = [0, 1, 2, 3, 4, 5].map((d) => ({ booth: 'a', device: `d${d}`, ts, values: { t: -ts, h: 42, on: true } }));
      for (const r of readings) dir.recordTelemetry('a', r.device, r.ts, r.values, r.ts);
      pending = { booth: 'a', serverTime: ts, readings, devices: [] };
      const chunk = generator.next();
      if (chunk.done) break;
      model.applySnapshot(chunk.value, ts);
    }
    model.applyFrame(pending, pending.serverTime);
    const ticks = (ts - NOW) / 200;
    expect(ticks).toBeGreaterThan(3);
    for (let d = 0; d < 6; d++) {
      const series = points(model.device(`a/d${d}`), 't');
      const times = series.map(([t]) => t);
      expect(new Set(times).size).toBe(times.length); // no repeats
      expect(times).toEqual([...times].sort((x, y) => x - y)); // in order
      // Every snapshot point and every frame point, nothing lost (page capacity 600 > 300 + ticks).
      expect(series).toHaveLength(300 + ticks);
      expect(series.at(-1)).toEqual([ts, -ts]);
      expect(model.device(`a/d${d}`)!.metrics.get('t')!.latest).toBe(-ts);
    }
  });

  it('tells what the server left out, once the snapshot is complete', () => {
    const model = new WallModel({ windowMs: WINDOW_MS });
    const base = { serverTime: NOW, windowMs: WINDOW_MS, booths: BOOTHS, devices: [] };
    model.applySnapshot({ ...base, chunk: 0, final: false }, NOW);
    expect(model.snapshotTruncated).toBeNull();
    model.applySnapshot({ ...base, chunk: 1, final: true, truncated: { points: 1200, devices: 3 } }, NOW);
    expect(model.snapshotTruncated).toEqual({ points: 1200, devices: 3 });
    model.applySnapshot({ ...base, chunk: 0, final: true, truncated: { points: 0, devices: 0 } }, NOW);
    expect(model.snapshotTruncated).toBeNull();
  });
});
