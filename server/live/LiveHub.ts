/**
 * Pushes the live picture to wall pages over socket.io. Readings are batched per booth and sent
 * as one frame per tick to that booth's room, so the cost per tick does not grow with the message
 * rate or the number of screens. A (re)connecting page first gets the dashboard, then a snapshot of
 * the recent window, then the open alarms of its booths; alarm changes follow on the next tick.
 */
import type { IncomingMessage } from 'node:http';
import type { Server, Socket } from 'socket.io';
import type { WallAlarmNotice } from '../../contract/console';
import type { WallDashboard, WallReport } from '../../contract/dashboard';
import type { Frame, LiveReading, ServerToWallEvents, Snapshot, WallToServerEvents } from '../../contract/live';
import type { BudgetRefusals } from '../budgets/BudgetRefusals';
import { BoothFrame } from './BoothFrame';
import type { DeviceDirectory } from './DeviceDirectory';
import { DEFAULT_CHUNK_BYTES, snapshotChunks } from './SnapshotChunker';
import { dropConnection, pendingOutputBytes } from './wallOutput';
import { WallFrameShare } from './WallFrameShare';
import { parseWallReport } from './wallReport';
import type { WallRegistry } from './WallRegistry';

export interface LiveHubOptions {
  tickMs: number;
  windowMs: number;
  /**
   * One booth's frame per tick (`live.maxFrameReadingsPerBooth`, `live.maxFrameBytesPerBooth`): values
   * (device × metric, newest of the tick only) and about this many JSON bytes; beyond them the
   * earliest are dropped from the live view (never from storage) and counted against the booth.
   */
  maxFrameReadingsPerBooth: number;
  maxFrameBytesPerBooth?: number;
  /** One wall's whole snapshot, JSON bytes (`wall.maxSnapshotBytes`); past it the oldest points are left out. */
  maxSnapshotBytes?: number;
  /** One snapshot chunk, JSON bytes; between chunks the event loop runs. Default 256 KB. */
  snapshotChunkBytes?: number;
  /** Output waiting for one wall (`wall.maxBufferedBytesPerWall`); a wall that does not read past it is disconnected. */
  maxBufferedBytesPerWall?: number;
}

/** The defaults of `wall.maxSnapshotBytes` and `wall.maxBufferedBytesPerWall`, for hubs made without settings (tests). */
const DEFAULT_MAX_SNAPSHOT_BYTES = 8 * 1024 * 1024;
const DEFAULT_MAX_BUFFERED_BYTES_PER_WALL = 16 * 1024 * 1024;
/** The default of `live.maxFrameBytesPerBooth`. */
const DEFAULT_MAX_FRAME_BYTES_PER_BOOTH = 512 * 1024;
/** How often a paced snapshot looks whether its wall has read what it was sent. */
const PACING_CHECK_MS = 25;
/** A wall whose output (snapshot, or frames past half its buffer) has not moved for this long is not reading; a kiosk on slow Wi-Fi still moves. */
const SNAPSHOT_STALL_MS = 10_000;

export interface BoothLabel {
  id: string;
  name: string;
}

interface PendingFrame {
  readings: BoothFrame;
  changedDevices: Set<string>;
  /** Devices a technician forgot since the last frame (bounded like changedDevices). */
  forgotten: Set<string>;
}

export interface WallSubscriptionRequest {
  booths: string[];
  windowMs: number;
  wall?: WallReport;
}

/** Besides the live data, what a wall is given on connect and where its arrival is written down. */
export interface WallWelcome {
  dashboard(): WallDashboard;
  registry: WallRegistry;
  /** Alarms that are not cleared, for walls showing these booths; absent: always none. */
  alarms?(booths: ReadonlySet<string>): WallAlarmNotice[];
  /**
   * Whether a wall report from this address may be taken now (`wall.reportsPerMinutePerAddress`);
   * past it the report is ignored and counted, and the wall is served all the same. Absent: always.
   */
  admitReport?(address: string): boolean;
  /** The client's address behind a trusted reverse proxy (TRUST_PROXY); absent: the peer's address. */
  addressOf?(request: IncomingMessage): string;
}

export type WallServer = Server<WallToServerEvents, ServerToWallEvents, Record<string, never>, WallSubscriptionRequest>;
type WallSocket = Socket<WallToServerEvents, ServerToWallEvents, Record<string, never>, WallSubscriptionRequest>;

