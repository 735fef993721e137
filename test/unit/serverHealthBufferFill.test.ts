/**
 * The console's bufferFill in spool mode: the backlog is on disk, so a spool backlog of any size
 * must not read as a full memory buffer; only the lines held in memory count against maxBufferLines.
 */
import { expect, it } from 'vitest';
import type { SpoolHealth } from '../../contract/console';
import { ServerHealthMonitor } from '../../server/console/ServerHealthMonitor';
import { IngestCounters } from '../../server/ingest/IngestCounters';
import type { WallRegistry } from '../../server/live/WallRegistry';
import type { InfluxStore } from '../../server/store/InfluxStore';
import type { StorageHealth } from '../../server/store/StorageHealth';
import { StoreCounters } from '../../server/store/StoreCounters';

function monitor(spool: SpoolHealth | null, memoryLines: number, pending: number): ServerHealthMonitor {
  const store = new StoreCounters();
  store.linesAccepted(pending);
  const influx = {
    target: { api: 'v1' },
    reachable: false,
    lastError: null,
    writeRoundTrips: { summary: () => null },
    spoolHealth: () => spool,
    spoolMemoryLines: () => memoryLines,
  } as unknown as InfluxStore;
  return new ServerHealthMonitor({
    startedAt: Date.now(),
    ingest: new IngestCounters(),
    store,
    influx,
    maxBufferLines: 1000,
    walls: { connectedCount: 0, list: () => ({ connected: [] }) } as unknown as WallRegistry,
    storageHealth: { reasons: () => [] } as unknown as StorageHealth,
  });
}

const spool: SpoolHealth = {
  dir: '/tmp/spool',
  bytes: 1e6,
  maxBytes: 1e9,
  segments: 1,
  unsentReadings: 50_000,
  oldestUnsentAt: 1,
  replay: null,
  replayFinished: null,
  dropped: { overflow: 0, diskFull: 0, tornTail: 0, lostSegment: 0 },
  notSpooled: 0,
  acknowledgedBeforeDurable: 0,
  lastError: null,
  syncIntervalMs: 10,
};

it('in spool mode fills from the lines held in memory, not the spool backlog', () => {
  const withSpool = monitor(spool, 250, 50_000);
  const withoutSpool = monitor(null, 0, 500);
  try {
    expect(withSpool.report().influx).toMatchObject({ pendingLines: 50_000, bufferFill: 0.25 });
    expect(withoutSpool.report().influx.bufferFill).toBe(0.5);
  } finally {
    withSpool.close();
    withoutSpool.close();
  }
});
