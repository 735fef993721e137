/**
 * `npm run bench`: how many readings per second Showfloor stores and streams without loss on this
 * machine, and how late they reach a wall, next to what plain Aedes and plain InfluxDB manage.
 * The server runs as its own process, as in production; this process is the load generator.
 * Figures are reported, never asserted. Everything runs on loopback and stops within minutes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { findInfluxdBinary, startLocalInfluxd, type LocalInfluxd } from '../../server/influxd/LocalInfluxd';
import { measureAedesBaseline } from './aedesBaseline';
import {
  formatInt,
  formatMiB,
  renderAdapterStep,
  renderAedesBaseline,
  renderInfluxBaseline,
  renderMachine,
  renderSummary,
  writeReportFile,
  type AdapterLadder,
  type BenchReport,
} from './benchReport';
import { measureConsoleHistory, renderConsoleHistory } from './consoleHistory';
import { CpuMeter, type WatchedProcess } from './cpuMeter';
import { GatewayFleet, type GatewayLogin, type PayloadShape } from './gatewayFleet';
import { InfluxHttp } from './influxHttp';
import { MAX_BACKLOG_GROWTH_SHARE, MAX_BACKLOG_PEAK_SECONDS, MIN_ACHIEVED_SHARE, runLoadPhase, type PhaseContext, type PhaseResult } from './loadPhase';
import { describeMachine } from './machineInfo';
import { descendants, residentBytes } from './procStats';
import { measureRawInfluxWrites } from './rawInfluxWrites';
import { ShowfloorProcess, type BenchBooth } from './showfloorProcess';
import { measureSpoolStep, renderSpoolStep, spoolGenerator } from './spoolStep';
import { REPO_ROOT } from './tsxChild';
import { WallListeners } from './wallListeners';

/** Each phase uses fresh device ids; 5 booths keep all of them (at most 10 phases × 200 = 400 per booth) under the default limit of 500. */
const BOOTH_COUNT = 5;
const GATEWAYS = 20;
const DEVICES_PER_GATEWAY = 10;
const WALLS = 10;
/** Past 40,000 to find where it breaks; steps stop at the first failure. */
const STEP_RATES = [5_000, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 80_000];
const STEP_DURATION_MS = 10_000;
const STEP_DRAIN_DEADLINE_MS = 30_000;
const LATENCY_LOW_RATE = 1_000;
const LATENCY_LOW_DURATION_MS = 15_000;
const LATENCY_AT_MAX_DURATION_MS = 10_000;
const AEDES_FLOOD_MS = 10_000;
const AEDES_WARMUP_MS = 2_000;
const AEDES_MAX_IN_FLIGHT = 10_000;
const RAW_INFLUX = { linesPerBatch: 5_000, concurrency: 2, durationMs: 8_000, maxBatches: 400, series: GATEWAYS * DEVICES_PER_GATEWAY };
const DATABASE = 'showfloor_bench';
const RAW_DATABASE = 'raw_writes';
const TARGET_RATE = 20_000;
const TARGET_P99_MS = 300;
const BACKGROUND_SAMPLE_MS = 2_000;
const BACKGROUND_WARNING_PERCENT = 15;
/**
 * Adapter step (issue 11): booths of their own with `adapters: [tasmota, sparkplug]`, and as many
 * gateways and devices as the native fleet, so the two paths differ only in what the devices speak.
 * Twice as many booths as the native fleet: each phase uses fresh device ids, and two ladders of up
 * to 8 phases at 2 gateways × 10 devices per booth stay under the default of 500 devices per booth.
 */
const ADAPTER_BOOTH_COUNT = 2 * BOOTH_COUNT;
const ADAPTER_SHAPES = ['tasmota', 'sparkplug'] as const satisfies readonly PayloadShape[];
const ADAPTER_GOAL_RATIO = 0.5;
const ADAPTER_PAYLOAD_EXAMPLES: Record<(typeof ADAPTER_SHAPES)[number], string> = {
  tasmota: 'tele/<topic>/SENSOR {"Time":"2026-12-03T10:00:00.123Z","SI7021":{"Temperature":21.37,"Humidity":43.7,"DewPoint":10.2},"TempUnit":"C"}',
  sparkplug: 'spBv1.0/bench/DDATA/<edge>/<device>, protobuf (sparkplug-payload): timestamp, seq, 2 Double metrics by alias after NBIRTH/DBIRTH',
};
type OnlyStep = 'console-history' | 'adapters' | 'spool';
/**
 * `npm run bench -- --only console-history`: just the console's 24 h history query, in about a minute.
 * `npm run bench -- --only adapters`: the native step ladder and the adapter ladders, nothing else, in a few minutes.
 * `npm run bench -- --only spool`: QoS 1 with and without storage.spoolDir (issue 13), nothing else.
 */
