/**
 * Whether a tile's numbers can be trusted right now. A wall that keeps showing the last value of a
 * dead sensor misleads visitors, so staleness is judged here and shown as text, not colour alone.
 */
import type { DeviceState } from './WallModel';
import { ENGLISH, type WallText } from './wallText';

export type Freshness = 'live' | 'stale' | 'offline' | 'no-data';

/** Used when a device does not say how often it publishes. */
export const DEFAULT_STALE_AFTER_MS = 30_000;
/** Frames batch ~200 ms of readings, so very fast devices would flicker stale without a floor. */
export const MIN_STALE_AFTER_MS = 5_000;
const MISSED_INTERVALS = 3;

export function staleAfterMs(intervalMs: number | undefined): number {
  if (intervalMs === undefined || !Number.isFinite(intervalMs) || intervalMs <= 0) return DEFAULT_STALE_AFTER_MS;
  return Math.max(MISSED_INTERVALS * intervalMs, MIN_STALE_AFTER_MS);
}

export function assessFreshness(device: Pick<DeviceState, 'presence' | 'lastSeen' | 'meta'>, serverNow: number): Freshness {
  if (device.presence.state === 'offline') return 'offline';
  if (device.lastSeen === null) return 'no-data';
  return serverNow - device.lastSeen > staleAfterMs(device.meta.intervalMs) ? 'stale' : 'live';
}

/** The badge a tile shows; empty when everything is fine, so healthy tiles stay calm. */
export function freshnessLabel(freshness: Freshness, text: WallText = ENGLISH): string {
  switch (freshness) {
    case 'live':
      return '';
    case 'stale':
      return text.t('stale');
    case 'offline':
      return text.t('offline');
    case 'no-data':
      return text.t('noData');
  }
}
