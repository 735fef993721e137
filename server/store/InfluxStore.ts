/**
 * Stores accepted readings in InfluxDB through the official client's WriteApi (batching, gzip,
 * retries) and reads history back with InfluxQL on /query, the one read path every InfluxDB
 * version serves. v1 mode points the same WriteApi at /write for InfluxDB 1.x.
 */
import { HttpError, InfluxDB, setLogger, type WriteApi } from '@influxdata/influxdb-client';
import { performance } from 'node:perf_hooks';
import type { SpoolHealth } from '../../contract/console';
import type { BudgetRefusals } from '../budgets/BudgetRefusals';
import type { Logger } from '../logger';
import { PerSecondWindow } from '../stats/PerSecondWindow';
import { carriesNamedTag, lineSeries, readRefusal, refusesWholeSeries, seriesKey, type InfluxRefusal, type InfluxRefusalReason } from './influxRefusal';
import type { StoreCounters } from './StoreCounters';
import type { StoredDeviceBudget } from './StoredDeviceBudget';
import { MemoryBacklog } from './spool/MemoryBacklog';
import { SegmentLog } from './spool/SegmentLog';
import type { SpoolFiles } from './spool/SpoolFiles';
import { SpoolShipper, type ShipOutcome } from './spool/SpoolShipper';
import { telemetryLine, type StoredReading } from './telemetryLine';

export interface InfluxTarget {
  url: string;
  api: 'v2' | 'v1';
  token: string;
  org: string;
  /** v2: bucket name. v1: "database" or "database/retention-policy". */
  bucket: string;
}

export interface InfluxWriteTuning {
  batchSize: number;
  flushIntervalMs: number;
  maxBufferLines: number;
  maxRetryTimeMs: number;
  /** Gzip request bodies over 1 KiB; by default only when InfluxDB is not on this machine (see gzipThreshold). */
  gzip?: boolean;
}

export interface InfluxQlResult {
  series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[];
  error?: string;
}

/** One line InfluxDB refused, as the console and /api/health show it. */
export interface RefusedLine {
  booth: string;
  device: string;
  reason: InfluxRefusalReason;
  detail: string;
  at: number;
}

/** storage.* settings of the write-ahead spool (issue 13); `files` is the file-system seam for tests. */
export interface SpoolSettings {
  dir: string;
  syncIntervalMs: number;
  maxBytes: number;
  files?: SpoolFiles;
  /** Test seam: segment size (default 16 MiB, at most maxBytes / 8). */
  segmentBytes?: number;
}

/** Where a batch of refused lines is settled: counted at once (WriteApi path) or once the whole batch is (spool). */
interface SettleSink {
  written(n: number): void;
  refused(line: string, refusal: InfluxRefusal): void;
  resend(lines: string[]): Promise<'written' | 'requeued' | 'unavailable' | InfluxRefusal>;
  /** The spool sends the whole batch again later instead of counting what could not be settled as dropped. */
  retriesWhole: boolean;
}

/** Refused lines remembered for /api/health, newest last: enough to name the culprits, bounded. */
const RECENT_REFUSALS = 20;

export class InfluxStore {
  private readonly client: InfluxDB;
  private readonly writeApi: WriteApi;
  private readonly database: string;
  private readonly retentionPolicy: string | undefined;
  private closed = false;
  /** Set once close() has settled the counters; late client callbacks must not count twice. */
  private finalized = false;
  private readonly maxPendingLines: number;
  /**
   * Bodies above this many bytes are gzipped. Not for an InfluxDB on this machine (loopback): there
   * compressing costs both processes CPU (about 10 ms per 5,000-line batch at level 6, on the cores
   * ingest shares) to save bytes that never leave the host.
   */
  private readonly gzipThreshold: number;
  private lastOverloadWarning = 0;
  reachable = false;
  lastError: string | null = null;
  /** Round trip of every write request over the last minute, ms, failures included: how slow InfluxDB is now. */
  readonly writeRoundTrips = new PerSecondWindow(60);
  /** The last RECENT_REFUSALS lines InfluxDB refused, with their booth and device. */
  readonly recentRefusals: RefusedLine[] = [];
  private lastRefusalWarning = 0;
  /** Failed writes other than refusals (InfluxDB away, slow, 5xx): what makes close() stop waiting. */
  private unavailableFailures = 0;
  /**
   * With storage.spoolDir: readings go to the segment log on disk and are sent from there by the
   * shipper (the spool is the retry buffer, so the WriteApi is not used); the memory backlog takes
   * what the disk could not.
   */
  private readonly spool: { log: SegmentLog; memory: MemoryBacklog; shipper: SpoolShipper; settings: SpoolSettings } | null;

