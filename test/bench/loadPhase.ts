/**
 * One end-to-end load phase against the running server: publish at a fixed offered rate, watch the
 * server's backlog while doing so, then wait (with a deadline) until InfluxDB holds every reading
 * and the server has nothing pending, and judge whether the rate was sustained.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { CpuMeter, type CpuReport, type WatchedProcess } from './cpuMeter';
import { COUNTED_FIELD, type GatewayFleet, type PayloadShape, type PublishRun } from './gatewayFleet';
import type { InfluxHttp } from './influxHttp';
import type { LatencySummary } from './latencyHistogram';
import { residentBytes } from './procStats';
import type { HealthCounters, ShowfloorProcess } from './showfloorProcess';
import type { WallListeners } from './wallListeners';

/** Below this share of the offered rate the fleet did not really offer it. */
export const MIN_ACHIEVED_SHARE = 0.95;
/** A backlog growing faster than this share of the offered rate per second is a server falling behind. */
export const MAX_BACKLOG_GROWTH_SHARE = 0.05;
/**
 * A backlog larger than this many seconds of the offered rate means readings were that late at some
 * point, even if the server later caught up (a trend alone misses a stall followed by recovery).
 * The store flushes to InfluxDB every second, so up to 1 s pending is normal; twice that is not.
 */
export const MAX_BACKLOG_PEAK_SECONDS = 2;
/** Other work on the machine above this (percent of one core) is called out next to the phase's verdict. */
const NOTABLE_OTHER_CPU_PERCENT = 25;
/** Backlog samples before this are left out of the trend: the first batch is still filling. */
const TREND_SKIP_MS = 2_000;
const SAMPLE_EVERY_MS = 500;

export interface PhasePlan {
  label: string;
  devicePrefix: string;
  ratePerSecond: number;
  durationMs: number;
  /** How long to wait after publishing for InfluxDB to hold everything. */
  drainDeadlineMs: number;
  /** What the devices speak; native when absent. Adapter shapes go through the broker's mount and the booth's adapters. */
  shape?: PayloadShape;
  signal?: AbortSignal;
}

/** How long the server may take to have received a Sparkplug phase's BIRTH messages. */
const BIRTHS_DEADLINE_MS = 10_000;

export interface PhaseContext {
  fleet: GatewayFleet;
  server: ShowfloorProcess;
  walls: WallListeners;
  influx: InfluxHttp;
  database: string;
  watched: () => readonly WatchedProcess[];
}

export interface BacklogSample {
  atMs: number;
  /** unreceived + unstored. */
  backlog: number;
  /** Published but not yet counted as received by the server: in sockets or in Aedes. */
  unreceived: number;
  /** Received and accepted but not yet written to InfluxDB (/api/health pending). */
  unstored: number;
}

export interface PhaseResult {
  label: string;
  devicePrefix: string;
  publish: PublishRun;
  backlog: { samples: BacklogSample[]; peak: number; peakSample: BacklogSample | null; atEnd: number; growthPerSecond: number };
  /** After publishing stopped: how long until InfluxDB held every reading and nothing was pending. */
  drain: { complete: boolean; ms: number; storedInInflux: number; pendingInServer: number | null };
  serverDeltas: Pick<HealthCounters, 'received' | 'accepted' | 'rejectedTotal' | 'dropped'> & { droppedLiveReadings: number };
  latency: LatencySummary | null;
  /** Readings of this phase each wall received, lowest and highest across walls. */
  wallReadings: { min: number; max: number };
  wallDisconnects: number;
  cpu: CpuReport;
  serverRssAfterBytes: number | null;
  keptUp: boolean;
  zeroLoss: boolean;
  sustained: boolean;
  /**
   * True when the only thing wrong was the bench not producing the offered rate (no backpressure,
   * no backlog growth, no loss): the server was not shown to fail, the machine ran out of load generator.
   */
  generatorLimited: boolean;
  /** Why the phase was not sustained; empty when it was. */
  findings: string[];
}

