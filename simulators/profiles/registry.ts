/** Every device kind the simulator can play, in the order booths mix them. */
import { envSensorProfile } from './envSensor';
import { evChargerProfile } from './evCharger';
import type { DeviceProfile } from './profile';
import { robotArmProfile } from './robotArm';
import { vehicleProfile } from './vehicle';

export const PROFILES = {
  'env-sensor': envSensorProfile,
  'ev-charger': evChargerProfile,
  'robot-arm': robotArmProfile,
  vehicle: vehicleProfile,
} as const satisfies Record<string, DeviceProfile>;

export type ProfileKind = keyof typeof PROFILES;

export const PROFILE_KINDS = Object.keys(PROFILES) as ProfileKind[];

export function isProfileKind(kind: string): kind is ProfileKind {
  return Object.hasOwn(PROFILES, kind);
}
