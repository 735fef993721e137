import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findInfluxdBinary, influxdBinaryLookup, startLocalInfluxd, type LocalInfluxd } from '../../server/influxd/LocalInfluxd';
import { describeRequiring, missingBinaryMessage, type SuiteRequirement } from './requiredBinary';

const influxdRequirement: SuiteRequirement = {
  name: 'influxd',
  lookup: influxdBinaryLookup,
  installHint: 'install it with `apt-get install influxdb` (Debian, InfluxDB 1.6.7)',
};

/** Path of the influxd binary (INFLUXD_BIN, else PATH, else /usr/bin/influxd), or undefined. */
export function influxdBinary(): string | undefined {
  return findInfluxdBinary();
}

export function influxdAvailable(): boolean {
  return influxdBinary() !== undefined;
}

/**
 * `describe` for suites that start influxd: skipped with a warning when influxd
 * is missing on a developer machine, failing when CI is set.
 */
export function describeWithInfluxd(suiteName: string, defineSuite: () => void): void {
  describeRequiring(influxdRequirement, suiteName, defineSuite);
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface InfluxStatementResult {
  statement_id: number;
  series?: InfluxSeries[];
  error?: string;
  messages?: Array<{ level: string; text: string }>;
}

export interface InfluxQueryResponse {
  results: InfluxStatementResult[];
}

export interface InfluxdProcess {
  /** http://127.0.0.1:PORT, the HTTP API (/ping, /write, /query). */
  readonly url: string;
  readonly httpPort: number;
  /** Backup/restore RPC port; only allocated so that instances don't collide on 8088. */
  readonly rpcPort: number;
  /** Temp directory holding the config, meta, data and wal; removed by dispose(). */
  readonly directory: string;
  /** Whether the child process is currently running. */
  readonly running: boolean;
  /** SIGTERM, wait for exit; SIGKILL if it has not exited after the stop deadline. */
  stop(): Promise<void>;
  /** Stops (if running) and starts again on the same ports and directories, so written data survives. */
  restart(): Promise<void>;
  /** Runs InfluxQL with epoch=ms; throws on HTTP errors and on any statement error. */
  query(influxql: string, db?: string): Promise<InfluxQueryResponse>;
  /** Rows of every series of every statement as objects, tags merged in. */
  queryRows(influxql: string, db?: string): Promise<Array<Record<string, unknown>>>;
  /** POST /write; throws unless influxd answers 204. */
  write(db: string, lines: string | readonly string[], precision?: 'ns' | 'u' | 'ms' | 's'): Promise<void>;
  createDatabase(name: string): Promise<void>;
  /** Last lines influxd printed, for failure messages. */
  outputTail(lines?: number): string;
  /** stop() and remove the temp directory. Safe to call twice. */
  dispose(): Promise<void>;
}

export interface StartInfluxdOptions {
  /** Deadline for /ping to answer 204 after spawning. Default 20 000. */
  startTimeoutMs?: number;
  /** Grace period after SIGTERM before SIGKILL. Default 10 000. */
  stopTimeoutMs?: number;
  /**
   * Extra `[data]` settings of influxd's config, e.g. `{ 'max-values-per-tag': 300 }`, so a test can
   * reach InfluxDB's limits with hundreds of lines instead of the defaults' hundred thousand.
   */
  dataSettings?: Readonly<Record<string, number | string | boolean>>;
}

/**
 * Starts a private influxd 1.6 in a fresh temp directory on free loopback
 * ports and resolves once /ping answers 204. Several can run side by side.
 */
export async function startInfluxd(options: StartInfluxdOptions = {}): Promise<InfluxdProcess> {
  const binary = influxdBinary();
  if (binary === undefined) throw new Error(missingBinaryMessage(influxdRequirement));

  const directory = await mkdtemp(join(tmpdir(), 'showfloor-influxd-'));
  try {
    const server = await startLocalInfluxd(directory, {
      binary,
      // Same process group as the test worker, so a Ctrl-C'd test run takes influxd down with it.
      separateProcessGroup: false,
      startTimeoutMs: options.startTimeoutMs,
      stopTimeoutMs: options.stopTimeoutMs,
      dataSettings: options.dataSettings,
    });
    return new TestInfluxd(server);
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
}

/** LocalInfluxd plus the query helpers tests need; methods are bound so they can be passed around. */
class TestInfluxd implements InfluxdProcess {
  readonly url: string;
  readonly httpPort: number;
  readonly rpcPort: number;
  readonly directory: string;
  private disposed = false;

  constructor(private readonly server: LocalInfluxd) {
    this.url = server.url;
    this.httpPort = server.httpPort;
    this.rpcPort = server.rpcPort;
    this.directory = server.directory;
  }

  get running(): boolean {
    return this.server.running;
  }

  stop = (): Promise<void> => this.server.stop();

  restart = async (): Promise<void> => {
    await this.server.stop();
    if (this.disposed) throw new Error(`influxd on ${this.url} was disposed`);
    await this.server.start();
  };

  query = async (influxql: string, db?: string): Promise<InfluxQueryResponse> => {
    const form = new URLSearchParams({ q: influxql, epoch: 'ms' });
    if (db !== undefined) form.set('db', db);
    // POST, not GET: influxd 1.x answers CREATE/DROP/SELECT INTO sent by GET
    // with a deprecation warning, and POST works for every statement.
    const response = await fetch(`${this.url}/query`, { method: 'POST', body: form });
    const bodyText = await response.text();
    let body: (Partial<InfluxQueryResponse> & { error?: string }) | undefined;
    try {
      body = JSON.parse(bodyText) as Partial<InfluxQueryResponse> & { error?: string };
    } catch {
      body = undefined;
    }
    if (!response.ok || body === undefined || body.error !== undefined || !Array.isArray(body.results)) {
      throw new Error(`influxd query failed (HTTP ${response.status}): ${influxql}\n${bodyText.slice(0, 2_000)}`);
    }
    const failed = body.results.filter((result) => result.error !== undefined);
    if (failed.length > 0) {
      const reasons = failed.map((result) => `statement ${result.statement_id}: ${result.error}`).join('; ');
      throw new Error(`influxd query failed: ${influxql}\n${reasons}`);
    }
    return { results: body.results };
  };

  queryRows = async (influxql: string, db?: string): Promise<Array<Record<string, unknown>>> => {
    const { results } = await this.query(influxql, db);
    return results.flatMap((result) =>
      (result.series ?? []).flatMap((series) =>
        series.values.map((values) => {
          const row: Record<string, unknown> = { ...series.tags };
          series.columns.forEach((column, index) => {
            row[column] = values[index];
          });
          return row;
        }),
      ),
    );
  };

  write = async (db: string, lines: string | readonly string[], precision: 'ns' | 'u' | 'ms' | 's' = 'ms'): Promise<void> => {
    const params = new URLSearchParams({ db, precision });
    const body = typeof lines === 'string' ? lines : lines.join('\n');
    const response = await fetch(`${this.url}/write?${params}`, { method: 'POST', body });
    if (response.status !== 204) {
      throw new Error(`influxd write to ${db} failed (HTTP ${response.status}): ${(await response.text()).slice(0, 2_000)}`);
    }
  };

  createDatabase = async (name: string): Promise<void> => {
    await this.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  };

  outputTail = (lines = 40): string => this.server.outputTail(lines);

  dispose = async (): Promise<void> => {
    this.disposed = true;
    await this.server.stop();
    await rm(this.directory, { recursive: true, force: true });
  };
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
