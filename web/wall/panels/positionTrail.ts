/**
 * Geometry of the position panel: a device's recent positions from its x and y series, and axis
 * extents that show metres as metres on both axes, so a loop looks like a loop. Pure.
 */
import type { DeviceMeta } from '../../../contract/device';
import type { ChartSeries } from '../../shared/ChartSeries';

export interface TrailPoint {
  readonly ts: number;
  readonly x: number;
  readonly y: number;
}

export interface Extent {
  readonly min: number;
  readonly max: number;
}

type PointSource = Pick<ChartSeries, 'forEach'>;
type ExpectedRange = NonNullable<DeviceMeta['expected']>[string];

/** A minute of a 1 Hz device: enough to show where it is heading, few enough to stay cheap. */
export const TRAIL_POINTS = 60;
/** Room around the extent, as a share of it, so a dot on the edge of the track is not cut in half. */
export const EXTENT_PADDING = 0.06;

/**
 * Positions where both series have a point at the same time, oldest first, at most `maxPoints`.
 * x and y of a position travel in one reading, so they share its timestamp exactly; a point with
 * no partner (a dropped value, a trimmed window) is skipped rather than paired with a neighbour.
 */
export function extractTrail(xSeries: PointSource, ySeries: PointSource, maxPoints: number = TRAIL_POINTS): TrailPoint[] {
  const xs = new Map<number, number>();
  xSeries.forEach((ts, value) => xs.set(ts, value));
  const trail: TrailPoint[] = [];
  ySeries.forEach((ts, y) => {
    const x = xs.get(ts);
    if (x !== undefined) trail.push({ ts, x, y });
  });
  return trail.length > maxPoints ? trail.slice(trail.length - maxPoints) : trail;
}

/**
 * One axis's extent: the union of the expected ranges the devices declare, widened to take in the
 * points of devices that declare none (so no dot falls off the chart), padded.
 */
export function axisExtent(expected: readonly (ExpectedRange | undefined)[], values: readonly number[]): Extent | null {
  let min = Infinity;
  let max = -Infinity;
  for (const range of expected) {
    if (range?.min === undefined || range.max === undefined || !(range.max > range.min)) continue;
    min = Math.min(min, range.min);
    max = Math.max(max, range.max);
  }
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    min = Math.min(min, value);
    max = Math.max(max, value);
  }
  if (min > max) return null;
  // A single point, or a device parked on one line: one metre either side rather than a zero-width axis.
  if (max === min) return { min: min - 1, max: max + 1 };
  const padding = (max - min) * EXTENT_PADDING;
  return { min: min - padding, max: max + padding };
}

/**
 * Widens one of the extents so a metre is as long on x as on y in a plot of `widthPx` by
 * `heightPx`; both stay centred on what they held, and nothing that fitted before is cut off.
 */
export function equalAspectExtents(x: Extent, y: Extent, widthPx: number, heightPx: number): { x: Extent; y: Extent } {
  if (!(widthPx > 0) || !(heightPx > 0)) return { x, y };
  const perPx = Math.max((x.max - x.min) / widthPx, (y.max - y.min) / heightPx);
  return { x: widen(x, perPx * widthPx), y: widen(y, perPx * heightPx) };
}

function widen(extent: Extent, span: number): Extent {
  const centre = (extent.min + extent.max) / 2;
  return { min: centre - span / 2, max: centre + span / 2 };
}

/** How strongly a trail point is drawn: the newest almost solid, the oldest nearly gone. */
export function trailOpacity(index: number, count: number): number {
  if (count <= 1) return 0.7;
  return 0.08 + 0.62 * (index / (count - 1));
}

/**
 * Where a floor plan's image goes over the plot, px from the chart's top left: its corners are at
 * (xMin, yMin) and (xMax, yMax) in metres, and y grows upwards on the chart but downwards on screen.
 */
export function floorPlanRect(
  plan: { xMin: number; xMax: number; yMin: number; yMax: number },
  extents: { x: Extent; y: Extent },
  plot: { left: number; top: number; width: number; height: number },
): { left: number; top: number; width: number; height: number } {
  const xScale = plot.width / (extents.x.max - extents.x.min);
  const yScale = plot.height / (extents.y.max - extents.y.min);
  return {
    left: plot.left + (plan.xMin - extents.x.min) * xScale,
    top: plot.top + (extents.y.max - plan.yMax) * yScale,
    width: (plan.xMax - plan.xMin) * xScale,
    height: (plan.yMax - plan.yMin) * yScale,
  };
}
