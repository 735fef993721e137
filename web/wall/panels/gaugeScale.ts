/**
 * The dial of a gauge panel: its extent and coloured bands. The bands come from the metric's
 * expected range (below it warn, inside it ok, above it bad) and the dial reaches a little beyond
 * that range, so a reading that leaves it visibly swings into a coloured band instead of pinning
 * at the end stop. Pure, so the arithmetic is unit-tested.
 */
import type { GaugeSeriesOption } from 'echarts/charts';
import type { ComposeOption } from 'echarts/core';
import type { DeviceMeta } from '../../../contract/device';
import { formatNumber } from '../../shared/numberFormat';

export type ExpectedRange = NonNullable<DeviceMeta['expected']>[string];

export type GaugeBandKind = 'low' | 'ok' | 'high' | 'neutral';

export interface GaugeBand {
  /** Where the band ends, as a share of the dial from its start (0..1); the first starts at 0. */
  readonly to: number;
  readonly kind: GaugeBandKind;
}

export interface GaugeScale {
  readonly min: number;
  readonly max: number;
  readonly splitNumber: number;
  readonly bands: readonly GaugeBand[];
}

/** How far past the expected range the dial reaches, as a share of that range. */
export const GAUGE_MARGIN = 0.2;
const TARGET_SPLITS = 5;

export function gaugeScale(
  expected: ExpectedRange | undefined,
  /** The panel's min/max, or an angle's fixed bounds (metric display `axis`), with their tick interval. */
  override: { min?: number | undefined; max?: number | undefined; interval?: number | undefined } = {},
  /** Lowest and highest value seen, for the ends the expected range does not give. */
  observed?: { low: number; high: number },
): GaugeScale {
  const range = usableRange(expected);
  const fixedMin = finite(override.min);
  const fixedMax = finite(override.max);

  const known = [range.min, range.max, finite(observed?.low), finite(observed?.high)].filter((v): v is number => v !== undefined);
  let low = range.min ?? (known.length > 0 ? Math.min(...known) : 0);
  let high = range.max ?? (known.length > 0 ? Math.max(...known) : 1);
  if (high <= low) {
    const half = Math.abs(low) / 2 || 1;
    low -= half;
    high += half;
  }
  const margin = (high - low) * GAUGE_MARGIN;
  // Speeds, percentages and counts cannot go below zero: a dial reaching -6 km/h would only confuse.
  let min = low >= 0 ? Math.max(0, low - margin) : low - margin;
  let max = high + margin;

  const step = niceStep((max - min) / TARGET_SPLITS);
  min = fixedMin ?? Math.floor(min / step) * step;
  max = fixedMax ?? Math.ceil(max / step) * step;
  if (max <= min) {
    // A misconfigured panel (min >= max) still gets a dial rather than a broken chart.
    if (fixedMax === undefined) max = min + step * TARGET_SPLITS;
    else min = max - step * TARGET_SPLITS;
  }
  const splits = Math.round((max - min) / step);
  const interval = finite(override.interval);
  const fixedSplits = interval !== undefined && interval > 0 ? Math.round((max - min) / interval) : undefined;
  const splitNumber =
    fixedSplits !== undefined && fixedSplits >= 2 && fixedSplits <= 10
      ? fixedSplits
      : fixedMin === undefined && fixedMax === undefined && splits >= 2 && splits <= 10
        ? splits
        : TARGET_SPLITS;
  return { min, max, splitNumber, bands: gaugeBands(range, min, max) };
}

function gaugeBands(range: { min?: number; max?: number }, min: number, max: number): GaugeBand[] {
  if (range.min === undefined && range.max === undefined) return [{ to: 1, kind: 'neutral' }];
  const share = (value: number) => Math.min(1, Math.max(0, (value - min) / (max - min)));
  const bands: GaugeBand[] = [];
  if (range.min !== undefined && share(range.min) > 0) bands.push({ to: share(range.min), kind: 'low' });
  if (range.max !== undefined && share(range.max) < 1) {
    if (share(range.max) > 0) bands.push({ to: share(range.max), kind: 'ok' });
    bands.push({ to: 1, kind: 'high' });
  } else {
    bands.push({ to: 1, kind: 'ok' });
  }
  // A band that ends where the previous one ended would be invisible; drop it.
  return bands.filter((band, index) => (index === 0 ? band.to > 0 : band.to > (bands[index - 1]?.to ?? 0)));
}

