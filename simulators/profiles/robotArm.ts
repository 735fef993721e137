/**
 * Six-axis robot arm running a pick-and-place demo. Each 6–9 s cycle loads the shoulder joint
 * while lifting; joint motors warm up under work and cool while stopped. Now and then a
 * protective stop (light curtain, gripper miss) halts it for a few seconds to half a minute.
 */
import type { ReadingValues } from '../../contract/device';
import type { Random } from '../random';
import { occurs, quantize, relax, wander } from './physics';
import { stepperFor, type DeviceProfile, type ProfileMeta } from './profile';

export const robotArmMeta: ProfileMeta = {
  name: 'Robot arm',
  kind: 'robot-arm',
  firmware: 'rc7-controller-5.11.2',
  units: { j1_temp: '°C', j2_temp: '°C', j3_temp: '°C', torque_nm: 'N·m', cycle_count: 'cycles' },
  expected: {
    j1_temp: { min: 15, max: 60 },
    j2_temp: { min: 15, max: 65 },
    j3_temp: { min: 15, max: 60 },
    torque_nm: { min: 0, max: 130 },
    cycle_count: { min: 0 },
  },
  intervalMs: 500,
};

const HALL_TEMP_C = 23;
/** Steady motor temperature above the hall while cycling; the shoulder (j2) works hardest. */
const WORKING_RISE_C = [14, 22, 17] as const;
const MOTOR_THERMAL_TAU_S = 12 * 60;
const MEAN_TIME_BETWEEN_STOPS_S = 45 * 60;
const HOLDING_TORQUE_NM = 12;

export function createRobotArm(random: Random, startMs: number) {
  let cycleS = random.between(6, 9);
  let intoCycleS = random.between(0, cycleS);
  let payloadKg = random.between(1, 5);
  let cycles = 0;
  let stoppedLeftS = 0;
  // Start warm: the demo has usually been running since the hall opened.
  const joints = WORKING_RISE_C.map((rise) => HALL_TEMP_C + rise * random.between(0.6, 1));
  const jointDrift = [0, 0, 0];

  return stepperFor(
    {
      advance(dtS) {
        if (stoppedLeftS > 0) {
          stoppedLeftS -= dtS;
        } else if (occurs(MEAN_TIME_BETWEEN_STOPS_S, dtS, random)) {
          stoppedLeftS = random.between(5, 30);
        }
        const running = stoppedLeftS <= 0;
        if (running) {
          intoCycleS += dtS;
          while (intoCycleS >= cycleS) {
            intoCycleS -= cycleS;
            cycles += 1;
            cycleS = random.between(6, 9);
            payloadKg = random.between(1, 5);
          }
        }
        for (let j = 0; j < joints.length; j++) {
          const rise = running ? (WORKING_RISE_C[j] ?? 0) : 0;
          joints[j] = relax(joints[j] ?? HALL_TEMP_C, HALL_TEMP_C + rise, MOTOR_THERMAL_TAU_S, dtS);
          jointDrift[j] = wander(jointDrift[j] ?? 0, 0, 0.8, 20 * 60, dtS, random);
        }
      },
      read(): ReadingValues {
        const fault = stoppedLeftS > 0;
        // Shoulder torque over a cycle: peaks mid-lift, carries the payload, brakes hold it when stopped.
        const lift = Math.sin((Math.PI * intoCycleS) / cycleS) ** 2;
        const torque = fault ? HOLDING_TORQUE_NM + 0.5 * random.normal() : 18 + (55 + 8 * payloadKg) * lift + 2 * random.normal();
        const jointTemp = (j: number): number => quantize((joints[j] ?? HALL_TEMP_C) + (jointDrift[j] ?? 0) + 0.1 * random.normal(), 0.1);
        return {
          j1_temp: jointTemp(0),
          j2_temp: jointTemp(1),
          j3_temp: jointTemp(2),
          torque_nm: quantize(Math.max(0, torque), 0.1),
          cycle_count: cycles,
          fault,
        };
      },
    },
    startMs,
  );
}

export const robotArmProfile: DeviceProfile = {
  kind: 'robot-arm',
  idPrefix: 'robot',
  meta: robotArmMeta,
  create: createRobotArm,
};
