/**
 * What the kernel says about a process: resident memory, CPU time, its children. Read from /proc
 * so every process in the benchmark (node, influxd, the bench itself) is measured the same way.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for utime/stime; almost always 100 on Linux, but asked rather than assumed. */
const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
})();

interface StatFields {
  comm: string;
  ppid: number;
  /** utime + stime, in seconds. */
  cpuSeconds: number;
}

/** Parses /proc/<pid>/stat; comm may contain spaces and parentheses, so fields are split after the last ')'. */
function readStat(path: string): StatFields | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const comm = text.slice(open + 1, close);
  // After ')': state(3) ppid(4) ... utime(14) stime(15); index 0 here is field 3.
  const fields = text.slice(close + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { comm, ppid: Number(fields[1]), cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND };
}

/** VmRSS of a live process in bytes, or undefined once it has gone. */
export function residentBytes(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

export interface CpuTimes {
  /** All threads: JavaScript, GC helpers, libuv pool, and for influxd every goroutine thread. */
  processSeconds: number;
  /** The main thread alone: for node, the event loop; near 1 s per wall second means it is saturated. */
  mainThreadSeconds: number;
}

export function cpuTimes(pid: number): CpuTimes | undefined {
  const whole = readStat(`/proc/${pid}/stat`);
  const main = readStat(`/proc/${pid}/task/${pid}/stat`);
  if (!whole || !main) return undefined;
  return { processSeconds: whole.cpuSeconds, mainThreadSeconds: main.cpuSeconds };
}

/** Busy and total jiffies of the whole machine, all cores, from the first line of /proc/stat. */
export function machineCpuSeconds(): { busySeconds: number; totalSeconds: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [, ...values] = line.trim().split(/\s+/);
  const ticks = values.map(Number);
  // user nice system idle iowait irq softirq steal ...; idle and iowait are the not-busy part.
  const total = ticks.slice(0, 8).reduce((sum, t) => sum + t, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busySeconds: (total - idle) / CLOCK_TICKS_PER_SECOND, totalSeconds: total / CLOCK_TICKS_PER_SECOND };
}

export interface ProcessEntry {
  pid: number;
  comm: string;
  cmdline: string;
}

/** Every live descendant of `rootPid`, parents before children. */
export function descendants(rootPid: number): ProcessEntry[] {
  const childrenOf = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(`/proc/${name}/stat`);
    if (!stat) continue;
    const siblings = childrenOf.get(stat.ppid) ?? [];
    siblings.push(Number(name));
    childrenOf.set(stat.ppid, siblings);
  }
  const found: ProcessEntry[] = [];
  const queue = [...(childrenOf.get(rootPid) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    const stat = readStat(`/proc/${pid}/stat`);
    if (!stat) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue;
    }
    found.push({ pid, comm: stat.comm, cmdline });
    queue.push(...(childrenOf.get(pid) ?? []));
  }
  return found;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
