/**
 * DC fast charger at a mobility booth. A session runs plug-in → handshake → ramp-up →
 * bulk charge → taper (the car limits power as its battery fills) → stop → unplug, and the
 * bay stays empty for a few minutes before the next car. Session energy restarts at every plug-in.
 */
import type { ReadingValues } from '../../contract/device';
import type { Random } from '../random';
import { quantize, relax } from './physics';
import { stepperFor, type DeviceProfile, type ProfileMeta } from './profile';

export const evChargerMeta: ProfileMeta = {
  name: 'EV fast charger',
  kind: 'ev-charger',
  firmware: 'dcwall-50-3.2.0',
  units: { power_kw: 'kW', energy_kwh: 'kWh', session_count: 'sessions' },
  expected: {
    power_kw: { min: 0, max: 50 },
    energy_kwh: { min: 0, max: 40 },
    session_count: { min: 0 },
  },
  // What a visitor looks at first: a tile shows its first four readings (docs/wall.md).
  display: { power_kw: { order: 0 }, energy_kwh: { order: 1 }, session_count: { order: 2 }, charging: { order: 3 }, connected: { order: 4 } },
  intervalMs: 2000,
};

type Phase = 'vacant' | 'handshake' | 'charging' | 'finished';

/** Power electronics settle within ~30 s of the car's request. */
const RAMP_TAU_S = 8;
/** Above this state of charge the car asks for less and less power. */
const TAPER_FROM_SOC = 75;
const CHARGE_EFFICIENCY = 0.93;

export function createEvCharger(random: Random, startMs: number) {
  let phase: Phase = 'vacant';
  let phaseLeftS = random.between(10, 180);
  let sessions = 0;
  let energyKwh = 0;
  let powerKw = 0;
  // The car on the cable: its battery and how long its driver stays.
  let capacityKwh = 0;
  let soc = 0;
  let targetSoc = 0;
  let carMaxKw = 0;

  const enter = (next: Phase, durationS: number): void => {
    phase = next;
    phaseLeftS = durationS;
  };

  return stepperFor(
    {
      advance(dtS) {
        phaseLeftS -= dtS;
        switch (phase) {
          case 'vacant':
            if (phaseLeftS <= 0) {
              sessions += 1;
              energyKwh = 0;
              capacityKwh = random.between(40, 80);
              soc = random.between(20, 60);
              targetSoc = random.between(80, 95);
              carMaxKw = random.between(30, 48);
              enter('handshake', random.between(5, 20));
            }
            break;
          case 'handshake':
            if (phaseLeftS <= 0) enter('charging', random.between(6 * 60, 25 * 60)); // the driver's dwell
            break;
          case 'charging': {
            const taper = soc < TAPER_FROM_SOC ? 1 : Math.max(0.15, 1 - ((soc - TAPER_FROM_SOC) / 25) * 0.85);
            powerKw = relax(powerKw, carMaxKw * taper, RAMP_TAU_S, dtS);
            const addedKwh = (powerKw * dtS) / 3600;
            energyKwh += addedKwh;
            soc = Math.min(100, soc + ((addedKwh * CHARGE_EFFICIENCY) / capacityKwh) * 100);
            if (soc >= targetSoc || phaseLeftS <= 0) {
              powerKw = 0;
              enter('finished', random.between(20, 120));
            }
            break;
          }
          case 'finished':
            if (phaseLeftS <= 0) enter('vacant', random.between(60, 8 * 60));
            break;
        }
      },
      read(): ReadingValues {
        const charging = phase === 'charging';
        return {
          charging,
          connected: phase !== 'vacant',
          power_kw: charging ? quantize(Math.max(0, powerKw + 0.15 * random.normal()), 0.01) : 0,
          energy_kwh: quantize(energyKwh, 0.001),
          session_count: sessions,
        };
      },
    },
    startMs,
  );
}

export const evChargerProfile: DeviceProfile = {
  kind: 'ev-charger',
  idPrefix: 'ev',
  meta: evChargerMeta,
  create: createEvCharger,
};
