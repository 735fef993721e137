/**
 * The Showfloor server under test, started as `npm start` would: tsx server/main.ts in a child
 * process, configured by environment variables and a generated YAML file.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { hashPasswordSync } from '../../broker/passwordHash';
import { freePorts } from '../../server/net/freePorts';
import { REPO_ROOT, TsxChild } from './tsxChild';

/**
 * The node flags of package.json's `start` script (`tsx --max-semi-space-size=32 server/main.ts`),
 * so the bench's server runs as `npm start` runs it.
 */
export function startScriptNodeFlags(): string[] {
  const manifest: unknown = JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8'));
  const start = (manifest as { scripts?: { start?: unknown } }).scripts?.start;
  if (typeof start !== 'string') return [];
  const words = start.split(/\s+/).slice(1);
  const script = words.findIndex((word) => !word.startsWith('--'));
  return script < 0 ? words : words.slice(0, script);
}

export interface BenchBooth {
  id: string;
  name: string;
  password: string;
  /** `booths[].adapters` (issue 11); native only when absent. */
  adapters?: readonly string[];
}

export interface ShowfloorProcessOptions {
  booths: readonly BenchBooth[];
  influxUrl: string;
  database: string;
  /** Where the YAML is written. */
  directory: string;
  /** Turns the technician console on with this password. */
  consolePassword?: string;
  /** More top-level YAML for the settings file (e.g. a `storage:` section with a spoolDir). */
  extraYaml?: string;
  /** Flags for the server's node process (e.g. `--cpu-prof` for a profile). */
  nodeArgs?: string[];
}

/** The part of GET /api/health the bench reads. */
export interface HealthCounters {
  received: number;
  accepted: number;
  rejectedTotal: number;
  written: number;
  dropped: number;
  pending: number;
}

export interface Health {
  counters: HealthCounters;
  live: { walls: number; droppedLiveReadings: number; evictedDevices: number };
  broker: { clients: number };
}

export class ShowfloorProcess {
  private constructor(
    readonly child: TsxChild,
    readonly httpUrl: string,
    readonly mqttUrl: string,
  ) {}

  static async start(options: ShowfloorProcessOptions): Promise<ShowfloorProcess> {
    const configPath = join(options.directory, 'showfloor-bench.yaml');
    const booths = options.booths
      .map(
        (b) =>
          `  - id: ${b.id}\n    name: ${JSON.stringify(b.name)}\n    passwordHash: ${JSON.stringify(hashPasswordSync(b.password))}\n` +
          (b.adapters ? `    adapters: [${b.adapters.join(', ')}]\n` : ''),
      )
      .join('');
    const consoleSection = options.consolePassword ? `console:\n  passwordHash: ${JSON.stringify(hashPasswordSync(options.consolePassword))}\n` : '';
    // The spool is on by default with InfluxDB (data/spool in the working directory, here the repository):
    // a run of its own in the bench directory unless the step sets storage itself.
    const extraYaml = options.extraYaml ?? '';
    const storage = /^storage:/m.test(extraYaml) ? '' : `storage:\n  spoolDir: ${JSON.stringify(join(options.directory, 'spool'))}\n`;
    await writeFile(configPath, `booths:\n${booths}${consoleSection}${storage}${extraYaml}`);
    const [httpPort, mqttPort] = (await freePorts(2)) as [number, number];
    const child = await TsxChild.start({
      name: 'Showfloor server',
      script: 'server/main.ts',
      nodeArgs: [...startScriptNodeFlags(), ...(options.nodeArgs ?? [])],
      env: {
        HTTP_PORT: String(httpPort),
        HTTP_HOST: '127.0.0.1',
        MQTT_PORT: String(mqttPort),
        MQTT_HOST: '127.0.0.1',
        INFLUX_URL: options.influxUrl,
        INFLUX_API: 'v1',
        INFLUX_BUCKET: options.database,
        SHOWFLOOR_CONFIG: configPath,
        LOG_LEVEL: 'warn',
      },
    });
    const server = new ShowfloorProcess(child, `http://127.0.0.1:${httpPort}`, `mqtt://127.0.0.1:${mqttPort}`);
    try {
      await server.waitUntilHealthy(30_000);
    } catch (error) {
      await child.stop(5_000);
      throw error;
    }
    return server;
  }

  get pid(): number {
    return this.child.scriptPid;
  }

  async health(timeoutMs = 5_000): Promise<Health> {
    const response = await fetch(`${this.httpUrl}/api/health`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`/api/health answered ${response.status}`);
    return (await response.json()) as Health;
  }

  stop(): Promise<void> {
    return this.child.stop(15_000);
  }

  private async waitUntilHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (this.child.hasExited) {
        throw new Error(`the server exited during start-up (${this.child.exitDescription}):\n${this.child.outputLines().join('\n')}`);
      }
      try {
        await this.health(1_000);
        return;
      } catch (error) {
        last = (error as Error).message;
      }
      await delay(100);
    }
    throw new Error(`the server did not answer /api/health within ${timeoutMs} ms (last: ${last})`);
  }
}