const ONLY: OnlyStep | null = onlyStep(process.argv.slice(2).join(' ').replace('=', ' '));
/** A second signal sooner than this is the same Ctrl-C relayed by tsx, not the user insisting. */
const DUPLICATE_SIGNAL_MS = 1_500;

const DEFINITION =
  `Max sustained rate: the highest offered step (steps run in increasing order and stop at the first failure) that was ` +
  `(1) kept up: the fleet achieved >= ${MIN_ACHIEVED_SHARE * 100} % of the offered rate and the server's backlog ` +
  `(published - received + lines pending for InfluxDB, sampled every 500 ms) grew by no more than ${MAX_BACKLOG_GROWTH_SHARE * 100} % ` +
  `of the offered rate per second (least-squares slope after the first 2 s) and never exceeded ${MAX_BACKLOG_PEAK_SECONDS} s of the offered rate, ` +
  `with no gateway or wall losing its connection; and ` +
  `(2) lossless: after publishing stopped, within ${STEP_DRAIN_DEADLINE_MS / 1000} s InfluxDB's count() for the step's devices and time range ` +
  `equalled the number published, /api/health pending was 0, and received = published with nothing rejected or dropped.`;

function log(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<number> {
  const abort = new AbortController();
  installSignalHandlers(abort);
  const startedAt = new Date();
  const booths: BenchBooth[] = Array.from({ length: BOOTH_COUNT }, (_, i) => ({
    id: `bench-${i}`,
    name: `Bench booth ${i}`,
    password: randomBytes(12).toString('base64url'),
  }));
  const adapterBooths: BenchBooth[] = Array.from({ length: ADAPTER_BOOTH_COUNT }, (_, i) => ({
    id: `bench-adapters-${i}`,
    name: `Bench adapter booth ${i}`,
    password: randomBytes(12).toString('base64url'),
    adapters: ADAPTER_SHAPES,
  }));
  const allBooths = [...booths, ...adapterBooths];
  const adapterLogins: GatewayLogin[] = Array.from({ length: GATEWAYS }, (_, i) => {
    const booth = adapterBooths[i % ADAPTER_BOOTH_COUNT]!;
    return { booth: booth.id, username: booth.id, password: booth.password };
  });
  const consolePassword = randomBytes(12).toString('base64url');
  const logins: GatewayLogin[] = Array.from({ length: GATEWAYS }, (_, i) => {
    const booth = booths[i % BOOTH_COUNT]!;
    return { booth: booth.id, username: booth.id, password: booth.password };
  });
  const report: BenchReport = {
    status: 'failed',
    startedAt: startedAt.toISOString(),
    setup: {
      gateways: GATEWAYS,
      devicesPerGateway: DEVICES_PER_GATEWAY,
      booths: BOOTH_COUNT,
      walls: WALLS,
      qos: 0,
      payloadExample: '{"ts":1700000000000,"temperature":21.37,"humidity":43.7}',
      stepRatesPerSecond: STEP_RATES,
      stepDurationMs: STEP_DURATION_MS,
      latencyAt1000DurationMs: LATENCY_LOW_DURATION_MS,
      latencyAtMaxDurationMs: LATENCY_AT_MAX_DURATION_MS,
      serverSettings: 'defaults: influx batchSize 5000, flushIntervalMs 1000; live tickMs 200; LOG_LEVEL=warn; INFLUX_API=v1',
    },
    baselines: {},
    endToEnd: { definition: DEFINITION, steps: [], maxSustainedPerSecond: null, maxIsLowerBound: false },
    latency: {},
    serverRss: {},
    ratios: {},
    targets: [],
    serverLog: [],
  };

  const workDirectory = await mkdtemp(join(tmpdir(), 'showfloor-bench-'));
  let influxd: LocalInfluxd | undefined;
  let server: ShowfloorProcess | undefined;
  let walls: WallListeners | undefined;
  let fleet: GatewayFleet | undefined;
  let adapterFleet: GatewayFleet | undefined;
  try {
    const influxdBinary = findInfluxdBinary();
    if (!influxdBinary) throw new Error('influxd not found: install InfluxDB 1.x (Debian: apt-get install influxdb) or set INFLUXD_BIN');
    report.machine = describeMachine(influxdBinary);
    log(`Showfloor benchmark, ${report.startedAt}`);
    log(renderMachine(report.machine));
    report.backgroundCpuPercentBeforeStart = await measureBackgroundCpu(BACKGROUND_SAMPLE_MS);
    log(
      `Background CPU before start: ${report.backgroundCpuPercentBeforeStart.toFixed(0)} % of one core over ${BACKGROUND_SAMPLE_MS / 1000} s` +
        (report.backgroundCpuPercentBeforeStart > BACKGROUND_WARNING_PERCENT ? ' (WARNING: the machine is not idle; every figure below is understated)' : ''),
    );
    log();

    influxd = await startLocalInfluxd(join(workDirectory, 'influxd'), { binary: influxdBinary });
    const influx = new InfluxHttp(influxd.url);
    const influxdPid = descendants(process.pid).find((p) => p.comm === 'influxd')?.pid;
    const consoleHistory = async (running: ShowfloorProcess) => {
      report.consoleHistory = await measureConsoleHistory({ influx, database: DATABASE, httpUrl: running.httpUrl, booth: booths[0]!.id, consolePassword });
      log(renderConsoleHistory(report.consoleHistory));
    };
    const spoolStep = async () => {
      log('Spool step');
      report.spool = await measureSpoolStep({
        influx,
        influxUrl: influx.url,
        directory: join(workDirectory, 'spool-step'),
        log,
        signal: abort.signal,
        generator: spoolGenerator(),
      });
      log(renderSpoolStep(report.spool));
    };
    if (ONLY === 'spool') {
      await spoolStep();
      report.status = 'complete';
      return 0;
    }
    if (ONLY === 'console-history') {
      server = await ShowfloorProcess.start({ booths: allBooths, influxUrl: influxd.url, database: DATABASE, directory: workDirectory, consolePassword });
      await consoleHistory(server);
      report.status = 'complete';
      return 0;
    }

    if (ONLY === null) {
      log('Baselines');
      report.baselines.aedes = await measureAedesBaseline({
        gateways: logins,
        devicesPerGateway: DEVICES_PER_GATEWAY,
        durationMs: AEDES_FLOOD_MS,
        warmupMs: AEDES_WARMUP_MS,
        maxInFlight: AEDES_MAX_IN_FLIGHT,
        signal: abort.signal,
      });
      abort.signal.throwIfAborted();
      log(renderAedesBaseline(report.baselines.aedes, report.setup));
      report.baselines.influx = await measureRawInfluxWrites(influx, { database: RAW_DATABASE, ...RAW_INFLUX, signal: abort.signal });
      abort.signal.throwIfAborted();
      log(renderInfluxBaseline(report.baselines.influx));
      log();
    }

    server = await ShowfloorProcess.start({ booths: allBooths, influxUrl: influxd.url, database: DATABASE, directory: workDirectory, consolePassword });
    walls = await WallListeners.connect(
      server.httpUrl,
      allBooths.map((b) => b.id),
      WALLS,
    );
    fleet = await GatewayFleet.connect(server.mqttUrl, logins, DEVICES_PER_GATEWAY);
    adapterFleet = await GatewayFleet.connect(server.mqttUrl, adapterLogins, DEVICES_PER_GATEWAY);
    const serverPid = server.pid;
    report.serverPid = serverPid;
    const watched = (): WatchedProcess[] => [
      { label: 'Showfloor server', pid: serverPid },
      ...(influxdPid !== undefined ? [{ label: 'influxd', pid: influxdPid }] : []),
      { label: 'bench', pid: process.pid },
    ];
    const context: PhaseContext = { fleet, server, walls, influx, database: DATABASE, watched };
    report.serverRss.beforeLoadBytes = residentBytes(serverPid);
    log(
      `End to end: server pid ${serverPid} (node under the tsx wrapper), ${WALLS} walls subscribed to all ${allBooths.length} booths, ` +
        `${GATEWAYS} gateways × ${DEVICES_PER_GATEWAY} devices (and as many again idle for the adapter step); server RSS before load ${formatMiB(report.serverRss.beforeLoadBytes)}`,
    );

    const adapterContext: PhaseContext = { ...context, fleet: adapterFleet };
    const runPhase = async (label: string, devicePrefix: string, rate: number, durationMs: number, shape: PayloadShape = 'native'): Promise<PhaseResult> => {
      const result = await runLoadPhase(shape === 'native' ? context : adapterContext, {
        label,
        devicePrefix,
        ratePerSecond: rate,
        durationMs,
        drainDeadlineMs: STEP_DRAIN_DEADLINE_MS,
        shape,
        signal: abort.signal,
      });
      abort.signal.throwIfAborted();
      log(
        `  ${label}: offered ${formatInt(rate)}/s, achieved ${formatInt(result.publish.achievedPerSecond)}/s, ` +
          `${result.sustained ? 'sustained' : `NOT sustained (${result.findings.join('; ')})`}`,
      );
      return result;
    };

    if (ONLY === null) {
      report.latency.at1000 = await runPhase(`latency @ ${formatInt(LATENCY_LOW_RATE)}/s`, 'l1k', LATENCY_LOW_RATE, LATENCY_LOW_DURATION_MS);
    }
    for (const [index, rate] of STEP_RATES.entries()) {
      const step = await runPhase(`step ${formatInt(rate)}/s`, `s${index + 1}`, rate, STEP_DURATION_MS);
      report.endToEnd.steps.push(step);
      if (!step.sustained) {
        report.endToEnd.maxIsLowerBound = step.generatorLimited;
        break;
      }
      report.endToEnd.maxSustainedPerSecond = rate;
      report.endToEnd.maxIsLowerBound = rate === STEP_RATES.at(-1);
    }
    const maxSustained = report.endToEnd.maxSustainedPerSecond;
    if (ONLY === 'adapters') {
      log();
      log('Adapter step');
      await adapterStep(report, maxSustained, runPhase);
      report.status = 'complete';
      log();
      log(renderAdapterStep(report.adapters!, report.endToEnd.steps));
      log(`Machine: ${report.machine.cpuModel}, ${report.machine.cores} cores; re-run with npm run bench -- --only adapters`);
      return 0;
    }
    if (maxSustained !== null) {
      report.latency.atMaxSustained = await runPhase(`latency @ ${formatInt(maxSustained)}/s`, 'lmax', maxSustained, LATENCY_AT_MAX_DURATION_MS);
    }
    log();
    log('Adapter step');
    await adapterStep(report, maxSustained, runPhase);
    report.serverRss.afterLoadBytes = residentBytes(serverPid);
    log();
    await consoleHistory(server);
    log();
    await spoolStep();

    const { aedes, influx: rawInflux } = report.baselines;
    if (maxSustained !== null && aedes && rawInflux) {
      report.ratios.endToEndVsRawAedes = round3(maxSustained / aedes.receivedPerSecond);
      report.ratios.endToEndVsRawInflux = round3(maxSustained / rawInflux.pointsPerSecond);
    }
    const p99At1000 = report.latency.at1000?.latency?.p99;
    report.targets = [
      {
        name: `>= ${formatInt(TARGET_RATE)} readings/s end to end with zero loss`,
        measured:
          maxSustained === null
            ? 'no step was sustained'
            : `max sustained ${formatInt(maxSustained)} readings/s${report.endToEnd.maxIsLowerBound ? ' (a lower bound: the server did not fail)' : ''}`,
        met: maxSustained !== null && maxSustained >= TARGET_RATE,
      },
      {
        name: `p99 < ${TARGET_P99_MS} ms at ${formatInt(LATENCY_LOW_RATE)} readings/s`,
        measured: p99At1000 === undefined ? 'no readings reached the walls' : `p99 ${p99At1000} ms`,
        met: p99At1000 === undefined ? false : p99At1000 < TARGET_P99_MS,
      },
    ];
    report.status = 'complete';

    log();
    log(renderSummary(report));
    log();
    log(renderAdapterStep(report.adapters!));
    return 0;
  } catch (error) {
    if (abort.signal.aborted) {
      report.status = 'interrupted';
      log('\nInterrupted: stopping the children and writing what was measured so far.');
      return 130;
    }
    report.error = (error as Error).stack ?? String(error);
    process.stderr.write(`\nbench failed: ${(error as Error).message}\n`);
    return 1;
  } finally {
    walls?.close();
    await fleet?.close();
    await adapterFleet?.close();
    if (server) {
      report.serverLog = server.child.outputLines();
      await server.stop();
    }
    await influxd?.stop();
    await rm(workDirectory, { recursive: true, force: true });
    report.finishedAt = new Date().toISOString();
    report.totalSeconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
    const path = await writeReportFile(report, join(REPO_ROOT, 'test-artifacts'));
    if (report.serverLog.length > 0) log(`Server printed ${report.serverLog.length} warning/error line(s); see serverLog in the report.`);
    log(`Report: ${path} (${report.totalSeconds} s)`);
  }
}

type RunPhase = (label: string, devicePrefix: string, rate: number, durationMs: number, shape: PayloadShape) => Promise<PhaseResult>;

/**
 * Each family's step ladder, judged as the native one (runLoadPhase), up to one step past the
 * native maximum: a family cannot usefully be shown faster than the path it feeds, and the whole
 * bench stays within minutes.
 */
async function adapterStep(report: BenchReport, nativeMax: number | null, runPhase: RunPhase): Promise<void> {
  // The native steps with their midpoints: the native ladder's steps double, so without them a
  // ratio could only be 1, 0.5 or 0.25.
  const finer = STEP_RATES.flatMap((rate, i) => (i === 0 ? [rate] : [(STEP_RATES[i - 1]! + rate) / 2, rate]));
  const firstAboveNative = finer.findIndex((rate) => nativeMax === null || rate > nativeMax);
  const rates = finer.slice(0, firstAboveNative === -1 ? finer.length : firstAboveNative + 1);
  report.adapters = {
    nativeMaxSustainedPerSecond: nativeMax,
    nativeMaxIsLowerBound: report.endToEnd.maxIsLowerBound,
    goalRatio: ADAPTER_GOAL_RATIO,
    ladders: [],
  };
  for (const shape of ADAPTER_SHAPES) {
    const ladder: AdapterLadder = {
      shape,
      payloadExample: ADAPTER_PAYLOAD_EXAMPLES[shape],
      steps: [],
      maxSustainedPerSecond: null,
      maxIsLowerBound: false,
      ratioToNative: null,
    };
    report.adapters.ladders.push(ladder);
    for (const [index, rate] of rates.entries()) {
      const step = await runPhase(`${shape} ${formatInt(rate)}/s`, `${shape.slice(0, 2)}${index + 1}`, rate, STEP_DURATION_MS, shape);
      ladder.steps.push(step);
      if (!step.sustained) {
        ladder.maxIsLowerBound = step.generatorLimited;
        break;
      }
      ladder.maxSustainedPerSecond = rate;
      ladder.maxIsLowerBound = index === rates.length - 1;
    }
    if (ladder.maxSustainedPerSecond !== null && nativeMax !== null) ladder.ratioToNative = round3(ladder.maxSustainedPerSecond / nativeMax);
  }
}

function onlyStep(args: string): OnlyStep | null {
  if (args === '') return null;
  if (args === '--only console-history') return 'console-history';
  if (args === '--only adapters') return 'adapters';
  if (args === '--only spool') return 'spool';
  throw new Error(`unknown arguments ${JSON.stringify(args)}: use --only console-history, --only adapters or --only spool`);
}

function installSignalHandlers(abort: AbortController): void {
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (firstAt === undefined) {
      firstAt = Date.now();
      process.stderr.write(`\n${signal}: stopping the load and cleaning up (press Ctrl-C again to kill everything now)\n`);
      abort.abort(new Error(`interrupted by ${signal}`));
      return;
    }
    if (Date.now() - firstAt < DUPLICATE_SIGNAL_MS) return;
    // The exit hooks of TsxChild and LocalInfluxd SIGKILL whatever is still running.
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Machine busy time while the bench does nothing yet: what other work on the machine costs. */
async function measureBackgroundCpu(durationMs: number): Promise<number> {
  const meter = new CpuMeter(() => []);
  meter.begin();
  await delay(durationMs);
  return meter.end().machineBusyPercent;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

process.exitCode = await main();
