/**
 * Sends the spool to InfluxDB: at most two requests at a time, taking turns between the backlog an
 * earlier run left (replay), this run's readings (live) and lines the disk could not take (memory),
 * so a long replay never starves the live readings. A batch is confirmed (and its segment may go)
 * only after InfluxDB answered for it and for every batch of its source taken before it; a failed
 * batch is kept and sent again after a pause that doubles up to 5 s, per source (a batch that keeps
 * failing holds back only its own queue). The batches held here (at most
 * two) are the only lines of the backlog in memory.
 */
import type { Logger } from '../../logger';
import type { MemoryBacklog, MemoryBatch } from './MemoryBacklog';
import type { SegmentLog, SpoolBatch } from './SegmentLog';

export type ShipOutcome = 'stored' | 'unavailable';

export interface SpoolShipperOptions {
  batchSize: number;
  /** A source with fewer than batchSize lines waits until its oldest is this old (as the WriteApi did). */
  flushIntervalMs: number;
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/** Batches out at once, over all sources: two let one be sent while InfluxDB handles the other. */
const MAX_IN_FLIGHT = 2;

interface Entry {
  batch: { lines: string[] };
  /** 'retry': failed, to be sent again; confirmed only once every earlier batch of its source was. */
  state: 'sending' | 'retry' | 'stored';
}

interface Source {
  readonly name: 'replay' | 'live' | 'memory';
  waiting(): { readings: number; oldestAt: number | null };
  take(maxLines: number): Promise<{ lines: string[] } | null>;
  confirm(batch: { lines: string[] }): Promise<void>;
  stale(batch: { lines: string[] }): boolean;
  /** A stale batch let go: its readings are counted as lost (they were not when its segment was dropped). */
  letGo(batch: { lines: string[] }): void;
  /** Taken batches in the order they were taken: the send window. */
  window: Entry[];
  /** Confirmations run one after another, in order. */
  confirming: Promise<void>;
  /**
   * After a failed send or take(): nothing of this source is sent or taken before this time. Per
   * source, so one batch InfluxDB keeps failing does not hold the others back.
   */
  retryAt: number;
  /** The next pause after a failure: doubles up to maxRetryDelayMs, back to the minimum on success. */
  retryDelayMs: number;
}

export class SpoolShipper {
  private readonly sources: Source[];
  private turn = 0;
  private running: Promise<void> | null = null;
  private stopping = false;
  /** While closing: send what there is without waiting for a full batch. */
  private draining = false;
  private wakeUp: (() => void) | null = null;
  private inFlight = 0;
  private readonly sends = new Set<Promise<void>>();
  private takeFailureLogged = 0;

  constructor(
    log: SegmentLog,
    memory: MemoryBacklog,
    private readonly send: (lines: string[]) => Promise<ShipOutcome>,
    private readonly options: SpoolShipperOptions,
    private readonly logger: Logger,
  ) {
    const minDelay = options.minRetryDelayMs ?? 500;
    const spoolSource = (name: 'replay' | 'live', replay: boolean): Source => ({
      name,
      window: [],
      confirming: Promise.resolve(),
      retryAt: 0,
      retryDelayMs: minDelay,
      waiting: () => log.waiting(replay),
      take: (maxLines) => log.take(replay, maxLines),
      confirm: (batch) => log.confirm(batch as SpoolBatch),
      stale: (batch) => log.stale(batch as SpoolBatch),
      letGo: (batch) => log.lostInFlight(batch as SpoolBatch),
    });
    this.sources = [
      spoolSource('replay', true),
      spoolSource('live', false),
      {
        name: 'memory',
        window: [],
        confirming: Promise.resolve(),
        retryAt: 0,
        retryDelayMs: minDelay,
        waiting: () => memory.waiting(),
        take: (maxLines) => Promise.resolve(memory.take(maxLines)),
        confirm: (batch) => Promise.resolve(memory.confirm(batch as MemoryBatch)),
        stale: () => false,
        letGo: () => undefined,
      },
    ];
  }

  start(): void {
    this.running ??= this.run().catch((error: unknown) => {
      this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'spool: the sender stopped unexpectedly');
    });
  }

  /** New lines arrived, or a send ended: there may be something to do. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Lines held in memory for sending: the send window, at most MAX_IN_FLIGHT batches. */
  heldLines(): number {
    return this.sources.reduce((sum, source) => sum + source.window.reduce((n, entry) => n + entry.batch.lines.length, 0), 0);
  }

  /** Sends everything due at once, without waiting for full batches, until stop(). */
  drain(): void {
    this.draining = true;
    this.wake();
  }

  /** Whether every source is sent (nothing waiting, nothing held). */
  idle(): boolean {
    return this.sources.every((source) => source.window.length === 0 && source.waiting().readings === 0);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    await Promise.all(this.sends);
    // Failed batches of dropped segments are let go (counted) now: nothing will send them again.
    for (const source of this.sources) {
      for (const entry of source.window) {
        if (entry.state === 'retry' && source.stale(entry.batch)) {
          source.letGo(entry.batch);
          entry.state = 'stored';
          this.settle(source);
        }
      }
    }
    await Promise.all(this.sources.map((source) => source.confirming));
    this.running = null;
  }

