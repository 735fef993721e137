/**
 * Chart options for the console's device charts: the wall's time-series panel (one row per unit,
 * web/shared/timeSeriesOptions.ts), laid out in pixels for a desk screen, with time labels
 * under the last row and a tooltip drawn on the canvas (an HTML tooltip would carry inline styles,
 * which the page's CSP refuses). Pure, so the shape is unit-tested.
 */
import type { LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { unitOf, type DeviceMeta } from '../../contract/device';
import { toLinePoints, type LinePoint, type TimeWindow } from '../shared/chartOptions';
import { assignMetricColors } from '../shared/metricColors';
import { AXIS_COLOR } from '../shared/chartStyle';
import { formatNumber } from '../shared/numberFormat';
import { buildTimeSeriesLayout, groupLinesByUnit, timeSeriesLayoutKey, type TimeSeriesGroup, type TimeSeriesLine } from '../shared/timeSeriesOptions';
import type { MetricKind } from '../shared/metricKind';

export type ConsoleChartOption = ComposeOption<LineSeriesOption | GridComponentOption | TooltipComponentOption>;

export const AXIS_FONT_SIZE = 12;
const TOP_PX = 8;
/** Room under the last row for its time labels. */
const TIME_AXIS_PX = 24;
/** Space between rows, px. */
const ROW_GAP_PX = 14;

export function chartLines(metrics: readonly string[], kindOf: (metric: string) => MetricKind, units: DeviceMeta['units']): TimeSeriesLine[] {
  const colors = assignMetricColors(metrics);
  return metrics.map((metric) => ({ metric, kind: kindOf(metric), unit: unitOf({ units }, metric) ?? '', color: colors.get(metric) ?? '#ffffff' }));
}

/** Changes when rows come or go, or the chart's height changes (grids are placed in pixels). */
export function consoleChartKey(groups: readonly TimeSeriesGroup[], heightPx: number, fontFamily: string): string {
  return `${heightPx}|${timeSeriesLayoutKey(groups, AXIS_FONT_SIZE, fontFamily)}`;
}

export function buildConsoleChart(
  groups: readonly TimeSeriesGroup[],
  window: TimeWindow,
  data: readonly LinePoint[][],
  heightPx: number,
  fontFamily: string,
): ConsoleChartOption {
  const base = buildTimeSeriesLayout(groups, window, data, AXIS_FONT_SIZE, fontFamily);
  const rows = Math.max(groups.length, 1);
  const rowHeight = Math.max(20, (heightPx - TOP_PX - TIME_AXIS_PX) / rows);
  const grids = asArray(base.grid);
  const xAxes = asArray(base.xAxis);
  return {
    ...base,
    // A device that reports once a minute leaves every point between breaks: without a symbol such a
    // point would be drawn as nothing. ECharts hides symbols by itself where they would crowd.
    series: asArray(base.series).map((series) => ({ ...series, showSymbol: true, showAllSymbol: 'auto' as const, symbol: 'circle', symbolSize: 5 })),
    grid: grids.map((grid, index) => ({ ...grid, top: TOP_PX + index * rowHeight + ROW_GAP_PX / 2, height: rowHeight - ROW_GAP_PX })),
    xAxis: xAxes.map((axis, index) =>
      index === xAxes.length - 1 ? { ...axis, axisLabel: { show: true, color: AXIS_COLOR, fontSize: AXIS_FONT_SIZE, hideOverlap: true } } : axis,
    ),
    tooltip: {
      trigger: 'axis',
      renderMode: 'richText',
      backgroundColor: '#131a26',
      borderColor: '#222c3d',
      textStyle: { color: '#e8edf5', fontSize: AXIS_FONT_SIZE },
      valueFormatter: (value) => (typeof value === 'number' ? formatNumber(value) : '–'),
    },
  };
}

/**
 * Points as the chart draws them, with a break wherever the server had no bucket: GROUP BY time()
 * with fill(none) leaves empty buckets out, and a line drawn straight across them would invent data.
 */
export function withGaps(points: readonly (readonly [number, number])[], maxGapMs: number): LinePoint[] {
  return toLinePoints({ forEach: (visit) => points.forEach(([ts, value]) => visit(ts, value)) }, maxGapMs);
}

/** Drawn points (breaks not counted), for the chart's data-points attribute. */
export function countPoints(data: readonly LinePoint[][]): number {
  let count = 0;
  for (const line of data) for (const [, value] of line) if (value !== null) count++;
  return count;
}

export { groupLinesByUnit };

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
