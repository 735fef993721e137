import { describe, expect, it } from 'vitest';
import { DeviceDirectory } from '../../server/live/DeviceDirectory';
import { LiveHub } from '../../server/live/LiveHub';
import { snapshotChunks } from '../../server/live/SnapshotChunker';
import { parseSubscription } from '../../server/live/LiveHub';
import { WallRegistry } from '../../server/live/WallRegistry';
import { LiveWindowSeries } from '../../server/live/LiveWindowSeries';
import { AUTOMATIC_DASHBOARD } from '../../server/dashboard/DashboardSource';

const welcome = () => ({ dashboard: () => AUTOMATIC_DASHBOARD, registry: new WallRegistry() });

describe('LiveWindowSeries', () => {
  it('never holds more than its capacity and keeps the newest points', () => {
    const buffer = new LiveWindowSeries(100, 1);
    for (let t = 0; t < 10_000; t++) buffer.push(t, t * 2);
    expect(buffer.size).toBe(100);
    const { ts, values } = buffer.since(0);
    expect(ts).toHaveLength(100);
    expect(ts[0]).toBe(9900);
    expect(ts[99]).toBe(9999);
    expect(values[99]).toBe(19998);
  });

  it('coalesces readings within one slot so a fast device still spans the window', () => {
    const buffer = new LiveWindowSeries(900, 1000); // 15 min at 1 s slots
    for (let t = 0; t < 15 * 60_000; t += 10) buffer.push(t, t); // 100 Hz for 15 minutes
    const { ts, values } = buffer.since(0);
    expect(ts).toHaveLength(900);
    expect(ts[0]).toBe(990); // the last reading of the first second
    expect(values.at(-1)).toBe(15 * 60_000 - 10);
  });

  it('refuses points older than the newest one and filters by time', () => {
    const buffer = new LiveWindowSeries(10, 1);
    buffer.push(100, 1);
    expect(buffer.push(50, 2)).toBe('older');
    buffer.push(200, 3);
    expect(buffer.since(150)).toEqual({ ts: [200], values: [3] });
  });
});

describe('DeviceDirectory bounds', () => {
  const limits = { windowMs: 60_000, maxPointsPerSeries: 60, maxDevicesPerBooth: 50, maxSeriesPerDevice: 8 };

  it('holds at most maxDevicesPerBooth per booth, evicting the least recently heard', () => {
    const directory = new DeviceDirectory(limits);
    directory.recordTelemetry('b1', 'keeper', 1, { a: 1 }, 1);
    for (let i = 0; i < 1000; i++) {
      directory.recordTelemetry('b1', `d${i}`, i, { a: i }, i);
      if (i % 10 === 0) directory.recordTelemetry('b1', 'keeper', i, { a: i }, i); // stays recent
    }
    expect(directory.size).toBe(50);
    expect(directory.evictedDevices).toBe(1001 - 50);
    expect(directory.get('b1', 'keeper')).toBeDefined();
    expect(directory.get('b1', 'd0')).toBeUndefined();
    expect(directory.get('b1', 'd999')).toBeDefined();
    // Rejections also create records and obey the same bound.
    for (let i = 0; i < 200; i++) directory.recordRejection('b2', `junk${i}`, 'not-json', 'x', i);
    expect([...directory.records(new Set(['b2']))]).toHaveLength(50);
  });

  it('holds at most maxSeriesPerDevice series and counts what it left out', () => {
    const directory = new DeviceDirectory(limits);
    for (let i = 0; i < 100; i++) directory.recordTelemetry('b1', 'd', i, { [`m${i}`]: i }, i);
    expect(directory.get('b1', 'd')!.series.size).toBe(8);
    expect(Object.keys(directory.get('b1', 'd')!.latest)).toHaveLength(8);
    expect(directory.droppedSeries).toBe(92);
  });

  it('keeps booleans as 0/1 in series and as booleans in latest', () => {
    const directory = new DeviceDirectory(limits);
    directory.recordTelemetry('b1', 'd', 1000, { on: true }, 1000);
    const record = directory.get('b1', 'd')!;
    expect(record.latest.on).toBe(true);
    expect(directory.window(record, 0)).toEqual([{ metric: 'on', ts: [1000], values: [1] }]);
  });
});

