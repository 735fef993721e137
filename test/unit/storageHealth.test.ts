/**
 * The one rule behind /api/health's `status`, the console's server view and /metrics (issue 13):
 * each way storage falls behind gives its own reason, and health turns back when it recovers.
 */
import { describe, expect, it } from 'vitest';
import type { SpoolHealth } from '../../contract/console';
import { PerSecondWindow } from '../../server/stats/PerSecondWindow';
import { SLOW_WINDOW_SECONDS, StorageHealth } from '../../server/store/StorageHealth';

const NOW = 1_800_000_000_000;
const THRESHOLDS = { degradedWriteRoundTripMs: 800, degradedBacklogSeconds: 30, maxBufferLines: 600_000 };

function influx(overrides: { reachable?: boolean; lastError?: string | null; spool?: SpoolHealth | null } = {}) {
  return {
    reachable: overrides.reachable ?? true,
    lastError: overrides.lastError ?? null,
    writeRoundTrips: new PerSecondWindow(60),
    spoolHealth: () => overrides.spool ?? null,
  };
}

function spool(overrides: Partial<SpoolHealth> = {}): SpoolHealth {
  return {
    dir: 'data/spool',
    bytes: 1024,
    maxBytes: 2 ** 31,
    segments: 1,
    unsentReadings: 0,
    oldestUnsentAt: null,
    replay: null,
    replayFinished: null,
    dropped: { overflow: 0, diskFull: 0, tornTail: 0, lostSegment: 0 },
    notSpooled: 0,
    acknowledgedBeforeDurable: 0,
    lastError: null,
    syncIntervalMs: 25,
    ...overrides,
  };
}

const noPending = { pendingLines: () => 0 };

describe('StorageHealth', () => {
  it('is ok with InfluxDB answering quickly, and has no verdict in memory mode', () => {
    const store = influx();
    store.writeRoundTrips.add(NOW - 2_000, 40);
    expect(new StorageHealth(store, noPending, THRESHOLDS).reasons(NOW)).toEqual([]);
    expect(new StorageHealth(null, noPending, THRESHOLDS).status(NOW)).toBe('ok');
  });

  it('says InfluxDB is slow when 1 s stalls raise the mean round trip, and turns back once they leave the window', () => {
    const store = influx();
    for (let s = 1; s <= 5; s++) store.writeRoundTrips.add(NOW - s * 1000, 1_050);
    const health = new StorageHealth(store, noPending, THRESHOLDS);
    expect(health.reasons(NOW)).toEqual([
      { reason: 'influx-slow', detail: expect.stringMatching(/mean write round trip 1050 ms over the last 10 s/) as unknown },
    ]);
    // InfluxDB answers quickly again: once the stalls are older than the window, health is ok.
    store.writeRoundTrips.add(NOW + SLOW_WINDOW_SECONDS * 1000 + 500, 30);
    expect(health.reasons(NOW + (SLOW_WINDOW_SECONDS + 1) * 1000)).toEqual([]);
  });

  it('says storage is behind when the oldest unsent reading is older than the threshold, with its age and count', () => {
    const behind = spool({ oldestUnsentAt: NOW - 180_000, unsentReadings: 912_000 });
    const reasons = new StorageHealth(influx({ spool: behind }), noPending, THRESHOLDS).reasons(NOW);
    expect(reasons).toEqual([{ reason: 'storage-backlog', detail: 'oldest reading not yet in InfluxDB is 3 min old (threshold 30 s); 912000 waiting' }]);
    const recent = spool({ oldestUnsentAt: NOW - 29_000, unsentReadings: 10 });
    expect(new StorageHealth(influx({ spool: recent }), noPending, THRESHOLDS).reasons(NOW)).toEqual([]);
  });

  it('without a spool, a memory buffer over half full is the backlog (past full, readings are dropped)', () => {
    const health = new StorageHealth(influx(), { pendingLines: () => 300_001 }, THRESHOLDS);
    expect(health.reasons(NOW).map((r) => r.reason)).toEqual(['storage-backlog']);
    expect(new StorageHealth(influx(), { pendingLines: () => 300_000 }, THRESHOLDS).reasons(NOW)).toEqual([]);
  });

  it('names every reason at once: unreachable, and a failing spool', () => {
    const failing = spool({ lastError: 'ENOSPC: no space left on device', oldestUnsentAt: NOW - 60_000, unsentReadings: 5 });
    const reasons = new StorageHealth(influx({ reachable: false, lastError: 'connect ECONNREFUSED', spool: failing }), noPending, THRESHOLDS).reasons(NOW);
    expect(reasons.map((r) => r.reason)).toEqual(['influx-unreachable', 'storage-backlog', 'spool-error']);
    expect(reasons[0]!.detail).toBe('connect ECONNREFUSED');
    expect(reasons[2]!.detail).toBe('ENOSPC: no space left on device');
  });
});
