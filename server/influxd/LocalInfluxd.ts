import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, unlinkSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { findExecutable } from './findExecutable';
import { freePorts } from '../net/freePorts';

/**
 * Where influxd is looked for. The test support's skip-or-fail logic searches
 * with the same rule, so the demo and the tests agree on whether it exists.
 */
export const influxdBinaryLookup = {
  command: 'influxd',
  /** When set, the only place looked at; pointing it at a missing path simulates a machine without influxd. */
  overrideEnvVar: 'INFLUXD_BIN',
  /** Where Debian installs it, in case PATH is minimal (sudo, cron). */
  fallbackPaths: ['/usr/bin/influxd'],
} as const;

/** Absolute path of influxd (INFLUXD_BIN, else PATH, else /usr/bin/influxd), or undefined. */
export function findInfluxdBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findExecutable(influxdBinaryLookup, env);
}

export interface LocalInfluxdTuning {
  /** Deadline for /ping to answer 204 after spawning. Default 20 000. */
  startTimeoutMs?: number;
  /** Grace period after SIGTERM before SIGKILL. Default 10 000. */
  stopTimeoutMs?: number;
  /**
   * Default true: influxd gets its own session, so a Ctrl-C in the terminal
   * reaches only this process, which can flush its writes before calling
   * stop(). With false, Ctrl-C also interrupts influxd directly, which is
   * what a test run wants: an interrupted run then cannot leave it behind.
   */
  separateProcessGroup?: boolean;
  /** Called when influxd exits after a successful start() without stop() having been asked for. */
  onUnexpectedExit?: (error: Error) => void;
  /** Extra `[data]` settings, e.g. `{ 'max-values-per-tag': 300 }`: tests that need InfluxDB's limits small. */
  dataSettings?: Readonly<Record<string, number | string | boolean>>;
}

export interface LocalInfluxdOptions extends LocalInfluxdTuning {
  binary: string;
  /** Holds the generated config, meta, data and wal; created if missing and reused as is. */
  directory: string;
  httpPort: number;
  /** Backup/restore RPC port; only chosen so that instances don't collide on 8088. */
  rpcPort: number;
}

export interface StartLocalInfluxdOptions extends LocalInfluxdTuning {
  /** Default: findInfluxdBinary(). */
  binary?: string;
}

/**
 * Starts influxd 1.x with its files under `directory` (created if missing,
 * kept afterwards) on free loopback ports, and resolves once /ping answers 204.
 */
export async function startLocalInfluxd(directory: string, options: StartLocalInfluxdOptions = {}): Promise<LocalInfluxd> {
  const { binary = findInfluxdBinary(), ...tuning } = options;
  if (binary === undefined) {
    const { overrideEnvVar, fallbackPaths } = influxdBinaryLookup;
    throw new Error(
      `influxd not found (looked in ${overrideEnvVar}, PATH and ${fallbackPaths.join(', ')}); ` +
        'install InfluxDB 1.x (Debian: `apt-get install influxdb`) or set INFLUXD_BIN',
    );
  }
  // freePorts() releases the ports before influxd binds them, so another
  // process can occasionally win the race; a fresh pair of ports fixes that.
  const maxAttempts = 3;
  for (let attempt = 1; ; attempt++) {
    const [httpPort, rpcPort] = (await freePorts(2)) as [number, number];
    const influxd = new LocalInfluxd({ ...tuning, binary, directory, httpPort, rpcPort });
    try {
      await influxd.start();
      return influxd;
    } catch (error) {
      if (attempt >= maxAttempts || !influxd.outputTail().includes('address already in use')) throw error;
    }
  }
}

interface ExitOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: Error;
}

/** One spawned influxd process, from spawn until it has exited and released the directory. */
interface InfluxdRun {
  child: ChildProcess;
  finished: Promise<ExitOutcome>;
  stopRequested: boolean;
  startupComplete: boolean;
}

/**
 * Children that must not outlive this process if it exits without stop(),
 * with the lock file each one holds.
 */
const liveChildren = new Map<ChildProcess, string>();
let exitHookInstalled = false;

function trackChild(child: ChildProcess, lockPath: string): void {
  liveChildren.set(child, lockPath);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [orphan, orphanLockPath] of liveChildren) {
      orphan.kill('SIGKILL');
      releaseDirectorySync(orphanLockPath, orphan.pid);
    }
  });
}

