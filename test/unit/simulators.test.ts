import { describe, it, expect } from 'vitest';
import { ID_PATTERN, METRIC_PATTERN, type ReadingValues } from '../../contract/device';
import { planDevices, startSimulatedBooth } from '../../simulators/booth';
import { parseSimulatorCli } from '../../simulators/cliOptions';
import { PROFILES, PROFILE_KINDS, type ProfileKind } from '../../simulators/profiles/registry';
import { LOOP_LENGTH_M, LOOP_RADIUS_M, LOOP_STRAIGHT_M, pointOnLoop } from '../../simulators/profiles/vehicleLoop';
import { createRandom } from '../../simulators/random';
import { SimulatedDevice, clientIdFor } from '../../simulators/SimulatedDevice';
import { MAX_LAG_MS, MIN_TICK_MS, TelemetrySchedule } from '../../simulators/TelemetrySchedule';

const START_MS = Date.UTC(2025, 2, 11, 9, 0, 0);
const HOUR_MS = 3600_000;
const SEEDS = ['alpha', 'bravo', 'charlie'];

interface Sample {
  ts: number;
  values: ReadingValues;
}

/** Runs a profile like a device would: one reading every `intervalMs` for `hours`. */
function simulate(kind: ProfileKind, seed: string, hours = 4, intervalMs = PROFILES[kind].meta.intervalMs): Sample[] {
  const stepper = PROFILES[kind].create(createRandom(seed), START_MS);
  const samples: Sample[] = [];
  for (let ts = START_MS; ts <= START_MS + hours * HOUR_MS; ts += intervalMs) {
    samples.push({ ts, values: stepper.next(ts) });
  }
  return samples;
}

function numberOf(sample: Sample, metric: string): number {
  const value = sample.values[metric];
  if (typeof value !== 'number') throw new Error(`${metric} is not a number: ${String(value)}`);
  return value;
}

function isNonDecreasing(values: number[]): boolean {
  return values.every((value, i) => i === 0 || value >= (values[i - 1] ?? value));
}

function flagOf(sample: Sample, metric: string): boolean {
  const value = sample.values[metric];
  if (typeof value !== 'boolean') throw new Error(`${metric} is not a boolean: ${String(value)}`);
  return value;
}

/** What the physical thing could ever report, wider than meta.expected (which is "normal"). */
const PLAUSIBLE: Record<ProfileKind, { numbers: Record<string, [number, number]>; flags: string[] }> = {
  'env-sensor': {
    numbers: { temperature: [10, 40], humidity: [0, 100], co2: [380, 5000], pm25: [0, 500] },
    flags: [],
  },
  'ev-charger': {
    numbers: { power_kw: [0, 50], energy_kwh: [0, 100], session_count: [0, 1000] },
    flags: ['charging', 'connected'],
  },
  'robot-arm': {
    numbers: { j1_temp: [10, 90], j2_temp: [10, 90], j3_temp: [10, 90], torque_nm: [0, 250], cycle_count: [0, 1e6] },
    flags: ['fault'],
  },
  vehicle: {
    numbers: {
      speed_kmh: [0, 40],
      battery_soc: [0, 100],
      pos_x: [-(LOOP_STRAIGHT_M / 2 + LOOP_RADIUS_M), LOOP_STRAIGHT_M / 2 + LOOP_RADIUS_M],
      pos_y: [-LOOP_RADIUS_M, LOOP_RADIUS_M],
      heading_deg: [0, 359.99],
      lap_count: [0, 1e5],
    },
    flags: [],
  },
};

