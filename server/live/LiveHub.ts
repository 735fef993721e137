/**
 * Pushes the live picture to wall pages over socket.io. Readings are batched per booth and sent
 * as one frame per tick to that booth's room, so the cost per tick does not grow with the message
 * rate or the number of screens. A (re)connecting page first gets the dashboard, then a snapshot of
 * the recent window, then the open alarms of its booths; alarm changes follow on the next tick.
 */
import type { Server, Socket } from 'socket.io';
import type { WallAlarmNotice } from '../../contract/console';
import type { WallDashboard, WallReport } from '../../contract/dashboard';
import type { DeviceWindow, Frame, LiveReading, ServerToWallEvents, Snapshot, WallToServerEvents } from '../../contract/live';
import type { DeviceDirectory } from './DeviceDirectory';
import { parseWallReport } from './wallReport';
import type { WallRegistry } from './WallRegistry';

export interface LiveHubOptions {
  tickMs: number;
  windowMs: number;
  /** Readings held for one booth between two ticks; beyond it the oldest are dropped from the live view (never from storage). */
  maxPendingReadingsPerBooth: number;
}

export interface BoothLabel {
  id: string;
  name: string;
}

interface PendingFrame {
  readings: LiveReading[];
  changedDevices: Set<string>;
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
}

export type WallServer = Server<WallToServerEvents, ServerToWallEvents, Record<string, never>, WallSubscriptionRequest>;
type WallSocket = Socket<WallToServerEvents, ServerToWallEvents, Record<string, never>, WallSubscriptionRequest>;

export class LiveHub {
  private readonly pending = new Map<string, PendingFrame>();
  /** Booths whose alarms changed since the last tick. */
  private readonly alarmBooths = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private io: WallServer | undefined;
  droppedLiveReadings = 0;
  framesSent = 0;

  constructor(
    private readonly directory: DeviceDirectory,
    private readonly booths: readonly BoothLabel[],
    private readonly options: LiveHubOptions,
    private readonly walls: WallWelcome,
  ) {
    for (const booth of booths) this.pending.set(booth.id, { readings: [], changedDevices: new Set() });
  }

  readingAccepted(reading: LiveReading): void {
    const frame = this.pending.get(reading.booth);
    if (!frame) return;
    if (frame.readings.length >= this.options.maxPendingReadingsPerBooth) {
      // Drop the oldest quarter at once: shifting one at a time is O(n) per reading under a flood.
      const drop = Math.max(1, Math.floor(frame.readings.length / 4));
      frame.readings.splice(0, drop);
      this.droppedLiveReadings += drop;
    }
    frame.readings.push(reading);
  }

  /** Coalesced: however many alarms of a booth change within a tick, its walls get one list. */
  alarmsChanged(booth: string): void {
    if (this.pending.has(booth)) this.alarmBooths.add(booth);
  }

  pendingReadings(booth: string): number {
    return this.pending.get(booth)?.readings.length ?? 0;
  }

  pendingDeviceChanges(booth: string): number {
    return this.pending.get(booth)?.changedDevices.size ?? 0;
  }

  deviceChanged(booth: string, device: string): void {
    const changed = this.pending.get(booth)?.changedDevices;
    // Past the directory's per-booth limit the device has been evicted anyway; the next snapshot is exact.
    if (changed && changed.size < this.directory.limits.maxDevicesPerBooth) changed.add(device);
  }

  snapshot(booths: readonly string[], windowMs: number, now = Date.now()): Snapshot {
    const wanted = new Set(booths);
    const since = now - Math.min(windowMs, this.options.windowMs);
    const devices: DeviceWindow[] = [];
    for (const record of this.directory.records(wanted)) {
      devices.push({ ...this.directory.summary(record), series: this.directory.window(record, since) });
    }
    return {
      serverTime: now,
      windowMs: Math.min(windowMs, this.options.windowMs),
      booths: this.booths.filter((b) => wanted.has(b.id)).map((b) => ({ id: b.id, name: b.name })),
      devices,
    };
  }

  attach(io: WallServer): void {
    this.io = io;
    // Refusing in middleware gives the page a connect_error with the reason, before any data.
    io.use((socket, next) => {
      const request = parseSubscription(socket.handshake.auth, this.booths, this.options.windowMs);
      if (typeof request === 'string') return next(new Error(request));
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
    for (const [booth, frame] of this.pending) {
      if (frame.readings.length === 0 && frame.changedDevices.size === 0) continue;
      const room = roomOf(booth);
      if ((io.sockets.adapter.rooms.get(room)?.size ?? 0) > 0) {
        const devices = [];
        for (const device of frame.changedDevices) {
          const record = this.directory.get(booth, device);
          if (record) devices.push(this.directory.summary(record));
        }
        const message: Frame = { booth, serverTime: now, readings: frame.readings, devices };
        io.to(room).emit('frame', message);
        this.framesSent++;
      }
      this.pending.set(booth, { readings: [], changedDevices: new Set() });
    }
    if (this.alarmBooths.size > 0) this.sendAlarms(io);
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
    // The dashboard first, so the page lays out its scenes before the snapshot fills them.
    socket.emit('dashboard', this.walls.dashboard());
    // Snapshot and join happen in the same turn, so no frame can fall between them; a frame
    // may repeat a reading the snapshot holds, which the page drops by timestamp.
    socket.emit('snapshot', this.snapshot(request.booths, request.windowMs));
    socket.emit('alarms', this.walls.alarms?.(new Set(request.booths)) ?? []);
    for (const booth of request.booths) void socket.join(roomOf(booth));
    const registry = this.walls.registry;
    registry.connect(socket.id, { report: request.wall, address: socket.handshake.address, booths: request.booths });
    socket.once('disconnect', () => registry.disconnect(socket.id));
  }
}

function roomOf(booth: string): string {
  return `booth:${booth}`;
}

/** Validates a page's handshake; returns an error message for anything it cannot serve. */
export function parseSubscription(
  auth: unknown,
  booths: readonly BoothLabel[],
  maxWindowMs: number,
): WallSubscriptionRequest | string {
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
