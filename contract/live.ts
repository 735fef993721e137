/**
 * The socket.io protocol between the server's LiveHub and wall pages.
 * Data flows one way: the page says once which booths it wants (handshake `auth`), then only listens.
 */
import type { WallAlarmNotice } from './console';
import type { WallDashboard, WallReport } from './dashboard';
import type { DeviceMeta, ReadingValues } from './device';

export type PresenceState = 'online' | 'offline' | 'unknown';

/** Why presence changed: a status publish, or what the broker saw of the connection. */
export type PresenceReason =
  | 'status'
  | 'telemetry'
  | 'will'
  | 'connect'
  | 'disconnect'
  | 'keepalive-timeout'
  | 'connection-lost'
  | 'server-start';

export interface Presence {
  state: PresenceState;
  since: number;
  reason: PresenceReason;
}

export interface DeviceRef {
  booth: string;
  device: string;
}

export interface DeviceSummary extends DeviceRef {
  meta: DeviceMeta;
  presence: Presence;
  /** Receive time of the last accepted telemetry, epoch ms; null before the first one. */
  lastSeen: number | null;
  latest: ReadingValues;
}

/** One reading as it travels on the live path: a device's values at one instant. */
export interface LiveReading extends DeviceRef {
  ts: number;
  values: ReadingValues;
}

/**
 * Recent window of one series, columnar to keep snapshots small:
 * ts[i] is epoch ms, values[i] the value at that time (booleans as 0/1).
 */
export interface SeriesWindow {
  metric: string;
  ts: number[];
  values: number[];
}

export interface DeviceWindow extends DeviceSummary {
  series: SeriesWindow[];
}

/** Sent once on every (re)connect, before any frame, so the page can draw full charts at once. */
export interface Snapshot {
  serverTime: number;
  windowMs: number;
  booths: { id: string; name: string }[];
  devices: DeviceWindow[];
}

/** One batched frame per tick per booth room: everything that happened since the previous tick. */
export interface Frame {
  booth: string;
  serverTime: number;
  readings: LiveReading[];
  devices: DeviceSummary[];
}

/** Handshake `auth` payload sent by a page. Validated by the server; unknown booths are refused. */
export interface WallSubscription {
  /** Booth ids; empty or missing means every configured booth. */
  booths?: string[];
  /** How much recent history the snapshot should carry, ms (capped by the server's window). */
  windowMs?: number;
  /** Who this page is, so technicians can see each wall and how often its watchdog reloaded it. */
  wall?: WallReport;
}

export interface ServerToWallEvents {
  /** Sent on every (re)connect before the snapshot, and to every wall when the dashboard file changes. */
  dashboard: (dashboard: WallDashboard) => void;
  snapshot: (snapshot: Snapshot) => void;
  /** Alarms from the server's rules for the wall's booths, not cleared: on connect and on every change. */
  alarms: (alarms: WallAlarmNotice[]) => void;
  frame: (frame: Frame) => void;
}

export type WallToServerEvents = Record<string, never>;