describe('device profiles', () => {
  describe.each(PROFILE_KINDS)('%s', (kind) => {
    const profile = PROFILES[kind];
    const runs = SEEDS.map((seed) => simulate(kind, seed));
    const { numbers, flags } = PLAUSIBLE[kind];

    it('announces a complete meta whose metric names are allowed', () => {
      expect(profile.kind).toBe(kind);
      expect(profile.meta.kind).toBe(kind);
      expect(profile.meta.name).not.toBe('');
      expect(profile.meta.firmware).not.toBe('');
      expect(profile.meta.intervalMs).toBeGreaterThan(0);
      for (const metric of [...Object.keys(profile.meta.units), ...Object.keys(profile.meta.expected)]) {
        expect(metric).toMatch(METRIC_PATTERN);
      }
      expect(Object.keys(profile.meta.units).sort()).toEqual(Object.keys(numbers).sort());
      expect(Object.keys(profile.meta.expected).sort()).toEqual(Object.keys(numbers).sort());
    });

    it('reports the same metrics every time, as finite numbers or booleans', () => {
      const expectedKeys = [...Object.keys(numbers), ...flags].sort().join(',');
      const problems: string[] = [];
      for (const sample of runs.flat()) {
        const keys = Object.keys(sample.values).sort().join(',');
        if (keys !== expectedKeys) problems.push(`${sample.ts}: metrics ${keys}`);
        for (const [metric, value] of Object.entries(sample.values)) {
          if (!METRIC_PATTERN.test(metric)) problems.push(`${sample.ts}: metric name ${metric}`);
          const ok = flags.includes(metric) ? typeof value === 'boolean' : Number.isFinite(value);
          if (!ok) problems.push(`${sample.ts}: ${metric}=${String(value)}`);
        }
      }
      expect(problems.slice(0, 10)).toEqual([]);
    });

    it('stays within physically plausible ranges', () => {
      const problems: string[] = [];
      for (const sample of runs.flat()) {
        for (const [metric, [min, max]] of Object.entries(numbers)) {
          const value = numberOf(sample, metric);
          if (!(value >= min && value <= max)) problems.push(`${sample.ts}: ${metric}=${value}`);
        }
      }
      expect(problems.slice(0, 10)).toEqual([]);
    });

    it('stays mostly within meta.expected', () => {
      const samples = runs.flat();
      for (const [metric, { min = -Infinity, max = Infinity }] of Object.entries(profile.meta.expected)) {
        const inside = samples.filter((sample) => {
          const value = numberOf(sample, metric);
          return value >= min && value <= max;
        }).length;
        expect(inside / samples.length, metric).toBeGreaterThan(0.97);
      }
    });

    it('is deterministic for a seed and varies between seeds', () => {
      expect(simulate(kind, 'alpha', 0.5)).toEqual(simulate(kind, 'alpha', 0.5));
      expect(simulate(kind, 'alpha', 0.5)).not.toEqual(simulate(kind, 'bravo', 0.5));
    });

    it('copes with very high rates, long gaps and a clock that steps back', () => {
      const stepper = profile.create(createRandom('gaps'), START_MS);
      const times = [
        ...Array.from({ length: 2000 }, (_, i) => START_MS + i * 5), // 200 readings per second
        START_MS + 30 * HOUR_MS, // a day and more offline: catch-up is bounded
        START_MS + 30 * HOUR_MS - 60_000, // NTP steps the clock back a minute
        START_MS + 30 * HOUR_MS + 1000,
      ];
      for (const ts of times) {
        const values = stepper.next(ts);
        for (const [metric, [min, max]] of Object.entries(numbers)) {
          const value = values[metric];
          expect(typeof value).toBe('number');
          expect(value as number).toBeGreaterThanOrEqual(min);
          expect(value as number).toBeLessThanOrEqual(max);
        }
      }
    });
  });

  describe('env-sensor', () => {
    it('shows crowd-driven CO2 rises on top of a fresh-air baseline', () => {
      for (const seed of SEEDS) {
        const co2 = simulate('env-sensor', seed).map((sample) => numberOf(sample, 'co2'));
        expect(Math.min(...co2)).toBeLessThan(650);
        expect(Math.max(...co2) - Math.min(...co2)).toBeGreaterThan(250);
      }
    });

    it('drifts slowly: temperature barely moves between consecutive readings', () => {
      const temps = simulate('env-sensor', 'alpha').map((sample) => numberOf(sample, 'temperature'));
      for (let i = 1; i < temps.length; i++) {
        expect(Math.abs((temps[i] ?? 0) - (temps[i - 1] ?? 0))).toBeLessThan(0.5);
      }
    });
  });

  describe('ev-charger', () => {
    interface Session {
      plugIn: Sample;
      readings: Sample[];
    }

    function sessionsOf(samples: Sample[]): { sessions: Session[]; unplugs: number } {
      const sessions: Session[] = [];
      let unplugs = 0;
      let current: Session | undefined;
      samples.forEach((sample, i) => {
        const previous = samples[i - 1];
        const connected = flagOf(sample, 'connected');
        const wasConnected = previous ? flagOf(previous, 'connected') : connected;
        if (connected && !wasConnected) {
          current = { plugIn: sample, readings: [] };
          sessions.push(current);
        }
        if (!connected && wasConnected) {
          unplugs += 1;
          current = undefined;
        }
        current?.readings.push(sample);
      });
      return { sessions, unplugs };
    }

    it('starts and ends sessions that last minutes', () => {
      for (const seed of SEEDS) {
        const { sessions, unplugs } = sessionsOf(simulate('ev-charger', seed));
        expect(sessions.length).toBeGreaterThanOrEqual(3);
        expect(unplugs).toBeGreaterThanOrEqual(3);
        const finished = sessions.slice(0, unplugs);
        for (const session of finished) {
          const first = session.readings[0];
          const last = session.readings.at(-1);
          const minutes = ((last?.ts ?? 0) - (first?.ts ?? 0)) / 60_000;
          expect(minutes).toBeGreaterThan(1);
          expect(minutes).toBeLessThan(40);
          expect(session.readings.some((sample) => flagOf(sample, 'charging'))).toBe(true);
        }
      }
    });

    it('counts sessions at plug-in and restarts session energy', () => {
      for (const seed of SEEDS) {
        const samples = simulate('ev-charger', seed);
        const { sessions } = sessionsOf(samples);
        const firstCount = numberOf(samples[0] as Sample, 'session_count');
        sessions.forEach((session, i) => {
          expect(numberOf(session.plugIn, 'session_count')).toBe(firstCount + i + 1);
          expect(numberOf(session.plugIn, 'energy_kwh')).toBe(0);
          const energy = session.readings.map((sample) => numberOf(sample, 'energy_kwh'));
          expect(isNonDecreasing(energy)).toBe(true);
          expect(energy.at(-1)).toBeGreaterThan(0.5);
        });
      }
    });

    it('only draws power while charging, ramps up, and only charges while plugged in', () => {
      const samples = SEEDS.flatMap((seed) => simulate('ev-charger', seed));
      const chargingUnplugged = samples.filter((sample) => flagOf(sample, 'charging') && !flagOf(sample, 'connected'));
      const idlePower = samples.filter((sample) => !flagOf(sample, 'charging') && numberOf(sample, 'power_kw') !== 0);
      expect(chargingUnplugged).toEqual([]);
      expect(idlePower).toEqual([]);
      const chargingPower = samples.filter((sample) => flagOf(sample, 'charging')).map((sample) => numberOf(sample, 'power_kw'));
      expect(Math.max(...chargingPower)).toBeGreaterThan(25);
      // Ramp-up and taper: the charger spends time at partial power, not just 0 or full.
      expect(chargingPower.filter((kw) => kw > 1 && kw < 20).length).toBeGreaterThan(10);
    });
  });

  describe('robot-arm', () => {
    it('counts cycles monotonically at a pick-and-place pace', () => {
      for (const seed of SEEDS) {
        const cycles = simulate('robot-arm', seed).map((sample) => numberOf(sample, 'cycle_count'));
        expect(isNonDecreasing(cycles)).toBe(true);
        const perHour = ((cycles.at(-1) ?? 0) - (cycles[0] ?? 0)) / 4;
        expect(perHour).toBeGreaterThan(300);
        expect(perHour).toBeLessThan(700);
      }
    });

    it('faults occasionally and briefly, and stops cycling while faulted', () => {
      const runs = SEEDS.map((seed) => simulate('robot-arm', seed, 8));
      let faults = 0;
      let faultedReadings = 0;
      let readings = 0;
      for (const samples of runs) {
        let faultStart: number | undefined;
        samples.forEach((sample, i) => {
          readings += 1;
          const fault = flagOf(sample, 'fault');
          const previous = samples[i - 1];
          if (fault) {
            faultedReadings += 1;
            if (faultStart === undefined) {
              faults += 1;
              faultStart = sample.ts;
            }
            expect(sample.ts - faultStart).toBeLessThanOrEqual(35_000);
            if (previous && flagOf(previous, 'fault')) {
              expect(numberOf(sample, 'cycle_count')).toBe(numberOf(previous, 'cycle_count'));
            }
          } else {
            faultStart = undefined;
          }
        });
      }
      expect(faults).toBeGreaterThanOrEqual(3);
      expect(faultedReadings / readings).toBeLessThan(0.02);
    });

    it('keeps the working shoulder joint warmer than the base', () => {
      const samples = simulate('robot-arm', 'alpha');
      const mean = (metric: string): number => samples.reduce((sum, sample) => sum + numberOf(sample, metric), 0) / samples.length;
      expect(mean('j2_temp')).toBeGreaterThan(mean('j1_temp'));
    });
  });

  describe('vehicle', () => {
    /** Distance from a point to the stadium-shaped track: distance to its centre segment, minus the radius. */
    function distanceFromLoop(x: number, y: number): number {
      const half = LOOP_STRAIGHT_M / 2;
      const nearestX = Math.max(-half, Math.min(half, x));
      return Math.abs(Math.hypot(x - nearestX, y) - LOOP_RADIUS_M);
    }

    it('has a loop of about 200 m that closes on itself without jumps', () => {
      expect(LOOP_LENGTH_M).toBeGreaterThan(180);
      expect(LOOP_LENGTH_M).toBeLessThan(220);
      const start = pointOnLoop(0);
      const end = pointOnLoop(LOOP_LENGTH_M - 1e-9);
      expect(Math.hypot(start.x - end.x, start.y - end.y)).toBeLessThan(1e-6);
      for (let d = 0; d < LOOP_LENGTH_M; d += 0.5) {
        const a = pointOnLoop(d);
        const b = pointOnLoop(d + 0.5);
        expect(distanceFromLoop(a.x, a.y)).toBeLessThan(1e-9);
        expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeLessThanOrEqual(0.5 + 1e-9);
      }
    });

    it('stays on the loop, heading along it', () => {
      const problems: string[] = [];
      for (const sample of SEEDS.flatMap((seed) => simulate('vehicle', seed))) {
        const x = numberOf(sample, 'pos_x');
        const y = numberOf(sample, 'pos_y');
        if (distanceFromLoop(x, y) >= 0.02) problems.push(`${sample.ts}: off the loop at (${x}, ${y})`);
        // On the straights the car drives east along the south side and west along the north side.
        const heading = numberOf(sample, 'heading_deg');
        if (Math.abs(x) < LOOP_STRAIGHT_M / 2 - 0.1 && heading !== (y < 0 ? 90 : 270)) {
          problems.push(`${sample.ts}: heading ${heading} at (${x}, ${y})`);
        }
      }
      expect(problems.slice(0, 10)).toEqual([]);
    });

    it('moves at plausible speeds: position change matches reported speed', () => {
      const samples = simulate('vehicle', 'alpha', 1);
      const problems: string[] = [];
      for (let i = 1; i < samples.length; i++) {
        const a = samples[i - 1] as Sample;
        const b = samples[i] as Sample;
        const metres = Math.hypot(numberOf(b, 'pos_x') - numberOf(a, 'pos_x'), numberOf(b, 'pos_y') - numberOf(a, 'pos_y'));
        const fastestMps = (Math.max(numberOf(a, 'speed_kmh'), numberOf(b, 'speed_kmh')) + 1) / 3.6;
        if (metres > fastestMps * ((b.ts - a.ts) / 1000) + 0.05) problems.push(`${b.ts}: moved ${metres} m`);
      }
      expect(problems).toEqual([]);
    });

    it('laps, drains its battery and stops to recharge', () => {
      for (const seed of SEEDS) {
        const samples = simulate('vehicle', seed, 6);
        const laps = samples.map((sample) => numberOf(sample, 'lap_count'));
        expect(isNonDecreasing(laps)).toBe(true);
        expect(laps.at(-1)).toBeGreaterThan(50);
        const soc = samples.map((sample) => numberOf(sample, 'battery_soc'));
        expect(Math.min(...soc)).toBeGreaterThanOrEqual(20);
        const recharged = soc.some((value, i) => i > 0 && value > (soc[i - 1] ?? 0));
        expect(recharged).toBe(true);
        expect(samples.some((sample) => numberOf(sample, 'speed_kmh') === 0)).toBe(true);
      }
    });
  });
});