describe('LiveHub bounds', () => {
  it('holds at most maxFrameReadingsPerBooth values between ticks, dropping the oldest', () => {
    const directory = new DeviceDirectory({ windowMs: 60_000, maxPointsPerSeries: 60, maxDevicesPerBooth: 10, maxSeriesPerDevice: 8 });
    const hub = new LiveHub(directory, [{ id: 'b1', name: 'B1' }], { tickMs: 100, windowMs: 60_000, maxFrameReadingsPerBooth: 1000 }, welcome());
    for (let i = 0; i < 5000; i++) {
      hub.readingAccepted({ booth: 'b1', device: `d${i}`, ts: i, values: { a: i } });
      expect(hub.pendingReadings('b1')).toBeLessThanOrEqual(1000);
    }
    expect(hub.droppedLiveReadings + hub.pendingReadings('b1')).toBe(5000);
    const dropped = hub.droppedLiveReadings;
    // Readings for a booth that is not configured are ignored, not held.
    hub.readingAccepted({ booth: 'nope', device: 'd', ts: 1, values: { a: 1 } });
    expect(hub.droppedLiveReadings).toBe(dropped);
  });

  it('remembers at most maxDevicesPerBooth changed devices between ticks', () => {
    const directory = new DeviceDirectory({ windowMs: 60_000, maxPointsPerSeries: 60, maxDevicesPerBooth: 10, maxSeriesPerDevice: 8 });
    const hub = new LiveHub(directory, [{ id: 'b1', name: 'B1' }], { tickMs: 100, windowMs: 60_000, maxFrameReadingsPerBooth: 1000 }, welcome());
    for (let i = 0; i < 10_000; i++) hub.deviceChanged('b1', `d${i}`);
    expect(hub.pendingDeviceChanges('b1')).toBe(10);
  });

  it('builds a snapshot of the requested booths and window only', () => {
    const directory = new DeviceDirectory({ windowMs: 600_000, maxPointsPerSeries: 600, maxDevicesPerBooth: 10, maxSeriesPerDevice: 8 });
    const booths = [
      { id: 'b1', name: 'Booth one' },
      { id: 'b2', name: 'Booth two' },
    ];
    directory.recordTelemetry('b1', 'd1', 1_000, { a: 1 }, 1_000);
    directory.recordTelemetry('b1', 'd1', 100_000, { a: 2 }, 100_000);
    directory.recordTelemetry('b2', 'd2', 100_000, { a: 3 }, 100_000);
    // What a wall is sent, through the hub's own chunker: one chunk when everything fits.
    const request = { booths: ['b1'], windowMs: 60_000 };
    const [snapshot, ...more] = [...snapshotChunks(directory, booths, request, { maxBytes: 1 << 20, chunkBytes: 1 << 20 }, () => 120_000)];
    expect(more).toEqual([]);
    expect(snapshot?.booths).toEqual([{ id: 'b1', name: 'Booth one' }]);
    expect(snapshot?.devices.map((d) => d.device)).toEqual(['d1']);
    expect(snapshot?.devices[0]!.series).toEqual([{ metric: 'a', ts: [100_000], values: [2] }]);
  });
});

describe('wall subscription validation', () => {
  const booths = [
    { id: 'b1', name: 'B1' },
    { id: 'b2', name: 'B2' },
  ];
  it.each([
    [undefined, { booths: ['b1', 'b2'], windowMs: 900_000 }],
    [{ booths: [] }, { booths: ['b1', 'b2'], windowMs: 900_000 }],
    [
      { booths: ['b2'], windowMs: 60_000 },
      { booths: ['b2'], windowMs: 60_000 },
    ],
    [{ windowMs: 1e12 }, { booths: ['b1', 'b2'], windowMs: 900_000 }],
    [{ wall: { id: 'kiosk_A-01', reloads: 0 } }, { booths: ['b1', 'b2'], windowMs: 900_000, wall: { id: 'kiosk_A-01', reloads: 0 } }],
    [
      { wall: { id: 'k'.repeat(64), reloads: 1e9, lastReloadReason: 'heap-ceiling', extra: 'ignored' } },
      { booths: ['b1', 'b2'], windowMs: 900_000, wall: { id: 'k'.repeat(64), reloads: 1e9, lastReloadReason: 'heap-ceiling' } },
    ],
  ])('accepts %j', (auth, expected) => {
    expect(parseSubscription(auth, booths, 900_000)).toEqual(expected);
  });
  it.each([
    [{ booths: 'b1' }, /list of booth ids/],
    [{ booths: ['b3'] }, /unknown booth: "b3"/],
    [{ booths: [1] }, /list of booth ids/],
    [{ booths: ['b1', 'b1', 'b1'] }, /list of booth ids/],
    [{ windowMs: -1 }, /positive/],
    [{ windowMs: 'all' }, /positive/],
    [{ wall: null }, /^wall must be an object/],
    [{ wall: [] }, /^wall must be an object/],
    [{ wall: { id: 'k'.repeat(7), reloads: 0 } }, /^wall\.id must be 8 to 64 characters/],
    [{ wall: { id: 'k'.repeat(65), reloads: 0 } }, /^wall\.id must be 8 to 64 characters/],
    [{ wall: { id: 'kiosk.0001', reloads: 0 } }, /^wall\.id must be 8 to 64 characters/],
    [{ wall: { id: 'kiosk-0001', reloads: '3' } }, /^wall\.reloads must be a whole number/],
    [{ wall: { id: 'kiosk-0001', reloads: 1e9 + 1 } }, /^wall\.reloads must be a whole number/],
    [{ wall: { id: 'kiosk-0001', reloads: Number.NaN } }, /^wall\.reloads must be a whole number/],
    [{ wall: { id: 'kiosk-0001', reloads: 0, lastReloadReason: null } }, /^wall\.lastReloadReason must be one of error, preload-error, heap-ceiling, frozen$/],
    [{ wall: { id: 'kiosk-0001', reloads: 0, lastReloadReason: 'toString' } }, /^wall\.lastReloadReason must be one of/],
  ])('refuses %j', (auth, message) => {
    expect(parseSubscription(auth, booths, 900_000)).toMatch(message);
  });
});
