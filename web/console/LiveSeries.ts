/**
 * The detail view's live chart data: every poll brings the device's latest values, added here at
 * the time the server received them. Bounded per metric (ring buffers) and in metric count, so a
 * console left open on one device for a day stays the size it was after ten minutes.
 */
import type { ReadingValues } from '../../contract/device';
import { toLinePoints, type LinePoint } from '../shared/chartOptions';
import { ChartSeries } from '../shared/ChartSeries';
import type { MetricKind } from '../shared/metricKind';

export const LIVE_WINDOW_MS = 5 * 60_000;
const POINTS_PER_METRIC = 600;
const MAX_METRICS = 64;

export class LiveSeries {
  private readonly series = new Map<string, { kind: MetricKind; buffer: ChartSeries }>();

  /** Adds one reading per metric at `ts`; a time already held (the device said nothing new) is ignored. */
  add(ts: number, values: ReadingValues): void {
    for (const [metric, value] of Object.entries(values)) {
      let entry = this.series.get(metric);
      if (!entry) {
        if (this.series.size >= MAX_METRICS) continue;
        entry = { kind: typeof value === 'boolean' ? 'boolean' : 'number', buffer: new ChartSeries(POINTS_PER_METRIC) };
        this.series.set(metric, entry);
      }
      entry.buffer.append(ts, typeof value === 'boolean' ? Number(value) : value);
    }
  }

  /** Metric names, sorted, so the chips and rows keep their places. */
  metrics(): string[] {
    return [...this.series.keys()].sort();
  }

  kind(metric: string): MetricKind {
    return this.series.get(metric)?.kind ?? 'number';
  }

  /** The metric's points since `minTs`, with breaks where readings stopped for longer than `gapMs`. */
  points(metric: string, minTs: number, gapMs: number): LinePoint[] {
    const entry = this.series.get(metric);
    if (!entry) return [];
    entry.buffer.trimBefore(minTs);
    return toLinePoints(entry.buffer, gapMs);
  }

  clear(): void {
    this.series.clear();
  }
}
