import { describe, expect, it } from 'vitest';
import { PerSecondWindow } from '../../server/stats/PerSecondWindow';

describe('PerSecondWindow', () => {
  it('rates events over the last whole seconds, leaving out the second under way', () => {
    const window = new PerSecondWindow(10);
    for (let second = 0; second < 10; second++) for (let i = 0; i < 5; i++) window.add(second * 1000 + i * 100);
    window.add(10_500); // the second under way
    expect(window.count(10_999)).toBe(50);
    expect(window.ratePerSecond(10_999)).toBe(5);
    expect(window.count(11_000)).toBe(46); // second 0 has left, second 10 has joined
    expect(window.count(100_000)).toBe(0);
  });

  it('reuses slots as seconds come round again, without mixing old counts in', () => {
    const window = new PerSecondWindow(3);
    window.add(0);
    window.add(4_000); // same slot as second 0
    expect(window.count(5_000)).toBe(1);
  });

  it('summarises values including the second under way, null before any', () => {
    const window = new PerSecondWindow(60);
    expect(window.summary(0)).toBeNull();
    window.add(1_000, 10);
    window.add(61_500, 30);
    expect(window.summary(61_600)).toEqual({ mean: 20, max: 30 });
    expect(window.summary(62_000)).toEqual({ mean: 30, max: 30 });
  });

  it('summarises only the last seconds when asked, so a recent verdict is not held by an old minute', () => {
    const window = new PerSecondWindow(60);
    window.add(10_000, 1_000);
    window.add(55_000, 20);
    expect(window.summary(60_000)).toEqual({ mean: 510, max: 1_000 });
    expect(window.summary(60_000, 10)).toEqual({ mean: 20, max: 20 });
  });
});
