/**
 * A whole simulated booth: a mix of devices, each with its own connection, started and stopped
 * together. Used by the CLI, `npm run demo` and the benchmark (in-process).
 */
import { ID_PATTERN } from '../contract/device';
import { FamilyDevice } from './families/FamilyDevice';
import { DEFAULT_FAMILY_PERIOD_MS, isFamilyKind, planFamilyDevice, type FamilyKind } from './families/registry';
import { PROFILES, PROFILE_KINDS, isProfileKind, type ProfileKind } from './profiles/registry';
import { randomSeed } from './random';
import { SimulatedDevice, type DeviceEvent } from './SimulatedDevice';

/** A native profile (Showfloor's own contract) or a stock-device family (its own wire format). */
export type SimulatorKind = ProfileKind | FamilyKind;

export function isSimulatorKind(kind: string): kind is SimulatorKind {
  return isProfileKind(kind) || isFamilyKind(kind);
}

/** What the booth needs of a device, whichever wire it speaks. */
export type BoothDevice = SimulatedDevice | FamilyDevice;
import { MAX_RATE_PER_DEVICE } from './TelemetrySchedule';

/** Upper bound on devices per booth simulator: beyond this one process is the bottleneck, not the server. */
export const MAX_DEVICES = 5000;
/** Devices are connected in waves so thousands of them do not overflow the broker's accept backlog. */
const CONNECT_WAVE_SIZE = 200;
const CONNECT_WAVE_GAP_MS = 50;

export interface SimulatedBoothOptions {
  /** Broker URL, e.g. mqtt://localhost:1883. */
  url: string;
  booth: string;
  password: string;
  /** How many devices, spread over the profiles round-robin. */
  devices: number;
  /** Telemetry messages per second per device. */
  rate: number;
  /** Which kinds of device, in round-robin order; defaults to all native profiles. */
  profiles?: readonly SimulatorKind[];
  /** Telemetry period of stock-family devices (Tasmota's TelePeriod, …); `rate` is for native ones. */
  familyPeriodMs?: number;
  /** Makes readings reproducible; each device derives its own seed from it. */
  seed?: string | number;
  /**
   * Put before every native device id ("b-" makes b-env-01), so a second run beside the demo's
   * devices does not take over their ids (and their tiles, history and alarms). Stock-family
   * devices keep their firmware-style ids.
   */
  prefix?: string;
  onEvent?: (event: DeviceEvent) => void;
}

export interface SimulatedBooth {
  devices: BoothDevice[];
  /** Stops every device (each publishes `offline`) and resolves when all connections are closed. */
  stop(): Promise<void>;
  /** Telemetry messages sent by all devices so far. */
  sent(): number;
  /** Resolves once every device has connected at least once; rejects on refusal or timeout. */
  ready(timeoutMs?: number): Promise<void>;
}

export interface PlannedDevice {
  deviceId: string;
  name: string;
  kind: SimulatorKind;
}

/** What `prefix` may be: with any device id after it, still an id (ID_PATTERN), with room left for the id. */
export const DEVICE_PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/** Device ids and names for a booth: env-01, ev-01, robot-01, vehicle-01, env-02, … (with `prefix`: b-env-01, named "… b-01"). */
export function planDevices(count: number, kinds: readonly SimulatorKind[] = PROFILE_KINDS, prefix = ''): PlannedDevice[] {
  if (kinds.length === 0) throw new RangeError('at least one profile is needed');
  const perKind = Math.ceil(count / kinds.length);
  const width = Math.max(2, String(perKind).length);
  return Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length] as SimulatorKind;
    if (isFamilyKind(kind)) {
      const family = planFamilyDevice(kind, Math.floor(i / kinds.length) + 1, '');
      return { deviceId: family.deviceId, name: family.name, kind };
    }
    const number = String(Math.floor(i / kinds.length) + 1).padStart(width, '0');
    const profile = PROFILES[kind];
    // The prefix goes into the name's end too, where names differ, so the two runs' tiles are told apart.
    return { deviceId: `${prefix}${profile.idPrefix}-${number}`, name: `${profile.meta.name} ${prefix}${number}`, kind };
  });
}

