/**
 * The bench's `spool` step (issue 13): the sustained zero-loss rate of QoS 1 readings with
 * `storage.spoolDir` set, beside the same without it, in the same run on the same InfluxDB. The
 * goal the issue sets: with the spool, at least 0.8 of the rate without it, and 50,000 readings/s.
 *
 * Each variant is a fresh server (a child process, as `npm start` runs it) and a ladder of rates,
 * the two ladders' rungs alternating; each rung is a fresh fleet of 50 QoS 1 devices (test/support/ackedFleet.ts) publishing for
 * STEP_DURATION_MS, judged as the other steps are judged (loadPhase.ts): the fleet offered the rate
 * (at least MIN_ACHIEVED_SHARE of it, no device at its in-flight bound), every publish was
 * acknowledged, and InfluxDB holds every reading, counted by `seq`. A ladder stops at its first
 * rung that is not sustained (a rung the load generator could not offer is tried twice); the
 * highest sustained rung is the variant's rate.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { AckedFleet, type AckedRun, type AckedRunPlan, type FleetLogin } from '../support/ackedFleet';
import { formatInt } from './benchReport';
import type { InfluxHttp } from './influxHttp';
import { MIN_ACHIEVED_SHARE } from './loadPhase';
import { RawAckedFleet } from './rawAckedFleet';
import { ShowfloorProcess } from './showfloorProcess';

const RATES = [5_000, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 80_000];
const STEP_DURATION_MS = 8_000;
const DEVICES = 50;
/** After publishing: how long every publish may take to be acknowledged, and InfluxDB to hold every reading. */
const ACK_DEADLINE_MS = 15_000;
const STORE_DEADLINE_MS = 30_000;
/** The issue's goals for the spool: a share of the rate without it, and an absolute rate. */
export const SPOOL_GOAL_RATIO = 0.8;
export const SPOOL_GOAL_RATE = 50_000;
/**
 * The step measures what the server can store, not its per-device and per-booth policy: the
 * defaults (mqtt.messagesPerSecondPerDevice 1,000, budgets.readingsPerSecondPerBooth 20,000) would
 * drop (acknowledged, counted) readings of one 50-device booth above 20,000/s, or of a device whose
 * pacer catches up after a stall. Set far above any rung, as test/bench/snapshotFlood.ts does.
 */
export const UNLIMITED_BUDGETS_YAML = 'mqtt:\n  messagesPerSecondPerDevice: 1000000\nbudgets:\n  readingsPerSecondPerBooth: 10000000\n';

/**
 * The load generator: `raw` (default) writes pre-encoded PUBLISH packets on 50 TCP connections and
 * counts PUBACKs by packet id (rawAckedFleet.ts); `mqttjs` is one MQTT.js client per device
 * (test/support/ackedFleet.ts), as the soak and the crash test use. Chosen with SPOOL_GENERATOR.
 */
export type SpoolGenerator = 'raw' | 'mqttjs';

