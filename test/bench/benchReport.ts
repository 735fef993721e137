/**
 * The benchmark's findings: one structure, written whole to test-artifacts/bench-<timestamp>.json
 * and rendered as plain-text tables for the terminal.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AedesBaselineResult } from './aedesBaseline';
import type { ConsoleHistoryResult } from './consoleHistory';
import type { CpuReport } from './cpuMeter';
import type { LatencySummary } from './latencyHistogram';
import type { PhaseResult } from './loadPhase';
import type { MachineInfo } from './machineInfo';
import type { RawInfluxResult } from './rawInfluxWrites';
import type { SpoolStepResult } from './spoolStep';

export interface BenchSetup {
  gateways: number;
  devicesPerGateway: number;
  booths: number;
  walls: number;
  qos: 0;
  payloadExample: string;
  stepRatesPerSecond: number[];
  stepDurationMs: number;
  latencyAt1000DurationMs: number;
  latencyAtMaxDurationMs: number;
  serverSettings: string;
}

export interface Target {
  name: string;
  measured: string;
  met: boolean | null;
}

export interface BenchReport {
  status: 'complete' | 'interrupted' | 'failed';
  error?: string;
  startedAt: string;
  finishedAt?: string;
  totalSeconds?: number;
  machine?: MachineInfo;
  /** Machine busy time, percent of one core, over 2 s before anything started: other work on a shared machine. */
  backgroundCpuPercentBeforeStart?: number;
  setup: BenchSetup;
  baselines: { aedes?: AedesBaselineResult; influx?: RawInfluxResult };
  endToEnd: {
    definition: string;
    steps: PhaseResult[];
    maxSustainedPerSecond: number | null;
    /** True when the server never failed a step (all sustained, or the load generator ran out first): the real maximum is higher. */
    maxIsLowerBound: boolean;
  };
  latency: { at1000?: PhaseResult; atMaxSustained?: PhaseResult };
  /** The node process running server/main.ts (not its tsx wrapper), whose RSS and CPU are reported. */
  serverPid?: number;
  serverRss: { beforeLoadBytes?: number; afterLoadBytes?: number };
  ratios: { endToEndVsRawAedes?: number; endToEndVsRawInflux?: number };
  targets: Target[];
  /**
   * Issue 11's adapter step: the same step ladder, judged the same way as endToEnd, with devices
   * speaking their own family's format on their own topics through the broker's mount and the
   * booth's adapters. `ratioToNative` is the family's max sustained rate over the native one of the same run.
   */
  adapters?: AdapterStep;
  /** GET /api/console/history for 24 h of one device at 1 reading/s, at 1,000 points. */
  consoleHistory?: ConsoleHistoryResult;
  /** Issue 13: sustained zero-loss QoS 1 rate with storage.spoolDir set and without, same run. */
  spool?: SpoolStepResult;
  serverLog: string[];
}

export interface AdapterLadder {
  shape: 'tasmota' | 'sparkplug';
  payloadExample: string;
  steps: PhaseResult[];
  maxSustainedPerSecond: number | null;
  maxIsLowerBound: boolean;
  ratioToNative: number | null;
}

export interface AdapterStep {
  /** The native ladder's max sustained rate in the same run, the ratios' denominator. */
  nativeMaxSustainedPerSecond: number | null;
  nativeMaxIsLowerBound: boolean;
  goalRatio: number;
  ladders: AdapterLadder[];
}