describe('seeded random source', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const a = createRandom(42);
    const b = createRandom('42');
    for (let i = 0; i < 10_000; i++) {
      const value = a.next();
      expect(value).toBe(b.next());
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });

  it('draws normals with mean 0 and spread 1', () => {
    const random = createRandom('normal');
    const draws = Array.from({ length: 20_000 }, () => random.normal());
    const mean = draws.reduce((sum, x) => sum + x, 0) / draws.length;
    const variance = draws.reduce((sum, x) => sum + (x - mean) ** 2, 0) / draws.length;
    expect(draws.every(Number.isFinite)).toBe(true);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});

describe('telemetry schedule', () => {
  /** Drives a schedule with its own requested delays, as the device's timer would. */
  function drive(rate: number, durationMs: number): { batches: number[][]; delays: number[] } {
    const t0 = 1_000_000;
    const schedule = new TelemetrySchedule(rate, t0);
    const batches: number[][] = [];
    const delays: number[] = [];
    for (let now = t0; now <= t0 + durationMs;) {
      batches.push(schedule.due(now));
      const delay = schedule.delayAfter(now);
      delays.push(delay);
      now += delay;
    }
    return { batches, delays };
  }

  it('publishes once per interval at ordinary rates', () => {
    const { batches, delays } = drive(1, 10_000);
    expect(batches.flat()).toEqual(Array.from({ length: 11 }, (_, i) => 1_000_000 + i * 1000));
    expect(delays.every((delay) => delay === 1000)).toBe(true);
  });

  it('supports fractional rates', () => {
    const { batches } = drive(0.5, 10_000);
    expect(batches.flat()).toEqual([0, 2000, 4000, 6000, 8000, 10_000].map((ms) => 1_000_000 + ms));
  });

  it('batches high rates per tick instead of running a timer per reading', () => {
    const { batches, delays } = drive(200, 10_000);
    const timestamps = batches.flat();
    expect(timestamps.length).toBeGreaterThanOrEqual(2000);
    expect(timestamps.length).toBeLessThanOrEqual(2001);
    expect(delays.every((delay) => delay >= MIN_TICK_MS)).toBe(true);
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(11);
    timestamps.forEach((ts, i) => expect(ts).toBeGreaterThan(timestamps[i - 1] ?? -Infinity));
  });

  it('gives every reading its own millisecond even at the maximum rate', () => {
    const timestamps = drive(1000, 2000).batches.flat();
    expect(new Set(timestamps).size).toBe(timestamps.length);
    timestamps.forEach((ts, i) => expect(ts).toBeGreaterThan(timestamps[i - 1] ?? -Infinity));
  });

  it('skips a long stall instead of replaying it as a burst', () => {
    const schedule = new TelemetrySchedule(10, 0);
    expect(schedule.due(0)).toEqual([0]);
    const afterStall = schedule.due(MAX_LAG_MS + 5000);
    expect(afterStall).toEqual([MAX_LAG_MS + 5000]);
  });

  it('tolerates a timer firing a millisecond early', () => {
    const schedule = new TelemetrySchedule(1, 0);
    schedule.due(0);
    expect(schedule.due(999)).toEqual([1000]);
    expect(schedule.due(1500)).toEqual([]);
  });

  it('rejects rates it cannot honour', () => {
    for (const rate of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1001]) {
      expect(() => new TelemetrySchedule(rate, 0)).toThrow(RangeError);
    }
  });
});

