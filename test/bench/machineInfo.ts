/** The machine the figures were measured on, so a reader can tell whether they apply to theirs. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  kernel: string;
  node: string;
  influxd: string;
  /** 1-minute load average when the bench started: other work on a shared machine skews everything. */
  loadAverageAtStart: number;
}

export function describeMachine(influxdBinary: string): MachineInfo {
  return {
    cpuModel: cpuModel(),
    cores: cpus().length,
    memoryBytes: totalmem(),
    kernel: readFirstLine('/proc/sys/kernel/osrelease'),
    node: process.version,
    influxd: influxdVersion(influxdBinary),
    loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

function cpuModel(): string {
  // Under a hypervisor the model can be as vague as "AMD EPYC"; the clock speed narrows it down.
  const model = cpus()[0]?.model?.trim() || 'unknown';
  const mhz = cpus()[0]?.speed;
  return mhz ? `${model} @ ${mhz} MHz` : model;
}

function influxdVersion(binary: string): string {
  try {
    return execFileSync(binary, ['version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch (error) {
    return `unknown (${(error as Error).message.split('\n')[0]})`;
  }
}

function readFirstLine(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n')[0]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
