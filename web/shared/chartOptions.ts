/**
 * ECharts options for one device tile, as small multiples: one grid per metric, stacked, each with
 * its own y-axis and a shared time window. CO2 in ppm and temperature in °C never share a scale,
 * and each row lines up with the big DOM readout beside it. Built without touching ECharts itself,
 * so the shape is unit-tested.
 */
import type { LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { AXIS_COLOR, SPLIT_LINE_COLOR } from './chartStyle';
import { formatNumber } from './numberFormat';
import type { ChartSeries } from './ChartSeries';
import type { MetricKind } from './metricKind';
import type { AxisBounds } from './metricDisplay';

export type DeviceChartOption = ComposeOption<LineSeriesOption | GridComponentOption>;

export interface ChartRow {
  readonly metric: string;
  readonly kind: MetricKind;
  readonly color: string;
  /** Axis words for false and true, in the page's language; absent: "No" and "Yes". */
  readonly booleanWords?: readonly [string, string] | undefined;
  /** Fixed axis bounds the unit gives (an angle: 0–360); absent: scaled to the data. */
  readonly axis?: AxisBounds | undefined;
}

export interface TimeWindow {
  readonly min: number;
  readonly max: number;
}

/** A null value breaks the line: gaps in the data show as gaps, not as a straight line across. */
export type LinePoint = [number, number | null];

/** Room on the right for y-axis labels, in label font sizes (64 px for 16 px labels). */
const Y_LABEL_EMS = 4;
const NO_LABEL_MARGIN = 6;
/** Share of each row left empty above and below its plot, so labels of neighbours do not touch. */
const ROW_PADDING = 0.14;

export const seriesId = (metric: string): string => `series:${metric}`;
export const xAxisId = (metric: string): string => `x:${metric}`;
export const yAxisId = (metric: string): string => `y:${metric}`;

/**
 * Changes only when the chart's structure must change; otherwise updates merge data and window only.
 * `axisFontSize` null hides y-axis labels: rows too short to hold them legibly.
 */
export function chartLayoutKey(rows: readonly ChartRow[], axisFontSize: number | null): string {
  return JSON.stringify([axisFontSize, rows.map((r) => [r.metric, r.kind, r.color, r.booleanWords ?? null, r.axis ?? null])]);
}

export function buildChartLayout(
  rows: readonly ChartRow[],
  window: TimeWindow,
  data: readonly LinePoint[][],
  axisFontSize: number | null,
  /** A real family: the canvas rejects CSS keywords such as 'inherit' and falls back to 10px sans-serif. */
  fontFamily = 'sans-serif',
): DeviceChartOption {
  const rowShare = 100 / Math.max(rows.length, 1);
  const padding = rowShare * ROW_PADDING;
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { fontFamily },
    grid: rows.map((row, index) => ({
      id: row.metric,
      left: 4,
      right: axisFontSize === null ? NO_LABEL_MARGIN : Math.round(axisFontSize * Y_LABEL_EMS),
      top: `${index * rowShare + padding}%`,
      height: `${rowShare - 2 * padding}%`,
      // ECharts 6 would otherwise shrink grids to fit labels and break alignment with the readouts.
      outerBoundsMode: 'none',
    })),
    xAxis: rows.map((row, index) => ({
      id: xAxisId(row.metric),
      type: 'time',
      gridIndex: index,
      min: window.min,
      max: window.max,
      axisLabel: { show: false },
      axisTick: { show: false },
      axisLine: { show: false },
      splitLine: { show: true, lineStyle: { color: SPLIT_LINE_COLOR } },
    })),
    yAxis: rows.map((row, index) => ({
      id: yAxisId(row.metric),
      type: 'value',
      gridIndex: index,
      position: 'right',
      ...yAxisScale(row),
      axisLabel: {
        show: axisFontSize !== null,
        color: AXIS_COLOR,
        fontSize: axisFontSize ?? 0,
        fontFamily,
        formatter: axisFormatter(row),
      },
      splitLine: { show: true, lineStyle: { color: SPLIT_LINE_COLOR } },
    })),
    series: rows.map((row, index) => ({
      id: seriesId(row.metric),
      name: row.metric,
      type: 'line',
      xAxisIndex: index,
      yAxisIndex: index,
      data: data[index] ?? [],
      showSymbol: false,
      sampling: 'lttb',
      animation: false,
      connectNulls: false,
      ...(row.kind === 'boolean' ? { step: 'end' as const } : {}),
      lineStyle: { color: row.color, width: 3 },
      itemStyle: { color: row.color },
      areaStyle: { color: row.color, opacity: 0.12 },
    })),
  };
}

/** Booleans on 0..1; angles on their fixed bounds; everything else scaled to its data. */
function yAxisScale(row: ChartRow): { min?: number; max?: number; interval?: number; scale?: boolean; splitNumber?: number } {
  if (row.kind === 'boolean') return { min: 0, max: 1, interval: 1 };
  if (row.axis) return { min: row.axis.min, max: row.axis.max, interval: row.axis.max - row.axis.min };
  return { scale: true, splitNumber: 1 };
}

/**
 * Axis label text. A tile row has room for two labels, so an angle shows its ends (0 and 360), and a
 * boolean its words. Exported so a page (or test) can read what the canvas draws.
 */
export function axisFormatter(row: Pick<ChartRow, 'kind' | 'booleanWords'>): (value: number) => string {
  if (row.kind === 'boolean') {
    const [no, yes] = row.booleanWords ?? DEFAULT_BOOLEAN_WORDS;
    return (value: number) => (value >= 0.5 ? yes : no);
  }
  return (value: number) => formatNumber(value);
}

const DEFAULT_BOOLEAN_WORDS = ['No', 'Yes'] as const;

/** What changes every render: the sliding window, and the data only when it changed. */
export function buildChartUpdate(rows: readonly ChartRow[], window: TimeWindow, data: readonly LinePoint[][] | null): DeviceChartOption {
  const update: DeviceChartOption = {
    xAxis: rows.map((row) => ({ id: xAxisId(row.metric), min: window.min, max: window.max })),
  };
  if (data) update.series = rows.map((row, index) => ({ id: seriesId(row.metric), type: 'line', data: data[index] ?? [] }));
  return update;
}

/** Points in time order, with a null between two that are more than `gapMs` apart. */
export function toLinePoints(series: Pick<ChartSeries, 'forEach'>, gapMs: number): LinePoint[] {
  const points: LinePoint[] = [];
  let previousTs: number | undefined;
  series.forEach((ts, value) => {
    if (previousTs !== undefined && ts - previousTs > gapMs) points.push([(previousTs + ts) / 2, null]);
    points.push([ts, value]);
    previousTs = ts;
  });
  return points;
}