describe('simulated booth layout', () => {
  it('mixes profiles round-robin with numbered ids', () => {
    expect(planDevices(6).map((device) => device.deviceId)).toEqual(['env-01', 'ev-01', 'robot-01', 'vehicle-01', 'env-02', 'ev-02']);
    expect(planDevices(3, ['vehicle', 'env-sensor']).map((device) => [device.deviceId, device.kind])).toEqual([
      ['vehicle-01', 'vehicle'],
      ['env-01', 'env-sensor'],
      ['vehicle-02', 'vehicle'],
    ]);
    expect(planDevices(2)[0]?.name).toBe('Environment sensor 01');
  });

  it('keeps ids valid, unique and sortable for large booths', () => {
    const devices = planDevices(5000);
    expect(new Set(devices.map((device) => device.deviceId)).size).toBe(5000);
    for (const device of devices) expect(device.deviceId).toMatch(ID_PATTERN);
    expect(devices[0]?.deviceId).toBe('env-0001');
    expect(devices.at(-1)?.deviceId).toBe('vehicle-1250');
  });

  it('refuses bad options before connecting anything', () => {
    const base = { url: 'mqtt://127.0.0.1:1', booth: 'demo', password: 'secret', devices: 1, rate: 1 };
    expect(() => startSimulatedBooth({ ...base, devices: 0 })).toThrow(/devices/);
    expect(() => startSimulatedBooth({ ...base, devices: 5001 })).toThrow(/devices/);
    expect(() => startSimulatedBooth({ ...base, rate: 0 })).toThrow(/rate/);
    expect(() => startSimulatedBooth({ ...base, booth: 'no spaces' })).toThrow(/booth/);
    expect(() => startSimulatedBooth({ ...base, profiles: ['toaster' as ProfileKind] })).toThrow(/profile/);
  });
});

