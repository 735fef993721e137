/**
 * The server's health in a line for the console's header, and how worried to be: pure, so the
 * thresholds are unit-tested.
 */
import type { ServerHealth } from '../../contract/console';
import { formatMs, formatRate } from './format';

export type HealthLevel = 'ok' | 'warn' | 'bad';

/** Event-loop lag (p99) above which the server is too busy to answer promptly. */
export const LAG_WARN_MS = 100;
/** Buffer fill above which an InfluxDB outage is close to dropping readings. */
export const BUFFER_WARN_SHARE = 0.5;

export function healthLevel(health: ServerHealth): HealthLevel {
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

export function healthSummary(health: ServerHealth): string {
  return [
    `Ingest ${formatRate(health.ingest.readingsPerSecond)}`,
    influxWords(health.influx),
    ...(health.influx.pendingLines > 0 ? [`${health.influx.pendingLines} lines pending`] : []),
    `lag ${formatMs(health.process.eventLoopLagMs.p99)}`,
  ].join(' · ');
}