export class LiveHub {
  private readonly pending = new Map<string, PendingFrame>();
  /** Booths whose alarms changed since the last tick. */
  private readonly alarmBooths = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private io: WallServer | undefined;
  /** Values left out of frames by the per-booth, per-tick bound (also counted per booth as `live-frame-budget`). */
  droppedLiveReadings = 0;
  framesSent = 0;
  /** Frames of a booth not sent to one wall whose output was backing up (per booth: `wall-frame-skipped`). */
  framesSkipped = 0;
  /**
   * Per wall (socket id) and booth, devices forgotten in frames this wall was skipped for: a skipped
   * frame takes its `forgotten` list with it, and the wall would show the stale tile until reloaded.
   * Sent in a frame of their own as soon as the wall takes output again, ahead of any frame of that
   * booth. Bounded: walls connected, booths each shows, maxDevicesPerBooth ids a booth.
   */
  private readonly owedForgotten = new Map<string, Map<string, Set<string>>>();
  /** Per wall: what each of its booths was sent lately. Weak, so it goes with the socket. */
  private readonly shares = new WeakMap<WallSocket, WallFrameShare>();
  /** Snapshots that hit `maxSnapshotBytes`, and the points and devices they left out. */
  snapshotsTruncated = 0;
  snapshotPointsLeftOut = 0;
  snapshotDevicesLeftOut = 0;

  constructor(
    private readonly directory: DeviceDirectory,
    private readonly booths: readonly BoothLabel[],
    private readonly options: LiveHubOptions,
    private readonly walls: WallWelcome,
    private readonly refusals?: BudgetRefusals,
  ) {
    for (const booth of booths) this.pending.set(booth.id, this.emptyFrame());
  }

  private emptyFrame(): PendingFrame {
    const limits = { maxPoints: this.options.maxFrameReadingsPerBooth, maxBytes: this.options.maxFrameBytesPerBooth ?? DEFAULT_MAX_FRAME_BYTES_PER_BOOTH };
    return { readings: new BoothFrame(limits), changedDevices: new Set(), forgotten: new Set() };
  }

  readingAccepted(reading: LiveReading): void {
    const frame = this.pending.get(reading.booth);
    if (!frame) return;
    const dropped = frame.readings.add(reading);
    if (dropped > 0) {
      this.droppedLiveReadings += dropped;
      this.refusals?.count(reading.booth, 'live-frame-budget', dropped);
    }
  }

  /** Coalesced: however many alarms of a booth change within a tick, its walls get one list. */
  alarmsChanged(booth: string): void {
    if (this.pending.has(booth)) this.alarmBooths.add(booth);
  }

  /** Values (device × metric) waiting for the next frame of `booth`. */
  pendingReadings(booth: string): number {
    return this.pending.get(booth)?.readings.size ?? 0;
  }

  /** Forgotten devices waiting for the next frame of `booth`. */
  pendingForgotten(booth: string): number {
    return this.pending.get(booth)?.forgotten.size ?? 0;
  }

  pendingDeviceChanges(booth: string): number {
    return this.pending.get(booth)?.changedDevices.size ?? 0;
  }

  deviceChanged(booth: string, device: string): void {
    const changed = this.pending.get(booth)?.changedDevices;
    // Past the directory's per-booth limit the device has been evicted anyway; the next snapshot is exact.
    if (changed && changed.size < this.directory.limits.maxDevicesPerBooth) changed.add(device);
  }

  /** A technician forgot the device: its walls drop its tile with the next frame. */
  deviceForgotten(booth: string, device: string): void {
    const frame = this.pending.get(booth);
    if (!frame) return;
    frame.changedDevices.delete(device);
    frame.readings.forget(device);
    if (frame.forgotten.size < this.directory.limits.maxDevicesPerBooth) frame.forgotten.add(device);
  }

  attach(io: WallServer): void {
    this.io = io;
    // Refusing in middleware gives the page a connect_error with the reason, before any data.
    io.use((socket, next) => {
      const request = parseSubscription(socket.handshake.auth, this.booths, this.options.windowMs);
      if (typeof request === 'string') return next(new Error(request));
      if (request.wall && this.walls.admitReport && !this.walls.admitReport(this.addressOf(socket))) {
        this.walls.registry.countRefusal('report-rate-limit');
        delete request.wall;
      }
      socket.data = request;
      next();
    });
    io.on('connection', (socket) => this.welcome(socket));
    this.timer = setInterval(() => this.tick(), this.options.tickMs);
    this.timer.unref();
  }

