import { describe, expect, it, vi } from 'vitest';
import type { Frame } from '../../contract/live';
import type { DevicePublish } from '../../broker/brokerEvents';
import { DeviceHealthTracker, DEFAULT_TRACKER_LIMITS } from '../../server/console/DeviceHealthTracker';
import { TelemetryValidator } from '../../server/ingest/TelemetryValidator';
import { DeviceDirectory } from '../../server/live/DeviceDirectory';
import { LiveHub, type WallServer } from '../../server/live/LiveHub';
import { WallRegistry } from '../../server/live/WallRegistry';
import { AUTOMATIC_DASHBOARD } from '../../server/dashboard/DashboardSource';
import { DeviceIdentityLog, IDENTITY_MEASUREMENT } from '../../server/store/DeviceIdentityLog';
import type { InfluxStore } from '../../server/store/InfluxStore';
import { WallModel } from '../../web/wall/WallModel';

const limits = { windowMs: 60_000, maxPointsPerSeries: 60, maxDevicesPerBooth: 10, maxSeriesPerDevice: 8 };

describe('forgetting a device (issue 12)', () => {
  it('removes it from the model with what hangs off it, tells the forgotten-listeners, and does not count an eviction', () => {
    const directory = new DeviceDirectory(limits);
    directory.recordTelemetry('b1', 'old', 1, { a: 1, b: 2 }, 1);
    directory.recordTelemetry('b1', 'keep', 1, { a: 1 }, 1);
    const told: string[] = [];
    directory.model.onForgotten((record) => told.push(`${record.booth}/${record.device}`));
    expect(directory.boothUsage('b1').series).toBe(3);
    expect(directory.model.forget('b1', 'old')?.device).toBe('old');
    expect(directory.get('b1', 'old')).toBeUndefined();
    expect(directory.boothUsage('b1').series).toBe(1);
    expect(told).toEqual(['b1/old']);
    expect(directory.evictedDevices).toBe(0);
    expect(directory.model.forget('b1', 'old')).toBeUndefined();
  });

  it('puts a restored device’s metrics back in the order they were first seen', () => {
    const directory = new DeviceDirectory(limits);
    // As the live window's restore fills them: in the query's column order.
    const record = directory.restoreReadings('b1', 'd', 1, { alpha: 1, mid: 2, zeta: 3 });
    directory.model.orderMetrics(record, ['zeta', 'alpha', 'mid']);
    expect([...record.series.keys()]).toEqual(['zeta', 'alpha', 'mid']);
    expect(Object.keys(directory.summary(record).latest)).toEqual(['zeta', 'alpha', 'mid']);
  });

  it('holds at most maxDevicesPerBooth forgotten devices for the next frame, and drops their pending readings', () => {
    const directory = new DeviceDirectory(limits);
    const hub = new LiveHub(
      directory,
      [{ id: 'b1', name: 'B1' }],
      { tickMs: 100, windowMs: 60_000, maxFrameReadingsPerBooth: 1000 },
      {
        dashboard: () => AUTOMATIC_DASHBOARD,
        registry: new WallRegistry(),
      },
    );
    hub.readingAccepted({ booth: 'b1', device: 'gone', ts: 1, values: { a: 1, b: 2 } });
    hub.readingAccepted({ booth: 'b1', device: 'stays', ts: 1, values: { a: 1 } });
    hub.deviceForgotten('b1', 'gone');
    expect(hub.pendingReadings('b1')).toBe(1);
    for (let i = 0; i < 10_000; i++) hub.deviceForgotten('b1', `d${i}`);
    expect(hub.pendingForgotten('b1')).toBe(10);
    hub.deviceForgotten('nope', 'd');
    expect(hub.pendingForgotten('nope')).toBe(0);
  });

  it('drops a forgotten device from a wall’s model with the frame that says so', () => {
    const model = new WallModel({ windowMs: 60_000 });
    model.applyFrame({ booth: 'b1', serverTime: 1_000, readings: [{ booth: 'b1', device: 'old', ts: 1_000, values: { a: 1 } }], devices: [] });
    expect(model.size).toBe(1);
    const change = model.applyFrame({ booth: 'b1', serverTime: 2_000, readings: [], devices: [], forgotten: ['old', 'never-seen'] });
    expect(model.size).toBe(0);
    expect(change.membership).toBe(true);
    // Another booth's device of the same id is not touched.
    model.applyFrame({ booth: 'b2', serverTime: 3_000, readings: [{ booth: 'b2', device: 'old', ts: 3_000, values: { a: 1 } }], devices: [] });
    model.applyFrame({ booth: 'b1', serverTime: 4_000, readings: [], devices: [], forgotten: ['old'] });
    expect(model.size).toBe(1);
  });
});