  constructor(
    readonly target: InfluxTarget,
    tuning: InfluxWriteTuning,
    private readonly counters: StoreCounters,
    private readonly log: Logger,
    /** Where a refused line is counted against its booth ('influx-refused-line'). */
    private readonly budgetRefusals: BudgetRefusals | null = null,
    /** Which devices may be written at all; lines of the others are left out (and counted there). */
    private readonly storedDevices: StoredDeviceBudget | null = null,
    spoolSettings: SpoolSettings | null = null,
  ) {
    // The client logs failures with stack traces on the console; ours are logged once, structured, below.
    setLogger({
      error: (message: string) => log.debug({ source: 'influxdb-client' }, message),
      warn: (message: string) => log.debug({ source: 'influxdb-client' }, message),
    });
    this.maxPendingLines = tuning.maxBufferLines;
    this.gzipThreshold = (tuning.gzip ?? !isLoopback(target.url)) ? 1024 : Number.POSITIVE_INFINITY;
    this.client = new InfluxDB({ url: target.url, token: target.token, timeout: 10_000 });
    this.timeWrites();
    const [database = target.bucket, retentionPolicy] = target.api === 'v1' ? target.bucket.split('/') : [target.bucket];
    this.database = database;
    this.retentionPolicy = retentionPolicy;
    this.writeApi = this.client.getWriteApi(target.org || 'showfloor', target.bucket, 'ms', {
      batchSize: tuning.batchSize,
      flushInterval: tuning.flushIntervalMs,
      maxBufferLines: tuning.maxBufferLines,
      maxRetryTime: tuning.maxRetryTimeMs,
      // Bounded by maxRetryTime instead: an outage of a minute must not run out of attempts.
      maxRetries: 10_000,
      minRetryDelay: 500,
      maxRetryDelay: 5_000,
      exponentialBase: 2,
      retryJitter: 200,
      gzipThreshold: this.gzipThreshold,
      // Arrow functions: the client calls these with its WriteApi as `this`; they report to the this.
      writeSuccess: (lines) => {
        if (this.finalized) return;
        this.reachable = true;
        this.lastError = null;
        counters.linesWritten(lines.length);
      },
      writeFailed: (error, lines, attempt, expires) => {
        if (this.finalized) return undefined;
        this.lastError = describeError(error);
        counters.writeFailure();
        // A 400 is InfluxDB refusing some lines (a "partial write"), and the client gives the whole
        // batch up. Returning a promise tells the client this batch is handled here.
        if (error instanceof HttpError && error.statusCode === 400) return this.settleRefusedBatch(lines, error).then(() => undefined);
        this.unavailableFailures++;
        if (!willRetry(error, expires, this.closed)) {
          counters.linesDropped(lines.length);
          log.error({ err: this.lastError, lines: lines.length, attempt }, 'InfluxDB write failed; lines dropped');
        } else if (attempt === 1) {
          this.reachable = !(error instanceof HttpError) ? false : this.reachable;
          log.warn({ err: this.lastError, lines: lines.length }, 'InfluxDB write failed; will retry');
        }
        return undefined;
      },
      writeRetrySkipped: (entry) => {
        if (this.finalized) return;
        counters.linesDropped(entry.lines.length);
        log.error({ lines: entry.lines.length }, 'InfluxDB retry buffer full; oldest lines dropped');
      },
    });
    if (target.api === 'v1') {
      const params = new URLSearchParams({ db: this.database, precision: 'ms' });
      if (this.retentionPolicy) params.set('rp', this.retentionPolicy);
      this.writeApi.path = `/write?${params.toString()}`;
    }
    this.spool = spoolSettings ? this.makeSpool(spoolSettings, tuning) : null;
  }

