/**
 * The spool's append-only segment log on disk (issue 13): accepted lines are appended, made durable
 * together by one fdatasync every syncIntervalMs (group commit), read back a batch at a time for
 * InfluxDB, and a segment is deleted once InfluxDB confirmed every record in it.
 *
 * Files: `<dir>/segment-<12-digit id>.log`, ids increasing; records as in spoolRecord.ts. Only
 * per-segment figures are kept in memory (never the backlog itself): the lines of a batch are read
 * from the file when it is sent.
 *
 * Confirmation is a per-segment offset: batches of one stream are taken and confirmed in order (the
 * shipper confirms a batch only after every batch taken before it), so everything before
 * `confirmedOffset` is in InfluxDB.
 */
import { join } from 'node:path';
import type { Logger } from '../../logger';
import { nodeSpoolFiles, type SpoolFile, type SpoolFiles } from './SpoolFiles';
import { ACCEPTED_AT_PREFIX_BYTES, claimedLinesOfTornRecord, decodeRecord, encodeRecord, recordAcceptedAt, type SpoolRecord } from './spoolRecord';

/** At 5,000 readings/s (~100 bytes a line) a 16 MiB segment is about half a minute of readings. */
const DEFAULT_SEGMENT_BYTES = 16 * 1024 * 1024;
/** Segments are a small share of the bound, so dropping the oldest one past it loses little. */
const SEGMENTS_PER_MAX_BYTES = 8;
const MIN_SEGMENT_BYTES = 64 * 1024;
/** Lines per record: keeps a record (and the memory to read one) small at any rate. */
export const RECORD_MAX_LINES = 1000;
/** Bytes read from a segment at a time when a batch is taken: a 5,000-line batch is ~0.5 MiB. */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
/**
 * Appends waiting for the next sync, bytes: the one in-memory queue of the log. Reached only when
 * the disk takes far longer than syncIntervalMs to sync; past it lines go on without the spool.
 */
const DEFAULT_MAX_PENDING_BYTES = 32 * 1024 * 1024;
const SEGMENT_NAME = /^segment-(\d{12})\.log$/;

export interface SegmentLogOptions {
  dir: string;
  syncIntervalMs: number;
  maxBytes: number;
  segmentBytes?: number;
  maxPendingBytes?: number;
  files?: SpoolFiles;
}

export interface SegmentLogEvents {
  /**
   * Lines that could not be put on disk (disk full, I/O error, disk too slow): the caller keeps them
   * in memory. Returns how many it could not keep either: only those are lost (`dropped.diskFull`).
   */
  notSpooled(lines: string[]): number;
  /** Readings of a segment dropped past maxBytes that were not taken for sending, or of a batch let go since (each counted once). */
  overflowed(readings: number): void;
  /** Unsent readings of a segment that no longer reads back (or was deleted by someone else): lost. */
  damaged(readings: number): void;
  /** New durable lines to send. */
  synced(): void;
}

interface Segment {
  id: number;
  path: string;
  /** Left by an earlier run: sent by the replay stream. */
  replay: boolean;
  /** Durable bytes (written and synced, or found at start). */
  bytes: number;
  readings: number;
  /** Where the next batch is read from: batches taken ahead of confirmation are in flight. */
  readOffset: number;
  takenReadings: number;
  confirmedOffset: number;
  confirmedReadings: number;
  /** acceptedAt of the record at confirmedOffset; null when every record is confirmed. */
  unsentFrom: number | null;
  /** Dropped past maxBytes: a batch of it in flight is no longer confirmed. */
  gone: boolean;
}

/** Lines read from one segment, to be confirmed once InfluxDB has them. */
export interface SpoolBatch {
  readonly segment: Segment;
  readonly end: number;
  readonly readings: number;
  readonly lines: string[];
  /** acceptedAt of the record after the batch, when it was read with it. */
  readonly nextAcceptedAt: number | null;
}

interface Pending {
  records: SpoolRecord[];
  lines: number;
  bytes: number;
  done: Promise<void>;
  resolve: () => void;
  /** done, or the end of the durability deadline: one timer per group commit, not per waiter. */
  bounded: Promise<void> | null;
  /** The deadline passed: waiters go on without durability. */
  stalled: boolean;
  /** Lines already counted in acknowledgedBeforeDurable. */
  countedEarly: number;
}