describe('simulated device identity', () => {
  it('uses booth-bound client ids with a random suffix', () => {
    const id = clientIdFor('demo', 'env-01');
    expect(id).toMatch(/^demo-env-01-[0-9a-f]{6}$/);
    expect(clientIdFor('demo', 'env-01')).not.toBe(id);
    expect(clientIdFor('demo', 'env-01', 'abc')).toBe('demo-env-01-abc');
  });

  it('announces its own rate and name in meta (no connection until start)', () => {
    const device = new SimulatedDevice({
      url: 'mqtt://127.0.0.1:1',
      booth: 'demo',
      password: 'secret',
      deviceId: 'ev-07',
      name: 'Charger by the door',
      profile: PROFILES['ev-charger'],
      rate: 0.5,
    });
    expect(device.meta).toMatchObject({ kind: 'ev-charger', name: 'Charger by the door', intervalMs: 2000 });
    expect(device.clientId).toMatch(/^demo-ev-07-/);
    expect(device.topic('telemetry')).toBe('booth/demo/ev-07/telemetry');
    expect(device.sent).toBe(0);
    expect(device.connected).toBe(false);
  });
});

describe('simulator command line', () => {
  const required = ['--booth', 'demo', '--password', 'secret'];

  function errorFor(args: string[]): string {
    const result = parseSimulatorCli(args);
    if (result.ok) throw new Error(`expected ${args.join(' ')} to be rejected`);
    expect(result.exitCode).toBe(1);
    return result.message;
  }

  it('parses every option', () => {
    const result = parseSimulatorCli([
      '--url',
      'mqtt://broker.local:1883',
      ...required,
      '--devices',
      '8',
      '--rate',
      '0.5',
      '--profiles',
      'env-sensor, ev-charger,env-sensor',
      '--seed',
      '42',
    ]);
    expect(result).toEqual({
      ok: true,
      options: {
        url: 'mqtt://broker.local:1883',
        booth: 'demo',
        password: 'secret',
        devices: 8,
        rate: 0.5,
        profiles: ['env-sensor', 'ev-charger'],
        familyPeriodMs: 2000,
        seed: '42',
      },
    });
  });

  it('has sensible defaults', () => {
    const result = parseSimulatorCli(required);
    expect(result).toEqual({
      ok: true,
      options: {
        url: 'mqtt://localhost:1883',
        booth: 'demo',
        password: 'secret',
        devices: 4,
        rate: 1,
        profiles: [...PROFILE_KINDS],
        familyPeriodMs: 2000,
      },
    });
  });

  it('accepts high and fractional rates', () => {
    for (const rate of ['200', '0.25', '1e3']) {
      const result = parseSimulatorCli([...required, '--rate', rate]);
      expect(result.ok && result.options.rate).toBe(Number(rate));
    }
  });

  it.each([
    ['--url', 'localhost:1883'],
    ['--url', 'http://localhost:1883'],
    ['--url', 'not a url'],
    ['--rate', '0'],
    ['--rate', '-1'],
    ['--rate', 'fast'],
    ['--rate', 'Infinity'],
    ['--rate', '5000'],
    ['--devices', '0'],
    ['--devices', '2.5'],
    ['--devices', '-3'],
    ['--devices', 'ten'],
    ['--devices', '5001'],
    ['--profiles', 'env-sensor,toaster'],
    ['--profiles', ','],
    ['--booth', 'has space'],
    ['--booth', '-leading-dash'],
    ['--booth', 'b'.repeat(65)],
    ['--password', ''],
  ])('rejects %s %j with a message naming the option', (option, value) => {
    const others = required.filter((_, i, all) => all[i - (i % 2)] !== option);
    expect(errorFor([...others, option, value])).toContain(option);
  });

  it('names an unknown profile and lists the known ones', () => {
    const message = errorFor([...required, '--profiles', 'toaster']);
    expect(message).toContain('toaster');
    for (const kind of PROFILE_KINDS) expect(message).toContain(kind);
  });

  it('requires booth and password', () => {
    expect(errorFor(['--password', 'secret'])).toContain('--booth');
    expect(errorFor(['--booth', 'demo'])).toContain('--password');
  });

  it('rejects unknown options and stray arguments', () => {
    expect(errorFor([...required, '--devcies', '3'])).toContain('--devcies');
    expect(errorFor([...required, 'extra'])).toMatch(/argument/);
  });

  it('prints help with exit code 0', () => {
    const result = parseSimulatorCli(['--help']);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.exitCode).toBe(0);
      expect(result.message).toContain('--profiles');
    }
  });
});