describe('a forgotten notice for a wall whose frames were skipped', () => {
  const limit = 256 * 1024;
  function wallOf(pending: number) {
    const emit = vi.fn();
    return {
      id: 'w1',
      connected: true,
      data: { booths: ['b1'], windowMs: 60_000 },
      conn: { writeBuffer: [{ data: 'x'.repeat(pending) }], transport: { name: 'polling' }, close: vi.fn() },
      disconnect: vi.fn(),
      emit,
      /** Frames sent to this wall alone (the owed notices). */
      frames: () => emit.mock.calls.filter((call) => call[0] === 'frame').map((call) => call[1] as Frame),
    };
  }
  function hubWith(wall: ReturnType<typeof wallOf>) {
    const directory = new DeviceDirectory(limits);
    const hub = new LiveHub(
      directory,
      [{ id: 'b1', name: 'B1' }],
      { tickMs: 1000, windowMs: 60_000, maxFrameReadingsPerBooth: 1000, maxBufferedBytesPerWall: limit },
      { dashboard: () => AUTOMATIC_DASHBOARD, registry: new WallRegistry() },
    );
    const broadcast: { except: string[]; frame: Frame }[] = [];
    const io = {
      use: vi.fn(),
      on: vi.fn(),
      engine: { clientsCount: 1 },
      sockets: { adapter: { rooms: new Map([['booth:b1', new Set([wall.id])]]) }, sockets: new Map([[wall.id, wall]]) },
      to: () => ({ except: (except: string[]) => ({ emit: (_event: string, frame: Frame) => broadcast.push({ except, frame }) }) }),
    };
    hub.attach(io as unknown as WallServer);
    return { hub, broadcast };
  }

  it('keeps the forgotten ids for the wall and sends them once it takes output again', () => {
    const wall = wallOf(0);
    const { hub, broadcast } = hubWith(wall);
    const start = Date.now();
    hub.readingAccepted({ booth: 'b1', device: 'gone', ts: start, values: { a: 1 } });
    hub.tick(start);
    // Backed up past half its buffer, and its one booth took all it was sent lately: skipped.
    wall.conn.writeBuffer = [{ data: 'x'.repeat(limit * 0.75) }];
    hub.deviceForgotten('b1', 'gone');
    hub.tick(start + 100);
    expect(broadcast).toHaveLength(1);
    expect(hub.framesSkipped).toBe(1);
    expect(hub.owedForgottenOf('w1')).toBe(1);
    // The next tick, with no news of the booth at all, the wall is told.
    hub.tick(start + 200);
    expect(wall.frames()).toEqual([expect.objectContaining({ booth: 'b1', readings: [], devices: [], forgotten: ['gone'] })]);
    expect(hub.owedForgottenOf('w1')).toBe(0);
    hub.close();
  });

  it('holds at most maxDevicesPerBooth owed ids per booth for a wall that takes nothing', () => {
    const wall = wallOf(0);
    const { hub } = hubWith(wall);
    const start = Date.now();
    hub.readingAccepted({ booth: 'b1', device: 'x', ts: start, values: { a: 1 } });
    hub.tick(start);
    // So full that not even a notice fits.
    wall.conn.writeBuffer = [{ data: 'x'.repeat(limit - 10) }];
    for (let t = 1; t <= 20; t++) {
      for (let i = 0; i < 10; i++) hub.deviceForgotten('b1', `d${t}-${i}`);
      hub.tick(start + t);
    }
    expect(hub.owedForgottenOf('w1')).toBe(limits.maxDevicesPerBooth);
    expect(wall.frames()).toEqual([]);
    hub.close();
  });
});

