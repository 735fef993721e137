/**
 * Connected demo car lapping the track outside the booth. It cruises the straights, brakes for
 * the bends, stops now and then for a presentation, and when its battery runs low it stops
 * to charge until it is nearly full again.
 */
import type { ReadingValues } from '../../contract/device';
import type { Random } from '../random';
import { occurs, quantize, wander } from './physics';
import { stepperFor, type DeviceProfile, type ProfileMeta } from './profile';
import { LOOP_LENGTH_M, LOOP_RADIUS_M, LOOP_STRAIGHT_M, distanceToNextBend, pointOnLoop } from './vehicleLoop';

const HALF_WIDTH_M = LOOP_STRAIGHT_M / 2 + LOOP_RADIUS_M;

export const vehicleMeta: ProfileMeta = {
  name: 'Connected car',
  kind: 'vehicle',
  firmware: 'tcu-8.0.3',
  units: {
    speed_kmh: 'km/h',
    battery_soc: '%',
    pos_x: 'm',
    pos_y: 'm',
    heading_deg: '°',
    lap_count: 'laps',
  },
  expected: {
    speed_kmh: { min: 0, max: 30 },
    battery_soc: { min: 20, max: 100 },
    pos_x: { min: -HALF_WIDTH_M, max: HALF_WIDTH_M },
    pos_y: { min: -LOOP_RADIUS_M, max: LOOP_RADIUS_M },
    heading_deg: { min: 0, max: 360 },
    lap_count: { min: 0 },
  },
  // What a visitor looks at first: a tile shows its first four readings (docs/wall.md).
  display: { speed_kmh: { order: 0 }, battery_soc: { order: 1 }, heading_deg: { order: 2 }, lap_count: { order: 3 } },
  intervalMs: 1000,
};

const CRUISE_MPS = 22 / 3.6;
/** Keeps sideways acceleration in the bends under ~0.8 m/s², comfortable for passengers. */
const BEND_MPS = Math.sqrt(0.8 * LOOP_RADIUS_M);
const ACCEL_MPS2 = 1.0;
const BRAKE_MPS2 = 1.5;
/** Braking the driver plans with: gentler than what the car can do, so bends are never overshot. */
const PLANNED_BRAKE_MPS2 = 1.0;
const DRAIN_PCT_PER_M = 0.0022;
const STANDBY_DRAIN_PCT_PER_S = 0.0005;
const CHARGE_PCT_PER_S = 0.04;
const CHARGE_BELOW_PCT = 25;
const CHARGE_UNTIL_PCT = 90;
const MEAN_TIME_BETWEEN_PRESENTATIONS_S = 12 * 60;

export function createVehicle(random: Random, startMs: number) {
  let distanceM = random.between(0, LOOP_LENGTH_M);
  let speedMps = 0;
  let cruiseMps = CRUISE_MPS;
  let laps = 0;
  let soc = random.between(50, 95);
  let presentationLeftS = 0;
  let charging = false;

  return stepperFor(
    {
      advance(dtS) {
        if (!charging && soc < CHARGE_BELOW_PCT) charging = true;
        if (charging && soc >= CHARGE_UNTIL_PCT) charging = false;
        if (presentationLeftS <= 0 && !charging && occurs(MEAN_TIME_BETWEEN_PRESENTATIONS_S, dtS, random)) {
          presentationLeftS = random.between(20, 60);
        }
        cruiseMps = wander(cruiseMps, CRUISE_MPS, 0.4, 5 * 60, dtS, random);

        const toBendM = distanceToNextBend(distanceM);
        const bendLimit = toBendM > 0 ? Math.sqrt(BEND_MPS ** 2 + 2 * PLANNED_BRAKE_MPS2 * toBendM) : BEND_MPS;
        const target = charging || presentationLeftS > 0 ? 0 : Math.min(cruiseMps, bendLimit);
        const before = speedMps;
        speedMps = speedMps < target ? Math.min(target, speedMps + ACCEL_MPS2 * dtS) : Math.max(target, speedMps - BRAKE_MPS2 * dtS);

        const travelledM = ((before + speedMps) / 2) * dtS;
        distanceM += travelledM;
        if (distanceM >= LOOP_LENGTH_M) {
          distanceM -= LOOP_LENGTH_M;
          laps += 1;
        }

        if (speedMps === 0) {
          // Presentations and charging stops only count down once the car is standing still.
          if (presentationLeftS > 0) presentationLeftS -= dtS;
          if (charging) soc += CHARGE_PCT_PER_S * dtS;
        }
        soc = Math.min(100, Math.max(0, soc - travelledM * DRAIN_PCT_PER_M - STANDBY_DRAIN_PCT_PER_S * dtS));
      },
      read(): ReadingValues {
        const point = pointOnLoop(distanceM);
        const speedKmh = speedMps > 0 ? Math.max(0, speedMps * 3.6 + 0.1 * random.normal()) : 0;
        return {
          speed_kmh: quantize(speedKmh, 0.1),
          battery_soc: quantize(soc, 0.1),
          pos_x: quantize(point.x, 0.01),
          pos_y: quantize(point.y, 0.01),
          heading_deg: quantize(point.headingDeg, 0.1) % 360,
          lap_count: laps,
        };
      },
    },
    startMs,
  );
}

export const vehicleProfile: DeviceProfile = {
  kind: 'vehicle',
  idPrefix: 'vehicle',
  meta: vehicleMeta,
  create: createVehicle,
};
