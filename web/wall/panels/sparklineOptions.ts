/**
 * A stat panel's sparkline: the window's line with no axes, labels or grid lines. It shows the
 * shape of the recent past; the number above it carries the value.
 */
import type { LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import type { LinePoint, TimeWindow } from '../../shared/chartOptions';
import type { MetricKind } from '../../shared/metricKind';

export type SparklineOption = ComposeOption<LineSeriesOption | GridComponentOption>;

export const SPARKLINE_SERIES_ID = 'sparkline';

export function sparklineLayoutKey(kind: MetricKind, color: string): string {
  return JSON.stringify([kind, color]);
}

export function buildSparklineLayout(kind: MetricKind, color: string, window: TimeWindow, data: LinePoint[]): SparklineOption {
  const hidden = { axisLabel: { show: false }, axisTick: { show: false }, axisLine: { show: false }, splitLine: { show: false } };
  return {
    animation: false,
    backgroundColor: 'transparent',
    // A few pixels so the 3 px line is not clipped at the top and bottom.
    grid: { left: 0, right: 0, top: 4, bottom: 4, outerBoundsMode: 'none' },
    xAxis: { type: 'time', min: window.min, max: window.max, ...hidden },
    yAxis: { type: 'value', ...(kind === 'boolean' ? { min: 0, max: 1 } : { scale: true }), ...hidden },
    series: [
      {
        id: SPARKLINE_SERIES_ID,
        type: 'line',
        data,
        showSymbol: false,
        sampling: 'lttb',
        animation: false,
        connectNulls: false,
        silent: true,
        ...(kind === 'boolean' ? { step: 'end' as const } : {}),
        lineStyle: { color, width: 3 },
        areaStyle: { color, opacity: 0.15 },
      },
    ],
  };
}

export function buildSparklineUpdate(window: TimeWindow, data: LinePoint[] | null): SparklineOption {
  const update: SparklineOption = { xAxis: { min: window.min, max: window.max } };
  if (data) update.series = [{ id: SPARKLINE_SERIES_ID, type: 'line', data }];
  return update;
}