export async function runLoadPhase(context: PhaseContext, plan: PhasePlan): Promise<PhaseResult> {
  const { fleet, server, walls, influx } = context;
  const shape = plan.shape ?? 'native';
  // BIRTHs go out and are received before the phase's counters start: the phase counts DDATA alone.
  if (shape === 'sparkplug') await sendSparkplugBirths(fleet, server, plan.devicePrefix);
  const before = await server.health();
  const wallDisconnectsBefore = walls.disconnects;
  const meter = new CpuMeter(context.watched);
  const samples: BacklogSample[] = [];
  let publishing = true;
  walls.openWindow(plan.devicePrefix);
  meter.begin();
  const startedAt = Date.now();
  const sampler = (async () => {
    while (publishing) {
      await delay(SAMPLE_EVERY_MS);
      if (!publishing) break;
      const publishedBefore = fleet.publishedInCurrentRun;
      try {
        const { counters } = await server.health(2_000);
        // The server counted `received` somewhere between the request and the answer.
        const published = (publishedBefore + fleet.publishedInCurrentRun) / 2;
        // Clamped: `published` is an estimate, and the server cannot have received more than was sent.
        const unreceived = Math.max(0, Math.round(published - (counters.received - before.counters.received)));
        const unstored = counters.pending - before.counters.pending;
        samples.push({ atMs: Date.now() - startedAt, backlog: unreceived + unstored, unreceived, unstored });
      } catch {
        // A server too busy to answer within 2 s shows up as a gap; the trend uses what arrived.
      }
    }
  })();
  const publish = await fleet.run({
    devicePrefix: plan.devicePrefix,
    ratePerSecond: plan.ratePerSecond,
    durationMs: plan.durationMs,
    shape,
    signal: plan.signal,
  });
  publishing = false;
  await sampler;
  const cpu = meter.end();

  const drainStartedAt = Date.now();
  let stored = 0;
  let pendingInServer: number | null = null;
  let complete = false;
  while (Date.now() - drainStartedAt < plan.drainDeadlineMs && !plan.signal?.aborted) {
    try {
      const [count, health] = await Promise.all([
        influx.countReadings(context.database, COUNTED_FIELD[shape], plan.devicePrefix, publish.firstTs, publish.lastTs),
        server.health(2_000),
      ]);
      stored = count;
      pendingInServer = health.counters.pending;
      if (stored >= publish.published && pendingInServer === 0) {
        complete = true;
        break;
      }
    } catch {
      // Retried until the deadline; the last values seen are reported.
    }
    await delay(250);
  }
  const drainMs = Date.now() - drainStartedAt;
  // Frames leave the server every tick (200 ms); give the last one time to arrive before closing the window.
  await delay(500);
  const window = walls.closeWindow();
  const after = await server.health().catch(() => before);

  const trend = backlogTrend(samples);
  const peakSample = samples.reduce<BacklogSample | null>((peak, s) => (peak === null || s.backlog > peak.backlog ? s : peak), null);
  const result: PhaseResult = {
    label: plan.label,
    devicePrefix: plan.devicePrefix,
    publish,
    backlog: {
      samples,
      peak: Math.max(0, peakSample?.backlog ?? 0),
      peakSample,
      atEnd: samples.at(-1)?.backlog ?? 0,
      growthPerSecond: Math.round(trend),
    },
    drain: { complete, ms: drainMs, storedInInflux: stored, pendingInServer },
    serverDeltas: {
      received: after.counters.received - before.counters.received,
      accepted: after.counters.accepted - before.counters.accepted,
      rejectedTotal: after.counters.rejectedTotal - before.counters.rejectedTotal,
      dropped: after.counters.dropped - before.counters.dropped,
      droppedLiveReadings: after.live.droppedLiveReadings - before.live.droppedLiveReadings,
    },
    latency: window.latency,
    wallReadings: { min: Math.min(...window.readingsPerWall), max: Math.max(...window.readingsPerWall) },
    wallDisconnects: walls.disconnects - wallDisconnectsBefore,
    cpu,
    serverRssAfterBytes: residentBytes(server.pid) ?? null,
    keptUp: false,
    zeroLoss: false,
    sustained: false,
    generatorLimited: false,
    findings: [],
  };
  judge(result, plan);
  return result;
}

async function sendSparkplugBirths(fleet: GatewayFleet, server: ShowfloorProcess, devicePrefix: string): Promise<void> {
  const start = (await server.health()).counters.received;
  const sent = fleet.sparkplugBirth(devicePrefix);
  const deadline = Date.now() + BIRTHS_DEADLINE_MS;
  while ((await server.health()).counters.received - start < sent) {
    if (Date.now() > deadline) throw new Error(`the server did not receive the ${sent} Sparkplug BIRTH messages within ${BIRTHS_DEADLINE_MS / 1000} s`);
    await delay(100);
  }
}