  private makeSpool(settings: SpoolSettings, tuning: InfluxWriteTuning): NonNullable<InfluxStore['spool']> {
    const memory = new MemoryBacklog(tuning.maxBufferLines);
    const holder: { shipper?: SpoolShipper } = {};
    const log = new SegmentLog(
      { dir: settings.dir, syncIntervalMs: settings.syncIntervalMs, maxBytes: settings.maxBytes, files: settings.files, segmentBytes: settings.segmentBytes },
      {
        notSpooled: (lines) => {
          const refused = memory.push(lines, Date.now());
          if (refused > 0) {
            this.counters.linesDropped(refused);
            this.warnOverloaded();
          }
          return refused;
        },
        overflowed: (readings) => this.counters.linesDropped(readings),
        damaged: (readings) => this.counters.linesDropped(readings),
        synced: () => holder.shipper?.wake(),
      },
      this.log,
    );
    holder.shipper = new SpoolShipper(
      log,
      memory,
      (lines) => this.ship(lines),
      { batchSize: tuning.batchSize, flushIntervalMs: tuning.flushIntervalMs },
      this.log,
    );
    return { log, memory, shipper: holder.shipper, settings };
  }

  /** Where writes and queries go, without credentials: safe to show in /api/health and logs. */
  describe(): { url: string; api: 'v1' | 'v2'; bucket: string } {
    const url = new URL(this.target.url);
    url.username = '';
    url.password = '';
    return { url: url.toString().replace(/\/$/, ''), api: this.target.api, bucket: this.target.bucket };
  }

  /**
   * Queues one reading. The client limits only its retry buffer, not batches in flight, so under
   * sustained overload pending lines would grow until the process runs out of memory; past
   * maxBufferLines pending, new readings are dropped and counted instead.
   */
  write(reading: StoredReading): void {
    if (this.storedDevices && !this.storedDevices.admits(reading.booth, reading.device, Date.now())) return;
    if (this.refuseWhenFull()) return;
    const line = telemetryLine(reading);
    if (line === null) return;
    this.counters.linesAccepted(1);
    if (this.spool) this.spool.log.append(line, Date.now());
    else this.writeApi.writeRecord(line);
  }

  /**
   * Queues one line built by a caller (presence changes, alarm events) on the same write path, with
   * the same batching, retries and bound. The caller is responsible for the line being safe.
   * A line tagged with a booth and device counts against that booth's stored-device budget like a
   * reading: presence and alarm lines add series to InfluxDB too.
   */
  writeLine(line: string): void {
    if (this.storedDevices) {
      const { tags } = lineSeries(line);
      const booth = tags.get('booth');
      const device = tags.get('device');
      // Not counted: the reading that made this line was counted already.
      if (booth !== undefined && device !== undefined && !this.storedDevices.admits(booth, device, Date.now(), false)) return;
    }
    if (this.refuseWhenFull()) return;
    this.counters.linesAccepted(1);
    if (this.spool) this.spool.log.append(line, Date.now());
    else this.writeApi.writeRecord(line);
  }