  get connectedWalls(): number {
    return this.io?.engine.clientsCount ?? 0;
  }

  /** Sends one frame per booth that has news and an audience; public so tests and shutdown can flush. */
  tick(now = Date.now()): void {
    const io = this.io;
    if (!io) return;
    this.sendOwedForgotten(io, now);
    for (const [booth, frame] of this.pending) {
      if (frame.readings.size === 0 && frame.changedDevices.size === 0 && frame.forgotten.size === 0) continue;
      const room = roomOf(booth);
      const audience = io.sockets.adapter.rooms.get(room);
      if (audience && audience.size > 0) {
        const devices = [];
        for (const device of frame.changedDevices) {
          const record = this.directory.get(booth, device);
          if (record) devices.push(this.directory.summary(record));
        }
        const message: Frame = { booth, serverTime: now, readings: frame.readings.take(booth), devices };
        if (frame.forgotten.size > 0) message.forgotten = [...frame.forgotten];
        this.sendFrame(io, audience, message, now);
      }
      this.pending.set(booth, this.emptyFrame());
    }
    if (this.alarmBooths.size > 0) this.sendAlarms(io);
    this.disconnectSlowWalls(io, now);
  }

  /**
   * Encoded once for the whole room (socket.io's broadcast), minus the walls that are backing up
   * and where this booth took more than its share lately (WallFrameShare): one booth's flood must
   * not get a wall that also shows other booths disconnected as a slow reader.
   */
  private sendFrame(io: WallServer, audience: ReadonlySet<string>, message: Frame, now: number): void {
    const bytes = JSON.stringify(message).length;
    const limit = this.options.maxBufferedBytesPerWall ?? DEFAULT_MAX_BUFFERED_BYTES_PER_WALL;
    const skipped: string[] = [];
    for (const socketId of audience) {
      const socket = io.sockets.sockets.get(socketId);
      if (!socket) continue;
      const share = this.shareOf(socket);
      if (share.admits(message.booth, bytes, pendingOutputBytes(socket.conn), limit, now)) {
        // What it missed first: the frame may carry a forgotten device that published again since.
        this.payOwed(socket, message.booth, now);
        share.sent(message.booth, bytes, now);
      } else {
        skipped.push(socketId);
        if (message.forgotten) this.owe(socketId, message.booth, message.forgotten);
      }
    }
    if (skipped.length > 0) {
      this.framesSkipped += skipped.length;
      this.refusals?.count(message.booth, 'wall-frame-skipped', skipped.length);
    }
    if (skipped.length === audience.size) return;
    io.to(roomOf(message.booth)).except(skipped).emit('frame', message);
    this.framesSent++;
  }

  /** Number of forgotten devices a wall (socket id) is still to be told of, for tests. */
  owedForgottenOf(socketId: string): number {
    let count = 0;
    for (const devices of this.owedForgotten.get(socketId)?.values() ?? []) count += devices.size;
    return count;
  }

  private owe(socketId: string, booth: string, devices: readonly string[]): void {
    let booths = this.owedForgotten.get(socketId);
    if (!booths) this.owedForgotten.set(socketId, (booths = new Map<string, Set<string>>()));
    let owed = booths.get(booth);
    if (!owed) booths.set(booth, (owed = new Set<string>()));
    for (const device of devices) if (owed.size < this.directory.limits.maxDevicesPerBooth) owed.add(device);
  }

  /** Sends `booth`'s owed forgotten devices to the wall, if it owes any and can take them without being dropped. */
  private payOwed(socket: WallSocket, booth: string, now: number): void {
    const booths = this.owedForgotten.get(socket.id);
    const owed = booths?.get(booth);
    if (!booths || !owed) return;
    const message: Frame = { booth, serverTime: now, readings: [], devices: [], forgotten: [...owed] };
    const limit = this.options.maxBufferedBytesPerWall ?? DEFAULT_MAX_BUFFERED_BYTES_PER_WALL;
    if (pendingOutputBytes(socket.conn) + JSON.stringify(message).length > limit) return;
    socket.emit('frame', message);
    booths.delete(booth);
    if (booths.size === 0) this.owedForgotten.delete(socket.id);
  }

