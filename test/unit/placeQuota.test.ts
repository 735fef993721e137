import { describe, expect, it } from 'vitest';
import { PlaceQuota } from '../../broker/PlaceQuota';

describe('PlaceQuota', () => {
  it('grants up to the limit per holder, and a filter already held takes no new place', () => {
    const quota = new PlaceQuota<string>(2);
    expect(quota.take('a', 'x/#')).toBe(true);
    expect(quota.take('a', 'y/#')).toBe(true);
    expect(quota.take('a', 'x/#')).toBe(true); // subscribing again
    expect(quota.take('a', 'z/#')).toBe(false);
    expect(quota.heldBy('a')).toBe(2);
    expect(quota.take('b', 'z/#')).toBe(true); // another holder has its own places
  });

  it('frees a place on release and drops a holder that holds nothing', () => {
    const quota = new PlaceQuota<string>(2);
    quota.take('a', 'x/#');
    quota.take('a', 'y/#');
    quota.release('a', ['y/#', 'never-held/#']);
    expect(quota.take('a', 'z/#')).toBe(true);
    quota.release('a', ['x/#', 'z/#']);
    expect(quota.heldBy('a')).toBe(0);
    expect(quota.trackedHolders).toBe(0);
    quota.release('unknown', ['x/#']);
    expect(quota.trackedHolders).toBe(0);
  });

  it('keeps no state for holders that were forgotten, however many came and went', () => {
    const quota = new PlaceQuota<object>(3);
    for (let i = 0; i < 1000; i++) {
      const holder = {};
      quota.take(holder, 'a/#');
      quota.take(holder, 'b/#');
      quota.forget(holder);
    }
    expect(quota.trackedHolders).toBe(0);
  });
});
