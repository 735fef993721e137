/**
 * The socket.io link to the server's LiveHub. socket.io-client reconnects by itself after network
 * trouble; when the server refuses or kicks the page it does not, and a kiosk has nobody to press
 * reload, so this retries slowly on its own.
 */
import { io, type Socket } from 'socket.io-client';
import type { WallAlarmNotice } from '../../contract/console';
import type { WallDashboard, WallReport } from '../../contract/dashboard';
import type { Frame, ServerToWallEvents, Snapshot, WallSubscription, WallToServerEvents } from '../../contract/live';
import type { ConnectionEvent } from './connectionStatus';
import type { WallParams } from './wallParams';

export type WallSocket = Socket<ServerToWallEvents, WallToServerEvents>;

export interface WallConnectionHandlers {
  onDashboard(dashboard: WallDashboard): void;
  onAlarms(alarms: WallAlarmNotice[]): void;
  /** The server has accepted the handshake, and with it the wall report. */
  onReported(): void;
  /**
   * Once per chunk of a snapshot, in the order sent and interleaved with frames as they came: the
   * model's applySnapshot replaces on chunk 0 and adds on the others (contract/live.ts, Snapshot).
   */
  onSnapshot(snapshot: Snapshot): void;
  onFrame(frame: Frame): void;
  onStatus(event: ConnectionEvent): void;
}

const RECONNECTION_DELAY_MAX_MS = 10_000;
const RETRY_AFTER_REFUSAL_MS = 30_000;

export class WallConnection {
  private readonly socket: WallSocket;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;

  /** `report` is asked again on every attempt, so what it says (the reload reason) can change once delivered. */
  constructor(params: WallParams, report: () => WallReport, handlers: WallConnectionHandlers) {
    const subscription: WallSubscription = { windowMs: params.windowMs };
    if (params.booths.length > 0) subscription.booths = params.booths;
    this.socket = io({
      auth: (callback) => callback({ ...subscription, wall: report() }),
      reconnectionDelayMax: RECONNECTION_DELAY_MAX_MS,
    });

    const socket = this.socket;
    socket.on('connect', () => {
      handlers.onReported();
      handlers.onStatus({ type: 'connect', at: Date.now() });
    });
    socket.on('disconnect', () => {
      handlers.onStatus({ type: 'disconnect', at: Date.now(), willReconnect: socket.active });
      if (!socket.active) this.retryLater();
    });
    socket.on('connect_error', (error) => {
      handlers.onStatus({ type: 'connect_error', at: Date.now(), willReconnect: socket.active, message: error.message });
      if (!socket.active) this.retryLater();
    });
    socket.io.on('reconnect_attempt', (attempt) => handlers.onStatus({ type: 'reconnect_attempt', at: Date.now(), attempt }));
    socket.on('dashboard', (dashboard) => handlers.onDashboard(dashboard));
    socket.on('alarms', (alarms) => handlers.onAlarms(Array.isArray(alarms) ? alarms : []));
    socket.on('snapshot', (snapshot) => {
      handlers.onSnapshot(snapshot);
      // The page shows what it got; a technician opening the console sees why charts start late.
      const left = snapshot.truncated;
      if (left && (left.points > 0 || left.devices > 0))
        console.warn(`snapshot over the server's size cap: ${left.points} oldest points and ${left.devices} devices left out`);
    });
    socket.on('frame', (frame) => handlers.onFrame(frame));
  }

  close(): void {
    clearTimeout(this.retryTimer);
    this.socket.removeAllListeners();
    this.socket.io.removeAllListeners();
    this.socket.disconnect();
  }

  private retryLater(): void {
    if (this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.socket.connect();
    }, RETRY_AFTER_REFUSAL_MS);
  }
}
