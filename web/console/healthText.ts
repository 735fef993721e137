/**
 * The server's health in a line for the console's header, and how worried to be: pure, so the
 * thresholds are unit-tested.
 */
import type { DegradedReason, ServerHealth } from '../../contract/console';
import { formatMs, formatRate } from './format';

export type HealthLevel = 'ok' | 'warn' | 'bad';

/** Event-loop lag (p99) above which the server is too busy to answer promptly. */
export const LAG_WARN_MS = 100;
/** Buffer fill above which an InfluxDB outage is close to dropping readings. */
export const BUFFER_WARN_SHARE = 0.5;

/**
 * The server's own verdict (server/store/StorageHealth.ts) decides first: a slow InfluxDB warns,
 * anything that puts readings at risk (unreachable, a backlog past its threshold, a failing spool) is bad.
 */
export function healthLevel(health: ServerHealth): HealthLevel {
  const degraded = health.degraded;
  if (degraded.some((d) => d.reason !== 'influx-slow')) return 'bad';
  if (degraded.length > 0) return 'warn';
  if (health.influx.mode !== 'memory' && !health.influx.reachable) return 'bad';
  if (health.influx.bufferFill >= 0.9) return 'bad';
  if (health.influx.bufferFill >= BUFFER_WARN_SHARE || health.process.eventLoopLagMs.p99 >= LAG_WARN_MS) return 'warn';
  return 'ok';
}

export function influxWords(influx: ServerHealth['influx']): string {
  if (influx.mode === 'memory') return 'no InfluxDB (memory only)';
  if (!influx.reachable) return 'InfluxDB unreachable';
  return influx.writeLatencyMs === null ? 'InfluxDB ok' : `InfluxDB ok, ${formatMs(influx.writeLatencyMs.mean)}`;
}

/** What the header leads with while storage is degraded: the reason a technician must act on, in words. */
export function degradedWords(reason: DegradedReason): string {
  switch (reason.reason) {
    case 'influx-unreachable':
      return `InfluxDB unreachable: ${reason.detail}`;
    case 'influx-slow':
      return `InfluxDB slow: ${reason.detail}`;
    case 'storage-backlog':
      return `Storage behind: ${reason.detail}`;
    case 'spool-error':
      return `Spool failing (readings kept in memory only): ${reason.detail}`;
  }
}

export function healthSummary(health: ServerHealth): string {
  return [
    ...health.degraded.filter((d) => d.reason !== 'influx-unreachable').map(degradedWords),
    `Ingest ${formatRate(health.ingest.readingsPerSecond)}`,
    influxWords(health.influx),
    ...(health.influx.pendingLines > 0 ? [`${health.influx.pendingLines} lines pending`] : []),
    `lag ${formatMs(health.process.eventLoopLagMs.p99)}`,
  ].join(' · ');
}
