/**
 * Answers history requests from InfluxDB when there is one, else from the live buffers, in the
 * same shape, so a page does not care where the points came from.
 */
import type { DeviceDirectory } from '../live/DeviceDirectory';
import { buildHistoryQuery, historyBucketStart, historyIntervalMs, type HistoryRequest } from './historyQuery';
import type { InfluxStore } from './InfluxStore';

export interface History {
  source: 'influxdb' | 'live';
  intervalMs: number;
  /** [epoch ms, value] pairs, oldest first; a bucket's time is its start. */
  points: [number, number][];
}

export class HistoryReader {
  constructor(
    private readonly store: InfluxStore | null,
    private readonly directory: DeviceDirectory,
  ) {}

  async read(request: HistoryRequest): Promise<History> {
    if (!this.store) return this.fromLiveBuffers(request);
    const { statement, intervalMs } = buildHistoryQuery(request);
    const result = await this.store.query(statement);
    const rows = result.series?.[0]?.values ?? [];
    const points: [number, number][] = [];
    for (const [time, value] of rows) {
      if (typeof time === 'number' && typeof value === 'number') points.push([time, value]);
    }
    return { source: 'influxdb', intervalMs, points };
  }

  private fromLiveBuffers(request: HistoryRequest): History {
    const intervalMs = historyIntervalMs(request);
    const series = this.directory.get(request.booth, request.device)?.series.get(request.metric);
    const points: [number, number][] = [];
    if (!series) return { source: 'live', intervalMs, points };
    const { ts, values } = series.since(request.from);
    // Same bucketing as the InfluxQL query: buckets starting at `from`, mean per bucket.
    let bucket = NaN;
    let sum = 0;
    let n = 0;
    for (let i = 0; i < ts.length; i++) {
      const t = ts[i] as number;
      if (t >= request.to) break;
      if (t < request.from) continue;
      const start = historyBucketStart(t, request.from, intervalMs);
      if (start !== bucket) {
        if (n > 0) points.push([bucket, sum / n]);
        bucket = start;
        sum = 0;
        n = 0;
      }
      sum += values[i] as number;
      n++;
    }
    if (n > 0) points.push([bucket, sum / n]);
    return { source: 'live', intervalMs, points };
  }
}
