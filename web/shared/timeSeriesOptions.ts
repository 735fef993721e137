/**
 * ECharts options for a time-series panel. Metrics are grouped by unit: metrics in the same unit
 * share one grid and y-axis (inside and outside temperature in °C are compared on one scale, which
 * is the point of putting them on one panel), while different units get stacked small multiples
 * with their own axes (ppm and °C on one scale would flatten one of them into a line). Booleans and
 * unitless metrics always get a row of their own: without a unit there is no reason to believe two
 * numbers are comparable. Built without touching ECharts, so the shape is unit-tested.
 */
import { buildChartLayout, buildChartUpdate, type ChartRow, type DeviceChartOption, type LinePoint, type TimeWindow } from './chartOptions';
import type { MetricKind } from './metricKind';
import type { AxisBounds } from './metricDisplay';

export interface TimeSeriesLine {
  readonly metric: string;
  readonly kind: MetricKind;
  readonly unit: string;
  readonly color: string;
  /** As ChartRow: boolean axis words and fixed bounds (an angle's 0–360), from the metric's display. */
  readonly booleanWords?: readonly [string, string] | undefined;
  readonly axis?: AxisBounds | undefined;
}

/** One grid of the chart: the lines drawn against one y-axis. */
export interface TimeSeriesGroup {
  readonly id: string;
  readonly kind: MetricKind;
  readonly unit: string;
  readonly lines: readonly TimeSeriesLine[];
}

/** Groups in the order of their first line, so rows follow the order the spec lists the metrics in. */
export function groupLinesByUnit(lines: readonly TimeSeriesLine[]): TimeSeriesGroup[] {
  const groups: { id: string; kind: MetricKind; unit: string; lines: TimeSeriesLine[] }[] = [];
  const byUnit = new Map<string, (typeof groups)[number]>();
  for (const line of lines) {
    const shareable = line.kind === 'number' && line.unit !== '';
    const existing = shareable ? byUnit.get(line.unit) : undefined;
    if (existing) {
      existing.lines.push(line);
      continue;
    }
    const group = { id: shareable ? `unit:${line.unit}` : `metric:${line.metric}`, kind: line.kind, unit: line.unit, lines: [line] };
    groups.push(group);
    if (shareable) byUnit.set(line.unit, group);
  }
  return groups;
}

/** Changes only when the chart's structure must change; otherwise updates merge data and window. */
export function timeSeriesLayoutKey(groups: readonly TimeSeriesGroup[], axisFontSize: number | null, fontFamily: string): string {
  return JSON.stringify([axisFontSize, fontFamily, groups]);
}

/**
 * The device tile's small multiples (chartOptions.ts) with a row per group instead of per metric:
 * grids and axes are built for the groups, the lines for the metrics, then each line is moved
 * onto its group's axes. `data` holds one entry per line, in the order of `linesOf`.
 */
export function buildTimeSeriesLayout(
  groups: readonly TimeSeriesGroup[],
  window: TimeWindow,
  data: readonly LinePoint[][],
  axisFontSize: number | null,
  fontFamily: string,
): DeviceChartOption {
  const frame = buildChartLayout(groups.map(groupRow), window, [], axisFontSize, fontFamily);
  const lines = linesOf(groups);
  const drawn = buildChartLayout(
    lines.map(({ line }) => line),
    window,
    data,
    axisFontSize,
    fontFamily,
  );
  return {
    ...frame,
    series: asArray(drawn.series).map((series, index) => {
      const groupIndex = lines[index]?.groupIndex ?? 0;
      // Overlapping fills of a shared axis would muddy each other; only a lone line keeps one.
      const { areaStyle: _dropped, ...withoutArea } = series;
      const alone = (groups[groupIndex]?.lines.length ?? 0) <= 1;
      return { ...(alone ? series : withoutArea), xAxisIndex: groupIndex, yAxisIndex: groupIndex };
    }),
  };
}

/** What changes every tick: the sliding window, and the data only when it changed. */
export function buildTimeSeriesUpdate(groups: readonly TimeSeriesGroup[], window: TimeWindow, data: readonly LinePoint[][] | null): DeviceChartOption {
  const update = buildChartUpdate(groups.map(groupRow), window, null);
  if (data)
    update.series = buildChartUpdate(
      linesOf(groups).map(({ line }) => line),
      window,
      data,
    ).series;
  return update;
}

/** Every line with the index of its group: the order of series and of the data passed in. */
export function linesOf(groups: readonly TimeSeriesGroup[]): { line: TimeSeriesLine; groupIndex: number }[] {
  return groups.flatMap((group, groupIndex) => group.lines.map((line) => ({ line, groupIndex })));
}

/** A group as chartOptions.ts sees a row: its id names the grid and axes. */
function groupRow(group: TimeSeriesGroup): ChartRow {
  const first = group.lines[0];
  // Lines share a group only when they share a unit, so the first line's bounds are the group's.
  return { metric: group.id, kind: group.kind, color: first?.color ?? '#ffffff', booleanWords: first?.booleanWords, axis: first?.axis };
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
