/**
 * InfluxQL for history, built from values that were validated at the HTTP edge. Identifiers and
 * string literals are still quoted and escaped here, so this module is safe on its own.
 */
import { MEASUREMENT } from './telemetryLine';

export interface HistoryRequest {
  booth: string;
  device: string;
  metric: string;
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  /** How many points the chart wants at most; sets the GROUP BY interval. */
  points: number;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Bucket width so that (to - from) / interval <= points, in whole milliseconds. */
export function historyIntervalMs(request: Pick<HistoryRequest, 'from' | 'to' | 'points'>): number {
  return Math.max(1, Math.ceil((request.to - request.from) / request.points));
}

/**
 * Where the bucket holding `t` starts. Buckets start at `from`, not at the epoch: epoch-aligned
 * buckets straddle both ends of the range and give one point more than the chart asked for.
 */
export function historyBucketStart(t: number, from: number, intervalMs: number): number {
  return from + Math.floor((t - from) / intervalMs) * intervalMs;
}

export function buildHistoryQuery(request: HistoryRequest): { statement: string; intervalMs: number } {
  const intervalMs = historyIntervalMs(request);
  const from = Math.floor(request.from);
  // InfluxQL's offset shifts its epoch-aligned buckets so that one starts exactly at `from`.
  const offsetMs = ((from % intervalMs) + intervalMs) % intervalMs;
  const statement =
    `SELECT mean(${quoteIdentifier(request.metric)}) AS "value" FROM ${quoteIdentifier(MEASUREMENT)}` +
    ` WHERE "booth" = ${quoteString(request.booth)} AND "device" = ${quoteString(request.device)}` +
    ` AND time >= ${from}ms AND time < ${Math.floor(request.to)}ms` +
    ` GROUP BY time(${intervalMs}ms, ${offsetMs}ms) fill(none)`;
  return { statement, intervalMs };
}

/**
 * The recent window of every device, at the live buffers' resolution, to warm them after a
 * restart. mean(*) names its columns mean_<metric>.
 */
export function buildWarmupQuery(booths: readonly string[], windowMs: number, slotMs: number, now: number): string {
  const boothFilter = booths.map((b) => `"booth" = ${quoteString(b)}`).join(' OR ');
  return (
    `SELECT mean(*) FROM ${quoteIdentifier(MEASUREMENT)} WHERE (${boothFilter})` +
    ` AND time >= ${Math.floor(now - windowMs)}ms AND time <= ${Math.floor(now)}ms` +
    ` GROUP BY time(${Math.max(1, Math.floor(slotMs))}ms), "booth", "device", "kind" fill(none)`
  );
}
