/**
 * Which way a stat is heading: the latest value against the value about a minute before it,
 * judged against the metric's expected range so sensor noise does not flip the arrow every second.
 */
import type { DeviceMeta } from '../../../contract/device';
import type { ChartSeries } from '../../shared/ChartSeries';

export type Trend = 'rising' | 'falling' | 'steady';

export const TREND_LOOKBACK_MS = 60_000;
/** A change smaller than this share of the expected range is noise, not a trend. */
export const TREND_SHARE_OF_EXPECTED = 0.02;
/**
 * Without an expected range the window's own spread is the only scale, and a flat but noisy signal
 * spans little more than its noise; a larger share keeps such a signal steady.
 */
export const TREND_SHARE_OF_SPREAD = 0.1;

type ExpectedRange = NonNullable<DeviceMeta['expected']>[string];

/** Null when there is nothing to compare (fewer than two points). */
export function computeTrend(
  series: Pick<ChartSeries, 'length' | 'lastTs' | 'lastValue' | 'forEach'>,
  expected: ExpectedRange | undefined,
  lookbackMs: number = TREND_LOOKBACK_MS,
): Trend | null {
  const lastTs = series.lastTs();
  const lastValue = series.lastValue();
  if (series.length < 2 || lastTs === undefined || lastValue === undefined) return null;

  // The newest point at least `lookbackMs` old; with less history than that, the oldest one.
  const target = lastTs - lookbackMs;
  let reference: number | undefined;
  let low = Infinity;
  let high = -Infinity;
  series.forEach((ts, value) => {
    if (reference === undefined || ts <= target) reference = value;
    low = Math.min(low, value);
    high = Math.max(high, value);
  });
  if (reference === undefined) return null;

  const span = expectedSpan(expected);
  const threshold = span !== null ? span * TREND_SHARE_OF_EXPECTED : (high - low) * TREND_SHARE_OF_SPREAD;
  const change = lastValue - reference;
  if (change === 0 || Math.abs(change) <= threshold) return 'steady';
  return change > 0 ? 'rising' : 'falling';
}

/**
 * The arrow's colour, a semantic one of web/theme.css: a change is news, neither good nor bad (the
 * panel cannot know whether rising is good), so both directions are `info`, and never the brand
 * accent, which an exhibitor may set to alarm red.
 */
export const TREND_COLOR: Readonly<Record<Trend, 'info' | 'muted'>> = { rising: 'info', falling: 'info', steady: 'muted' };

export function trendArrow(trend: Trend): string {
  return trend === 'rising' ? '▲' : trend === 'falling' ? '▼' : '▶';
}

function expectedSpan(expected: ExpectedRange | undefined): number | null {
  const min = expected?.min;
  const max = expected?.max;
  if (min === undefined || max === undefined || !Number.isFinite(min) || !Number.isFinite(max) || max <= min) return null;
  return max - min;
}
