/**
 * The one rule for "is storage keeping up?" (issue 13): /api/health's `status`, the console's server
 * view and /metrics all ask this object, so they can never disagree.
 *
 * Degraded, each with the figure that tripped it:
 * - `influx-unreachable`: the last contact with InfluxDB failed (or none succeeded yet);
 * - `influx-slow`: the mean write round trip over the last SLOW_WINDOW_SECONDS is above
 *   `storage.degradedWriteRoundTripMs`. A mean, not the worst request, so one slow batch is not an
 *   incident; it recovers as the slow requests leave the window;
 * - `storage-backlog`: the oldest reading InfluxDB has not confirmed was accepted longer ago than
 *   `storage.degradedBacklogSeconds` (spool), or, without a spool, the memory buffer is more than
 *   half full (past full, readings are dropped from storage);
 * - `spool-error`: appends to the spool fail (disk full, I/O error); readings go on in memory.
 * InfluxDB stalled for a second per request used to leave health at `ok` while only `pending` moved.
 */
import type { DegradedReason, SpoolHealth } from '../../contract/console';
import type { InfluxStore } from './InfluxStore';
import type { StoreCounters } from './StoreCounters';

export interface StorageHealthThresholds {
  degradedWriteRoundTripMs: number;
  degradedBacklogSeconds: number;
  /** influx.maxBufferLines: without a spool, half of it pending is a backlog. */
  maxBufferLines: number;
}

/**
 * The round trip is judged over the last 10 s, not the console's minute: long enough that one slow
 * batch (a compaction) is not an incident, short enough that health turns back soon after InfluxDB does.
 */
export const SLOW_WINDOW_SECONDS = 10;

/** Without a spool, this share of the memory buffer pending is a backlog: past full, readings are dropped. */
const MEMORY_BACKLOG_SHARE = 0.5;

export type HealthStatus = 'ok' | 'degraded';

export class StorageHealth {
  constructor(
    private readonly influx: Pick<InfluxStore, 'reachable' | 'lastError' | 'writeRoundTrips' | 'spoolHealth'> | null,
    private readonly counters: Pick<StoreCounters, 'pendingLines'>,
    private readonly thresholds: StorageHealthThresholds,
  ) {}

  /** Every reason storage is degraded now, in a fixed order; empty when all is well or storage is off (memory mode). */
  reasons(now: number, spool: SpoolHealth | null = this.influx?.spoolHealth(now) ?? null): DegradedReason[] {
    const influx = this.influx;
    if (!influx) return [];
    const reasons: DegradedReason[] = [];
    if (!influx.reachable) reasons.push({ reason: 'influx-unreachable', detail: influx.lastError ?? 'no write has succeeded yet' });
    const roundTrip = influx.writeRoundTrips.summary(now, SLOW_WINDOW_SECONDS);
    if (roundTrip && roundTrip.mean > this.thresholds.degradedWriteRoundTripMs) {
      reasons.push({
        reason: 'influx-slow',
        detail: `mean write round trip ${Math.round(roundTrip.mean)} ms over the last ${SLOW_WINDOW_SECONDS} s (threshold ${this.thresholds.degradedWriteRoundTripMs} ms)`,
      });
    }
    if (spool) {
      const ageSeconds = spool.oldestUnsentAt === null ? 0 : (now - spool.oldestUnsentAt) / 1000;
      if (ageSeconds > this.thresholds.degradedBacklogSeconds) {
        reasons.push({
          reason: 'storage-backlog',
          detail: `oldest reading not yet in InfluxDB is ${formatAge(ageSeconds)} old (threshold ${this.thresholds.degradedBacklogSeconds} s); ${spool.unsentReadings} waiting`,
        });
      }
      if (spool.lastError !== null) reasons.push({ reason: 'spool-error', detail: spool.lastError });
    } else {
      const pending = this.counters.pendingLines();
      if (pending > this.thresholds.maxBufferLines * MEMORY_BACKLOG_SHARE) {
        reasons.push({
          reason: 'storage-backlog',
          detail: `${pending} lines waiting in memory, over half of influx.maxBufferLines (${this.thresholds.maxBufferLines}); past it readings are dropped`,
        });
      }
    }
    return reasons;
  }

  status(now: number): HealthStatus {
    return this.reasons(now).length > 0 ? 'degraded' : 'ok';
  }
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}