/** What the step needs of a fleet, whichever generator. */
export interface SpoolFleet {
  readonly published: number;
  readonly acked: number;
  run(plan: AckedRunPlan): Promise<AckedRun>;
  settle(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export function spoolGenerator(env: NodeJS.ProcessEnv = process.env): SpoolGenerator {
  const chosen = env.SPOOL_GENERATOR ?? 'raw';
  if (chosen !== 'raw' && chosen !== 'mqttjs') throw new Error(`SPOOL_GENERATOR=${chosen}: use raw or mqttjs`);
  return chosen;
}

export function openSpoolFleet(generator: SpoolGenerator, url: string, login: FleetLogin, prefix: string, devices: number): Promise<SpoolFleet> {
  return generator === 'raw' ? RawAckedFleet.connect(url, login, prefix, devices) : AckedFleet.connect(url, login, prefix, devices);
}

export interface SpoolRung {
  ratePerSecond: number;
  published: number;
  acknowledged: number;
  storedInInflux: number;
  achievedPerSecond: number;
  skipped: number;
  sustained: boolean;
  findings: string[];
}

export interface SpoolLadder {
  spool: boolean;
  rungs: SpoolRung[];
  maxSustainedPerSecond: number | null;
  /** True when the top rung was sustained, or the failure was the load generator's: the real maximum is higher. */
  maxIsLowerBound: boolean;
}

export interface SpoolStepResult {
  generator: SpoolGenerator;
  off: SpoolLadder;
  on: SpoolLadder;
  /** on / off of the max sustained rates; null when either has none. */
  ratio: number | null;
}

export interface SpoolStepContext {
  influx: InfluxHttp;
  influxUrl: string;
  /** Where the servers' settings files and the spool go. */
  directory: string;
  log: (text: string) => void;
  signal?: AbortSignal;
  generator?: SpoolGenerator;
}

export async function measureSpoolStep(context: SpoolStepContext): Promise<SpoolStepResult> {
  // Both servers run through the whole step and the rungs alternate (off, on, off, on…), so a
  // machine whose other load changes during the step skews both variants alike; the idle one
  // costs the other little.
  const variants: Variant[] = [];
  const generator = context.generator ?? 'raw';
  try {
    for (const spool of [false, true]) variants.push(await startVariant(context, spool));
    for (const [index, rate] of RATES.entries()) {
      for (const variant of variants) {
        if (variant.done || context.signal?.aborted) continue;
        let rung = await runRung(context, generator, variant, `${variant.name}-r${index}`, rate);
        // A load generator that fell behind says nothing about the server: one more try.
        if (generatorLimited(rung)) rung = await runRung(context, generator, variant, `${variant.name}-r${index}b`, rate);
        variant.ladder.rungs.push(rung);
        context.log(
          `  QoS 1, spool ${variant.ladder.spool ? 'on ' : 'off'} @ ${formatInt(rate)}/s: achieved ${formatInt(rung.achievedPerSecond)}/s, ` +
            `${rung.sustained ? 'sustained' : `NOT sustained (${rung.findings.join('; ')})`}`,
        );
        if (!rung.sustained) {
          variant.ladder.maxIsLowerBound = generatorLimited(rung);
          variant.done = true;
          continue;
        }
        variant.ladder.maxSustainedPerSecond = rate;
        variant.ladder.maxIsLowerBound = index === RATES.length - 1;
      }
    }
  } finally {
    for (const variant of variants) await variant.server.stop();
  }
  const [off, on] = variants.map((v) => v.ladder) as [SpoolLadder, SpoolLadder];
  const ratio = off.maxSustainedPerSecond && on.maxSustainedPerSecond ? Math.round((on.maxSustainedPerSecond / off.maxSustainedPerSecond) * 1000) / 1000 : null;
  return { generator, off, on, ratio };
}

interface Variant {
  name: string;
  booth: { id: string; password: string };
  database: string;
  server: ShowfloorProcess;
  ladder: SpoolLadder;
  done: boolean;
}

function generatorLimited(rung: SpoolRung): boolean {
  return rung.findings.length === 1 && rung.findings[0]!.includes('load generator');
}

async function startVariant(context: SpoolStepContext, spool: boolean): Promise<Variant> {
  const name = spool ? 'spool-on' : 'spool-off';
  const booth = { id: name, name, password: `${name}-bench-password` };
  const database = `bench_${name.replace('-', '_')}`;
  const directory = join(context.directory, name);
  await mkdir(directory, { recursive: true });
  await context.influx.createDatabase(database);
  const server = await ShowfloorProcess.start({
    booths: [booth],
    influxUrl: context.influxUrl,
    database,
    directory,
    // The spool is on by default with InfluxDB: the leg without it turns it off.
    extraYaml: `storage:\n  spoolDir: ${spool ? JSON.stringify(join(directory, 'spool')) : 'false'}\n${UNLIMITED_BUDGETS_YAML}`,
  });
  return { name, booth, database, server, ladder: { spool, rungs: [], maxSustainedPerSecond: null, maxIsLowerBound: false }, done: false };
}

async function runRung(
  context: SpoolStepContext,
  generator: SpoolGenerator,
  { server, booth, database }: Variant,
  prefix: string,
  rate: number,
): Promise<SpoolRung> {
  const fleet = await openSpoolFleet(generator, server.mqttUrl, { booth: booth.id, password: booth.password }, prefix, DEVICES);
  try {
    const run = await fleet.run({ ratePerSecond: rate, durationMs: STEP_DURATION_MS, signal: context.signal });
    await fleet.settle(ACK_DEADLINE_MS);
    const findings: string[] = [];
    const achievedPerSecond = Math.round((run.published * 1000) / run.durationMs);
    if (achievedPerSecond < rate * MIN_ACHIEVED_SHARE) {
      findings.push(
        run.skipped > 0
          ? `achieved ${formatInt(achievedPerSecond)}/s: devices skipped ${formatInt(run.skipped)} readings at their in-flight bound (acknowledgements too slow)`
          : `achieved ${formatInt(achievedPerSecond)}/s without devices waiting on acknowledgements: the load generator fell behind`,
      );
    }
    if (fleet.acked !== fleet.published)
      findings.push(`${formatInt(fleet.published - fleet.acked)} publishes not acknowledged within ${ACK_DEADLINE_MS / 1000} s`);
    const storeDeadline = Date.now() + STORE_DEADLINE_MS;
    let stored = 0;
    while (Date.now() < storeDeadline && !context.signal?.aborted) {
      stored = await context.influx.countReadings(database, 'seq', prefix, 0, Date.now() + 60_000).catch(() => stored);
      if (stored >= fleet.published) break;
      await delay(250);
    }
    if (stored !== fleet.published)
      findings.push(`InfluxDB holds ${formatInt(stored)} of ${formatInt(fleet.published)} readings after ${STORE_DEADLINE_MS / 1000} s`);
    return {
      ratePerSecond: rate,
      published: fleet.published,
      acknowledged: fleet.acked,
      storedInInflux: stored,
      achievedPerSecond,
      skipped: run.skipped,
      sustained: findings.length === 0,
      findings,
    };
  } finally {
    await fleet.close();
  }
}

export function renderSpoolStep(result: SpoolStepResult): string {
  const rate = (l: SpoolLadder): string =>
    l.maxSustainedPerSecond === null
      ? 'none sustained'
      : `${formatInt(l.maxSustainedPerSecond)}/s${l.maxIsLowerBound ? ' (lower bound: the server did not fail)' : ''}`;
  const onRate = result.on.maxSustainedPerSecond;
  return [
    'Spool step (issue 13): sustained zero-loss rate of QoS 1 readings, 50 devices, counted by seq in InfluxDB',
    '  per-device and per-booth message limits raised far above every rung (the step measures the server, not that policy)',
    `  load generator: ${result.generator === 'raw' ? 'raw (pre-encoded PUBLISH packets on 50 TCP connections, PUBACKs counted by packet id)' : 'mqttjs (one MQTT.js client per device)'}`,
    `  spool off: ${rate(result.off)}`,
    `  spool on:  ${rate(result.on)}`,
    `  ratio on/off: ${result.ratio ?? 'n/a'} (goal >= ${SPOOL_GOAL_RATIO}); on >= ${formatInt(SPOOL_GOAL_RATE)}/s: ${onRate !== null && onRate >= SPOOL_GOAL_RATE ? 'met' : 'not met'}`,
  ].join('\n');
}
