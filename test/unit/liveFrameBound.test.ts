/**
 * Issue 9, live path: one booth's frame per tick is bounded (newest value per series, capped in
 * values and bytes, the excess counted against the booth), and a wall whose output backs up skips
 * the frames of the booth taking more than its share instead of being dropped with every booth on it.
 */
import { describe, expect, it, vi } from 'vitest';
import type { Frame } from '../../contract/live';
import { BudgetRefusals } from '../../server/budgets/BudgetRefusals';
import { BoothFrame, pointBytes } from '../../server/live/BoothFrame';
import { DeviceDirectory } from '../../server/live/DeviceDirectory';
import { LiveHub, type WallServer } from '../../server/live/LiveHub';
import { FRAME_SHARE_HALF_LIFE_MS, WallFrameShare } from '../../server/live/WallFrameShare';
import { WallRegistry } from '../../server/live/WallRegistry';
import { AUTOMATIC_DASHBOARD } from '../../server/dashboard/DashboardSource';

describe('BoothFrame: one booth, one tick', () => {
  it('keeps only the newest value of each device × metric, regrouped by device and time', () => {
    const frame = new BoothFrame({ maxPoints: 100, maxBytes: 1_000_000 });
    for (let t = 1; t <= 50; t++) frame.add({ booth: 'a', device: 'd1', ts: t, values: { temp: t, co2: 400 + t } });
    frame.add({ booth: 'a', device: 'd2', ts: 7, values: { temp: 1 } });
    // A late reading does not replace a newer one of its series.
    expect(frame.add({ booth: 'a', device: 'd1', ts: 3, values: { temp: -1 } })).toBe(0);
    expect(frame.size).toBe(3);
    const readings = frame.take('a');
    expect(readings).toEqual([
      { booth: 'a', device: 'd1', ts: 50, values: { temp: 50, co2: 450 } },
      { booth: 'a', device: 'd2', ts: 7, values: { temp: 1 } },
    ]);
    expect(frame.size).toBe(0);
    expect(frame.bytes).toBe(0);
  });

  it('holds at most maxPoints values, dropping those that arrived earliest, and says how many', () => {
    const frame = new BoothFrame({ maxPoints: 1000, maxBytes: 1_000_000_000 });
    let dropped = 0;
    for (let d = 0; d < 5000; d++) {
      dropped += frame.add({ booth: 'a', device: `flood-${d}`, ts: d, values: { m: d } });
      expect(frame.size).toBeLessThanOrEqual(1000);
    }
    expect(dropped).toBe(4000);
    const devices = frame.take('a').map((r) => r.device);
    expect(devices[0]).toBe('flood-4000');
    expect(devices.at(-1)).toBe('flood-4999');
  });

  it('moves a series written again to the end, so the limit drops what was not refreshed, and counts its bytes once', () => {
    const frame = new BoothFrame({ maxPoints: 2, maxBytes: 1_000_000 });
    frame.add({ booth: 'a', device: 'd1', ts: 1, values: { temp: 1 } });
    frame.add({ booth: 'a', device: 'd2', ts: 2, values: { temp: 2 } });
    frame.add({ booth: 'a', device: 'd1', ts: 3, values: { temp: 3 } });
    expect(frame.bytes).toBe(2 * pointBytes('d1', 'temp'));
    expect(frame.add({ booth: 'a', device: 'd3', ts: 4, values: { temp: 4 } })).toBe(1);
    expect(frame.take('a')).toEqual([
      { booth: 'a', device: 'd1', ts: 3, values: { temp: 3 } },
      { booth: 'a', device: 'd3', ts: 4, values: { temp: 4 } },
    ]);
  });

  it('holds at most about maxBytes, however long the names', () => {
    const maxBytes = 64 * 1024;
    const frame = new BoothFrame({ maxPoints: 1_000_000, maxBytes });
    let dropped = 0;
    for (let d = 0; d < 2000; d++) {
      const values: Record<string, number> = {};
      for (let m = 0; m < 64; m++) values[`metric_with_a_long_name_${m}`] = Math.random() * 1000;
      dropped += frame.add({ booth: 'a', device: `device-${'x'.repeat(40)}-${d}`, ts: d, values });
      expect(frame.bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(dropped).toBe(2000 * 64 - frame.size);
    // The estimate is an upper bound on what the readings cost as JSON.
    const readings = frame.take('booth-with-a-long-id');
    expect(JSON.stringify(readings).length).toBeLessThanOrEqual(maxBytes);
    expect(readings.length).toBeGreaterThan(0);
  });

  it('takes metric names as data', () => {
    const frame = new BoothFrame({ maxPoints: 10, maxBytes: 100_000 });
    frame.add({ booth: 'a', device: 'd', ts: 1, values: JSON.parse('{"__proto__": 1, "constructor": 2}') as Record<string, number> });
    const [reading] = frame.take('a');
    expect(Object.entries(reading!.values)).toEqual([
      ['__proto__', 1],
      ['constructor', 2],
    ]);
    expect(pointBytes('d', 'm')).toBeGreaterThan(0);
  });
});

describe('WallFrameShare: a wall whose output backs up', () => {
  const limit = 1000;
  it('admits everything below half the limit', () => {
    const share = new WallFrameShare(['a', 'b']);
    share.sent('a', 10_000, 0);
    expect(share.admits('a', 100, 400, limit, 0)).toBe(true);
  });

  it('past half the limit, skips the booth that took more than its share and keeps the other', () => {
    const share = new WallFrameShare(['a', 'b']);
    for (let t = 0; t < 10; t++) {
      share.sent('a', 300, t * 200);
      share.sent('b', 5, t * 200);
    }
    expect(share.admits('a', 300, 600, limit, 2000)).toBe(false);
    expect(share.admits('b', 5, 600, limit, 2000)).toBe(true);
    // A booth whose frames were skipped long enough gets its turn again.
    expect(share.admits('a', 300, 600, limit, 2000 + 40 * FRAME_SHARE_HALF_LIFE_MS)).toBe(true);
  });

  it('never admits a frame that alone would take the wall past its limit', () => {
    const share = new WallFrameShare(['a', 'b']);
    expect(share.admits('a', 900, 200, limit, 0)).toBe(false);
    expect(share.admits('b', 100, 200, limit, 0)).toBe(true);
  });

  it('calls a wall stalled when its output stands above half the limit for the stall time, not while it goes down', () => {
    const share = new WallFrameShare(['a'], 0);
    expect(share.stalled(800, limit, 0, 10_000)).toBe(false);
    expect(share.stalled(700, limit, 9000, 10_000)).toBe(false);
    expect(share.stalled(700, limit, 15_000, 10_000)).toBe(false);
    expect(share.stalled(700, limit, 19_001, 10_000)).toBe(true);
    expect(share.stalled(100, limit, 19_002, 10_000)).toBe(false);
  });

  it('on a wall of one booth, skips that booth while backed up', () => {
    const share = new WallFrameShare(['a']);
    share.sent('a', 300, 0);
    expect(share.admits('a', 300, 600, limit, 100)).toBe(false);
  });
});

describe('LiveHub: frames per booth per tick', () => {
  function fakeSocket(id: string, booths: string[], pending: number) {
    return {
      id,
      connected: true,
      data: { booths, windowMs: 60_000 },
      conn: { writeBuffer: [{ data: 'x'.repeat(pending) }], transport: { name: 'polling' }, close: vi.fn() },
      disconnect: vi.fn(),
    };
  }

  function hubWith(sockets: ReturnType<typeof fakeSocket>[], limits: { maxFrameReadingsPerBooth: number; maxBufferedBytesPerWall: number }) {
    const refusals = new BudgetRefusals(['a', 'b']);
    const directory = new DeviceDirectory({ windowMs: 60_000, maxPointsPerSeries: 60, maxDevicesPerBooth: 10_000, maxSeriesPerDevice: 64 });
    const hub = new LiveHub(
      directory,
      [
        { id: 'a', name: 'A' },
        { id: 'b', name: 'B' },
      ],
      { tickMs: 1000, windowMs: 60_000, ...limits },
      { dashboard: () => AUTOMATIC_DASHBOARD, registry: new WallRegistry() },
      refusals,
    );
    const rooms = new Map<string, Set<string>>();
    for (const socket of sockets)
      for (const booth of socket.data.booths) rooms.set(`booth:${booth}`, (rooms.get(`booth:${booth}`) ?? new Set()).add(socket.id));
    const emitted: { room: string; except: string[]; frame: Frame }[] = [];
    const io = {
      use: vi.fn(),
      on: vi.fn(),
      engine: { clientsCount: sockets.length },
      sockets: { adapter: { rooms }, sockets: new Map(sockets.map((s) => [s.id, s])) },
      to: (room: string) => ({
        except: (except: string[]) => ({ emit: (_event: string, frame: Frame) => emitted.push({ room, except, frame }) }),
      }),
    };
    hub.attach(io as unknown as WallServer);
    return { hub, refusals, emitted };
  }

  it('sends a flooding booth at most maxFrameReadingsPerBooth values a tick and counts the rest against it only', () => {
    const wall = fakeSocket('w1', ['a', 'b'], 0);
    const { hub, refusals, emitted } = hubWith([wall], { maxFrameReadingsPerBooth: 500, maxBufferedBytesPerWall: 16 * 1024 * 1024 });
    for (let i = 0; i < 20_000; i++) hub.readingAccepted({ booth: 'a', device: `flood-${i % 2000}`, ts: i, values: { m1: i, m2: i } });
    hub.readingAccepted({ booth: 'b', device: 'b-env', ts: 1, values: { temperature: 21 } });
    hub.tick(1000);
    const a = emitted.find((e) => e.frame.booth === 'a')!;
    const values = a.frame.readings.reduce((n, r) => n + Object.keys(r.values).length, 0);
    expect(values).toBe(500);
    // Once the frame is full, every value that arrives pushes out the earliest one held: each counts.
    expect(refusals.forBooth('a').get('live-frame-budget')).toBe(20_000 * 2 - 500);
    expect(refusals.forBooth('b').get('live-frame-budget')).toBeUndefined();
    expect(emitted.find((e) => e.frame.booth === 'b')!.frame.readings).toHaveLength(1);
    hub.close();
  });

  it("skips the flooding booth's frames for a backed-up wall of both booths, keeps B's and does not drop the wall", () => {
    const limit = 256 * 1024;
    const wall = fakeSocket('w1', ['a', 'b'], 0);
    const { hub, refusals, emitted } = hubWith([wall], { maxFrameReadingsPerBooth: 5000, maxBufferedBytesPerWall: limit });
    let now = 1000;
    const floodTick = (pending: number): void => {
      wall.conn.writeBuffer = [{ data: 'x'.repeat(pending) }];
      for (let d = 0; d < 1000; d++) hub.readingAccepted({ booth: 'a', device: `flood-${d}`, ts: now, values: { m: d } });
      hub.readingAccepted({ booth: 'b', device: 'b-env', ts: now, values: { temperature: 21 } });
      hub.tick((now += 200));
    };
    // Reading fine: both booths' frames go out.
    floodTick(0);
    expect(emitted.filter((e) => e.except.length === 0).map((e) => e.frame.booth)).toEqual(['a', 'b']);
    emitted.length = 0;
    // Backed up past half the limit: A's frames are skipped for this wall, B's still go.
    for (let i = 0; i < 5; i++) floodTick(limit * 0.75);
    expect(emitted.filter((e) => e.frame.booth === 'a' && !e.except.includes('w1'))).toHaveLength(0);
    expect(emitted.filter((e) => e.frame.booth === 'b' && !e.except.includes('w1'))).toHaveLength(5);
    expect(refusals.forBooth('a').get('wall-frame-skipped')).toBe(5);
    expect(refusals.forBooth('b').get('wall-frame-skipped')).toBeUndefined();
    expect(wall.disconnect).not.toHaveBeenCalled();
    expect(hub.framesSkipped).toBe(5);
    hub.close();
  });

  it('drops a wall whose output stands above half its buffer for the stall time: skipping alone would keep a non-reader forever', () => {
    const limit = 256 * 1024;
    const wall = fakeSocket('w1', ['a', 'b'], limit * 0.75);
    const { hub, emitted } = hubWith([wall], { maxFrameReadingsPerBooth: 5000, maxBufferedBytesPerWall: limit });
    const start = Date.now();
    for (const at of [start, start + 5000, start + 9000]) {
      hub.readingAccepted({ booth: 'b', device: 'b-env', ts: at, values: { temperature: 21 } });
      hub.tick(at);
    }
    // B alone took everything lately, so past the first frame it is over its share and skipped too.
    expect(emitted).toHaveLength(1);
    expect(wall.disconnect).not.toHaveBeenCalled();
    hub.tick(start + 10_500);
    expect(wall.disconnect).toHaveBeenCalledWith(true);
    hub.close();
  });
});