/** 1, 2, 2.5 or 5 times a power of ten: tick labels people can read at a glance. */
export function niceStep(rough: number): number {
  if (!Number.isFinite(rough) || rough <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** A range with min above max would put every reading in alarm; it is ignored as a whole. */
function usableRange(expected: ExpectedRange | undefined): { min?: number; max?: number } {
  const min = finite(expected?.min);
  const max = finite(expected?.max);
  if (min !== undefined && max !== undefined && min > max) return {};
  return { ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) };
}

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

export type GaugeOption = ComposeOption<GaugeSeriesOption>;

export const GAUGE_SERIES_ID = 'gauge';

export interface GaugeLook {
  /** Canvas colours for the band kinds, read from the wall's CSS by the panel. */
  readonly bands: Record<GaugeBandKind, string>;
  readonly needle: string;
  readonly label: string;
  /** Size of the chart, px: the dial is fitted into it, and strokes and labels scale with the dial. */
  readonly widthPx: number;
  readonly heightPx: number;
  readonly fontFamily: string;
}

/** Below this, tick labels would be too small to read from a distance and only add clutter. */
const MIN_TICK_LABEL_PX = 14;
/**
 * The dial is open at the bottom by this angle below the horizontal on either side: nearly a
 * semicircle, so it fills a wide panel, with the value as text under it (GaugePanel).
 */
const DIAL_DROP_DEG = 20;
const EDGE_PX = 4;

/** Radius and centre that fit the dial's outer edge into the chart, as large as it allows. */
export function fitDial(widthPx: number, heightPx: number): { radius: number; cx: number; cy: number } {
  const drop = Math.sin((DIAL_DROP_DEG * Math.PI) / 180);
  const radius = Math.max(1, Math.min(widthPx / 2 - EDGE_PX, (heightPx - 2 * EDGE_PX) / (1 + drop)));
  return { radius, cx: widthPx / 2, cy: EDGE_PX + radius };
}

export function gaugeLayoutKey(scale: GaugeScale, look: GaugeLook): string {
  return JSON.stringify([scale, look]);
}

/**
 * The value itself is DOM text over the dial (larger and crisper than canvas text), so the series
 * draws no detail or title; the needle is not animated, it follows a live stream.
 */
export function buildGaugeLayout(scale: GaugeScale, look: GaugeLook, value: number | null): GaugeOption {
  const dial = fitDial(look.widthPx, look.heightPx);
  const band = Math.max(8, Math.round(dial.radius * 0.14));
  const labelPx = Math.min(26, Math.round(dial.radius * 0.13));
  const showLabels = labelPx >= MIN_TICK_LABEL_PX;
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { fontFamily: look.fontFamily },
    series: [
      {
        id: GAUGE_SERIES_ID,
        type: 'gauge',
        min: scale.min,
        max: scale.max,
        splitNumber: scale.splitNumber,
        startAngle: 180 + DIAL_DROP_DEG,
        endAngle: -DIAL_DROP_DEG,
        radius: dial.radius,
        center: [dial.cx, dial.cy],
        animation: false,
        silent: true,
        axisLine: { lineStyle: { width: band, color: scale.bands.map((b) => [b.to, look.bands[b.kind]]) } },
        splitLine: { length: band, distance: 0, lineStyle: { color: look.label, width: 2 } },
        axisTick: { show: false },
        axisLabel: {
          show: showLabels,
          fontSize: showLabels ? labelPx : 0,
          color: look.label,
          distance: band + 6,
          formatter: (tick: number) => formatNumber(tick),
        },
        pointer: { width: Math.max(4, Math.round(band * 0.45)), length: '62%', itemStyle: { color: look.needle } },
        anchor: { show: true, size: Math.round(band * 1.1), itemStyle: { color: look.needle } },
        progress: { show: false },
        title: { show: false },
        detail: { show: false },
        data: gaugeData(value),
      },
    ],
  };
}

export function buildGaugeUpdate(value: number | null): GaugeOption {
  return { series: [{ id: GAUGE_SERIES_ID, type: 'gauge', data: gaugeData(value) }] };
}

/** No reading yet: no needle, rather than one resting on a made-up zero. */
function gaugeData(value: number | null): GaugeSeriesOption['data'] {
  return value === null || !Number.isFinite(value) ? [] : [{ value }];
}
