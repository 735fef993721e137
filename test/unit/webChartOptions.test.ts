import { describe, expect, it } from 'vitest';
import { buildChartLayout, buildChartUpdate, chartLayoutKey, seriesId, toLinePoints, type ChartRow } from '../../web/shared/chartOptions';
import { ChartSeries } from '../../web/shared/ChartSeries';

const rows: ChartRow[] = [
  { metric: 'co2', kind: 'number', color: '#4cc9f0' },
  { metric: 'temperature', kind: 'number', color: '#f9c74f' },
  { metric: 'door_open', kind: 'boolean', color: '#90be6d' },
];
const window = { min: 1000, max: 301_000 };

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

describe('chart options', () => {
  it('gives each metric its own grid, axes and series, with stable ids', () => {
    const option = buildChartLayout(rows, window, [[], [], []], 14);
    const series = asArray(option.series);
    expect(asArray(option.grid)).toHaveLength(3);
    expect(asArray(option.yAxis)).toHaveLength(3);
    expect(series.map((s) => s.id)).toEqual(['series:co2', 'series:temperature', 'series:door_open']);
    expect(series.map((s) => [s.xAxisIndex, s.yAxisIndex])).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
  });

  it('is cheap to draw and never animates', () => {
    const option = buildChartLayout(rows, window, [[], [], []], 14);
    expect(option.animation).toBe(false);
    for (const series of asArray(option.series)) {
      expect(series).toMatchObject({ type: 'line', showSymbol: false, sampling: 'lttb', animation: false });
    }
  });

  it('draws booleans as step lines on a fixed 0..1 axis', () => {
    const option = buildChartLayout(rows, window, [[], [], []], 14);
    const series = asArray(option.series);
    expect(series[2]).toMatchObject({ step: 'end' });
    expect(series[0]).not.toHaveProperty('step');
    expect(asArray(option.yAxis)[2]).toMatchObject({ min: 0, max: 1 });
    expect(asArray(option.yAxis)[0]).toMatchObject({ scale: true });
  });

  it('sets an explicit time window on every x-axis', () => {
    const option = buildChartLayout(rows, window, [[], [], []], 14);
    for (const axis of asArray(option.xAxis)) expect(axis).toMatchObject({ type: 'time', min: 1000, max: 301_000 });
  });

  it('updates only the window, plus series data when it changed', () => {
    const windowOnly = buildChartUpdate(rows, window, null);
    expect(Object.keys(windowOnly)).toEqual(['xAxis']);
    const withData = buildChartUpdate(rows, window, [[[1, 2]], [], []]);
    expect(Object.keys(withData).sort()).toEqual(['series', 'xAxis']);
    expect(asArray(withData.series)[0]).toEqual({ id: seriesId('co2'), type: 'line', data: [[1, 2]] });
  });

  it('changes the layout key only when the structure changes', () => {
    expect(chartLayoutKey(rows, 14)).toBe(chartLayoutKey([...rows], 14));
    expect(chartLayoutKey(rows, 14)).not.toBe(chartLayoutKey(rows, 16));
    expect(chartLayoutKey(rows, 14)).not.toBe(chartLayoutKey(rows.slice(1), 14));
  });

  it('breaks the line across gaps in the data', () => {
    const buffer = new ChartSeries(10);
    for (const ts of [0, 1000, 2000, 20_000, 21_000]) buffer.append(ts, ts / 1000);
    expect(toLinePoints(buffer, 5000)).toEqual([
      [0, 0],
      [1000, 1],
      [2000, 2],
      [11_000, null],
      [20_000, 20],
      [21_000, 21],
    ]);
  });
});