export async function writeReportFile(report: BenchReport, directory: string): Promise<string> {
  await mkdir(directory, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const path = join(directory, `bench-${stamp}.json`);
  await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const formatInt = (n: number): string => int.format(n);
export const formatMiB = (bytes: number | undefined): string => (bytes === undefined ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  // Labels read left to right, numbers line up on the right.
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function cpuOf(cpu: CpuReport, label: string): string {
  const share = cpu.processes.find((p) => p.label === label);
  return share ? `${share.processPercent.toFixed(0)}` : '-';
}

function mainThreadOf(cpu: CpuReport, label: string): string {
  const share = cpu.processes.find((p) => p.label === label);
  return share ? `${share.mainThreadPercent.toFixed(0)}` : '-';
}

export function renderMachine(machine: MachineInfo): string {
  return (
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${formatMiB(machine.memoryBytes)} RAM, kernel ${machine.kernel}\n` +
    `         node ${machine.node}, ${machine.influxd}; load average at start ${machine.loadAverageAtStart}`
  );
}

export function renderAedesBaseline(result: AedesBaselineResult, setup: BenchSetup): string {
  return (
    `A  raw Aedes pass-through: ${formatInt(result.receivedPerSecond)} messages/s received by one subscriber on #\n` +
    `   (${setup.gateways} connections × ${setup.devicesPerGateway} devices flooding QoS 0, at most ${formatInt(result.maxInFlight)} unreceived, ` +
    `measured over ${(result.measuredOverMs / 1000).toFixed(1)} s after warm-up; ` +
    `published ${formatInt(result.published)}, received ${formatInt(result.received)}; ` +
    `CPU: Aedes ${cpuOf(result.cpu, 'plain Aedes broker')} %, bench ${cpuOf(result.cpu, 'bench (load generator + subscriber)')} %, other ${result.cpu.otherBusyPercent.toFixed(0)} %)`
  );
}

export function renderInfluxBaseline(result: RawInfluxResult): string {
  return (
    `B  raw InfluxDB writes: ${formatInt(result.pointsPerSecond)} points/s\n` +
    `   (${formatInt(result.linesPerBatch)}-line batches, ${result.concurrency} in flight, ${formatInt(result.batches)} batches in ${(result.durationMs / 1000).toFixed(1)} s; ` +
    `count() afterwards: ${formatInt(result.pointsCounted)} of ${formatInt(result.pointsWritten)})`
  );
}

function renderPhaseRows(phases: readonly PhaseResult[]): string {
  const yesNo = (b: boolean): string => (b ? 'yes' : 'NO');
  const latency = (l: LatencySummary | null): string => (l ? `${l.p50} | ${l.p99}` : '-');
  const rows = phases.map((p) => [
    p.label,
    formatInt(p.publish.offeredPerSecond ?? 0),
    formatInt(p.publish.achievedPerSecond),
    formatInt(p.publish.published),
    yesNo(p.keptUp),
    yesNo(p.zeroLoss),
    yesNo(p.sustained),
    formatInt(p.backlog.growthPerSecond),
    formatInt(p.backlog.peak),
    (p.drain.ms / 1000).toFixed(1),
    latency(p.latency),
    `${mainThreadOf(p.cpu, 'Showfloor server')} | ${cpuOf(p.cpu, 'Showfloor server')}`,
    cpuOf(p.cpu, 'influxd'),
    `${mainThreadOf(p.cpu, 'bench')} | ${cpuOf(p.cpu, 'bench')}`,
    p.cpu.otherBusyPercent.toFixed(0),
    p.cpu.machineBusyPercent.toFixed(0),
    formatMiB(p.serverRssAfterBytes ?? undefined),
  ]);
  const headers = [
    'phase',
    'offered/s',
    'achieved/s',
    'published',
    'kept up',
    'no loss',
    'sustained',
    'backlog Δ/s',
    'backlog peak',
    'drain s',
    'latency p50|p99 ms',
    'server CPU% main|all',
    'influxd CPU%',
    'bench CPU% main|all',
    'other CPU%',
    'machine CPU%',
    'server RSS',
  ];
  const findings = phases
    .filter((p) => p.findings.length > 0)
    .map((p) => `  ${p.label}: ${p.findings.join('; ')}`)
    .join('\n');
  const legend =
    'CPU% is percent of one core (this machine has 200 % in all); "main" is the main thread alone (for node, the event loop); ' +
    '"other" is machine busy time used by none of server, influxd and bench.';
  return `${table(headers, rows)}\n${legend}${findings ? `\nFindings:\n${findings}` : ''}`;
}

function renderLatency(label: string, phase: PhaseResult): string {
  const l = phase.latency;
  if (!l) return `${label}: no readings reached the walls`;
  return (
    `${label}: p50 ${l.p50} ms, p95 ${l.p95} ms, p99 ${l.p99} ms, max ${l.max} ms, mean ${l.mean} ms ` +
    `(${formatInt(l.samples)} samples; per wall ${formatInt(phase.wallReadings.min)}–${formatInt(phase.wallReadings.max)} of ${formatInt(phase.publish.published)} published)`
  );
}

function renderTargets(targets: readonly Target[]): string {
  return targets.map((t) => `  [${t.met === null ? 'n/a' : t.met ? 'MET' : 'NOT MET'}] ${t.name}: ${t.measured}`).join('\n');
}

/** Everything measured end to end, for the terminal once the run is over. */
export function renderSummary(report: BenchReport): string {
  const { endToEnd, latency, serverRss, ratios, baselines } = report;
  const phases = [latency.at1000, ...endToEnd.steps, latency.atMaxSustained].filter((p): p is PhaseResult => p !== undefined);
  const max = endToEnd.maxSustainedPerSecond;
  const lines = [
    renderPhaseRows(phases),
    '',
    `Max sustained end to end: ${max === null ? 'none of the steps' : `${formatInt(max)} readings/s`}` +
      (endToEnd.maxIsLowerBound ? ' (a lower bound: the server did not fail; the steps or the load generator ran out first)' : ''),
    wrap(endToEnd.definition),
    '',
    'Latency, publish -> socket.io receipt, across all walls:',
    ...[latency.at1000, latency.atMaxSustained].filter((p): p is PhaseResult => p !== undefined).map((p) => `  ${renderLatency(p.label, p)}`),
    '',
    `Server RSS (VmRSS of pid ${report.serverPid ?? '?'}): before load ${formatMiB(serverRss.beforeLoadBytes)}, after load ${formatMiB(serverRss.afterLoadBytes)}`,
  ];
  if (max !== null && baselines.aedes && baselines.influx) {
    lines.push(
      `Ratios: end to end / raw Aedes = ${formatInt(max)} / ${formatInt(baselines.aedes.receivedPerSecond)} = ${ratios.endToEndVsRawAedes}; ` +
        `end to end / raw InfluxDB = ${formatInt(max)} / ${formatInt(baselines.influx.pointsPerSecond)} = ${ratios.endToEndVsRawInflux}`,
    );
  }
  lines.push('Targets:', renderTargets(report.targets));
  return lines.join('\n');
}

/**
 * The adapter step: each family's ladder, its max sustained rate and its ratio to the native path;
 * `nativeSteps` in the table too when no summary shows them (`--only adapters`).
 */
export function renderAdapterStep(step: AdapterStep, nativeSteps: readonly PhaseResult[] = []): string {
  const native = step.nativeMaxSustainedPerSecond;
  const lines = [renderPhaseRows([...nativeSteps, ...step.ladders.flatMap((l) => l.steps)]), ''];
  lines.push(
    `Native max sustained in this run: ${native === null ? 'none of the steps' : `${formatInt(native)} readings/s`}${step.nativeMaxIsLowerBound ? ' (a lower bound)' : ''}`,
  );
  for (const ladder of step.ladders) {
    const max = ladder.maxSustainedPerSecond;
    const ratio = ladder.ratioToNative;
    lines.push(
      `${ladder.shape.padEnd(9)} max sustained ${max === null ? 'none of the steps' : `${formatInt(max)} readings/s`}${ladder.maxIsLowerBound ? ' (a lower bound)' : ''}; ` +
        `ratio to native ${ratio === null ? 'n/a' : `${ratio}`} (goal >= ${step.goalRatio}: ${ratio === null ? 'n/a' : ratio >= step.goalRatio ? 'MET' : 'NOT MET'})`,
    );
    lines.push(`          payload: ${ladder.payloadExample}`);
  }
  return lines.join('\n');
}

function wrap(text: string, width = 110): string {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current && current.length + word.length + 1 > width) {
      lines.push(current);
      current = word;
    } else {
      current = current ? `${current} ${word}` : word;
    }
  }
  if (current) lines.push(current);
  return lines.map((l) => `  ${l}`).join('\n');
}
