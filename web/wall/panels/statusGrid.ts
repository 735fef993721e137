/**
 * The rows of a status grid: every device of the wall with its state in words, problems first so
 * the eye lands on them, then by name so a device is always found in the same place. Pure.
 */
import { assessFreshness, type Freshness } from '../freshness';
import type { DeviceState } from '../WallModel';
import type { MessageKey, WallText } from '../wallText';
import { deviceName } from './panelText';

export type StatusState = 'online' | 'stale' | 'offline' | 'no-data';

export interface StatusEntry {
  readonly key: string;
  readonly booth: string;
  readonly device: string;
  readonly name: string;
  readonly state: StatusState;
  /** Since the newest telemetry, ms; null before any. */
  readonly ageMs: number | null;
}

export interface StatusFilter {
  readonly booth?: string | undefined;
  readonly deviceKind?: string | undefined;
}

/** Worst first: a device that went away matters more than one that is late or never spoke. */
const STATE_ORDER: Record<StatusState, number> = { offline: 0, stale: 1, 'no-data': 2, online: 3 };

const STATE_WORDS: Record<StatusState, MessageKey> = { online: 'online', stale: 'stale', offline: 'offline', 'no-data': 'noData' };

const nameOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function statusState(freshness: Freshness): StatusState {
  return freshness === 'live' ? 'online' : freshness;
}

export function statusWord(state: StatusState, text: WallText): string {
  return text.t(STATE_WORDS[state]);
}

export function statusEntries(devices: Iterable<DeviceState>, serverNow: number, filter: StatusFilter = {}): StatusEntry[] {
  const entries: StatusEntry[] = [];
  for (const device of devices) {
    if (filter.booth !== undefined && device.booth !== filter.booth) continue;
    if (filter.deviceKind !== undefined && device.meta.kind !== filter.deviceKind) continue;
    entries.push({
      key: device.key,
      booth: device.booth,
      device: device.device,
      name: deviceName(device),
      state: statusState(assessFreshness(device, serverNow)),
      ageMs: device.lastSeen === null ? null : Math.max(0, serverNow - device.lastSeen),
    });
  }
  return entries.sort(compareEntries);
}

export function compareEntries(a: StatusEntry, b: StatusEntry): number {
  return STATE_ORDER[a.state] - STATE_ORDER[b.state] || nameOrder.compare(a.name, b.name) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

export function statusSummary(entries: readonly StatusEntry[]): { online: number; total: number } {
  return { online: entries.filter((e) => e.state === 'online').length, total: entries.length };
}

/** Only a value that is not current needs its age spelled out; an online cell stays short. */
export function statusAgeText(entry: StatusEntry, text: WallText): string {
  return entry.ageMs !== null && (entry.state === 'stale' || entry.state === 'offline') ? text.lastUpdate(entry.ageMs) : '';
}
