/**
 * Sends the spool to InfluxDB: one request at a time, taking turns between the backlog an earlier
 * run left (replay), this run's readings (live) and lines the disk could not take (memory), so a
 * long replay never starves the live readings. A batch is confirmed (and its segment may go) only
 * after InfluxDB answered; a failed batch is kept and sent again after a pause that doubles up to
 * 5 s. The batches held here are the only lines in memory: one per source.
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

interface Source {
  readonly name: 'replay' | 'live' | 'memory';
  waiting(): { readings: number; oldestAt: number | null };
  take(maxLines: number): Promise<{ lines: string[] } | null>;
  confirm(batch: { lines: string[] }): Promise<void>;
  stale(batch: { lines: string[] }): boolean;
  held: { lines: string[] } | null;
}

export class SpoolShipper {
  private readonly sources: Source[];
  private turn = 0;
  private running: Promise<void> | null = null;
  private stopping = false;
  /** While closing: send what there is without waiting for a full batch. */
  private draining = false;
  private wakeUp: (() => void) | null = null;
  private retryDelayMs: number;

  constructor(
    log: SegmentLog,
    memory: MemoryBacklog,
    private readonly send: (lines: string[]) => Promise<ShipOutcome>,
    private readonly options: SpoolShipperOptions,
    private readonly logger: Logger,
  ) {
    this.retryDelayMs = options.minRetryDelayMs ?? 500;
    const spoolSource = (name: 'replay' | 'live', replay: boolean): Source => ({
      name,
      held: null,
      waiting: () => log.waiting(replay),
      take: (maxLines) => log.take(replay, maxLines),
      confirm: (batch) => log.confirm(batch as SpoolBatch),
      stale: (batch) => log.stale(batch as SpoolBatch),
    });
    this.sources = [
      spoolSource('replay', true),
      spoolSource('live', false),
      {
        name: 'memory',
        held: null,
        waiting: () => memory.waiting(),
        take: (maxLines) => Promise.resolve(memory.take(maxLines)),
        confirm: (batch) => Promise.resolve(memory.confirm(batch as MemoryBatch)),
        stale: () => false,
      },
    ];
  }

  start(): void {
    this.running ??= this.run().catch((error: unknown) => {
      this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'spool: the sender stopped unexpectedly');
    });
  }

  /** New lines arrived: a source may have become due. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Lines held in memory for sending: at most one batch per source. */
  heldLines(): number {
    return this.sources.reduce((sum, source) => sum + (source.held?.lines.length ?? 0), 0);
  }

  /** Sends everything due at once, without waiting for full batches, until stop(). */
  drain(): void {
    this.draining = true;
    this.wake();
  }

  /** Whether every source is sent (nothing waiting, nothing held). */
  idle(): boolean {
    return this.sources.every((source) => source.held === null && source.waiting().readings === 0);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    this.running = null;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const source = this.nextDue(Date.now());
      if (!source) {
        await this.pause(this.options.flushIntervalMs, true);
        continue;
      }
      if (source.held && source.stale(source.held)) source.held = null;
      const batch = source.held ?? (await source.take(this.options.batchSize));
      if (!batch || batch.lines.length === 0) {
        if (batch) await source.confirm(batch);
        source.held = null;
        continue;
      }
      source.held = batch;
      const outcome = await this.send(batch.lines);
      if (outcome === 'stored') {
        source.held = null;
        await source.confirm(batch);
        this.retryDelayMs = this.options.minRetryDelayMs ?? 500;
      } else {
        if (this.stopping) break;
        await this.pause(this.retryDelayMs, false);
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.maxRetryDelayMs ?? 5000);
      }
    }
  }

  /** The next source in turn with a batch due: a held batch, a full batch, or lines older than flushIntervalMs. */
  private nextDue(now: number): Source | null {
    for (let i = 0; i < this.sources.length; i++) {
      const source = this.sources[(this.turn + i) % this.sources.length]!;
      const { readings, oldestAt } = source.waiting();
      const due =
        source.held !== null ||
        (readings > 0 &&
          (source.name === 'replay' ||
            this.draining ||
            readings >= this.options.batchSize ||
            (oldestAt !== null && now - oldestAt >= this.options.flushIntervalMs)));
      if (due) {
        this.turn = (this.turn + i + 1) % this.sources.length;
        return source;
      }
    }
    return null;
  }

  /** Waits `ms`; a wake() ends the wait early when `wakeable` (a retry pause is not cut short by new lines). */
  private pause(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = wakeable || this.stopping ? done : () => (this.stopping ? done() : undefined);
    });
  }
}
