/**
 * Which wall pages are connected, and which were lately, for technicians walking the hall: where a
 * wall is, what it shows, and how often its watchdog had to reload it. Also counts those reloads by
 * reason for /api/health and /metrics. Walls that left are remembered up to a bound, so a hall of
 * flapping kiosks cannot grow it without end.
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

  constructor(private readonly maxRemembered = MAX_REMEMBERED_WALLS) {}

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
    this.connectedWalls.set(socketId, record);
    if (report) this.recentlyDisconnected.delete(report.id);
    // The page reports a reason only on its first connect after the reload, so each reload counts once.
    if (report?.lastReloadReason) this.reloadsByReason.set(report.lastReloadReason, (this.reloadsByReason.get(report.lastReloadReason) ?? 0) + 1);
    return record;
  }

  disconnect(socketId: string, now = Date.now()): void {
    const record = this.connectedWalls.get(socketId);
    if (!record) return;
    this.connectedWalls.delete(socketId);
    const key = record.id ?? `socket:${socketId}`;
    // Re-inserting moves it to the end: the map's order is least recently seen first.
    this.recentlyDisconnected.delete(key);
    this.recentlyDisconnected.set(key, { ...record, disconnectedAt: now });
    for (const oldest of this.recentlyDisconnected.keys()) {
      if (this.recentlyDisconnected.size <= this.maxRemembered) break;
      this.recentlyDisconnected.delete(oldest);
    }
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
