import { describe, expect, it } from 'vitest';
import {
  buildTimeSeriesLayout,
  buildTimeSeriesUpdate,
  groupLinesByUnit,
  linesOf,
  timeSeriesLayoutKey,
  type TimeSeriesLine,
} from '../../web/shared/timeSeriesOptions';

const line = (metric: string, unit: string, kind: TimeSeriesLine['kind'] = 'number'): TimeSeriesLine => ({ metric, kind, unit, color: '#fff' });
const window = { min: 1000, max: 301_000 };
const FONT = 'system-ui, sans-serif';

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

describe('time series grouping', () => {
  it('shares a row between metrics of the same unit, in the order the spec lists them', () => {
    const groups = groupLinesByUnit([line('temp_in', '°C'), line('co2', 'ppm'), line('temp_out', '°C')]);
    expect(groups.map((g) => g.lines.map((l) => l.metric))).toEqual([['temp_in', 'temp_out'], ['co2']]);
  });

  it('gives booleans and unitless metrics a row each', () => {
    const groups = groupLinesByUnit([line('laps', ''), line('count', ''), line('door', '', 'boolean'), line('lid', '', 'boolean')]);
    expect(groups.map((g) => g.lines.length)).toEqual([1, 1, 1, 1]);
    expect(new Set(groups.map((g) => g.id)).size).toBe(4);
  });
});

describe('time series options', () => {
  const groups = groupLinesByUnit([line('temp_in', '°C'), line('co2', 'ppm'), line('temp_out', '°C'), line('door', '', 'boolean')]);

  it('draws one grid per group and puts each line on its group axes, with stable ids', () => {
    const option = buildTimeSeriesLayout(groups, window, [[], [], [], []], 14, FONT);
    expect(asArray(option.grid)).toHaveLength(3);
    const series = asArray(option.series);
    expect(series.map((s) => [s.id, s.xAxisIndex, s.yAxisIndex])).toEqual([
      ['series:temp_in', 0, 0],
      ['series:temp_out', 0, 0],
      ['series:co2', 1, 1],
      ['series:door', 2, 2],
    ]);
  });

  it('is cheap to draw: no animation, no symbols, sampled, gaps left as gaps', () => {
    const option = buildTimeSeriesLayout(groups, window, [[], [], [], []], 14, FONT);
    expect(option.animation).toBe(false);
    // A CSS keyword such as 'inherit' would make the canvas fall back to 10px text.
    expect(option.textStyle).toEqual({ fontFamily: FONT });
    // Axis labels carry their own family, which wins over textStyle: it must be the page's too.
    for (const axis of asArray(option.yAxis)) expect(axis.axisLabel).toMatchObject({ fontFamily: FONT });
    for (const series of asArray(option.series)) {
      expect(series).toMatchObject({ type: 'line', showSymbol: false, sampling: 'lttb', animation: false, connectNulls: false });
    }
    for (const axis of asArray(option.xAxis)) expect(axis).toMatchObject({ type: 'time', min: 1000, max: 301_000 });
  });

  it('fills only lines alone on their axis, and steps booleans on 0..1', () => {
    const series = asArray(buildTimeSeriesLayout(groups, window, [[], [], [], []], null, FONT).series);
    expect(series.map((s) => 'areaStyle' in s)).toEqual([false, false, true, true]);
    expect(series[3]).toMatchObject({ step: 'end' });
    expect(asArray(buildTimeSeriesLayout(groups, window, [[], [], [], []], null, FONT).yAxis)[2]).toMatchObject({ min: 0, max: 1 });
  });

  it('updates slide every window and send data only when it changed', () => {
    expect(buildTimeSeriesUpdate(groups, window, null)).not.toHaveProperty('series');
    expect(asArray(buildTimeSeriesUpdate(groups, window, null).xAxis)).toHaveLength(3);
    const data = [[[1000, 1] as [number, number]], [], [], []];
    expect(asArray(buildTimeSeriesUpdate(groups, window, data).series)[0]).toEqual({ id: 'series:temp_in', type: 'line', data: [[1000, 1]] });
  });

  it('changes its layout key only when the structure or label size changes', () => {
    expect(timeSeriesLayoutKey(groups, 14, FONT)).toBe(timeSeriesLayoutKey(groupLinesByUnit(linesOf(groups).map((l) => l.line)), 14, FONT));
    expect(timeSeriesLayoutKey(groups, 14, FONT)).not.toBe(timeSeriesLayoutKey(groups, 16, FONT));
  });
});