  /** Each tick, before the frames: owed notices go out even when their booth has no news. */
  private sendOwedForgotten(io: WallServer, now: number): void {
    for (const [socketId, booths] of this.owedForgotten) {
      const socket = io.sockets.sockets.get(socketId);
      // A wall that left reloads everything with its next snapshot.
      if (!socket?.connected) {
        this.owedForgotten.delete(socketId);
        continue;
      }
      for (const booth of [...booths.keys()]) this.payOwed(socket, booth, now);
    }
  }

  private addressOf(socket: WallSocket): string {
    return this.walls.addressOf?.(socket.request) ?? socket.handshake.address;
  }

  private shareOf(socket: WallSocket): WallFrameShare {
    let share = this.shares.get(socket);
    if (!share) this.shares.set(socket, (share = new WallFrameShare(socket.data.booths, Date.now())));
    return share;
  }

  /**
   * A wall that does not read its frames (a stuck kiosk, or a client that never reads on purpose)
   * would otherwise hold everything sent to it in server memory: engine.io keeps packets in its
   * writeBuffer while the transport is not writable, and the WebSocket in its send buffer.
   */
  private disconnectSlowWalls(io: WallServer, now: number): void {
    const limit = this.options.maxBufferedBytesPerWall ?? DEFAULT_MAX_BUFFERED_BYTES_PER_WALL;
    for (const socket of io.sockets.sockets.values()) {
      if (this.disconnectIfSlow(socket)) continue;
      // Skipped frames keep a wall that stopped reading under the limit; its output standing still is the sign.
      // (Only walls that were offered frames have a share, and only they can have had frames skipped.)
      if (socket.connected && this.shares.get(socket)?.stalled(pendingOutputBytes(socket.conn), limit, now, SNAPSHOT_STALL_MS)) this.dropSlowWall(socket);
    }
  }

  /** True when the wall was disconnected. */
  private disconnectIfSlow(socket: WallSocket): boolean {
    if (!socket.connected || pendingOutputBytes(socket.conn) <= (this.options.maxBufferedBytesPerWall ?? DEFAULT_MAX_BUFFERED_BYTES_PER_WALL)) return false;
    this.dropSlowWall(socket);
    return true;
  }

  private dropSlowWall(socket: WallSocket): void {
    this.walls.registry.countRefusal('slow-reader');
    socket.disconnect(true);
    dropConnection(socket.conn);
  }

  /**
   * Each wall gets the whole list for all its booths, not just the booth that changed, since the
   * list replaces what it shows. Walls showing the same booths share one computed list.
   */
  private sendAlarms(io: WallServer): void {
    const lists = new Map<string, WallAlarmNotice[]>();
    const sent = new Set<string>();
    for (const booth of this.alarmBooths) {
      for (const socketId of io.sockets.adapter.rooms.get(roomOf(booth)) ?? []) {
        const socket = io.sockets.sockets.get(socketId);
        if (!socket || sent.has(socketId)) continue;
        sent.add(socketId);
        const key = socket.data.booths.join('\n');
        let list = lists.get(key);
        if (!list) lists.set(key, (list = this.walls.alarms?.(new Set(socket.data.booths)) ?? []));
        socket.emit('alarms', list);
      }
    }
    this.alarmBooths.clear();
  }

