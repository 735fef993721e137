/**
 * The demo track in front of the booth: a stadium-shaped closed loop (two straights joined by
 * half-circle bends), about 200 m around, centred on the origin. x points east, y north, in metres.
 * The car drives it counter-clockwise, starting at the west end of the southern straight.
 */
export const LOOP_STRAIGHT_M = 55;
export const LOOP_RADIUS_M = 15;
const BEND_M = Math.PI * LOOP_RADIUS_M;
export const LOOP_LENGTH_M = 2 * LOOP_STRAIGHT_M + 2 * BEND_M;

export interface LoopPoint {
  x: number;
  y: number;
  /** Compass heading of travel: 0 = north, 90 = east, in [0, 360). */
  headingDeg: number;
}

function compassDeg(dx: number, dy: number): number {
  const deg = (Math.atan2(dx, dy) * 180) / Math.PI;
  return deg < 0 ? deg + 360 : deg;
}

function wrap(distanceM: number): number {
  const d = distanceM % LOOP_LENGTH_M;
  return d < 0 ? d + LOOP_LENGTH_M : d;
}

function pointOnBend(centreX: number, startAngle: number, intoBendM: number): LoopPoint {
  const angle = startAngle + intoBendM / LOOP_RADIUS_M;
  return {
    x: centreX + LOOP_RADIUS_M * Math.cos(angle),
    y: LOOP_RADIUS_M * Math.sin(angle),
    headingDeg: compassDeg(-Math.sin(angle), Math.cos(angle)),
  };
}

/** Where the car is after driving `distanceM` from the start line (any distance; laps wrap). */
export function pointOnLoop(distanceM: number): LoopPoint {
  const half = LOOP_STRAIGHT_M / 2;
  let d = wrap(distanceM);
  if (d < LOOP_STRAIGHT_M) return { x: -half + d, y: -LOOP_RADIUS_M, headingDeg: 90 };
  d -= LOOP_STRAIGHT_M;
  if (d < BEND_M) return pointOnBend(half, -Math.PI / 2, d);
  d -= BEND_M;
  if (d < LOOP_STRAIGHT_M) return { x: half - d, y: LOOP_RADIUS_M, headingDeg: 270 };
  d -= LOOP_STRAIGHT_M;
  return pointOnBend(-half, Math.PI / 2, d);
}

/** Distance ahead to the next bend, or 0 while in one: how much room the driver has to slow down. */
export function distanceToNextBend(distanceM: number): number {
  const d = wrap(distanceM);
  const secondStraight = LOOP_STRAIGHT_M + BEND_M;
  if (d < LOOP_STRAIGHT_M) return LOOP_STRAIGHT_M - d;
  if (d < secondStraight) return 0;
  if (d < secondStraight + LOOP_STRAIGHT_M) return secondStraight + LOOP_STRAIGHT_M - d;
  return 0;
}