function checkOptions(options: SimulatedBoothOptions): void {
  if (!ID_PATTERN.test(options.booth)) throw new RangeError(`booth id ${JSON.stringify(options.booth)} does not match ID_PATTERN`);
  if (!Number.isInteger(options.devices) || options.devices < 1 || options.devices > MAX_DEVICES) {
    throw new RangeError(`devices must be an integer from 1 to ${MAX_DEVICES}, got ${options.devices}`);
  }
  if (!(Number.isFinite(options.rate) && options.rate > 0 && options.rate <= MAX_RATE_PER_DEVICE)) {
    throw new RangeError(`rate must be a number in (0, ${MAX_RATE_PER_DEVICE}], got ${options.rate}`);
  }
  for (const kind of options.profiles ?? []) {
    if (!isSimulatorKind(kind)) throw new RangeError(`unknown profile ${JSON.stringify(kind)}`);
  }
  if (options.prefix !== undefined && !DEVICE_PREFIX_PATTERN.test(options.prefix)) {
    throw new RangeError(`prefix ${JSON.stringify(options.prefix)} does not match ${DEVICE_PREFIX_PATTERN.source}`);
  }
  const period = options.familyPeriodMs;
  if (period !== undefined && !(Number.isFinite(period) && period >= 100)) {
    throw new RangeError(`familyPeriodMs must be at least 100, got ${period}`);
  }
}

/** Creates the devices and starts connecting them; returns at once (await ready() to wait for the connections). */
export function startSimulatedBooth(options: SimulatedBoothOptions): SimulatedBooth {
  checkOptions(options);
  const seed = options.seed ?? randomSeed();
  const kinds = options.profiles ?? PROFILE_KINDS;
  const devices = planDevices(options.devices, kinds, options.prefix ?? '').map((planned, i): BoothDevice => {
    if (isFamilyKind(planned.kind)) {
      const family = planFamilyDevice(planned.kind, Math.floor(i / kinds.length) + 1, `${seed}/${planned.deviceId}`);
      return new FamilyDevice({
        url: options.url,
        booth: options.booth,
        password: options.password,
        deviceId: family.deviceId,
        wire: family.wire,
        periodMs: options.familyPeriodMs ?? DEFAULT_FAMILY_PERIOD_MS,
        onEvent: options.onEvent,
      });
    }
    return new SimulatedDevice({
      url: options.url,
      booth: options.booth,
      password: options.password,
      deviceId: planned.deviceId,
      name: planned.name,
      profile: PROFILES[planned.kind],
      rate: options.rate,
      seed: `${seed}/${planned.deviceId}`,
      onEvent: options.onEvent,
    });
  });

  const waves: NodeJS.Timeout[] = [];
  for (let first = 0; first < devices.length; first += CONNECT_WAVE_SIZE) {
    const wave = devices.slice(first, first + CONNECT_WAVE_SIZE);
    const startWave = (): void => wave.forEach((device) => device.start());
    if (first === 0) startWave();
    else waves.push(setTimeout(startWave, (first / CONNECT_WAVE_SIZE) * CONNECT_WAVE_GAP_MS));
  }

  let stopping: Promise<void> | undefined;
  return {
    devices,
    stop() {
      stopping ??= (async () => {
        waves.forEach((timer) => clearTimeout(timer));
        await Promise.all(devices.map((device) => device.stop()));
      })();
      return stopping;
    },
    sent: () => devices.reduce((total, device) => total + device.sent, 0),
    ready: async (timeoutMs = 10_000) => {
      await Promise.all(devices.map((device) => device.whenConnected(timeoutMs)));
    },
  };
}
