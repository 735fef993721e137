import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from '../../broker/TokenBucketLimiter';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('TokenBucketLimiter', () => {
  it('allows the burst at once, then the rate', () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 10, burst: 5, maxKeys: 10, now: c.now });
    const first = Array.from({ length: 8 }, () => limiter.take('a'));
    expect(first.filter(Boolean)).toHaveLength(5);
    c.advance(300); // three tokens
    expect(Array.from({ length: 5 }, () => limiter.take('a')).filter(Boolean)).toHaveLength(3);
  });

  it('never holds more than the burst after a long quiet spell', () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 100, burst: 3, maxKeys: 10, now: c.now });
    limiter.take('a');
    c.advance(60_000);
    expect(Array.from({ length: 10 }, () => limiter.take('a')).filter(Boolean)).toHaveLength(3);
  });

  it('keeps keys apart', () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 10, now: c.now });
    expect(limiter.take('a')).toBe(true);
    expect(limiter.take('a')).toBe(false);
    expect(limiter.take('b')).toBe(true);
  });

  it('tracks at most maxKeys, forgetting the least recently used', () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 100, now: c.now });
    expect(limiter.take('keep')).toBe(true);
    for (let i = 0; i < 10_000; i++) {
      limiter.take(`spoofed-${i}`);
      if (i % 50 === 0) limiter.take('keep'); // recently used, so never the one evicted
      expect(limiter.trackedKeys).toBeLessThanOrEqual(100);
    }
    expect(limiter.trackedKeys).toBe(100);
    // 'keep' is still remembered with an empty bucket; an early spoofed key was forgotten (full again).
    expect(limiter.take('keep')).toBe(false);
    expect(limiter.take('spoofed-0')).toBe(true);
  });

  it('keeps least-recently-used order when one key is taken many times in a row', () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 1, burst: 1, maxKeys: 2, now: c.now });
    limiter.take('a');
    limiter.take('a');
    limiter.take('b');
    limiter.take('b');
    limiter.take('a'); // now a is the most recent
    limiter.take('a');
    limiter.take('c'); // evicts b, not a
    expect(limiter.take('a')).toBe(false); // still remembered, empty
    expect(limiter.take('b')).toBe(true); // forgotten: full again
  });

  it('takes a token given back, but never above the burst', () => {
    const c = clock();
    const limiter = new TokenBucketLimiter({ ratePerSecond: 1, burst: 2, maxKeys: 10, now: c.now });
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, false]);
    limiter.giveBack('a');
    expect([limiter.take('a'), limiter.take('a')]).toEqual([true, false]);
    for (let i = 0; i < 5; i++) limiter.giveBack('a');
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([true, true, false]);
    limiter.giveBack('never-seen'); // nothing to give back to, and nothing remembered
    expect(limiter.trackedKeys).toBe(1);
  });

  it('refuses nonsensical options', () => {
    expect(() => new TokenBucketLimiter({ ratePerSecond: 0, burst: 1, maxKeys: 1 })).toThrow(RangeError);
    expect(() => new TokenBucketLimiter({ ratePerSecond: 1, burst: 0, maxKeys: 1 })).toThrow(RangeError);
  });
});