/** Keeps the last part of a child's output in memory for error messages. */
class OutputTail {
  private text = '';
  constructor(private readonly maxChars: number) {}

  append(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > this.maxChars) this.text = this.text.slice(-this.maxChars);
  }

  lastLines(count: number): string {
    return this.text.trimEnd().split('\n').slice(-count).join('\n');
  }
}

/**
 * One influxd on fixed ports and a fixed directory. It can be stopped and
 * started again any number of times; data written survives because the
 * directory is never cleaned.
 */
export class LocalInfluxd {
  /** http://127.0.0.1:PORT, the HTTP API (/ping, /write, /query). */
  readonly url: string;
  readonly httpPort: number;
  readonly rpcPort: number;
  /** Absolute. */
  readonly directory: string;
  readonly configPath: string;
  private readonly lockPath: string;
  private readonly binary: string;
  private readonly startTimeoutMs: number;
  private readonly stopTimeoutMs: number;
  private readonly separateProcessGroup: boolean;
  private readonly onUnexpectedExit: ((error: Error) => void) | undefined;
  private readonly dataSettings: Readonly<Record<string, number | string | boolean>>;
  private readonly output = new OutputTail(64 * 1024);
  private run: InfluxdRun | undefined;
  private starting = false;
  private stopping: Promise<void> | undefined;

  constructor(options: LocalInfluxdOptions) {
    this.binary = options.binary;
    this.directory = resolve(options.directory);
    this.httpPort = options.httpPort;
    this.rpcPort = options.rpcPort;
    this.url = `http://127.0.0.1:${options.httpPort}`;
    this.configPath = join(this.directory, 'influxd.toml');
    this.lockPath = join(this.directory, 'influxd.pid');
    this.startTimeoutMs = options.startTimeoutMs ?? 20_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.separateProcessGroup = options.separateProcessGroup ?? true;
    this.onUnexpectedExit = options.onUnexpectedExit;
    this.dataSettings = options.dataSettings ?? {};
  }

  /** Whether the child process is currently running (also while start() waits for /ping). */
  get running(): boolean {
    return this.run !== undefined;
  }

  /**
   * Writes the config, spawns influxd and resolves once /ping answers 204.
   * Rejects with influxd's last output when it exits or misses the deadline;
   * it is then no longer running.
   */
  async start(): Promise<void> {
    if (this.run || this.starting) throw new Error(`influxd on ${this.url} is already running`);
    this.starting = true;
    let run: InfluxdRun;
    try {
      await mkdir(this.directory, { recursive: true });
      await claimDirectory(this.lockPath, this.directory, this.configPath);
      try {
        await writeFile(this.configPath, influxdConfig(this.directory, this.httpPort, this.rpcPort, this.dataSettings));
        run = this.spawnChild();
      } catch (error) {
        await releaseDirectory(this.lockPath, process.pid);
        throw error;
      }
    } finally {
      this.starting = false;
    }
    await this.waitUntilReady(run);
    run.startupComplete = true;
  }