export interface SegmentLogStats {
  bytes: number;
  segments: number;
  unsentReadings: number;
  oldestUnsentAt: number | null;
  replay: { readingsLeft: number; readingsTotal: number; segmentsLeft: number; segmentsTotal: number; startedAt: number } | null;
  /** The earlier run's replay once it has ended (every segment it left sent, or lost); null before, or when there was none. */
  replayFinished: { readingsTotal: number; segmentsTotal: number; startedAt: number; finishedAt: number } | null;
  dropped: { overflow: number; diskFull: number; tornTail: number; lostSegment: number };
  /** Readings the disk did not take (sent from memory instead; those memory refused too are in dropped.diskFull). */
  notSpooled: number;
  /** Readings whose wait for durability hit the deadline (a stalled fsync): acknowledged before they were on disk. */
  acknowledgedBeforeDurable: number;
  lastError: string | null;
}

export class SegmentLog {
  private readonly files: SpoolFiles;
  private readonly segmentBytes: number;
  private readonly maxPendingBytes: number;
  private readonly segments: Segment[] = [];
  private active: { segment: Segment; file: SpoolFile } | null = null;
  private nextId = 1;
  private opened = false;
  private closed = false;
  private pending: Pending = newPending();
  /** The appends of the sync running now, until it ends. */
  private syncing: Pending | null = null;
  private syncTimer: NodeJS.Timeout | undefined;
  /** When the running sync began: how long a stalled fsync has not returned. */
  private syncStartedAt = 0;
  acknowledgedBeforeDurable = 0;
  private replayTotal = 0;
  private replaySegmentsTotal = 0;
  private replayStartedAt = 0;
  private replayFinishedAt: number | null = null;
  /**
   * tornTail: cut at start-up (a crash mid-write); lostSegment: unsent readings of a segment that no
   * longer reads back later (damaged, or deleted behind the spool's back). Told apart because the
   * first is expected after a power cut and the second is a disk or an operator at fault.
   */
  readonly dropped = { overflow: 0, diskFull: 0, tornTail: 0, lostSegment: 0 };
  private notSpooledReadings = 0;
  lastError: string | null = null;
  private lastErrorLogged = 0;

  constructor(
    private readonly options: SegmentLogOptions,
    private readonly events: SegmentLogEvents,
    private readonly log: Logger,
  ) {
    this.files = options.files ?? nodeSpoolFiles;
    this.segmentBytes = Math.max(
      MIN_SEGMENT_BYTES,
      Math.min(options.segmentBytes ?? DEFAULT_SEGMENT_BYTES, Math.floor(options.maxBytes / SEGMENTS_PER_MAX_BYTES)),
    );
    this.maxPendingBytes = options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES;
  }

  /**
   * Finds the segments an earlier run left and checks every record; a record with a bad length or
   * checksum (a write torn by a crash or power cut) is cut off with everything after it, and its
   * readings counted in `dropped.tornTail`. Returns the readings to replay.
   */
  async open(now: number): Promise<number> {
    await this.files.ensureDirectory(this.options.dir);
    const ids = (await this.files.list(this.options.dir))
      .map((name) => SEGMENT_NAME.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const id of ids) {
      const segment = await this.scan(id);
      this.nextId = id + 1;
      if (segment.bytes === 0) {
        await this.files.remove(segment.path);
        continue;
      }
      this.segments.push(segment);
      this.replayTotal += segment.readings;
      this.replaySegmentsTotal++;
    }
    this.replayStartedAt = now;
    this.opened = true;
    if (this.pending.lines > 0) this.scheduleSync();
    return this.replayTotal;
  }

