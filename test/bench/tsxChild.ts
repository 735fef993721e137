/**
 * A TypeScript script run as a child process through node_modules/.bin/tsx, the way `npm start`
 * runs the server. tsx is a wrapper that starts a second node process for the script, so the
 * wrapper's pid is not the one to measure: the script's node process is found under it in /proc.
 * Every child is killed when the bench exits, however it exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { descendants, processAlive } from './procStats';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
const TSX_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const MAX_KEPT_LINES = 200;

export interface TsxChildOptions {
  /** Shown in errors and in the report. */
  name: string;
  /** Relative to the repository root. */
  script: string;
  args?: string[];
  /** Flags for the script's node process, before the script (e.g. --cpu-prof, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

const running = new Set<TsxChild>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort for a bench that dies without its cleanup (uncaught error, process.exit).
  process.once('exit', () => {
    for (const child of running) child.killNow();
  });
}

export class TsxChild {
  /** The node process that runs the script (not the tsx wrapper). */
  scriptPid = 0;
  private readonly lines: string[] = [];
  private partialLine = '';
  private exitedWith: string | undefined;
  readonly exited: Promise<string>;

  private constructor(
    readonly name: string,
    private readonly wrapper: ChildProcess,
  ) {
    const collect = (chunk: Buffer): void => this.collect(chunk.toString());
    wrapper.stdout?.on('data', collect);
    wrapper.stderr?.on('data', collect);
    this.exited = new Promise((resolve) => {
      wrapper.once('exit', (code, signal) => {
        this.exitedWith = signal ? `signal ${signal}` : `exit code ${code}`;
        running.delete(this);
        resolve(this.exitedWith);
      });
      wrapper.once('error', (error) => {
        this.exitedWith = `spawn failed: ${error.message}`;
        running.delete(this);
        resolve(this.exitedWith);
      });
    });
  }

  static async start(options: TsxChildOptions): Promise<TsxChild> {
    installExitHook();
    const wrapper = spawn(TSX_BIN, [...(options.nodeArgs ?? []), options.script, ...(options.args ?? [])], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      // Same process group as the bench: a Ctrl-C in the terminal reaches the children too, so
      // nothing survives even if the bench's own cleanup never runs.
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = new TsxChild(options.name, wrapper);
    running.add(child);
    try {
      child.scriptPid = await child.findScriptProcess();
    } catch (error) {
      await child.stop();
      throw error;
    }
    return child;
  }

  get hasExited(): boolean {
    return this.exitedWith !== undefined;
  }

  get exitDescription(): string | undefined {
    return this.exitedWith;
  }

  /** Lines the child printed (bounded), for the report and for error messages. */
  outputLines(): string[] {
    return this.partialLine ? [...this.lines, this.partialLine] : [...this.lines];
  }

  /** SIGTERM (tsx relays it to the script, which can then flush); SIGKILL after the grace period. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.hasExited) {
      this.wrapper.kill('SIGTERM');
      // Cancelled once the child exits: a pending grace timer would keep the bench alive after its work.
      const graceOver = new AbortController();
      const outcome = await Promise.race([
        this.exited,
        delay(graceMs, 'grace period over' as const, { signal: graceOver.signal }).catch(() => 'cancelled' as const),
      ]);
      graceOver.abort();
      if (outcome === 'grace period over') this.killNow();
      await this.exited;
    }
    // The wrapper can be gone while the script lives on (wrapper killed hard); it must not linger.
    if (this.scriptPid > 0 && processAlive(this.scriptPid)) {
      process.kill(this.scriptPid, 'SIGKILL');
      for (let i = 0; i < 50 && processAlive(this.scriptPid); i++) await delay(20);
    }
  }

  killNow(): void {
    if (this.scriptPid > 0 && processAlive(this.scriptPid)) process.kill(this.scriptPid, 'SIGKILL');
    if (!this.hasExited) this.wrapper.kill('SIGKILL');
  }

  private async findScriptProcess(): Promise<number> {
    const wrapperPid = this.wrapper.pid;
    if (wrapperPid === undefined) throw new Error(`${this.name}: could not spawn ${TSX_BIN}: ${await this.exited}`);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (this.hasExited) throw new Error(`${this.name} exited during start-up (${this.exitedWith})\n${this.outputLines().join('\n')}`);
      // The deepest node under the wrapper runs the script; the wrapper itself is node too.
      const nodes = descendants(wrapperPid).filter((p) => p.comm === 'node');
      const script = nodes.at(-1);
      if (script) return script.pid;
      await delay(50);
    }
    throw new Error(`${this.name}: no node process appeared under the tsx wrapper (pid ${wrapperPid}) within 15 s`);
  }

  private collect(text: string): void {
    const parts = (this.partialLine + text).split('\n');
    this.partialLine = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() === '') continue;
      this.lines.push(line);
      if (this.lines.length > MAX_KEPT_LINES) this.lines.shift();
    }
  }
}
