import { describe, expect, it } from 'vitest';
import { assignMetricColors, METRIC_PALETTE } from '../../web/shared/metricColors';
import { formatNumber } from '../../web/shared/numberFormat';
import { alarmLabel, formatReading, rangeAlarm } from '../../web/wall/readingFormat';

describe('reading format', () => {
  it('shows fewer decimals as values grow', () => {
    expect(formatNumber(1234.56)).toBe('1235');
    expect(formatNumber(21.456)).toBe('21.5');
    expect(formatNumber(3.14159)).toBe('3.14');
    expect(formatNumber(42)).toBe('42');
    expect(formatNumber(-0.5)).toBe('-0.5');
    expect(formatNumber(13.04)).toBe('13');
    expect(formatNumber(5.3)).toBe('5.3');
    expect(formatNumber(-0.001)).toBe('0');
  });

  it('shows booleans as words and missing values as a dash', () => {
    expect(formatReading(true, 'boolean')).toBe('Yes');
    expect(formatReading(0, 'boolean')).toBe('No');
    expect(formatReading(undefined, 'number')).toBe('–');
  });

  it('flags values outside the expected range', () => {
    const expected = { co2: { min: 400, max: 1200 }, pm25: { max: 35 } };
    expect(rangeAlarm(1300, expected, 'co2')).toBe('high');
    expect(rangeAlarm(390, expected, 'co2')).toBe('low');
    expect(rangeAlarm(800, expected, 'co2')).toBeNull();
    expect(rangeAlarm(-5, expected, 'pm25')).toBeNull();
    expect(rangeAlarm(true, expected, 'co2')).toBeNull();
    expect(rangeAlarm(5000, undefined, 'co2')).toBeNull();
    expect(alarmLabel('high')).toContain('High');
    expect(alarmLabel(null)).toBe('');
  });
});

describe('metric colours', () => {
  it('gives a metric the same colour on every tile', () => {
    const a = assignMetricColors(['temperature', 'humidity']);
    const b = assignMetricColors(['temperature']);
    expect(a.get('temperature')).toBe(b.get('temperature'));
  });

  it('gives the metrics of one device distinct colours while the palette lasts', () => {
    const metrics = Array.from({ length: METRIC_PALETTE.length }, (_, i) => `m${i}`);
    expect(new Set(assignMetricColors(metrics).values()).size).toBe(METRIC_PALETTE.length);
  });
});
