/**
 * Simulated wall pages: socket.io clients that subscribe like the web wall and, while a latency
 * window is open, record publish → receipt delay for every reading of that window's devices.
 * A reading's ts is its publish time (the fleet stamps it with Date.now() on this same clock).
 */
import { io, type Socket } from 'socket.io-client';
import type { Frame, ServerToWallEvents, WallToServerEvents } from '../../contract/live';
import { LatencyHistogram, type LatencySummary } from './latencyHistogram';

type WallSocket = Socket<ServerToWallEvents, WallToServerEvents>;

interface LatencyWindow {
  devicePrefix: string;
  latencies: LatencyHistogram;
  /** Readings of the window received per wall, to tell "late" from "never arrived". */
  perWall: number[];
}

export class WallListeners {
  private window: LatencyWindow | undefined;
  /** Walls that lost their connection since connecting; they do not reconnect, so their readings stop. */
  disconnects = 0;

  private constructor(private readonly sockets: WallSocket[]) {}

  static async connect(httpUrl: string, booths: string[], count: number): Promise<WallListeners> {
    const sockets: WallSocket[] = [];
    const listeners = new WallListeners(sockets);
    try {
      for (let i = 0; i < count; i++) {
        const socket: WallSocket = io(httpUrl, { auth: { booths }, transports: ['websocket'], reconnection: false, timeout: 10_000 });
        sockets.push(socket);
        const wall = i;
        socket.on('frame', (frame) => listeners.onFrame(wall, frame));
        socket.on('disconnect', () => listeners.disconnects++);
        await new Promise<void>((resolve, reject) => {
          socket.once('snapshot', () => resolve());
          socket.once('connect_error', (error) => reject(new Error(`wall ${i} could not connect: ${error.message}`)));
        });
      }
    } catch (error) {
      listeners.close();
      throw error;
    }
    return listeners;
  }

  /** Starts recording latencies of readings whose device id starts with `${devicePrefix}-`. */
  openWindow(devicePrefix: string): void {
    this.window = { devicePrefix: `${devicePrefix}-`, latencies: new LatencyHistogram(), perWall: this.sockets.map(() => 0) };
  }

  /** Stops recording; returns the latency percentiles and how many of the window's readings each wall received. */
  closeWindow(): { latency: LatencySummary | null; readingsPerWall: number[] } {
    const window = this.window;
    this.window = undefined;
    if (!window) return { latency: null, readingsPerWall: [] };
    return { latency: window.latencies.summary(), readingsPerWall: window.perWall };
  }

  close(): void {
    for (const socket of this.sockets) socket.disconnect();
  }

  private onFrame(wall: number, frame: Frame): void {
    const receivedAt = Date.now();
    const window = this.window;
    if (!window) return;
    for (const reading of frame.readings) {
      if (!reading.device.startsWith(window.devicePrefix)) continue;
      window.perWall[wall]!++;
      window.latencies.record(receivedAt - reading.ts);
    }
  }
}
