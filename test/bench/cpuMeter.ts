/**
 * CPU used by each process of the benchmark over a phase, and by everything else on the machine
 * meanwhile. The bench, the server and influxd share two cores, so a phase's figures only mean
 * something next to who was busy: a main thread near 100 % is the bottleneck.
 */
import { cpuTimes, machineCpuSeconds, type CpuTimes } from './procStats';

export interface WatchedProcess {
  label: string;
  pid: number;
}

/** Percent of one core; 200 % is both cores of a 2-core machine. */
export interface ProcessCpuShare {
  label: string;
  pid: number;
  processPercent: number;
  mainThreadPercent: number;
}

export interface CpuReport {
  wallSeconds: number;
  processes: ProcessCpuShare[];
  /** Busy time of the whole machine, percent of one core. */
  machineBusyPercent: number;
  /** Machine busy time not used by the watched processes: other workloads on a shared machine. */
  otherBusyPercent: number;
}

interface Reading {
  atMs: number;
  machineBusySeconds: number;
  times: Map<number, CpuTimes>;
}

export class CpuMeter {
  private start: Reading | undefined;

  constructor(private readonly processes: () => readonly WatchedProcess[]) {}

  begin(): void {
    this.start = this.read();
  }

  end(): CpuReport {
    const start = this.start;
    if (!start) throw new Error('CpuMeter.end() without begin()');
    const finish = this.read();
    const wallSeconds = (finish.atMs - start.atMs) / 1000;
    const percent = (seconds: number): number => (wallSeconds > 0 ? (100 * seconds) / wallSeconds : 0);
    const processes: ProcessCpuShare[] = [];
    let watchedSeconds = 0;
    for (const { label, pid } of this.processes()) {
      const before = start.times.get(pid);
      const after = finish.times.get(pid);
      if (!before || !after) continue;
      const processSeconds = after.processSeconds - before.processSeconds;
      watchedSeconds += processSeconds;
      processes.push({
        label,
        pid,
        processPercent: round1(percent(processSeconds)),
        mainThreadPercent: round1(percent(after.mainThreadSeconds - before.mainThreadSeconds)),
      });
    }
    const machineBusySeconds = finish.machineBusySeconds - start.machineBusySeconds;
    return {
      wallSeconds: round1(wallSeconds),
      processes,
      machineBusyPercent: round1(percent(machineBusySeconds)),
      otherBusyPercent: round1(Math.max(0, percent(machineBusySeconds - watchedSeconds))),
    };
  }

  private read(): Reading {
    const times = new Map<number, CpuTimes>();
    for (const { pid } of this.processes()) {
      const t = cpuTimes(pid);
      if (t) times.set(pid, t);
    }
    return { atMs: Date.now(), machineBusySeconds: machineCpuSeconds().busySeconds, times };
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