describe('a forgotten device and the client that spoke for it', () => {
  it('does not come back when a gateway that spoke for it reconnects, nor after the next close', () => {
    const validator = new TelemetryValidator();
    const directory = new DeviceDirectory(limits);
    const tracker = new DeviceHealthTracker(DEFAULT_TRACKER_LIMITS, directory.model);
    const publish = (connectionId: number, device: string, at: number) => {
      const message: DevicePublish = {
        booth: 'b1',
        topic: `booth/b1/${device}/telemetry`,
        payload: Buffer.from('{"t":1}'),
        clientId: 'gw',
        connectionId,
        fromWill: false,
        keepaliveTimedOut: false,
      };
      tracker.message(message, validator.validate(message.topic, message.payload, 'b1', at), at);
    };
    tracker.connectionOpened({ booth: 'b1', clientId: 'gw', connectionId: 1, address: null }, 1_000);
    publish(1, 'a', 1_000);
    publish(1, 'b', 1_000);
    tracker.connectionClosed({ booth: 'b1', clientId: 'gw', connectionId: 1, devices: ['a', 'b'], reason: 'disconnect', willTopic: null }, 2_000);
    directory.model.forget('b1', 'b');
    tracker.connectionOpened({ booth: 'b1', clientId: 'gw', connectionId: 2, address: null }, 3_000);
    expect(tracker.get('b1', 'b')).toBeUndefined();
    expect(tracker.get('b1', 'a')?.state).toBe('online');
    // The broker's set of what connection 2 spoke for still names b (it was set before the forget): it stays gone.
    publish(2, 'a', 3_100);
    tracker.connectionClosed({ booth: 'b1', clientId: 'gw', connectionId: 2, devices: ['a', 'b'], reason: 'disconnect', willTopic: null }, 4_000);
    tracker.connectionOpened({ booth: 'b1', clientId: 'gw', connectionId: 3, address: null }, 5_000);
    expect(tracker.get('b1', 'b')).toBeUndefined();
    expect(directory.get('b1', 'b')).toBeUndefined();
    // Once it speaks itself it is new, and reconnects bring it back as before.
    publish(3, 'b', 5_100);
    tracker.connectionClosed({ booth: 'b1', clientId: 'gw', connectionId: 3, devices: ['a', 'b'], reason: 'disconnect', willTopic: null }, 6_000);
    tracker.connectionOpened({ booth: 'b1', clientId: 'gw', connectionId: 4, address: null }, 7_000);
    expect(tracker.get('b1', 'b')?.state).toBe('online');
  });
});

describe('device identity rows (device_meta)', () => {
  it('writes a row when meta or the set of metrics changes, never per reading', () => {
    const lines: string[] = [];
    const store = { writeLine: (line: string) => lines.push(line) } as unknown as InfluxStore;
    const directory = new DeviceDirectory(limits);
    const log = new DeviceIdentityLog(store, directory.model);
    const { record } = directory.recordTelemetry('b1', 'd', 1, { zeta: 1 }, 1);
    log.remember(record, 1);
    for (let i = 2; i < 100; i++) {
      directory.recordTelemetry('b1', 'd', i, { zeta: i }, i);
      log.remember(record, i);
    }
    expect(lines).toHaveLength(1);
    directory.recordTelemetry('b1', 'd', 100, { zeta: 1, alpha: 2 }, 100);
    log.remember(record, 100);
    directory.recordMeta('b1', 'd', { name: 'Lab', units: { zeta: '°C' } });
    log.remember(record, 101);
    // The same meta again (a retained meta on reconnect): nothing new to store.
    directory.recordMeta('b1', 'd', { name: 'Lab', units: { zeta: '°C' } });
    log.remember(record, 102);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe(
      `${IDENTITY_MEASUREMENT},booth=b1,device=d meta="{\\"name\\":\\"Lab\\",\\"units\\":{\\"zeta\\":\\"°C\\"}}",metrics="[\\"zeta\\",\\"alpha\\"]",forgotten=false 101`,
    );
    log.forgotten('b1', 'd', 103);
    expect(lines[3]).toContain('forgotten=true 103');
  });
});