  /**
   * Finds which lines of a batch InfluxDB refused, stores the others, and counts each refused line
   * against its booth and device. InfluxDB's answer does not list the refused lines (see
   * influxRefusal.ts), so the batch is grouped by series and searched:
   * - series carrying a tag value InfluxDB named (max-values-per-tag) are refused outright, and the
   *   rest is resent whole once, since that value was often the only problem;
   * - a part whose `dropped` count covers every line sent was refused whole;
   * - otherwise the part is resent in halves, until each part is stored or is one series (refused
   *   whole for per-series reasons, else split into its lines) or one line.
   * Resending lines InfluxDB had already stored overwrites them with themselves (same series and
   * time). Measured on influxd 1.6.7 for a 5,000-line batch (boothIsolation.storage.test.ts): one
   * refused line 2–19 requests; 100 refused lines 94–275 requests, under 0.6 s; 2,500 refused lines
   * interleaved with good ones 2,000–2,700 requests, about 3 s. Never more requests than lines.
   */
  private async settleRefusedBatch(batch: string[], error: HttpError, sink: SettleSink = this.writeApiSink()): Promise<'settled' | 'unavailable'> {
    const bySeries = new Map<string, string[]>();
    for (const line of batch) {
      const key = seriesKey(line);
      const group = bySeries.get(key);
      if (group) group.push(line);
      else bySeries.set(key, [line]);
    }
    type Work = { groups: string[][]; refusal: InfluxRefusal; retriedWhole: boolean };
    const work: Work[] = [{ groups: [...bySeries.values()], refusal: readRefusal(error.body ?? headerText(error)), retriedWhole: false }];
    const lineCount = (groups: string[][]) => groups.reduce((n, group) => n + group.length, 0);
    let unsettled = batch.length;
    const refuse = (groups: string[][], refusal: InfluxRefusal) => {
      for (const group of groups) for (const line of group) sink.refused(line, refusal);
      unsettled -= lineCount(groups);
    };
    try {
      while (work.length > 0) {
        const { groups, refusal, retriedWhole } = work.pop()!;
        const named = refusal.namedTag;
        const namedGroups = named ? groups.filter((group) => carriesNamedTag(group[0]!, named)) : [];
        refuse(namedGroups, refusal);
        let rest = namedGroups.length > 0 ? groups.filter((group) => !carriesNamedTag(group[0]!, named!)) : groups;
        if (rest.length === 0) continue;
        if (namedGroups.length === 0 && (refusal.dropped ?? 0) >= lineCount(rest)) {
          refuse(rest, refusal);
          continue;
        }
        if (rest.length === 1) {
          const [group] = rest as [string[]];
          if (group.length === 1 || (namedGroups.length === 0 && refusesWholeSeries(refusal.reason))) {
            refuse(rest, refusal);
            continue;
          }
          rest = group.map((line) => [line]);
        }
        const wholeOnce = namedGroups.length > 0 && !retriedWhole;
        const parts = wholeOnce ? [rest] : [rest.slice(0, rest.length >> 1), rest.slice(rest.length >> 1)];
        for (const part of parts) {
          const lines = part.flat();
          const outcome = await sink.resend(lines);
          if (outcome === 'unavailable') return 'unavailable';
          if (outcome === 'written') sink.written(lines.length);
          if (outcome === 'written' || outcome === 'requeued') unsettled -= lines.length;
          else work.push({ groups: part, refusal: outcome, retriedWhole: wholeOnce });
        }
      }
    } catch (unexpected) {
      if (sink.retriesWhole) return 'unavailable';
      // Never expected (resend does not throw); the lines are then given up, counted, not leaked as pending.
      this.counters.linesDropped(unsettled);
      this.log.error({ err: describeError(unexpected), lines: unsettled }, 'could not settle a refused InfluxDB batch; lines dropped');
    }
    return 'settled';
  }

  private writeApiSink(): SettleSink {
    return {
      written: (n) => this.counters.linesWritten(n),
      refused: (line, refusal) => this.lineRefused(line, refusal),
      resend: (lines) => this.resend(lines),
      retriesWhole: false,
    };
  }

  /**
   * Spool mode: sends one batch and says whether InfluxDB has it. A partial write (400) is settled
   * like the WriteApi path, but counted only once the whole batch is; if InfluxDB goes away in the
   * middle, nothing is counted and the whole batch is sent again later (lines already stored
   * overwrite themselves: same series and time).
   */
  private async ship(lines: string[]): Promise<ShipOutcome> {
    try {
      await this.post(lines);
      this.reachable = true;
      this.lastError = null;
      this.counters.linesWritten(lines.length);
      return 'stored';
    } catch (error) {
      if (this.finalized) return 'unavailable';
      this.lastError = describeError(error);
      this.counters.writeFailure();
      if (error instanceof HttpError && error.statusCode === 400) {
        let written = 0;
        const refused: [string, InfluxRefusal][] = [];
        const outcome = await this.settleRefusedBatch(lines, error, {
          written: (n) => (written += n),
          refused: (line, refusal) => refused.push([line, refusal]),
          resend: async (part) => {
            try {
              await this.post(part);
              return 'written';
            } catch (resendError) {
              if (resendError instanceof HttpError && resendError.statusCode === 400) return readRefusal(resendError.body ?? headerText(resendError));
              this.lastError = describeError(resendError);
              this.unavailableFailures++;
              return 'unavailable';
            }
          },
          retriesWhole: true,
        });
        if (outcome === 'unavailable') return 'unavailable';
        this.counters.linesWritten(written);
        for (const [line, refusal] of refused) this.lineRefused(line, refusal);
        return 'stored';
      }
      if (error instanceof HttpError && refusesBatch(error.statusCode)) {
        // Sending it again would be refused again (413 from a proxy, 422 from InfluxDB Cloud for
        // points outside retention) and would block the queue behind it: counted and let go.
        const refusal = readRefusal(error.body ?? headerText(error));
        refusal.detail = describeError(error);
        for (const line of lines) this.lineRefused(line, refusal);
        this.log.error({ status: error.statusCode, lines: lines.length, err: refusal.detail }, 'InfluxDB refused a whole batch; its lines are dropped');
        return 'stored';
      }
      this.unavailableFailures++;
      if (!(error instanceof HttpError)) this.reachable = false;
      return 'unavailable';
    }
  }