  /** Every connected wall gets the new dashboard at once, whatever booths it shows. */
  publishDashboard(dashboard: WallDashboard): void {
    this.io?.emit('dashboard', dashboard);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private welcome(socket: WallSocket): void {
    const request = socket.data;
    const registry = this.walls.registry;
    registry.connect(socket.id, { report: request.wall, address: this.addressOf(socket), booths: request.booths });
    socket.once('disconnect', () => registry.disconnect(socket.id));
    // The dashboard first, so the page lays out its scenes before the snapshot fills them.
    socket.emit('dashboard', this.walls.dashboard());
    const chunks = snapshotChunks(this.directory, this.booths, request, {
      maxBytes: this.options.maxSnapshotBytes ?? DEFAULT_MAX_SNAPSHOT_BYTES,
      chunkBytes: this.options.snapshotChunkBytes ?? DEFAULT_CHUNK_BYTES,
    });
    // The first chunk and the join happen in the same turn, so no frame falls before the snapshot
    // starts; frames between later chunks are applied as they come (contract/live.ts, Snapshot).
    this.sendChunk(socket, chunks.next());
    socket.emit('alarms', this.walls.alarms?.(new Set(request.booths)) ?? []);
    for (const booth of request.booths) void socket.join(roomOf(booth));
    void this.sendRemainingChunks(socket, chunks);
  }

  /**
   * One chunk a turn, so ingest, acknowledgements and other walls run between them, and paced by
   * the reader: at most a couple of chunks wait in server memory for a wall, however large its
   * snapshot. Without that, a hundred clients that never read would each park a whole snapshot here.
   */
  private async sendRemainingChunks(socket: WallSocket, chunks: Generator<Snapshot, void, void>): Promise<void> {
    const paceAbove = 2 * (this.options.snapshotChunkBytes ?? DEFAULT_CHUNK_BYTES);
    try {
      for (;;) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (!(await this.drained(socket, paceAbove))) return;
        // A wall that left, or does not read what it is sent, is not worth building more for.
        if (!socket.connected || this.disconnectIfSlow(socket)) return;
        if (!this.sendChunk(socket, chunks.next())) return;
      }
    } finally {
      chunks.return();
    }
  }

  /**
   * Waits until no more than `bytes` wait for the wall; false when it left, or took nothing for
   * SNAPSHOT_STALL_MS (then it is disconnected as a slow reader: it is not reading).
   */
  private async drained(socket: WallSocket, bytes: number): Promise<boolean> {
    let pending = pendingOutputBytes(socket.conn);
    let progressAt = Date.now();
    while (pending > bytes) {
      await new Promise<void>((resolve) => setTimeout(resolve, PACING_CHECK_MS));
      if (!socket.connected) return false;
      const now = pendingOutputBytes(socket.conn);
      if (now < pending) progressAt = Date.now();
      else if (Date.now() - progressAt > SNAPSHOT_STALL_MS) {
        this.dropSlowWall(socket);
        return false;
      }
      pending = now;
    }
    return socket.connected;
  }

  /** Emits a chunk; false when there is nothing more to send. */
  private sendChunk(socket: WallSocket, next: IteratorResult<Snapshot, void>): boolean {
    if (next.done) return false;
    const chunk = next.value;
    socket.emit('snapshot', chunk);
    if (chunk.truncated && (chunk.truncated.points > 0 || chunk.truncated.devices > 0)) {
      this.snapshotsTruncated++;
      this.snapshotPointsLeftOut += chunk.truncated.points;
      this.snapshotDevicesLeftOut += chunk.truncated.devices;
    }
    return chunk.final !== true;
  }
}

function roomOf(booth: string): string {
  return `booth:${booth}`;
}

/** Validates a page's handshake; returns an error message for anything it cannot serve. */
export function parseSubscription(auth: unknown, booths: readonly BoothLabel[], maxWindowMs: number): WallSubscriptionRequest | string {
  const known = booths.map((b) => b.id);
  const body = (typeof auth === 'object' && auth !== null ? auth : {}) as { booths?: unknown; windowMs?: unknown; wall?: unknown };
  let wanted = known;
  if (body.booths !== undefined) {
    if (!Array.isArray(body.booths) || body.booths.length > known.length || body.booths.some((b) => typeof b !== 'string')) {
      return 'booths must be a list of booth ids';
    }
    const unknown = (body.booths as string[]).filter((b) => !known.includes(b));
    if (unknown.length > 0) return `unknown booth: ${JSON.stringify(unknown[0]).slice(0, 70)}`;
    if (body.booths.length > 0) wanted = body.booths as string[];
  }
  let windowMs = maxWindowMs;
  if (body.windowMs !== undefined) {
    if (typeof body.windowMs !== 'number' || !Number.isFinite(body.windowMs) || body.windowMs <= 0) return 'windowMs must be a positive number';
    windowMs = Math.min(body.windowMs, maxWindowMs);
  }
  if (body.wall === undefined) return { booths: wanted, windowMs };
  const wall = parseWallReport(body.wall);
  return typeof wall === 'string' ? wall : { booths: wanted, windowMs, wall };
}
