import { describe, expect, it } from 'vitest';
import type { Presence } from '../../contract/live';
import { assessFreshness, freshnessLabel, staleAfterMs } from '../../web/wall/freshness';
import { WallText } from '../../web/wall/wallText';

const online: Presence = { state: 'online', since: 0, reason: 'status' };
const offline: Presence = { state: 'offline', since: 0, reason: 'will' };

describe('freshness', () => {
  it('calls data stale after three missed intervals, or 30 s without an interval', () => {
    expect(staleAfterMs(5000)).toBe(15_000);
    expect(staleAfterMs(undefined)).toBe(30_000);
    expect(staleAfterMs(0)).toBe(30_000);
  });

  it('does not let very fast devices flicker stale between frames', () => {
    expect(staleAfterMs(100)).toBe(5000);
  });

  it('judges a device by presence first, then by the age of its data', () => {
    const meta = { intervalMs: 1000 };
    expect(assessFreshness({ presence: offline, lastSeen: 1000, meta }, 1000)).toBe('offline');
    expect(assessFreshness({ presence: online, lastSeen: null, meta }, 1000)).toBe('no-data');
    expect(assessFreshness({ presence: online, lastSeen: 0, meta }, 5000)).toBe('live');
    expect(assessFreshness({ presence: online, lastSeen: 0, meta }, 5001)).toBe('stale');
    expect(assessFreshness({ presence: { ...online, state: 'unknown' }, lastSeen: 0, meta: {} }, 29_000)).toBe('live');
  });

  it('labels every non-live state with text, not just colour', () => {
    expect(freshnessLabel('live')).toBe('');
    expect(freshnessLabel('stale')).toBe('Stale');
    expect(freshnessLabel('offline')).toBe('Offline');
    expect(freshnessLabel('no-data')).toBe('No data');
    expect(freshnessLabel('stale', new WallText('zh'))).toBe('数据过时');
  });
});
