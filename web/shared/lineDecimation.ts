/**
 * Thins a line to what its pixels can show: per time bucket a few pixels wide, the lowest and the
 * highest point in time order, so peaks, dips and steps stay where they were while a chart a few
 * hundred pixels wide is not handed (and does not clone, sample and path) hundreds of points per
 * line on every redraw. Gaps (null values) and the newest point are always kept: a break in the
 * line and the latest reading must look the same thinned or not.
 */
import type { LinePoint } from './chartOptions';

/** Pixels per bucket: two points per three pixels is below what a 3 px line can show apart. */
export const PIXELS_PER_BUCKET = 3;

/**
 * `points` in time order; `window` the time span the chart's width shows; `widthPx` that width.
 * Returns `points` itself when it is already no longer than the buckets would make it.
 */
export function decimateLine(points: readonly LinePoint[], window: { min: number; max: number }, widthPx: number): readonly LinePoint[] {
  const buckets = Math.max(1, Math.floor(widthPx / PIXELS_PER_BUCKET));
  const span = window.max - window.min;
  if (points.length <= 2 * buckets || !(span > 0)) return points;
  const bucketMs = span / buckets;
  const out: LinePoint[] = [];
  let bucket = NaN;
  let low: LinePoint | null = null;
  let high: LinePoint | null = null;
  const flush = (): void => {
    if (low === null || high === null) return;
    if (low === high) out.push(low);
    else if (low[0] <= high[0]) out.push(low, high);
    else out.push(high, low);
    low = null;
    high = null;
  };
  for (const point of points) {
    const value = point[1];
    if (value === null) {
      flush();
      out.push(point);
      bucket = NaN;
      continue;
    }
    const at = Math.floor((point[0] - window.min) / bucketMs);
    if (at !== bucket) {
      flush();
      bucket = at;
    }
    if (low === null || value < (low[1] ?? Infinity)) low = point;
    if (high === null || value > (high[1] ?? -Infinity)) high = point;
  }
  flush();
  const last = points[points.length - 1];
  if (last !== undefined && out[out.length - 1] !== last) out.push(last);
  return out;
}
