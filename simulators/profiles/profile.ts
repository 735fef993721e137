import type { DeviceMeta, ReadingValues } from '../../contract/device';
import type { Random } from '../random';

/** DeviceMeta with every field a profile is expected to fill in. */
export interface ProfileMeta extends DeviceMeta {
  name: string;
  kind: string;
  firmware: string;
  units: Record<string, string>;
  expected: Record<string, { min?: number; max?: number }>;
  /** The cadence a real device of this kind would use; a running device announces its own rate instead. */
  intervalMs: number;
}

/** Produces one reading per call; `now` is epoch ms and should not go backwards (if it does, time stands still). */
export interface ReadingStepper {
  next(now: number): ReadingValues;
}

export interface DeviceProfile {
  kind: string;
  /** Prefix of generated device ids, e.g. `env` → `env-01`. */
  idPrefix: string;
  meta: ProfileMeta;
  /** A new device's state; everything random comes from `random`, so equal seeds give equal readings. */
  create(random: Random, startMs: number): ReadingStepper;
}

/** A profile's state as continuous physics plus a sensor read-out of it. */
export interface DeviceModel {
  advance(dtS: number): void;
  read(): ReadingValues;
}

/** Longest physics step: keeps state machines and lags faithful when readings are far apart. */
const MAX_STEP_S = 1;
/**
 * After a long gap (device offline, laptop asleep) only this much time is simulated,
 * so one call never does unbounded work; the device simply resumes as if paused.
 */
const MAX_CATCH_UP_S = 15 * 60;

export function stepperFor(model: DeviceModel, startMs: number): ReadingStepper {
  let lastMs = startMs;
  return {
    next(now) {
      let remainingS = Math.min(Math.max(0, (now - lastMs) / 1000), MAX_CATCH_UP_S);
      lastMs = Math.max(lastMs, now);
      while (remainingS > 1e-9) {
        const stepS = Math.min(remainingS, MAX_STEP_S);
        model.advance(stepS);
        remainingS -= stepS;
      }
      return model.read();
    },
  };
}