  private async post(lines: string[]): Promise<void> {
    await this.client.transport.request(this.writeApi.path, lines.join('\n'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      gzipThreshold: this.gzipThreshold,
    });
  }

  /** Sends lines once, outside the client's batching: stored, refused (with why), or handed back to the WriteApi. */
  private async resend(lines: string[]): Promise<'written' | 'requeued' | InfluxRefusal> {
    try {
      await this.client.transport.request(this.writeApi.path, lines.join('\n'), {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        gzipThreshold: this.gzipThreshold,
      });
      this.reachable = true;
      return 'written';
    } catch (error) {
      if (error instanceof HttpError && error.statusCode === 400) return readRefusal(error.body ?? headerText(error));
      // Not a refusal (network, 5xx, 429): the WriteApi's own retries take these lines again.
      this.lastError = describeError(error);
      this.counters.writeFailure();
      this.unavailableFailures++;
      if (this.closed || this.finalized) {
        this.counters.linesDropped(lines.length);
      } else {
        this.writeApi.writeRecords(lines);
      }
      return 'requeued';
    }
  }

  private lineRefused(line: string, refusal: InfluxRefusal): void {
    if (this.finalized) return;
    const { tags } = lineSeries(line);
    const booth = tags.get('booth') ?? 'unknown';
    const device = tags.get('device') ?? 'unknown';
    this.counters.lineRefused(refusal.reason);
    this.budgetRefusals?.count(booth, 'influx-refused-line');
    this.recentRefusals.push({ booth, device, reason: refusal.reason, detail: refusal.detail, at: Date.now() });
    if (this.recentRefusals.length > RECENT_REFUSALS) this.recentRefusals.shift();
    const now = Date.now();
    if (now - this.lastRefusalWarning >= 10_000) {
      this.lastRefusalWarning = now;
      this.log.warn(
        { booth, device, reason: refusal.reason, detail: refusal.detail, refused: Object.fromEntries(this.counters.refused) },
        'InfluxDB refused lines; the rest of their batch was stored',
      );
    }
  }

  private refuseWhenFull(): boolean {
    // With a spool the bound is the spool's (storage.maxSpoolBytes), and the memory backlog's own.
    if (!this.closed && (this.spool !== null || this.counters.pendingLines() < this.maxPendingLines)) return false;
    // Counted as taken and given up at once, so `pending` (accepted − written − dropped) stays exact.
    this.counters.linesAccepted(1);
    this.counters.linesDropped(1);
    this.warnOverloaded();
    return true;
  }

  /**
   * The WriteApi reports neither when a batch leaves nor when its answer comes, so the transport's
   * send is wrapped for write paths only: what the console shows as InfluxDB's write latency.
   */
  private timeWrites(): void {
    const transport = this.client.transport;
    const send = transport.send.bind(transport);
    transport.send = (path, body, options, callbacks) => {
      if (!path.startsWith('/write') && !path.startsWith('/api/v2/write')) return send(path, body, options, callbacks);
      const started = performance.now();
      const finished = () => this.writeRoundTrips.add(Date.now(), performance.now() - started);
      send(path, body, options, {
        ...callbacks,
        error(error) {
          finished();
          callbacks?.error?.(error);
        },
        complete() {
          finished();
          callbacks?.complete?.();
        },
      });
    };
  }

  private warnOverloaded(): void {
    const now = Date.now();
    if (now - this.lastOverloadWarning < 10_000) return;
    this.lastOverloadWarning = now;
    this.log.error(
      { pending: this.counters.pendingLines(), dropped: this.counters.dropped },
      'InfluxDB is not keeping up; new readings are dropped from storage (the live view still shows them)',
    );
  }

