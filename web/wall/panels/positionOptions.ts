/**
 * ECharts options for the position panel: per device a fading trail of dots and a larger labelled
 * dot where it is now, on value axes with equal metres per pixel. Every draw merges data and
 * extents only; the layout (series per device) changes when devices come or go.
 */
import type { ScatterSeriesOption } from 'echarts/charts';
import type { GridComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { formatNumber } from '../../shared/numberFormat';
import { AXIS_COLOR, SPLIT_LINE_COLOR } from '../../shared/chartStyle';
import { trailOpacity, type Extent, type TrailPoint } from './positionTrail';

export type PositionOption = ComposeOption<ScatterSeriesOption | GridComponentOption>;

export interface PlottedDevice {
  readonly key: string;
  /** Shown above the dot; canvas text, so a device-chosen name cannot inject markup. */
  readonly label: string;
  readonly color: string;
  /** Not current: drawn faded (the legend under the chart says how old it is). */
  readonly dimmed: boolean;
  readonly trail: readonly TrailPoint[];
  readonly position: { x: number; y: number } | null;
}

export interface PositionLook {
  readonly fontSize: number;
  readonly fontFamily: string;
  /** Outline around labels, so they stay legible over the trail and grid lines. */
  readonly halo: string;
  /** Axis labels and grid lines from the theme (--muted, --panel-edge); dark-theme defaults without. */
  readonly axis?: string;
  readonly grid?: string;
  readonly units: { x: string; y: string };
}

/** Grid margins, px, from the label size: room for y tick labels on the left and x below. */
export function positionMargins(fontSize: number): { left: number; right: number; top: number; bottom: number } {
  return { left: Math.round(fontSize * 4), right: Math.round(fontSize), top: Math.round(fontSize * 1.5), bottom: Math.round(fontSize * 2) };
}

const trailId = (key: string): string => `trail:${key}`;
const HEADS_ID = 'heads';

export function positionLayoutKey(devices: readonly PlottedDevice[], look: PositionLook): string {
  return JSON.stringify([look, devices.map((d) => [d.key, d.color])]);
}

export function buildPositionLayout(devices: readonly PlottedDevice[], extents: { x: Extent; y: Extent }, look: PositionLook): PositionOption {
  const axis = (unit: string) => ({
    type: 'value' as const,
    // A rough grid is enough for metres on a track; more ticks would crowd a small panel.
    splitNumber: 4,
    axisLabel: {
      color: look.axis ?? AXIS_COLOR,
      fontSize: look.fontSize,
      // The extents are fitted to the plot, not rounded: their odd end values would only be noise.
      showMinLabel: false,
      showMaxLabel: false,
      hideOverlap: true,
      formatter: (value: number) => (unit ? `${formatNumber(value)} ${unit}` : formatNumber(value)),
    },
    axisLine: { show: false },
    axisTick: { show: false },
    splitLine: { show: true, lineStyle: { color: look.grid ?? SPLIT_LINE_COLOR } },
  });
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { fontFamily: look.fontFamily },
    grid: { ...positionMargins(look.fontSize), outerBoundsMode: 'none' },
    xAxis: { ...axis(look.units.x), min: extents.x.min, max: extents.x.max },
    yAxis: { ...axis(look.units.y), min: extents.y.min, max: extents.y.max },
    series: [
      ...devices.map((device) => ({
        id: trailId(device.key),
        type: 'scatter' as const,
        silent: true,
        animation: false,
        symbolSize: Math.max(6, Math.round(look.fontSize * 0.45)),
        itemStyle: { color: device.color },
        data: trailData(device),
      })),
      {
        // One series for every device's dot, so their labels are laid out together.
        id: HEADS_ID,
        type: 'scatter',
        silent: true,
        animation: false,
        z: 3,
        itemStyle: { borderColor: look.halo, borderWidth: 3 },
        // Two cars side by side would print their names over each other; ECharts keeps the label
        // of the larger dot, so a live device's name wins over a faded one's (the legend has both).
        labelLayout: { hideOverlap: true },
        label: {
          show: true,
          position: 'top',
          formatter: (params: { name: string }) => params.name,
          fontSize: look.fontSize,
          fontWeight: 'bold',
          textBorderColor: look.halo,
          textBorderWidth: 4,
        },
        data: headData(devices, look.fontSize, look.axis),
      },
    ],
  };
}

export function buildPositionUpdate(devices: readonly PlottedDevice[], extents: { x: Extent; y: Extent }, look: PositionLook): PositionOption {
  return {
    xAxis: { min: extents.x.min, max: extents.x.max },
    yAxis: { min: extents.y.min, max: extents.y.max },
    series: [
      ...devices.map((device) => ({ id: trailId(device.key), type: 'scatter' as const, data: trailData(device) })),
      { id: HEADS_ID, type: 'scatter', data: headData(devices, look.fontSize, look.axis) },
    ],
  };
}

function trailData(device: PlottedDevice): NonNullable<ScatterSeriesOption['data']> {
  const fade = device.dimmed ? 0.5 : 1;
  return device.trail.map((point, index) => ({
    value: [point.x, point.y],
    itemStyle: { opacity: trailOpacity(index, device.trail.length) * fade },
  }));
}

/** Live devices last, so they are drawn over (and keep their labels ahead of) faded ones. */
function headData(devices: readonly PlottedDevice[], fontSize: number, axis: string | undefined): NonNullable<ScatterSeriesOption['data']> {
  return [...devices.filter((d) => d.dimmed), ...devices.filter((d) => !d.dimmed)].flatMap((device) => {
    if (!device.position) return [];
    return [
      {
        name: device.label,
        value: [device.position.x, device.position.y],
        symbolSize: Math.round(fontSize * (device.dimmed ? 1 : 1.3)),
        itemStyle: { color: device.color, opacity: device.dimmed ? 0.4 : 1 },
        label: { color: device.dimmed ? (axis ?? AXIS_COLOR) : device.color },
      },
    ];
  });
}
