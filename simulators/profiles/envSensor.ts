/**
 * Booth environment sensor (temperature, humidity, CO2, fine dust). The hall's air handling
 * keeps things near a set point with slow drift; visitors are the main disturbance: a demo or
 * talk at the booth draws a crowd, and CO2, heat and humidity follow it with the room's lag.
 */
import type { ReadingValues } from '../../contract/device';
import type { Random } from '../random';
import { clamp, occurs, quantize, relax, wander } from './physics';
import { stepperFor, type DeviceProfile, type ProfileMeta } from './profile';

export const envSensorMeta: ProfileMeta = {
  name: 'Environment sensor',
  kind: 'env-sensor',
  firmware: 'airsense-2.4.1',
  units: { temperature: '°C', humidity: '%', co2: 'ppm', pm25: 'µg/m³' },
  expected: {
    temperature: { min: 18, max: 28 },
    humidity: { min: 25, max: 65 },
    co2: { min: 400, max: 1200 },
    pm25: { min: 0, max: 35 },
  },
  intervalMs: 5000,
};

const OUTDOOR_CO2_PPM = 430;
/** CO2 the booth settles at with a packed crowd (crowd = 1) and the hall's ventilation. */
const CROWD_CO2_PPM = 800;
/** Air change time of a booth-sized volume in a ventilated hall. */
const CO2_TAU_S = 10 * 60;
const CROWD_GATHER_TAU_S = 2 * 60;
const MEAN_TIME_BETWEEN_DEMOS_S = 40 * 60;
const MEAN_TIME_BETWEEN_DUST_EVENTS_S = 90 * 60;

export function createEnvSensor(random: Random, startMs: number) {
  let walkIns = random.between(0.1, 0.3);
  let demoLeftS = 0;
  let demoPull = 0;
  let crowd = walkIns;
  let co2 = OUTDOOR_CO2_PPM + CROWD_CO2_PPM * crowd;
  let crowdHeat = 1.5 * crowd;
  let hvacDrift = random.normal() * 0.4;
  let humidityDrift = random.normal() * 3;
  let dustBase = random.between(5, 12);
  let dustPlume = 0;

  return stepperFor(
    {
      advance(dtS) {
        // Passers-by come and go; a scheduled demo adds a crowd on top for 5–20 minutes.
        walkIns = clamp(wander(walkIns, 0.2, 0.1, 30 * 60, dtS, random), 0, 0.6);
        if (demoLeftS > 0) {
          demoLeftS -= dtS;
        } else if (occurs(MEAN_TIME_BETWEEN_DEMOS_S, dtS, random)) {
          demoLeftS = random.between(5 * 60, 20 * 60);
          demoPull = random.between(0.3, 0.7);
        }
        const crowdTarget = clamp(walkIns + (demoLeftS > 0 ? demoPull : 0), 0, 1);
        crowd = relax(crowd, crowdTarget, CROWD_GATHER_TAU_S, dtS);
        co2 = relax(co2, OUTDOOR_CO2_PPM + CROWD_CO2_PPM * crowd, CO2_TAU_S, dtS);
        crowdHeat = relax(crowdHeat, 1.5 * crowd, 15 * 60, dtS);
        hvacDrift = wander(hvacDrift, 0, 0.4, 60 * 60, dtS, random);
        humidityDrift = wander(humidityDrift, 0, 3, 2 * 60 * 60, dtS, random);
        dustBase = wander(dustBase, 8, 2.5, 30 * 60, dtS, random);
        // Stand construction, a fog machine next door: short plumes that settle in minutes.
        if (occurs(MEAN_TIME_BETWEEN_DUST_EVENTS_S, dtS, random)) dustPlume += random.between(10, 35);
        dustPlume = relax(dustPlume, 0, 3 * 60, dtS);
      },
      read(): ReadingValues {
        return {
          temperature: quantize(22 + hvacDrift + crowdHeat + 0.05 * random.normal(), 0.01),
          humidity: quantize(clamp(42 + humidityDrift + 8 * crowd + 0.3 * random.normal(), 0, 100), 0.1),
          co2: Math.round(Math.max(400, co2 + 8 * random.normal())),
          pm25: quantize(Math.max(0, dustBase + dustPlume + 0.8 * random.normal()), 0.1),
        };
      },
    },
    startMs,
  );
}

export const envSensorProfile: DeviceProfile = {
  kind: 'env-sensor',
  idPrefix: 'env',
  meta: envSensorMeta,
  create: createEnvSensor,
};