  private spawnChild(): InfluxdRun {
    const child = spawn(this.binary, ['-config', this.configPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: environmentWithoutInfluxOverrides(),
      detached: this.separateProcessGroup,
    });
    trackChild(child, this.lockPath);
    child.stdout?.on('data', (chunk: Buffer) => this.output.append(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.output.append(chunk));
    const exited = new Promise<ExitOutcome>((resolve) => {
      // 'close' rather than 'exit': it waits for stdio to drain, so the output tail holds the fatal message.
      child.once('close', (code, signal) => resolve({ code, signal }));
      child.once('error', (spawnError) => resolve({ code: null, signal: null, spawnError }));
    });
    // Recorded so that a second demo, or this one restarted after being
    // killed hard, refuses to share the directory with a surviving influxd.
    const pidRecorded = child.pid === undefined ? Promise.resolve() : recordDirectoryOwner(this.lockPath, child.pid);
    const run: InfluxdRun = {
      child,
      stopRequested: false,
      startupComplete: false,
      finished: exited.then(async (outcome) => {
        liveChildren.delete(child);
        await pidRecorded.catch(() => undefined);
        await releaseDirectory(this.lockPath, child.pid ?? process.pid);
        if (this.run === run) this.run = undefined;
        if (run.startupComplete && !run.stopRequested) this.reportUnexpectedExit(outcome);
        return outcome;
      }),
    };
    this.run = run;
    return run;
  }

  private async waitUntilReady(run: InfluxdRun): Promise<void> {
    const startupOver = new AbortController();
    const ready = pollUntilPingAnswers(this.url, this.startTimeoutMs, startupOver.signal);
    // Whichever loses the race below must not surface as an unhandled rejection.
    ready.catch(() => undefined);
    let outcome: 'ready' | ExitOutcome;
    try {
      outcome = await Promise.race([ready.then(() => 'ready' as const), run.finished]);
    } catch (error) {
      await this.stop();
      throw new Error(`influxd did not become ready: ${error instanceof Error ? error.message : String(error)}\n${this.outputSection()}`, { cause: error });
    } finally {
      startupOver.abort(new Error('influxd startup finished'));
    }
    if (outcome === 'ready') return;
    const reason = run.stopRequested ? 'stop() was called during startup' : describeExit(outcome);
    throw new Error(`influxd exited during startup (${reason}); config ${this.configPath}\n${this.outputSection()}`);
  }

  private reportUnexpectedExit(outcome: ExitOutcome): void {
    const onUnexpectedExit = this.onUnexpectedExit;
    if (!onUnexpectedExit) return;
    const error = new Error(`influxd on ${this.url} exited unexpectedly (${describeExit(outcome)})\n${this.outputSection()}`);
    // Outside the exit bookkeeping, so a throwing callback cannot leave stop() or start() hanging on a rejected promise.
    queueMicrotask(() => onUnexpectedExit(error));
  }

  /** SIGTERM, wait for exit; SIGKILL if it has not exited after the stop deadline. Resolves at once when not running. */
  stop(): Promise<void> {
    this.stopping ??= this.terminate().finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  private async terminate(): Promise<void> {
    const run = this.run;
    if (!run) return;
    run.stopRequested = true;
    run.child.kill('SIGTERM');
    const graceOver = new AbortController();
    const outcome = await Promise.race([run.finished, delay(this.stopTimeoutMs, 'grace period over' as const, { signal: graceOver.signal })]);
    graceOver.abort();
    if (outcome === 'grace period over') {
      run.child.kill('SIGKILL');
      await run.finished;
    }
  }

  /** Stops (if running) and starts again on the same ports and directory. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** Last lines influxd printed, across restarts, for error messages and logs. */
  outputTail(lines = 40): string {
    return this.output.lastLines(lines);
  }

  private outputSection(): string {
    return `--- influxd output (tail) ---\n${this.outputTail() || '(nothing printed)'}`;
  }
}

/** Resolves once GET /ping answers 204; rejects at the deadline naming the last thing observed. */
async function pollUntilPingAnswers(url: string, timeoutMs: number, cancel: AbortSignal): Promise<void> {
  const startedAt = Date.now();
  const deadline = startedAt + timeoutMs;
  let attempts = 0;
  let lastObserved = 'no attempt finished';
  for (;;) {
    cancel.throwIfAborted();
    attempts++;
    const requestBudgetMs = Math.min(2_000, Math.max(deadline - Date.now(), 1));
    // A hung request (influxd accepting but not answering yet) must not hold the wait past its deadline.
    const timeout = AbortSignal.timeout(requestBudgetMs);
    try {
      const response = await fetch(`${url}/ping`, { signal: AbortSignal.any([cancel, timeout]) });
      await response.body?.cancel();
      if (response.status === 204) return;
      lastObserved = `HTTP ${response.status}`;
    } catch (error) {
      cancel.throwIfAborted();
      // A last request cut short by the deadline says nothing; what came before (ECONNREFUSED...) does.
      const cutShortByDeadline = timeout.aborted && requestBudgetMs < 2_000 && attempts > 1;
      if (!cutShortByDeadline) lastObserved = describeFetchFailure(error);
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `Timed out after ${Date.now() - startedAt} ms (limit ${timeoutMs} ms, ${attempts} attempts) ` +
          `waiting for influxd /ping on ${url} to answer 204; last observed: ${lastObserved}`,
      );
    }
    await delay(Math.min(25, deadline - Date.now()), undefined, { signal: cancel }).catch(() => undefined);
  }
}

function describeFetchFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch() hides the useful part (ECONNREFUSED...) in `cause`.
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.name}: ${error.message}${cause}`;
}

function describeExit({ code, signal, spawnError }: ExitOutcome): string {
  if (spawnError) return `spawn failed: ${spawnError.message}`;
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

/** influxd maps INFLUXDB_* variables onto config keys; a stray one must not override the generated config. */
function environmentWithoutInfluxOverrides(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('INFLUXDB_')));
}

/*
 * influxd 1.x does not lock its directories: a second instance on the same
 * files starts happily and the two corrupt each other's shards. The lock file
 * holds the pid of whoever uses the directory: this process while it starts
 * influxd, then influxd itself, because influxd can outlive a parent killed
 * with SIGKILL.
 */

async function claimDirectory(lockPath: string, directory: string, configPath: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw error;
    }
    const holder = parsePid(await readFile(lockPath, 'utf8').catch(() => ''));
    if (holder !== undefined && mayHoldDirectory(holder, configPath)) {
      throw new Error(
        `${directory} is in use by process ${holder} (an influxd from an earlier run, or another demo). ` +
          `Stop it, or delete ${lockPath} if that process is not influxd.`,
      );
    }
    await rm(lockPath, { force: true });
  }
}

async function recordDirectoryOwner(lockPath: string, pid: number): Promise<void> {
  // Written aside and renamed so that a reader never sees a half-written pid.
  const pendingPath = `${lockPath}.${process.pid}`;
  await writeFile(pendingPath, `${pid}\n`);
  await rename(pendingPath, lockPath);
}

/** Removes the lock only if it still names `pid`, so a lock taken by a later start survives. */
async function releaseDirectory(lockPath: string, pid: number): Promise<void> {
  const holder = parsePid(await readFile(lockPath, 'utf8').catch(() => ''));
  if (holder === pid || holder === process.pid) await rm(lockPath, { force: true });
}

function releaseDirectorySync(lockPath: string, pid: number | undefined): void {
  try {
    const holder = parsePid(readFileSync(lockPath, 'utf8'));
    if (holder === pid || holder === process.pid) unlinkSync(lockPath);
  } catch {
    // Already gone, or not ours to remove.
  }
}

function parsePid(text: string): number | undefined {
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * After a reboot the recorded pid can belong to anything. Where /proc shows
 * command lines, only influxd on this directory's config, or a Node process
 * between claiming the directory and spawning influxd, counts as the holder.
 */
function mayHoldDirectory(pid: number, configPath: string): boolean {
  if (!processExists(pid)) return false;
  let commandLine: string[];
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return true;
  }
  return commandLine.includes(configPath) || basename(commandLine[0] ?? '').startsWith('node');
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function influxdConfig(directory: string, httpPort: number, rpcPort: number, dataSettings: Readonly<Record<string, number | string | boolean>>): string {
  // JSON string syntax is valid TOML basic-string syntax, and escapes odd paths.
  const path = (name: string): string => JSON.stringify(join(directory, name));
  return `# Generated by server/influxd/LocalInfluxd.ts on every start; edits are overwritten.
reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = ${path('meta')}
  logging-enabled = false

[data]
  dir = ${path('data')}
  wal-dir = ${path('wal')}
  query-log-enabled = false
  trace-logging-enabled = false
${Object.entries(dataSettings)
  .map(([key, value]) => `  ${key} = ${JSON.stringify(value)}\n`)
  .join('')}
[coordinator]
  log-queries-after = "0s"

[retention]
  enabled = true

[shard-precreation]
  enabled = false

[monitor]
  # The _internal database would add shard writes every 10 s to every instance.
  store-enabled = false

[http]
  enabled = true
  bind-address = "127.0.0.1:${httpPort}"
  auth-enabled = false
  log-enabled = false
  write-tracing = false
  pprof-enabled = false
  https-enabled = false

[ifql]
  enabled = false

[subscriber]
  enabled = false

[continuous_queries]
  enabled = true
  log-enabled = false

[logging]
  level = "info"
  suppress-logo = true
`;
}
