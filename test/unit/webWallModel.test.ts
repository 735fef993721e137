import { describe, expect, it } from 'vitest';
import type { DeviceWindow, Frame, LiveReading, Snapshot } from '../../contract/live';
import { WallModel, type DeviceState } from '../../web/wall/WallModel';

const T0 = 1_700_000_000_000;
const WINDOW = 5 * 60_000;

function deviceWindow(device: string, overrides: Partial<DeviceWindow> = {}): DeviceWindow {
  return {
    booth: 'b1',
    device,
    meta: { name: `Sensor ${device}`, units: { temperature: '°C' }, intervalMs: 1000 },
    presence: { state: 'online', since: T0 - 60_000, reason: 'status' },
    lastSeen: T0,
    latest: { temperature: 21.5 },
    series: [{ metric: 'temperature', ts: [T0 - 2000, T0 - 1000, T0], values: [21, 21.2, 21.5] }],
    ...overrides,
  };
}

function snapshot(devices: DeviceWindow[], serverTime = T0): Snapshot {
  return { serverTime, windowMs: WINDOW, booths: [{ id: 'b1', name: 'Booth One' }], devices };
}

function frame(serverTime: number, readings: Omit<LiveReading, 'booth'>[], devices: Frame['devices'] = []): Frame {
  return { booth: 'b1', serverTime, readings: readings.map((r) => ({ booth: 'b1', ...r })), devices };
}

function series(device: DeviceState | undefined, metric: string): [number, number][] {
  const out: [number, number][] = [];
  device?.metrics.get(metric)?.series.forEach((ts, value) => out.push([ts, value]));
  return out;
}

