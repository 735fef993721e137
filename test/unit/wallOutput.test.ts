/**
 * A wall that does not read: what is waiting for it is read from engine.io's writeBuffer and the
 * WebSocket's bufferedAmount, and past `maxBufferedBytesPerWall` the hub drops it on its next tick
 * without waiting for a drain that will never come.
 */
import { describe, expect, it, vi } from 'vitest';
import { DeviceDirectory } from '../../server/live/DeviceDirectory';
import { LiveHub, type WallServer } from '../../server/live/LiveHub';
import { pendingOutputBytes } from '../../server/live/wallOutput';
import { WallRegistry } from '../../server/live/WallRegistry';
import { AUTOMATIC_DASHBOARD } from '../../server/dashboard/DashboardSource';

function fakeConn(queued: number[], bufferedAmount: number, transport = 'websocket') {
  return {
    writeBuffer: queued.map((n) => ({ type: 'message', data: 'x'.repeat(n) })),
    transport: { name: transport, socket: transport === 'websocket' ? { bufferedAmount, terminate: vi.fn() } : undefined },
    close: vi.fn(),
  };
}

function hubWith(sockets: Map<string, unknown>) {
  const registry = new WallRegistry();
  const directory = new DeviceDirectory({ windowMs: 60_000, maxPointsPerSeries: 60, maxDevicesPerBooth: 10, maxSeriesPerDevice: 4 });
  const hub = new LiveHub(
    directory,
    [{ id: 'b1', name: 'One' }],
    { tickMs: 1000, windowMs: 60_000, maxFrameReadingsPerBooth: 100, maxBufferedBytesPerWall: 1024 * 1024 },
    { dashboard: () => AUTOMATIC_DASHBOARD, registry },
  );
  const io = { use: vi.fn(), on: vi.fn(), engine: { clientsCount: sockets.size }, sockets: { adapter: { rooms: new Map() }, sockets } };
  hub.attach(io as unknown as WallServer);
  return { hub, registry };
}

describe('walls that do not read', () => {
  it('counts what engine.io queued and what the WebSocket has not handed to the kernel', () => {
    expect(pendingOutputBytes(fakeConn([1000, 2000], 500) as never)).toBe(3500);
    expect(pendingOutputBytes(fakeConn([1000], 0, 'polling') as never)).toBe(1000);
    expect(pendingOutputBytes(fakeConn([], 0) as never)).toBe(0);
  });

  it('drops a wall past maxBufferedBytesPerWall on the next tick, terminating the WebSocket, and counts it', () => {
    const slowConn = fakeConn([700_000, 400_000], 10_000);
    const fineConn = fakeConn([100_000], 900_000);
    const slow = { connected: true, conn: slowConn, disconnect: vi.fn() };
    const fine = { connected: true, conn: fineConn, disconnect: vi.fn() };
    const { hub, registry } = hubWith(
      new Map<string, unknown>([
        ['slow', slow],
        ['fine', fine],
      ]),
    );
    hub.tick();
    expect(slow.disconnect).toHaveBeenCalledWith(true);
    // engine.io's close() would wait for the writeBuffer to drain, which a non-reader never lets happen.
    expect(slowConn.transport.socket!.terminate).toHaveBeenCalled();
    expect(fine.disconnect).not.toHaveBeenCalled();
    expect(registry.refusals().get('slow-reader')).toBe(1);
    hub.close();
  });
});