  private async scan(id: number): Promise<Segment> {
    const path = this.segmentPath(id);
    const segment = newSegment(id, path, true);
    const file = await this.files.open(path, 'write');
    try {
      const size = await file.size();
      let offset = 0;
      let buffer = Buffer.alloc(0);
      let bufferAt = 0;
      while (offset < size) {
        let decoded = decodeRecord(buffer, offset - bufferAt);
        if (decoded.kind === 'short' && bufferAt + buffer.length < size) {
          buffer = Buffer.allocUnsafe(Math.min(size - offset, Math.max(READ_CHUNK_BYTES, decoded.needBytes)));
          bufferAt = offset;
          buffer = buffer.subarray(0, await file.read(buffer, offset));
          decoded = decodeRecord(buffer, 0);
        }
        if (decoded.kind !== 'record') {
          const lost = decoded.kind === 'damaged' && decoded.claimedLines !== null ? decoded.claimedLines : claimedLinesOfTornRecord(buffer, offset - bufferAt);
          this.dropped.tornTail += lost;
          this.log.warn(
            { segment: path, at: offset, cutBytes: size - offset, readings: lost },
            'spool: torn record at the end of a segment cut off (a crash while writing)',
          );
          await file.truncate(offset);
          await file.datasync();
          break;
        }
        if (segment.unsentFrom === null) segment.unsentFrom = decoded.acceptedAt;
        segment.readings += decoded.lineCount;
        offset += decoded.bytes;
      }
      segment.bytes = offset;
    } finally {
      await file.close();
    }
    return segment;
  }

  /** Buffers one line for the next group commit. */
  append(line: string, acceptedAt: number): void {
    if (this.closed) {
      this.dropped.diskFull += this.events.notSpooled([line]);
      return;
    }
    const pending = this.pending;
    if (pending.bytes >= this.maxPendingBytes) {
      this.notSpooled([line], `disk too slow: ${Math.round(pending.bytes / 1024 / 1024)} MiB waiting for fsync`);
      return;
    }
    let record = pending.records[pending.records.length - 1];
    if (!record || record.lines.length >= RECORD_MAX_LINES) {
      record = { acceptedAt, lines: [] };
      pending.records.push(record);
    }
    record.lines.push(line);
    pending.lines++;
    pending.bytes += line.length + 1;
    this.scheduleSync();
  }

