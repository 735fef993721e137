/** How one metric's latest value reads on a tile: text for the readout and whether it is out of range. */
import { expectedRangeOf, type DeviceMeta } from '../../contract/device';
import type { MetricKind } from '../shared/metricKind';
import { ENGLISH, type WallText } from './wallText';

export type RangeAlarm = 'low' | 'high' | null;

export function formatReading(value: number | boolean | undefined, kind: MetricKind, text: WallText = ENGLISH): string {
  if (value === undefined) return '–';
  if (kind === 'boolean' || typeof value === 'boolean') return text.t(truthy(value) ? 'yes' : 'no');
  return text.number(value);
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
