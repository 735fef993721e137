/**
 * Presence changes in InfluxDB (measurement `device_status`), so a device's timeline survives a
 * restart: written through the store's write path as they happen, read back per device when the
 * console opens its detail view, and read once at start to know where every device was left.
 */
import type { HealthChange, HealthChangeReason, HealthState } from '../../contract/console';
import { quoteIdentifier, quoteString } from '../store/historyQuery';
import type { InfluxStore } from '../store/InfluxStore';
import { safeTagValue, stringFieldValue } from '../store/telemetryLine';
import type { PresenceChange } from './DeviceHealthTracker';

export const STATUS_MEASUREMENT = 'device_status';

const STATES: ReadonlySet<string> = new Set<HealthState>(['online', 'stale', 'offline']);
const REASONS: ReadonlySet<string> = new Set<HealthChangeReason>([
  'connect',
  'disconnect',
  'keepalive-timeout',
  'connection-lost',
  'will',
  'status',
  'telemetry',
  'inactivity',
  'server-start',
]);

/** Tags booth and device; string fields state and reason (a separate measurement, so no field type clashes). */
export function deviceStatusLine(change: PresenceChange): string {
  return (
    `${STATUS_MEASUREMENT},booth=${safeTagValue(change.booth)},device=${safeTagValue(change.device)}` +
    ` state=${stringFieldValue(change.state)},reason=${stringFieldValue(change.reason)} ${Math.floor(change.ts)}`
  );
}

/** A stored row as a HealthChange, or null when it is not one this server would have written. */
function rowToChange(ts: unknown, state: unknown, reason: unknown): HealthChange | null {
  if (typeof ts !== 'number' || typeof state !== 'string' || typeof reason !== 'string') return null;
  if (!STATES.has(state) || !REASONS.has(reason)) return null;
  return { ts, state: state as HealthState, reason: reason as HealthChangeReason };
}

export class DeviceStatusLog {
  constructor(private readonly store: InfluxStore | null) {}

  record(change: PresenceChange): void {
    this.store?.writeLine(deviceStatusLine(change));
  }

  /** Newest first, at most `limit`; null without InfluxDB. */
  async timeline(booth: string, device: string, limit: number): Promise<HealthChange[] | null> {
    if (!this.store) return null;
    const result = await this.store.query(
      `SELECT "state", "reason" FROM ${quoteIdentifier(STATUS_MEASUREMENT)}` +
        ` WHERE "booth" = ${quoteString(booth)} AND "device" = ${quoteString(device)}` +
        ` ORDER BY time DESC LIMIT ${Math.max(1, Math.floor(limit))}`,
    );
    const changes: HealthChange[] = [];
    for (const [ts, state, reason] of result.series?.[0]?.values ?? []) {
      const change = rowToChange(ts, state, reason);
      if (change) changes.push(change);
    }
    return changes;
  }

  /** The last stored change of every device of `booths` within `sinceMs`, by booth then device. */
  async lastChanges(booths: readonly string[], sinceMs: number, now = Date.now()): Promise<Map<string, Map<string, HealthChange>>> {
    const last = new Map<string, Map<string, HealthChange>>();
    if (!this.store || booths.length === 0) return last;
    const boothFilter = booths.map((b) => `"booth" = ${quoteString(b)}`).join(' OR ');
    // The newest point of each series (one series per booth and device).
    const result = await this.store.query(
      `SELECT "state", "reason" FROM ${quoteIdentifier(STATUS_MEASUREMENT)}` +
        ` WHERE (${boothFilter}) AND time >= ${Math.floor(now - sinceMs)}ms` +
        ` GROUP BY "booth", "device" ORDER BY time DESC LIMIT 1`,
    );
    for (const series of result.series ?? []) {
      const booth = series.tags?.booth;
      const device = series.tags?.device;
      const row = series.values[0];
      if (!booth || !device || !row || !booths.includes(booth)) continue;
      const change = rowToChange(row[0], row[1], row[2]);
      if (!change) continue;
      let devices = last.get(booth);
      if (!devices) last.set(booth, (devices = new Map<string, HealthChange>()));
      devices.set(device, change);
    }
    return last;
  }
}
