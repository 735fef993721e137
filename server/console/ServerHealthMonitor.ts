/**
 * How the server itself is doing, for the console's health page and /metrics: ingest rate,
 * InfluxDB's write latency and backlog, walls and their reloads, memory and event-loop lag.
 * Fed one way by ingest (rates) and read from the objects that own the other figures.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { DevicePublish } from '../../broker/brokerEvents';
import type { BoothBudgets, ServerHealth } from '../../contract/console';
import type { IngestObserver } from '../ingest/Ingest';
import type { IngestCounters } from '../ingest/IngestCounters';
import type { DeviceMessage, Rejection } from '../ingest/TelemetryValidator';
import type { WallRegistry } from '../live/WallRegistry';
import type { InfluxStore } from '../store/InfluxStore';
import type { StorageHealth } from '../store/StorageHealth';
import type { StoreCounters } from '../store/StoreCounters';
import { PerSecondWindow } from '../stats/PerSecondWindow';

/** Ingest rates are over this many seconds: short enough to show a burst, long enough to be steady. */
const RATE_WINDOW_SECONDS = 10;
/** Event-loop lag percentiles cover at most this long, so an old stall does not show for ever. */
const LAG_PERIOD_MS = 60_000;
const LAG_RESOLUTION_MS = 20;
/** Below this many samples the current period says too little; the last full period is shown instead. */
const MIN_LAG_SAMPLES = 50;

export interface ServerHealthSources {
  startedAt: number;
  ingest: IngestCounters;
  store: StoreCounters;
  influx: InfluxStore | null;
  maxBufferLines: number;
  walls: WallRegistry;
  /** Per booth: refusals and use against the budgets. */
  budgets?: () => BoothBudgets[];
  /** The one rule for `degraded` (also behind /api/health). */
  storageHealth: StorageHealth;
  /** QoS 1/2 acknowledgements the broker holds until their readings are durable; absent: none held. */
  acknowledgementsHeld?: () => number;
}

type Lag = ServerHealth['process']['eventLoopLagMs'];

export class ServerHealthMonitor implements IngestObserver {
  private readonly readings = new PerSecondWindow(RATE_WINDOW_SECONDS);
  private readonly rejections = new PerSecondWindow(RATE_WINDOW_SECONDS);
  private readonly lag: IntervalHistogram;
  private lastPeriodLag: Lag = { p50: 0, p99: 0, max: 0 };
  private readonly lagTimer: NodeJS.Timeout;

  constructor(private readonly sources: ServerHealthSources) {
    this.lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    this.lag.enable();
    this.lagTimer = setInterval(() => {
      this.lastPeriodLag = this.currentLag();
      this.lag.reset();
    }, LAG_PERIOD_MS);
    this.lagTimer.unref();
  }

  message(_publish: DevicePublish, verdict: DeviceMessage | Rejection, at: number): void {
    if (verdict.kind === 'telemetry') this.readings.add(at);
    else if (verdict.kind === 'rejected') this.rejections.add(at);
  }

  report(now = Date.now()): ServerHealth {
    const { ingest, store, influx, walls } = this.sources;
    const pending = store.pendingLines();
    const spool = influx?.spoolHealth(now) ?? null;
    const degraded = this.sources.storageHealth.reasons(now, spool);
    return {
      serverTime: now,
      uptimeSeconds: Math.round((now - this.sources.startedAt) / 1000),
      status: degraded.length > 0 ? 'degraded' : 'ok',
      degraded,
      ingest: {
        readingsPerSecond: this.readings.ratePerSecond(now),
        rejectedPerSecond: this.rejections.ratePerSecond(now),
        accepted: ingest.accepted,
        rejected: ingest.rejectedTotal(),
        acknowledgementsHeld: this.sources.acknowledgementsHeld?.() ?? 0,
      },
      influx: {
        mode: influx ? influx.target.api : 'memory',
        reachable: influx?.reachable ?? false,
        writeLatencyMs: influx ? roundSummary(influx.writeRoundTrips.summary(now)) : null,
        pendingLines: pending,
        // With a spool the backlog is on disk: only the lines held in memory count against maxBufferLines.
        bufferFill: influx ? Math.min(1, (spool ? influx.spoolMemoryLines() : pending) / this.sources.maxBufferLines) : 0,
        dropped: store.dropped,
        lastError: influx?.lastError ?? null,
        spool,
      },
      walls: {
        connected: walls.connectedCount,
        list: walls
          .list()
          .connected.map((w) => ({ id: w.id, address: w.address, reloads: w.reloads, lastReloadReason: w.lastReloadReason, connectedAt: w.connectedAt })),
      },
      process: (() => {
        const memory = process.memoryUsage();
        return { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, eventLoopLagMs: this.eventLoopLag() };
      })(),
      budgets: this.sources.budgets?.() ?? [],
    };
  }

  /** Readings accepted per second over the last 10 s. */
  readingsPerSecond(now = Date.now()): number {
    return this.readings.ratePerSecond(now);
  }

  eventLoopLag(): Lag {
    return this.lag.count >= MIN_LAG_SAMPLES ? this.currentLag() : this.lastPeriodLag;
  }

  close(): void {
    clearInterval(this.lagTimer);
    this.lag.disable();
  }

  /**
   * The histogram records how late each timer of `resolution` ms fired, in ns, with the resolution
   * itself included; what is left after taking it off is the lag other work caused.
   */
  private currentLag(): Lag {
    const ms = (ns: number) => round1(Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS));
    if (this.lag.count === 0) return { p50: 0, p99: 0, max: 0 };
    return { p50: ms(this.lag.percentile(50)), p99: ms(this.lag.percentile(99)), max: ms(this.lag.max) };
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function roundSummary(summary: { mean: number; max: number } | null): { mean: number; max: number } | null {
  return summary && { mean: round1(summary.mean), max: round1(summary.max) };
}
