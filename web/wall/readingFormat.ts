/** How one metric's latest value reads on a tile: text for the readout and whether it is out of range. */
import { expectedRangeOf, type DeviceMeta } from '../../contract/device';
import type { AxisBounds, ResolvedMetricDisplay } from '../shared/metricDisplay';
import type { MetricKind } from '../shared/metricKind';
import { ENGLISH, type WallText } from './wallText';

export type RangeAlarm = 'low' | 'high' | null;

/**
 * The readout text: words from the metric's value map or On/Off, Yes/No for booleans (snapshots carry
 * them as 0/1), else the number with the display's decimals. Without `display`, the defaults of a
 * metric with no name (plain number, Yes/No).
 */
export function formatReading(value: number | boolean | undefined, kind: MetricKind, text: WallText = ENGLISH, display?: ResolvedMetricDisplay): string {
  if (value === undefined) return '–';
  const reading = kind === 'boolean' && typeof value === 'number' ? value !== 0 : value;
  return text.metricValue(display ?? text.metric('', undefined), reading);
}

export function rangeAlarm(value: number | boolean | undefined, expected: DeviceMeta['expected'], metric: string): RangeAlarm {
  if (typeof value !== 'number') return null;
  const range = expectedRangeOf({ expected }, metric);
  if (!range) return null;
  if (range.min !== undefined && value < range.min) return 'low';
  if (range.max !== undefined && value > range.max) return 'high';
  return null;
}

export function alarmLabel(alarm: RangeAlarm, text: WallText = ENGLISH): string {
  return alarm === 'high' ? `▲ ${text.t('high')}` : alarm === 'low' ? `▼ ${text.t('low')}` : '';
}

/**
 * What a chart row needs from a metric's display: words for a boolean axis in the wall's languages,
 * and fixed bounds where the unit gives them (0–360 for a heading, not an auto-scaled 0–600).
 */
export function chartWords(display: ResolvedMetricDisplay, kind: MetricKind, text: WallText): { booleanWords?: readonly [string, string]; axis?: AxisBounds } {
  if (kind === 'boolean') return { booleanWords: text.booleanWords(display) };
  return display.axis ? { axis: display.axis } : {};
}