  /** v1 servers need the database to exist; creating it is idempotent. Errors are reported, not thrown. */
  async prepare(): Promise<void> {
    if (this.spool) await this.startSpool(this.spool);
    await this.ping();
    if (this.target.api !== 'v1') return;
    try {
      await this.query(`CREATE DATABASE "${this.database.replace(/["\\]/g, '\\$&')}"`, 'POST');
    } catch (error) {
      this.log.warn({ err: describeError(error), database: this.database }, 'could not create the InfluxDB database; create it by hand if writes fail');
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.client.transport.request('/ping', '', { method: 'GET' });
      this.reachable = true;
    } catch (error) {
      this.reachable = false;
      this.lastError = describeError(error);
    }
    return this.reachable;
  }

  /** Runs one InfluxQL statement; statement errors arrive as HTTP 200 with `error`, so they are raised here. */
  async query(statement: string, method: 'GET' | 'POST' = 'GET'): Promise<InfluxQlResult> {
    const params = new URLSearchParams({ db: this.database, epoch: 'ms', q: statement });
    if (this.retentionPolicy) params.set('rp', this.retentionPolicy);
    const response = (await this.client.transport.request(`/query?${params.toString()}`, '', {
      method,
      headers: { accept: 'application/json' },
    })) as { results?: InfluxQlResult[]; error?: string };
    if (response.error) throw new Error(`InfluxQL: ${response.error}`);
    const result = response.results?.[0] ?? {};
    if (result.error) throw new Error(`InfluxQL: ${result.error}`);
    return result;
  }

  /**
   * Sends everything buffered, retry buffer included, then stops; what could not be sent is counted
   * as dropped. The client's flush() does not wait for batches already in flight, so this also waits
   * for those, unless InfluxDB starts failing or the deadline passes.
   */
  async close(timeoutMs = 10_000): Promise<void> {
    if (this.closed) return;
    if (this.spool) return this.closeSpool(this.spool, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    // A refused batch being settled is progress, not InfluxDB failing: only other failures stop the wait.
    const failuresBefore = this.unavailableFailures;
    const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
    await Promise.race([this.writeApi.flush(true).catch(() => undefined), pause(timeoutMs)]);
    while (this.counters.pendingLines() > 0 && Date.now() < deadline && this.unavailableFailures === failuresBefore) {
      await pause(20);
    }
    this.closed = true;
    const pending = this.counters.pendingLines();
    if (pending > 0) {
      this.counters.linesDropped(pending);
      this.log.error({ lines: pending }, 'InfluxDB unreachable at shutdown; buffered lines dropped');
    }
    // Anything the client still reports after this was already counted as dropped.
    this.finalized = true;
    await this.writeApi.close().catch(() => undefined);
  }

  /**
   * Resolves once every reading written so far is durable (issue 13: the spool's group commit). The
   * broker waits for it before a QoS 1/2 acknowledgement. Without a spool: at once.
   */
  durable(): Promise<void> {
    // A stalled fsync must not hold every QoS 1/2 acknowledgement (keepalive timeouts, wills,
    // devices shown offline): past the deadline readings are acknowledged anyway, counted.
    return this.spool ? this.spool.log.durable(Math.max(MIN_DURABLE_WAIT_MS, DURABLE_WAIT_SYNC_INTERVALS * this.spool.settings.syncIntervalMs)) : DURABLE_NOW;
  }

  /** The spool's state for /api/health, /metrics and the console; null without a spool. */
  spoolHealth(_now: number): SpoolHealth | null {
    if (!this.spool) return null;
    const { log, memory, settings } = this.spool;
    const stats = log.stats();
    const inMemory = { readings: memory.size(), oldestAt: memory.waiting().oldestAt };
    const oldest = [stats.oldestUnsentAt, inMemory.oldestAt].filter((at): at is number => at !== null);
    return {
      dir: settings.dir,
      bytes: stats.bytes,
      maxBytes: settings.maxBytes,
      segments: stats.segments,
      unsentReadings: stats.unsentReadings + inMemory.readings,
      oldestUnsentAt: oldest.length > 0 ? Math.min(...oldest) : null,
      replay: stats.replay,
      replayFinished: stats.replayFinished,
      dropped: stats.dropped,
      notSpooled: stats.notSpooled,
      acknowledgedBeforeDurable: stats.acknowledgedBeforeDurable,
      lastError: stats.lastError,
      syncIntervalMs: settings.syncIntervalMs,
    };
  }

  /** Lines of the backlog held in memory in spool mode (appends before their sync, the send window, the memory backlog): bounded, tested. */
  spoolMemoryLines(): number {
    if (!this.spool) return 0;
    return this.spool.log.bufferedLines() + this.spool.shipper.heldLines() + this.spool.memory.size();
  }

  /** Opens the segment log (cutting torn tails) and starts sending, the earlier run's segments first. */
  private async startSpool(spool: NonNullable<InfluxStore['spool']>): Promise<void> {
    let replay: number;
    try {
      replay = await spool.log.open(Date.now());
    } catch (error) {
      // A directory the server cannot use is a settings mistake: said at start-up, not found in the middle of a show.
      throw new Error(`storage.spoolDir ${spool.settings.dir} cannot be used: ${describeError(error)}`, { cause: error });
    }
    // The earlier run's readings are this run's to store: counted as accepted, so `pending` covers them.
    this.counters.linesAccepted(replay);
    this.counters.replayed += replay;
    if (replay > 0) this.log.info({ dir: spool.settings.dir, readings: replay }, 'spool: replaying readings an earlier run left unsent');
    spool.shipper.start();
  }

  /**
   * Spool mode: syncs what is buffered, sends what it can until the deadline or InfluxDB fails, and
   * leaves the rest on disk for the next start (not counted as dropped). Lines only in memory (the
   * disk refused them) and not sent are dropped, counted.
   */
  private async closeSpool(spool: NonNullable<InfluxStore['spool']>, timeoutMs: number): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + timeoutMs;
    const failuresBefore = this.unavailableFailures;
    const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
    // Half the time at most for the last sync, so a stalled disk leaves time to send from memory.
    await spool.log.close(timeoutMs / 2);
    spool.shipper.drain();
    while (!spool.shipper.idle() && Date.now() < deadline && this.unavailableFailures === failuresBefore) await pause(20);
    this.finalized = true;
    await spool.shipper.stop();
    const lost = spool.memory.size();
    if (lost > 0) {
      this.counters.linesDropped(lost);
      this.log.error({ lines: lost }, 'InfluxDB unreachable at shutdown; readings the disk could not take are dropped');
    }
    const left = spool.log.stats().unsentReadings;
    if (left > 0) this.log.warn({ dir: spool.settings.dir, readings: left }, 'spool: readings InfluxDB has not confirmed stay on disk for the next start');
    await this.writeApi.close().catch(() => undefined);
  }
}