  private windowSize(): number {
    return this.sources.reduce((n, source) => n + source.window.length, 0);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const now = Date.now();
      const retry = this.inFlight < MAX_IN_FLIGHT ? this.nextRetry(now) : null;
      if (retry) {
        this.dispatch(retry.source, retry.entry);
        continue;
      }
      const source = this.inFlight < MAX_IN_FLIGHT && this.windowSize() < MAX_IN_FLIGHT ? this.nextDue(now) : null;
      if (!source) {
        await this.pause(this.idlePause(now));
        continue;
      }
      let batch: { lines: string[] } | null;
      try {
        batch = await source.take(this.options.batchSize);
      } catch (error) {
        // A read that fails (EIO, EMFILE) must not end the sender: every queue would stop for good.
        // The source is tried again after the failure pause; the other sources go on meanwhile.
        this.takeFailed(source, error);
        continue;
      }
      if (!batch) {
        // Never expected (a due source has lines to take); a pause keeps a mistake from spinning the event loop.
        await this.pause(10);
        continue;
      }
      const entry: Entry = { batch, state: 'sending' };
      source.window.push(entry);
      if (batch.lines.length === 0) {
        entry.state = 'stored';
        this.settle(source);
      } else this.dispatch(source, entry);
    }
  }

  private takeFailed(source: Source, error: unknown): void {
    const now = Date.now();
    this.backOff(source, now);
    if (now - this.takeFailureLogged >= 10_000) {
      this.takeFailureLogged = now;
      this.logger.error({ source: source.name, err: error instanceof Error ? error.message : String(error) }, 'spool: could not read a batch; trying again');
    }
  }

  private backOff(source: Source, now: number): void {
    source.retryAt = now + source.retryDelayMs;
    source.retryDelayMs = Math.min(source.retryDelayMs * 2, this.options.maxRetryDelayMs ?? 5000);
  }

  /** Until the next flush check, or sooner when a source's pause after a failure ends. */
  private idlePause(now: number): number {
    let ms = this.options.flushIntervalMs;
    for (const source of this.sources) if (source.retryAt > now) ms = Math.min(ms, source.retryAt - now);
    return Math.max(1, ms);
  }

  /** A failed batch to send again (stale ones, of a segment dropped past maxBytes, are let go). */
  private nextRetry(now: number): { source: Source; entry: Entry } | null {
    for (const source of this.sources) {
      for (const entry of source.window) {
        if (entry.state !== 'retry') continue;
        if (source.stale(entry.batch)) {
          source.letGo(entry.batch);
          entry.state = 'stored';
          this.settle(source);
          continue;
        }
        if (now < source.retryAt) break;
        return { source, entry };
      }
    }
    return null;
  }

  private dispatch(source: Source, entry: Entry): void {
    entry.state = 'sending';
    this.inFlight++;
    const sending = this.send(entry.batch.lines).then((outcome) => {
      this.inFlight--;
      this.sends.delete(sending);
      if (outcome === 'stored') {
        entry.state = 'stored';
        source.retryDelayMs = this.options.minRetryDelayMs ?? 500;
        this.settle(source);
      } else {
        entry.state = 'retry';
        this.backOff(source, Date.now());
      }
      this.wake();
    });
    this.sends.add(sending);
  }

  /** Confirms the batches at the head of a source's window that InfluxDB has, in the order they were taken. */
  private settle(source: Source): void {
    source.confirming = source.confirming
      .then(async () => {
        while (source.window[0]?.state === 'stored') {
          const [entry] = source.window.splice(0, 1);
          await source.confirm(entry!.batch);
        }
        // The window has room again: without this the sender slept until the next sync or flush
        // interval (up to flushIntervalMs once appends stop), capping a drain at two batches a second.
        this.wake();
      })
      .catch((error: unknown) => {
        // A confirmation that failed leaves its segment on disk (sent again after a restart); later ones go on.
        this.logger.error({ source: source.name, err: error instanceof Error ? error.message : String(error) }, 'spool: could not confirm a batch');
      });
  }

  /** The next source in turn with a batch due: a full batch, or lines older than flushIntervalMs. */
  private nextDue(now: number): Source | null {
    for (let i = 0; i < this.sources.length; i++) {
      const source = this.sources[(this.turn + i) % this.sources.length]!;
      const { readings, oldestAt } = source.waiting();
      const due =
        readings > 0 &&
        now >= source.retryAt &&
        (source.name === 'replay' ||
          this.draining ||
          readings >= this.options.batchSize ||
          (oldestAt !== null && now - oldestAt >= this.options.flushIntervalMs));
      if (due) {
        this.turn = (this.turn + i + 1) % this.sources.length;
        return source;
      }
    }
    return null;
  }

  /** Waits `ms` or until wake(). */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