/** Least-squares slope of the backlog, readings per second, over the steady part of the phase. */
function backlogTrend(samples: readonly BacklogSample[]): number {
  const steady = samples.filter((s) => s.atMs >= TREND_SKIP_MS);
  if (steady.length < 3) return 0;
  const n = steady.length;
  const meanT = steady.reduce((sum, s) => sum + s.atMs / 1000, 0) / n;
  const meanB = steady.reduce((sum, s) => sum + s.backlog, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const s of steady) {
    const dt = s.atMs / 1000 - meanT;
    covariance += dt * (s.backlog - meanB);
    variance += dt * dt;
  }
  return variance === 0 ? 0 : covariance / variance;
}

function judge(result: PhaseResult, plan: PhasePlan): void {
  const { publish, backlog, drain, serverDeltas } = result;
  const findings = result.findings;
  const achievedShare = publish.achievedPerSecond / plan.ratePerSecond;
  const generatorFellBehind = achievedShare < MIN_ACHIEVED_SHARE && publish.backpressurePauses === 0;
  if (achievedShare < MIN_ACHIEVED_SHARE) {
    findings.push(
      generatorFellBehind
        ? `achieved ${pct(achievedShare)} of the offered rate with no backpressure: the load generator itself fell behind`
        : `achieved ${pct(achievedShare)} of the offered rate: the broker stopped reading (${publish.backpressurePauses} TCP backpressure pauses)`,
    );
  }
  if (backlog.growthPerSecond > plan.ratePerSecond * MAX_BACKLOG_GROWTH_SHARE) {
    const last = backlog.samples.at(-1);
    findings.push(
      `backlog grew by ${backlog.growthPerSecond} readings/s while publishing (limit ${Math.round(plan.ratePerSecond * MAX_BACKLOG_GROWTH_SHARE)}/s); ` +
        `at the end ${last?.unreceived} not yet received by the server, ${last?.unstored} received but not yet in InfluxDB`,
    );
  }
  const peakLimit = Math.round(plan.ratePerSecond * MAX_BACKLOG_PEAK_SECONDS);
  if (backlog.peak > peakLimit) {
    findings.push(
      `backlog peaked at ${backlog.peak} readings (${(backlog.peak / plan.ratePerSecond).toFixed(1)} s of load; limit ${MAX_BACKLOG_PEAK_SECONDS} s): ` +
        `${backlog.peakSample?.unreceived} not yet received by the server, ${backlog.peakSample?.unstored} received but not yet in InfluxDB`,
    );
  }
  if (publish.lostGateways > 0) findings.push(`${publish.lostGateways} gateway connection(s) closed during the phase`);
  if (result.wallDisconnects > 0) findings.push(`${result.wallDisconnects} wall(s) lost their socket.io connection during the phase`);
  result.keptUp = findings.length === 0;

  const lossFindings: string[] = [];
  if (!drain.complete) {
    lossFindings.push(
      `not drained within ${plan.drainDeadlineMs / 1000} s: InfluxDB holds ${drain.storedInInflux} of ${publish.published}, server pending ${drain.pendingInServer ?? 'unknown'}`,
    );
  } else if (drain.storedInInflux !== publish.published) {
    lossFindings.push(`InfluxDB holds ${drain.storedInInflux} readings, ${publish.published} were published`);
  }
  if (serverDeltas.received !== publish.published) lossFindings.push(`server received ${serverDeltas.received} of ${publish.published}`);
  if (serverDeltas.rejectedTotal > 0) lossFindings.push(`${serverDeltas.rejectedTotal} readings rejected`);
  if (serverDeltas.dropped > 0) lossFindings.push(`${serverDeltas.dropped} lines dropped by the store`);
  result.zeroLoss = lossFindings.length === 0;
  findings.push(...lossFindings);
  result.sustained = result.keptUp && result.zeroLoss;
  result.generatorLimited = generatorFellBehind && findings.length === 1;
  if (result.cpu.otherBusyPercent > NOTABLE_OTHER_CPU_PERCENT) {
    // Not a failure of the server, but the reader must know the machine was shared.
    findings.push(`other processes used ${result.cpu.otherBusyPercent.toFixed(0)} % of a core meanwhile: this phase understates the server`);
  }
}

function pct(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}
