/**
 * The socket.io protocol between the server's LiveHub and wall pages.
 * Data flows one way: the page says once which booths it wants (handshake `auth`), then only listens.
 */
import type { WallAlarmNotice } from './console';
import type { WallDashboard, WallReport } from './dashboard';
import type { DeviceMeta, ReadingValues } from './device';

import type { IntervalSource, Presence } from './presence';

/** Presence has one vocabulary and one rule, in contract/presence.ts; these names are kept for the wall's imports. */
export type { Presence, PresenceEvent as PresenceState, PresenceReason } from './presence';

export interface DeviceRef {
  booth: string;
  device: string;
}

export interface DeviceSummary extends DeviceRef {
  meta: DeviceMeta;
  /** The last presence event; the page judges online/stale/offline with assessPresence() (contract/presence.ts). */
  presence: Presence;
  /** Receive time of the last accepted telemetry, epoch ms; null before the first one. */
  lastSeen: number | null;
  /** The stale limit the server applies to this device (declared, learned or default), so the page applies the same one. */
  staleAfterMs?: number;
  intervalSource?: IntervalSource;
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

/**
 * The recent window, sent on every (re)connect as a sequence of bounded chunks so that no snapshot,
 * however full a booth's live window, is ever one giant message (JSON.stringify of a few hundred MB
 * throws `RangeError: Invalid string length` and building it stalls every other booth).
 *
 * - Chunk 0 replaces everything the page holds (the server may have restarted); chunks 1..n add to it.
 * - A device may appear in several chunks, each carrying some of its series or a time slice of one
 *   series (older slices first); the page merges them. Each chunk repeats the device's summary as it
 *   was when that chunk was built, which is never older than what an earlier chunk or frame said.
 * - The page joins its booths' rooms with chunk 0, so frames may arrive between chunks; they carry
 *   readings at least as new as the chunks before them, and points repeated by a later chunk are
 *   dropped by timestamp. Applying chunks and frames in arrival order therefore loses nothing.
 * - The whole snapshot is capped per wall (`wall.maxSnapshotBytes`); what does not fit is left out,
 *   oldest points of every series first, and counted in `truncated` on the final chunk.
 * Devices come round-robin across booths, most recently heard first within a booth.
 */
export interface Snapshot {
  /** When this chunk was built, server clock. */
  serverTime: number;
  windowMs: number;
  booths: { id: string; name: string }[];
  devices: DeviceWindow[];
  /** 0 for the first chunk of a snapshot (it replaces), then 1, 2, … (they add). Absent: 0. */
  chunk?: number;
  /** True on the last chunk; a small snapshot is one chunk with chunk 0 and final true. Absent: true. */
  final?: boolean;
  /** On the final chunk: what the size cap left out. */
  truncated?: SnapshotTruncation;
}

/** What a snapshot left out to stay under `wall.maxSnapshotBytes`. */
export interface SnapshotTruncation {
  /** Points (one timestamp and value) of the window not sent, the oldest of each series. */
  points: number;
  /** Devices not sent at all, not even their latest values (the least recently heard). */
  devices: number;
}

/** One batched frame per tick per booth room: everything that happened since the previous tick. */
export interface Frame {
  booth: string;
  serverTime: number;
  readings: LiveReading[];
  devices: DeviceSummary[];
  /** Device ids of this booth a technician forgot: a wall drops them (and their tiles and alarms). Absent: none. */
  forgotten?: string[];
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