  /**
   * Resolves once every line appended so far is on disk (or was handed back as not spooled). With
   * `limitMs`, at the latest that long after the first wait for the same group commit: a stalled
   * fdatasync (USB disk, network mount) must not hold every QoS 1/2 acknowledgement for ever. The
   * readings let go that way are counted (acknowledgedBeforeDurable) and lastError says the disk stalled.
   */
  durable(limitMs?: number): Promise<void> {
    const batch = this.pending.lines > 0 ? this.pending : this.syncing;
    if (!batch) return Promise.resolve();
    if (limitMs === undefined) return batch.done;
    if (batch.stalled) {
      this.countEarly(batch);
      return Promise.resolve();
    }
    batch.bounded ??= new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        batch.stalled = true;
        this.countEarly(batch);
        const seconds = Math.round((this.syncing ? Date.now() - this.syncStartedAt : limitMs) / 1000);
        this.lastError = `disk stalled: fsync has not returned for ${seconds} s`;
        this.log.error(
          { dir: this.options.dir, readings: this.acknowledgedBeforeDurable },
          'spool: disk stalled; acknowledging readings before they are on disk',
        );
        resolve();
      }, limitMs);
      void batch.done.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return batch.bounded;
  }

  private countEarly(batch: Pending): void {
    this.acknowledgedBeforeDurable += batch.lines - batch.countedEarly;
    batch.countedEarly = batch.lines;
  }

  private scheduleSync(): void {
    if (this.syncTimer || this.syncing || !this.opened) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      void this.sync();
    }, this.options.syncIntervalMs);
  }

  /** Writes and fdatasyncs every pending append: one group commit. */
  private async sync(): Promise<void> {
    if (this.syncing || this.pending.lines === 0) return;
    const batch = this.pending;
    this.pending = newPending();
    this.syncing = batch;
    this.syncStartedAt = Date.now();
    try {
      const data = Buffer.concat(batch.records.map(encodeRecord));
      try {
        await this.writeDurably(data, batch);
        if (this.lastError !== null) this.log.warn({ dir: this.options.dir }, 'spool: appends work again; spooling resumed');
        this.lastError = null;
      } catch (error) {
        this.notSpooled(
          batch.records.flatMap((record) => record.lines),
          describe(error),
        );
      }
      await this.dropPastMaxBytes();
    } finally {
      this.syncing = null;
      batch.resolve();
    }
    this.events.synced();
    if (this.pending.lines > 0) this.scheduleSync();
  }

  private async writeDurably(data: Buffer, batch: Pending): Promise<void> {
    const active = await this.activeFor(data.length);
    const { segment, file } = active;
    const at = segment.bytes;
    try {
      await file.write(data, at);
      await file.datasync();
    } catch (error) {
      // Cut what part of the write landed, so the segment ends on a whole record; if even that
      // fails, the segment is left (its tail is cut as torn at the next start) and a new one begun.
      try {
        await file.truncate(at);
      } catch {
        this.active = null;
        await file.close().catch(() => undefined);
      }
      throw error;
    }
    segment.bytes += data.length;
    segment.readings += batch.lines;
    if (segment.unsentFrom === null) segment.unsentFrom = batch.records[0]!.acceptedAt;
  }

  /** The segment to append `bytes` to: the active one, or a new one when it is full. */
  private async activeFor(bytes: number): Promise<{ segment: Segment; file: SpoolFile }> {
    if (this.active && this.active.segment.bytes > 0 && this.active.segment.bytes + bytes > this.segmentBytes) {
      const { segment, file } = this.active;
      this.active = null;
      await file.close().catch(() => undefined);
      if (segment.unsentFrom === null) await this.remove(segment);
    }
    if (this.active) return this.active;
    const id = this.nextId++;
    const segment = newSegment(id, this.segmentPath(id), false);
    const file = await this.files.open(segment.path, 'write');
    this.active = { segment, file };
    this.segments.push(segment);
    await this.files.syncDirectory(this.options.dir);
    return this.active;
  }

  private notSpooled(lines: string[], reason: string): void {
    this.notSpooledReadings += lines.length;
    this.lastError = reason;
    const now = Date.now();
    if (now - this.lastErrorLogged >= 10_000) {
      this.lastErrorLogged = now;
      this.log.error(
        { dir: this.options.dir, err: reason, readings: this.notSpooledReadings },
        'spool: could not append; readings go on to InfluxDB from memory',
      );
    }
    this.dropped.diskFull += this.events.notSpooled(lines);
  }

  /** Past maxBytes the oldest segments go, counted: an outage longer than the spool holds loses its oldest readings. */
  private async dropPastMaxBytes(): Promise<void> {
    let total = this.bytes();
    while (total > this.options.maxBytes && this.segments.length > 0 && this.segments[0] !== this.active?.segment) {
      const segment = this.segments[0]!;
      // Batches taken and not confirmed are counted when they settle: written if their send
      // succeeds, dropped (lostInFlight) if it is let go. Counting them here too counted them twice.
      const lost = segment.readings - segment.takenReadings;
      total -= segment.bytes;
      this.dropped.overflow += lost;
      this.events.overflowed(lost);
      this.log.warn({ segment: segment.path, readings: lost, maxBytes: this.options.maxBytes }, 'spool: full; its oldest segment was dropped');
      await this.remove(segment);
    }
  }

  private async remove(segment: Segment): Promise<void> {
    segment.gone = true;
    const index = this.segments.indexOf(segment);
    if (index >= 0) this.segments.splice(index, 1);
    if (segment.replay && this.replayFinishedAt === null && !this.segments.some((s) => s.replay)) this.replayFinishedAt = Date.now();
    try {
      await this.files.remove(segment.path);
    } catch (error) {
      // Already gone (deleted by someone else, which damaged() counted as lost): nothing left to delete.
      if (errorCode(error) === 'ENOENT') return;
      this.log.warn({ segment: segment.path, err: describe(error) }, 'spool: could not delete a segment');
    }
  }

  /** Readings of a stream not yet taken for sending, and when the oldest unconfirmed one was accepted. */
  waiting(replay: boolean): { readings: number; oldestAt: number | null } {
    let readings = 0;
    let oldestAt: number | null = null;
    for (const segment of this.segments) {
      if (segment.replay !== replay) continue;
      readings += segment.readings - segment.takenReadings;
      if (oldestAt === null && segment.unsentFrom !== null) oldestAt = segment.unsentFrom;
    }
    return { readings, oldestAt };
  }

  /** The next unconfirmed records of a stream, whole records up to maxLines (at least one). */
  async take(replay: boolean, maxLines: number): Promise<SpoolBatch | null> {
    const segment = this.segments.find((s) => s.replay === replay && s.readOffset < s.bytes);
    if (!segment) return null;
    const start = segment.readOffset;
    let file: SpoolFile;
    try {
      file = await this.files.open(segment.path, 'read');
    } catch (error) {
      // Dropped past maxBytes (or deleted once confirmed) between the find and the open: take from the next one.
      if (segment.gone) return this.take(replay, maxLines);
      // Deleted by someone else: its readings cannot be read again, counted as lost.
      if (errorCode(error) === 'ENOENT') return this.damaged(segment, start);
      // EIO, EMFILE: the caller tries again later.
      throw error;
    }
    try {
      // About what maxLines take in this segment, so a batch does not read (and copy) megabytes it leaves.
      const perReading = segment.readings > 0 ? segment.bytes / segment.readings : 256;
      let buffer = Buffer.allocUnsafe(Math.min(segment.bytes - start, READ_CHUNK_BYTES, Math.ceil(maxLines * perReading * 1.1) + 4096));
      buffer = buffer.subarray(0, await file.read(buffer, start));
      let first = decodeRecord(buffer, 0);
      if (first.kind === 'short') {
        buffer = Buffer.allocUnsafe(first.needBytes);
        buffer = buffer.subarray(0, await file.read(buffer, start));
        first = decodeRecord(buffer, 0);
      }
      if (first.kind !== 'record') return this.damaged(segment, start);
      const lines: string[] = [];
      let offset = 0;
      let readings = 0;
      let nextAcceptedAt: number | null = null;
      for (;;) {
        const decoded = decodeRecord(buffer, offset);
        if (decoded.kind !== 'record') break;
        if (lines.length > 0 && lines.length + decoded.lineCount > maxLines) {
          nextAcceptedAt = decoded.acceptedAt;
          break;
        }
        for (const line of decoded.lines()) lines.push(line);
        readings += decoded.lineCount;
        offset += decoded.bytes;
        if (start + offset >= segment.bytes) break;
      }
      segment.readOffset = start + offset;
      segment.takenReadings += readings;
      return { segment, end: start + offset, readings, lines, nextAcceptedAt };
    } finally {
      await file.close();
    }
  }

  /** A record that was good at start-up or when written no longer reads back: the rest of its segment is given up, counted. */
  private damaged(segment: Segment, at: number): null {
    // Batches already taken read back fine and settle as usual; only the rest is lost.
    const lost = segment.readings - segment.takenReadings;
    this.dropped.lostSegment += lost;
    this.events.damaged(lost);
    this.log.error({ segment: segment.path, at, readings: lost }, 'spool: a segment no longer reads back; its unsent readings are lost');
    segment.readOffset = segment.bytes;
    segment.takenReadings = segment.readings;
    segment.confirmedReadings += lost;
    if (segment.confirmedReadings >= segment.readings) {
      segment.confirmedOffset = segment.bytes;
      segment.unsentFrom = null;
      // Nothing of it is left to confirm, so no confirm() would ever delete it: a replay segment
      // kept would hold the replay open for good (the console waits for its end).
      if (segment !== this.active?.segment) void this.remove(segment);
    }
    return null;
  }

  /** InfluxDB has every line of `batch`; a segment whose every record is confirmed is deleted (unless still appended to). */
  async confirm(batch: SpoolBatch): Promise<void> {
    const { segment } = batch;
    if (segment.gone) return;
    segment.confirmedOffset = Math.max(segment.confirmedOffset, batch.end);
    segment.confirmedReadings += batch.readings;
    // The readings test also covers a damaged segment, whose lost rest counts as confirmed.
    if (segment.confirmedOffset >= segment.bytes || segment.confirmedReadings >= segment.readings) {
      segment.confirmedOffset = segment.bytes;
      segment.unsentFrom = null;
      if (segment !== this.active?.segment) await this.remove(segment);
      return;
    }
    segment.unsentFrom = batch.nextAcceptedAt ?? (await this.acceptedAtOf(segment, batch.end));
  }

  private async acceptedAtOf(segment: Segment, offset: number): Promise<number | null> {
    try {
      const file = await this.files.open(segment.path, 'read');
      try {
        const buffer = Buffer.alloc(ACCEPTED_AT_PREFIX_BYTES);
        if ((await file.read(buffer, offset)) < buffer.length) return segment.unsentFrom;
        return recordAcceptedAt(buffer);
      } finally {
        await file.close();
      }
    } catch {
      return segment.unsentFrom;
    }
  }

  /** A batch of a segment dropped past maxBytes, let go after its send failed: its readings are lost. */
  lostInFlight(batch: SpoolBatch): void {
    this.dropped.overflow += batch.readings;
    this.events.overflowed(batch.readings);
  }

  /** Whether a batch's segment was dropped (past maxBytes) since it was taken. */
  stale(batch: SpoolBatch): boolean {
    return batch.segment.gone;
  }

  bytes(): number {
    return this.segments.reduce((sum, segment) => sum + segment.bytes, 0);
  }

  /** Lines held in memory by the log itself: appends waiting for their sync. */
  bufferedLines(): number {
    return this.pending.lines + (this.syncing?.lines ?? 0);
  }

  stats(): SegmentLogStats {
    let unsentReadings = this.bufferedLines();
    let oldestUnsentAt: number | null = null;
    let replayLeft = 0;
    let replaySegmentsLeft = 0;
    for (const segment of this.segments) {
      const left = segment.readings - segment.confirmedReadings;
      unsentReadings += left;
      if (segment.replay) {
        replayLeft += left;
        replaySegmentsLeft++;
      }
      if (segment.unsentFrom !== null && (oldestUnsentAt === null || segment.unsentFrom < oldestUnsentAt)) oldestUnsentAt = segment.unsentFrom;
    }
    for (const waiting of [this.syncing, this.pending]) {
      const at = waiting?.records[0]?.acceptedAt;
      if (at !== undefined && (oldestUnsentAt === null || at < oldestUnsentAt)) oldestUnsentAt = at;
    }
    const replaying = this.segments.some((segment) => segment.replay);
    return {
      bytes: this.bytes(),
      segments: this.segments.length,
      unsentReadings,
      oldestUnsentAt,
      replay: replaying
        ? {
            readingsLeft: replayLeft,
            readingsTotal: this.replayTotal,
            segmentsLeft: replaySegmentsLeft,
            segmentsTotal: this.replaySegmentsTotal,
            startedAt: this.replayStartedAt,
          }
        : null,
      replayFinished:
        this.replayFinishedAt === null
          ? null
          : { readingsTotal: this.replayTotal, segmentsTotal: this.replaySegmentsTotal, startedAt: this.replayStartedAt, finishedAt: this.replayFinishedAt },
      dropped: { ...this.dropped },
      notSpooled: this.notSpooledReadings,
      acknowledgedBeforeDurable: this.acknowledgedBeforeDurable,
      lastError: this.lastError,
    };
  }

  /**
   * Syncs what is pending and closes the active segment. Segments stay for the next start unless
   * InfluxDB confirmed every record in them. A sync that has not returned within `timeoutMs` (a
   * stalled disk) is left behind: appends still waiting go to the caller as not spooled, and no
   * further file call is made, so shutdown is not held for ever.
   */
  async close(timeoutMs = 30_000): Promise<void> {
    if (this.closed) return;
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    const deadline = Date.now() + timeoutMs;
    while (this.syncing) {
      const left = deadline - Date.now();
      if (left <= 0 || !(await settlesWithin(this.syncing.done, left))) {
        this.closed = true;
        const waiting = this.pending;
        this.pending = newPending();
        const lines = waiting.records.flatMap((record) => record.lines);
        if (lines.length > 0)
          this.notSpooled(lines, `disk stalled at shutdown: fsync has not returned for ${Math.round((Date.now() - this.syncStartedAt) / 1000)} s`);
        waiting.resolve();
        this.log.error({ dir: this.options.dir }, 'spool: disk stalled at shutdown; segments left as they are');
        return;
      }
    }
    if (this.opened) await this.sync();
    this.closed = true;
    const active = this.active;
    this.active = null;
    await active?.file.close().catch(() => undefined);
    for (const segment of [...this.segments]) if (segment.unsentFrom === null && segment.confirmedOffset >= segment.bytes) await this.remove(segment);
  }

  private segmentPath(id: number): string {
    return join(this.options.dir, `segment-${String(id).padStart(12, '0')}.log`);
  }
}

function newSegment(id: number, path: string, replay: boolean): Segment {
  return { id, path, replay, bytes: 0, readings: 0, readOffset: 0, takenReadings: 0, confirmedOffset: 0, confirmedReadings: 0, unsentFrom: null, gone: false };
}

function newPending(): Pending {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  return { records: [], lines: 0, bytes: 0, done, resolve, bounded: null, stalled: false, countedEarly: 0 };
}

/** Whether `promise` settles within `ms`. */
function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}
