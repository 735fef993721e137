import { describe, expect, it } from 'vitest';
import { IntervalLearner, staleAfterMs } from '../../server/console/IntervalLearner';

const rules = { historySize: 8, minSamples: 5, multiplier: 3, minimumMs: 5_000 };

describe('IntervalLearner', () => {
  it('has no guess before five gaps, then three median gaps with a 5 s floor', () => {
    const learner = new IntervalLearner(rules);
    for (let i = 0; i < 5; i++) learner.arrival(i * 4_000);
    expect(learner.staleAfterMs()).toBeNull(); // four gaps
    learner.arrival(5 * 4_000);
    expect(learner.typicalGapMs()).toBe(4_000);
    expect(learner.staleAfterMs()).toBe(12_000);

    const fast = new IntervalLearner(rules);
    for (let i = 0; i < 10; i++) fast.arrival(i * 200);
    expect(fast.typicalGapMs()).toBe(200);
    expect(fast.staleAfterMs()).toBe(5_000);
  });

  it('is not thrown by one long gap or a burst, and forgets beyond its history', () => {
    const learner = new IntervalLearner(rules);
    const arrivals = [0, 2_000, 4_000, 64_000, 66_000, 66_000, 68_000];
    for (const at of arrivals) learner.arrival(at);
    // gaps 2000, 2000, 60000, 2000, 0, 2000: median 2000
    expect(learner.typicalGapMs()).toBe(2_000);
    let at = 68_000;
    for (let i = 0; i < 8; i++) learner.arrival((at += 10_000));
    expect(learner.typicalGapMs()).toBe(10_000);
  });

  it('ignores arrivals that go back in time', () => {
    const learner = new IntervalLearner(rules);
    for (const at of [0, 1_000, 500, 1_500, 2_500, 3_500, 4_500]) learner.arrival(at);
    expect(learner.typicalGapMs()).toBe(1_000);
  });

  it('a meta interval is tripled, with the same floor', () => {
    expect(staleAfterMs(2_000, rules)).toBe(6_000);
    expect(staleAfterMs(100, rules)).toBe(5_000);
  });
});

describe('IntervalLearner against a sort of its last gaps', () => {
  it('gives the median of exactly the last historySize gaps over a long random run', () => {
    // A seeded generator: the same run every time, with repeats, zeros and long gaps.
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const learner = new IntervalLearner(rules);
    const gaps: number[] = [];
    let at = 0;
    for (let i = 0; i < 2_000; i++) {
      const gap = random() < 0.1 ? 0 : random() < 0.05 ? 60_000 : Math.round(random() * 20) * 100;
      if (i > 0) gaps.push(gap);
      at += i > 0 ? gap : 0;
      learner.arrival(at);
      const last = gaps.slice(-rules.historySize).sort((a, b) => a - b);
      const middle = Math.floor(last.length / 2);
      const median = last.length < rules.minSamples ? null : last.length % 2 === 1 ? last[middle] : (last[middle - 1]! + last[middle]!) / 2;
      expect(learner.typicalGapMs(), `after arrival ${i}`).toBe(median);
    }
  });
});
