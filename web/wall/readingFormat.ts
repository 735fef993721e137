/** How one metric's latest value reads on a tile: text for the readout and whether it is out of range. */
import { expectedRangeOf, type DeviceMeta } from '../../contract/device';
import type { MetricKind } from './WallModel';
import { ENGLISH, fractionDigits, type WallText } from './wallText';

export type RangeAlarm = 'low' | 'high' | null;

export function formatReading(value: number | boolean | undefined, kind: MetricKind, text: WallText = ENGLISH): string {
  if (value === undefined) return '–';
  if (kind === 'boolean' || typeof value === 'boolean') return text.t(truthy(value) ? 'yes' : 'no');
  return text.number(value);
}

/** Precision by magnitude (fractionDigits); trailing zeros go, so counters stay "7", not "7.00". */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const text = value.toFixed(fractionDigits(value));
  const trimmed = text.includes('.') ? text.replace(/\.?0+$/, '') : text;
  return trimmed === '-0' ? '0' : trimmed;
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

function truthy(value: number | boolean): boolean {
  return typeof value === 'boolean' ? value : value !== 0;
}