describe('WallModel', () => {
  it('loads a snapshot: meta, presence, latest values and series', () => {
    const model = new WallModel({ windowMs: WINDOW });
    const change = model.applySnapshot(snapshot([deviceWindow('d1')]), T0);
    expect(change.membership).toBe(true);
    expect([...change.devices]).toEqual(['b1/d1']);
    const device = model.device('b1/d1');
    expect(device?.meta.name).toBe('Sensor d1');
    expect(device?.presence.state).toBe('online');
    expect(device?.lastSeen).toBe(T0);
    expect(device?.metrics.get('temperature')?.latest).toBe(21.5);
    expect(series(device, 'temperature')).toEqual([
      [T0 - 2000, 21],
      [T0 - 1000, 21.2],
      [T0, 21.5],
    ]);
    expect(model.booths).toEqual([{ id: 'b1', name: 'Booth One' }]);
  });

  it('replaces everything it held when a new snapshot arrives', () => {
    const model = new WallModel({ windowMs: WINDOW });
    model.applySnapshot(snapshot([deviceWindow('d1'), deviceWindow('d2')]), T0);
    model.applyFrame(frame(T0 + 1000, [{ device: 'd1', ts: T0 + 1000, values: { temperature: 30 } }]), T0 + 1000);

    // After a server restart its history is shorter than ours: the page must not keep the old points.
    const restarted = deviceWindow('d1', {
      lastSeen: T0 + 5000,
      latest: { temperature: 19 },
      series: [{ metric: 'temperature', ts: [T0 + 5000], values: [19] }],
    });
    const change = model.applySnapshot(snapshot([restarted], T0 + 5000), T0 + 5000);
    expect(change.membership).toBe(true);
    expect(model.size).toBe(1);
    expect(model.device('b1/d2')).toBeUndefined();
    expect(series(model.device('b1/d1'), 'temperature')).toEqual([[T0 + 5000, 19]]);
    expect(model.device('b1/d1')?.metrics.get('temperature')?.latest).toBe(19);
  });

  it('appends frame readings only when newer than the last point', () => {
    const model = new WallModel({ windowMs: WINDOW });
    model.applySnapshot(snapshot([deviceWindow('d1')]), T0);
    const change = model.applyFrame(
      frame(T0 + 200, [
        { device: 'd1', ts: T0 - 1000, values: { temperature: 99 } }, // already in the snapshot
        { device: 'd1', ts: T0, values: { temperature: 99 } }, // same ts as the last point
        { device: 'd1', ts: T0 + 100, values: { temperature: 22 } },
      ]),
      T0 + 200,
    );
    expect([...change.devices]).toEqual(['b1/d1']);
    expect(change.membership).toBe(false);
    expect(series(model.device('b1/d1'), 'temperature').map(([, v]) => v)).toEqual([21, 21.2, 21.5, 22]);
    expect(model.device('b1/d1')?.metrics.get('temperature')?.latest).toBe(22);
    expect(model.device('b1/d1')?.lastSeen).toBe(T0 + 200);
  });

  it('does not report a device as changed, or fresher, for repeated readings only', () => {
    const model = new WallModel({ windowMs: WINDOW });
    model.applySnapshot(snapshot([deviceWindow('d1')]), T0);
    const change = model.applyFrame(frame(T0 + 9000, [{ device: 'd1', ts: T0, values: { temperature: 21.5 } }]), T0 + 9000);
    expect(change.devices.size).toBe(0);
    expect(model.device('b1/d1')?.lastSeen).toBe(T0);
  });

  it('bounds each series by point count', () => {
    const model = new WallModel({ windowMs: WINDOW, maxPointsPerSeries: 5 });
    model.applySnapshot(snapshot([deviceWindow('d1')]), T0);
    for (let i = 1; i <= 20; i++) {
      model.applyFrame(frame(T0 + i * 100, [{ device: 'd1', ts: T0 + i * 100, values: { temperature: i } }]), T0 + i * 100);
    }
    expect(series(model.device('b1/d1'), 'temperature').map(([, v]) => v)).toEqual([16, 17, 18, 19, 20]);
  });

  it('keeps only the last points of an oversized snapshot column', () => {
    const model = new WallModel({ windowMs: WINDOW, maxPointsPerSeries: 2 });
    model.applySnapshot(snapshot([deviceWindow('d1')]), T0);
    expect(series(model.device('b1/d1'), 'temperature')).toEqual([
      [T0 - 1000, 21.2],
      [T0, 21.5],
    ]);
  });

  it('trims series to the time window, on frames and on the page tick', () => {
    const model = new WallModel({ windowMs: 10_000 });
    const old = deviceWindow('d1', {
      series: [{ metric: 'temperature', ts: [T0 - 20_000, T0 - 5000, T0], values: [1, 2, 3] }],
    });
    const quiet = deviceWindow('d2', { series: [{ metric: 'temperature', ts: [T0 - 1000], values: [5] }] });
    model.applySnapshot(snapshot([old, quiet]), T0);
    expect(series(model.device('b1/d1'), 'temperature').map(([, v]) => v)).toEqual([2, 3]);

    model.applyFrame(frame(T0 + 6000, [{ device: 'd1', ts: T0 + 6000, values: { temperature: 4 } }]), T0 + 6000);
    expect(series(model.device('b1/d1'), 'temperature').map(([, v]) => v)).toEqual([3, 4]);

    // d2 sends nothing, so only the tick can age its points out.
    expect(series(model.device('b1/d2'), 'temperature')).toHaveLength(1);
    model.trimToWindow(T0 + 9500);
    expect(series(model.device('b1/d2'), 'temperature')).toHaveLength(0);
  });

  it('sorts an unordered snapshot column before appending', () => {
    const model = new WallModel({ windowMs: WINDOW });
    const shuffled = deviceWindow('d1', { series: [{ metric: 'temperature', ts: [T0, T0 - 2000, T0 - 1000], values: [3, 1, 2] }] });
    model.applySnapshot(snapshot([shuffled]), T0);
    expect(series(model.device('b1/d1'), 'temperature').map(([, v]) => v)).toEqual([1, 2, 3]);
  });

  it('evicts the device with the oldest lastSeen when a new one would exceed the cap', () => {
    const model = new WallModel({ windowMs: WINDOW, maxDevices: 2 });
    model.applySnapshot(snapshot([deviceWindow('old', { lastSeen: T0 - 50_000 }), deviceWindow('recent', { lastSeen: T0 - 1000 })]), T0);
    const change = model.applyFrame(frame(T0 + 100, [{ device: 'new', ts: T0 + 100, values: { temperature: 20 } }]), T0 + 100);
    expect(change.membership).toBe(true);
    expect(model.size).toBe(2);
    expect(model.device('b1/old')).toBeUndefined();
    expect(model.device('b1/recent')).toBeDefined();
    expect(model.device('b1/new')?.lastSeen).toBe(T0 + 100);
  });

  it('keeps the most recently seen devices of a snapshot larger than the cap', () => {
    const model = new WallModel({ windowMs: WINDOW, maxDevices: 2 });
    model.applySnapshot(
      snapshot([deviceWindow('never', { lastSeen: null }), deviceWindow('old', { lastSeen: T0 - 50_000 }), deviceWindow('recent', { lastSeen: T0 })]),
      T0,
    );
    expect([...model.devices()].map((d) => d.device).sort()).toEqual(['old', 'recent']);
  });

  it('never reports an evicted device as changed', () => {
    const model = new WallModel({ windowMs: WINDOW, maxDevices: 1 });
    model.applySnapshot(snapshot([deviceWindow('a', { lastSeen: T0 - 1 })]), T0);
    const change = model.applyFrame(
      frame(T0 + 100, [
        { device: 'a', ts: T0 + 50, values: { temperature: 1 } },
        { device: 'b', ts: T0 + 60, values: { temperature: 2 } },
      ]),
      T0 + 100,
    );
    expect([...change.devices]).toEqual(['b1/b']);
    expect(model.size).toBe(1);
  });

  it('applies device summaries from frames: meta, presence, lastSeen and latest', () => {
    const model = new WallModel({ windowMs: WINDOW });
    model.applySnapshot(snapshot([deviceWindow('d1')]), T0);
    const change = model.applyFrame(
      frame(
        T0 + 200,
        [],
        [
          {
            booth: 'b1',
            device: 'd1',
            meta: { name: 'Renamed' },
            presence: { state: 'offline', since: T0 + 150, reason: 'will' },
            lastSeen: T0 - 500, // older than what the page knows: must not move lastSeen back
            latest: { temperature: 21.5, door: true },
          },
        ],
      ),
      T0 + 200,
    );
    expect([...change.devices]).toEqual(['b1/d1']);
    const device = model.device('b1/d1');
    expect(device?.meta.name).toBe('Renamed');
    expect(device?.presence.state).toBe('offline');
    expect(device?.lastSeen).toBe(T0);
    expect(device?.metrics.get('door')?.kind).toBe('boolean');
    expect(device?.metrics.get('door')?.latest).toBe(true);
  });

  it('keeps booleans as booleans and stores them as 0/1', () => {
    const model = new WallModel({ windowMs: WINDOW });
    model.applySnapshot(snapshot([]), T0);
    model.applyFrame(frame(T0 + 100, [{ device: 'door', ts: T0 + 100, values: { open: true } }]), T0 + 100);
    model.applyFrame(frame(T0 + 300, [{ device: 'door', ts: T0 + 300, values: { open: false } }]), T0 + 300);
    const metric = model.device('b1/door')?.metrics.get('open');
    expect(metric?.kind).toBe('boolean');
    expect(metric?.latest).toBe(false);
    expect(series(model.device('b1/door'), 'open').map(([, v]) => v)).toEqual([1, 0]);
  });

  it('recognises a boolean metric in a snapshot by its latest value', () => {
    const model = new WallModel({ windowMs: WINDOW });
    const door = deviceWindow('door', { latest: { open: false }, series: [{ metric: 'open', ts: [T0 - 1000, T0], values: [1, 0] }] });
    model.applySnapshot(snapshot([door]), T0);
    expect(model.device('b1/door')?.metrics.get('open')?.kind).toBe('boolean');
  });

  it('caps the number of metrics a device can create, and ignores values that are not numbers', () => {
    const model = new WallModel({ windowMs: WINDOW, maxMetricsPerDevice: 2 });
    model.applySnapshot(snapshot([]), T0);
    const values = { a: 1, b: 2, c: 3, bad: 'x' as unknown as number, nan: Number.NaN };
    model.applyFrame(frame(T0 + 100, [{ device: 'chatty', ts: T0 + 100, values }]), T0 + 100);
    expect([...(model.device('b1/chatty')?.metrics.keys() ?? [])]).toEqual(['a', 'b']);
  });

  it('tracks the server clock so ages do not depend on the kiosk clock', () => {
    const model = new WallModel({ windowMs: WINDOW });
    model.applySnapshot(snapshot([], T0), T0 - 60_000); // page clock one minute behind
    expect(model.serverNow(T0 - 60_000 + 2000)).toBe(T0 + 2000);
  });
});
