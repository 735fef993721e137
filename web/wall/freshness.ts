/**
 * Whether a tile's numbers can be trusted right now. A wall that keeps showing the last value of a
 * dead sensor misleads visitors, so staleness is judged here and shown as text, not colour alone.
 * The judgement is the one presence rule (contract/presence.ts) with the stale limit the server
 * sends in each device summary, so a wall never disagrees with the console about a device.
 */
import { assessPresence, staleAfterMs } from '../../contract/presence';
import type { DeviceState } from './WallModel';
import { ENGLISH, type WallText } from './wallText';

export { DEFAULT_STALE_AFTER_MS, staleAfterMs } from '../../contract/presence';

export type Freshness = 'live' | 'stale' | 'offline' | 'no-data';

type JudgedDevice = Pick<DeviceState, 'presence' | 'lastSeen' | 'meta'> & { staleAfterMs?: number | undefined };

/** The server's limit for the device; before its first summary (or from an older server), the one its meta implies. */
export function deviceStaleAfterMs(device: Pick<JudgedDevice, 'meta' | 'staleAfterMs'>): number {
  return device.staleAfterMs ?? staleAfterMs(device.meta.intervalMs);
}

/** The rule's verdict, with "no data" for a device that is not offline but has sent no reading yet: there is no number to trust. */
export function assessFreshness(device: JudgedDevice, serverNow: number): Freshness {
  const verdict = assessPresence({ presence: device.presence, lastSeen: device.lastSeen, staleAfterMs: deviceStaleAfterMs(device) }, serverNow);
  if (verdict.state === 'offline') return 'offline';
  if (device.lastSeen === null) return 'no-data';
  return verdict.state === 'stale' ? 'stale' : 'live';
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
