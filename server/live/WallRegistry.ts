/**
 * Which wall pages are connected, and which were lately, for technicians walking the hall: where a
 * wall is, what it shows, and how often its watchdog had to reload it. Also counts those reloads by
 * reason for /api/health and /metrics. Walls that left are remembered up to a bound, so a hall of
 * flapping kiosks cannot grow it without end: connected and remembered together stay within
 * `wall.maxKnownWalls` (past it the longest-gone is forgotten). What is refused of walls (connection
 * limits, reports past the rate limit, readers too slow to keep) is counted here too.
 *
 * A report is the page's word, and an anonymous client can send any: so a reload is counted only
 * when a kiosk's reload count went up since it was last seen, and reports are rate-limited per
 * address before they get here (LiveHub).
 */
import type { WallReloadReason, WallReport } from '../../contract/dashboard';

export const MAX_REMEMBERED_WALLS = 1000;

export interface WallRecord {
  /** The id the page keeps in localStorage; null for a page that did not report itself. */
  id: string | null;
  address: string;
  connectedAt: number;
  /** Null while connected. */
  disconnectedAt: number | null;
  booths: string[];
  reloads: number;
  lastReloadReason: WallReloadReason | null;
}

/** What was refused of walls, for /api/health and showfloor_wall_refusals_total. */
export type WallRefusal =
  /** A connection past `wall.maxConnectionsPerAddress`. */
  | 'address-connection-limit'
  /** A connection past `wall.maxConnections`. */
  | 'connection-limit'
  /** A wall report past `wall.reportsPerMinutePerAddress`: ignored, the wall still served. */
  | 'report-rate-limit'
  /** A wall disconnected because its pending output passed `wall.maxBufferedBytesPerWall`. */
  | 'slow-reader';

export interface WallArrival {
  report: WallReport | undefined;
  address: string;
  booths: string[];
}

export class WallRegistry {
  /** By socket id: one kiosk may have two tabs open under the same wall id. */
  private readonly connectedWalls = new Map<string, WallRecord>();
  /** By wall id (or socket id for a page without one), least recently seen first. */
  private readonly recentlyDisconnected = new Map<string, WallRecord>();
  private readonly reloadsByReason = new Map<WallReloadReason, number>();
  private readonly refusalCounts = new Map<WallRefusal, number>();

  /** `maxKnown`: connected and remembered walls together (`wall.maxKnownWalls`). */
  constructor(private readonly maxKnown = MAX_REMEMBERED_WALLS) {}

  countRefusal(refusal: WallRefusal): void {
    this.refusalCounts.set(refusal, (this.refusalCounts.get(refusal) ?? 0) + 1);
  }

  refusals(): ReadonlyMap<WallRefusal, number> {
    return this.refusalCounts;
  }

  connect(socketId: string, { report, address, booths }: WallArrival, now = Date.now()): WallRecord {
    const record: WallRecord = {
      id: report?.id ?? null,
      address,
      connectedAt: now,
      disconnectedAt: null,
      booths,
      reloads: report?.reloads ?? 0,
      lastReloadReason: report?.lastReloadReason ?? null,
    };
    const known = report ? this.knownReloads(report.id) : undefined;
    this.connectedWalls.set(socketId, record);
    if (report) this.recentlyDisconnected.delete(report.id);
    this.forgetPastBound();
    // The page reports a reason only on its first connect after the reload, so each reload counts once;
    // a kiosk seen before must also say it reloaded more often than then, or replaying a report would count.
    if (report?.lastReloadReason && (known === undefined || report.reloads > known)) {
      this.reloadsByReason.set(report.lastReloadReason, (this.reloadsByReason.get(report.lastReloadReason) ?? 0) + 1);
    }
    return record;
  }

  /** The reload count a kiosk last reported, connected or remembered; undefined for a stranger. */
  private knownReloads(id: string): number | undefined {
    let known = this.recentlyDisconnected.get(id)?.reloads;
    for (const record of this.connectedWalls.values()) {
      if (record.id === id) known = Math.max(known ?? 0, record.reloads);
    }
    return known;
  }

  /** Longest-gone first; connected walls are bounded by the connection limits, not forgotten. */
  private forgetPastBound(): void {
    const room = Math.max(0, this.maxKnown - this.connectedWalls.size);
    for (const oldest of this.recentlyDisconnected.keys()) {
      if (this.recentlyDisconnected.size <= room) break;
      this.recentlyDisconnected.delete(oldest);
    }
  }

  disconnect(socketId: string, now = Date.now()): void {
    const record = this.connectedWalls.get(socketId);
    if (!record) return;
    this.connectedWalls.delete(socketId);
    const key = record.id ?? `socket:${socketId}`;
    // Re-inserting moves it to the end: the map's order is least recently seen first.
    this.recentlyDisconnected.delete(key);
    this.recentlyDisconnected.set(key, { ...record, disconnectedAt: now });
    this.forgetPastBound();
  }

  get connectedCount(): number {
    return this.connectedWalls.size;
  }

  /** Connected walls oldest connection first, then disconnected ones most recent first. */
  list(): { connected: WallRecord[]; disconnected: WallRecord[] } {
    return { connected: [...this.connectedWalls.values()], disconnected: [...this.recentlyDisconnected.values()].reverse() };
  }

  reloads(): ReadonlyMap<WallReloadReason, number> {
    return this.reloadsByReason;
  }
}