/** durable() without a spool: one settled promise shared, so the broker's hold sees every wait is the same (AcknowledgementHold groups). */
export const DURABLE_NOW: Promise<void> = Promise.resolve();

/** Whether an InfluxDB URL names this machine: localhost, 127.0.0.0/8 or ::1. */
export function isLoopback(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The longest a QoS 1/2 acknowledgement waits for durability: max(1 s, 40 group commits). */
const MIN_DURABLE_WAIT_MS = 1000;
const DURABLE_WAIT_SYNC_INTERVALS = 40;

/**
 * A 4xx that refuses the batch itself (RFC 9110 §15.5: the client's request is at fault), so
 * resending it cannot help. Not: 400 (settled line by line), 401/403/404 (credentials or a missing
 * database: fixed by the operator, then the same batch is good), 408 and 429 (try again later).
 */
function refusesBatch(status: number): boolean {
  return status >= 400 && status < 500 && ![400, 401, 403, 404, 408, 429].includes(status);
}

function willRetry(error: Error, expires: number, closed: boolean): boolean {
  if (closed || expires <= Date.now()) return false;
  return !(error instanceof HttpError) || error.statusCode >= 429;
}

/** InfluxDB 1.x also says why in a header; the client fills `body` from it only when the body is empty. */
function headerText(error: HttpError): string | undefined {
  const header = error.headers?.['x-influxdb-error'];
  return Array.isArray(header) ? header.join(' ') : header;
}

function describeError(error: unknown): string {
  if (error instanceof HttpError) return `HTTP ${error.statusCode}: ${error.body ?? error.message}`.slice(0, 300);
  return error instanceof Error ? error.message.slice(0, 300) : String(error);
}
