import { describe, expect, it } from 'vitest';
import { buildSparklineLayout, buildSparklineUpdate } from '../../web/wall/panels/sparklineOptions';
import { computeTrend, trendArrow } from '../../web/wall/panels/statTrend';
import { seriesOf, T0 } from './panelFixtures';

/** One point a second for `seconds`, value from `valueAt(secondsAgo)`. */
function lastSeconds(seconds: number, valueAt: (secondsAgo: number) => number): [number, number][] {
  const points: [number, number][] = [];
  for (let ago = seconds; ago >= 0; ago--) points.push([T0 - ago * 1000, valueAt(ago)]);
  return points;
}

describe('stat trend', () => {
  const expected = { min: 0, max: 100 };

  it('compares the latest value with the one a minute before, against the expected range', () => {
    expect(computeTrend(seriesOf(lastSeconds(120, (ago) => 50 - ago * 0.1)), expected)).toBe('rising');
    expect(computeTrend(seriesOf(lastSeconds(120, (ago) => 50 + ago * 0.1)), expected)).toBe('falling');
  });

  it('calls a change within 2 % of the expected range steady, so noise does not flip the arrow', () => {
    // 1.9 units over a minute on a 0..100 range.
    expect(computeTrend(seriesOf(lastSeconds(120, (ago) => 50 - ago * (1.9 / 60))), expected)).toBe('steady');
    expect(computeTrend(seriesOf(lastSeconds(120, () => 50)), expected)).toBe('steady');
  });

  it('looks at the change over the last minute, not the whole window', () => {
    // Rose steeply long ago, flat for the last two minutes.
    const points = lastSeconds(240, (ago) => (ago > 120 ? 10 : 80));
    expect(computeTrend(seriesOf(points), expected)).toBe('steady');
  });

  it('uses the oldest point when the window is shorter than the lookback', () => {
    expect(computeTrend(seriesOf(lastSeconds(10, (ago) => 60 - ago)), expected)).toBe('rising');
  });

  it('without an expected range judges against the window spread, with a larger margin', () => {
    // Noise of ±1 around 20 with the last value 0.1 above the one a minute ago: steady.
    const noisy = lastSeconds(120, (ago) => 20 + (ago % 2 === 0 ? 1 : -1) + (ago === 0 ? 0.1 : 0));
    expect(computeTrend(seriesOf(noisy), undefined)).toBe('steady');
    expect(computeTrend(seriesOf(lastSeconds(120, (ago) => 500 - ago)), undefined)).toBe('rising');
    // A misconfigured range (max below min) is no scale at all.
    expect(computeTrend(seriesOf(lastSeconds(120, (ago) => 500 - ago)), { min: 10, max: 5 })).toBe('rising');
  });

  it('has no trend with fewer than two points', () => {
    expect(computeTrend(seriesOf([]), expected)).toBeNull();
    expect(computeTrend(seriesOf([[T0, 5]]), expected)).toBeNull();
  });

  it('draws an arrow per direction', () => {
    expect([trendArrow('rising'), trendArrow('falling'), trendArrow('steady')]).toEqual(['▲', '▼', '▶']);
  });
});

describe('sparkline options', () => {
  const window = { min: T0 - 60_000, max: T0 };

  it('draws a line without axes, labels or animation over the explicit window', () => {
    const option = buildSparklineLayout('number', '#4cc9f0', window, [[T0, 1]]);
    expect(option.animation).toBe(false);
    expect(option.xAxis).toMatchObject({ type: 'time', min: window.min, max: window.max, axisLabel: { show: false } });
    expect(option.yAxis).toMatchObject({ scale: true, axisLabel: { show: false }, splitLine: { show: false } });
    expect(option.series).toEqual([expect.objectContaining({ type: 'line', showSymbol: false, sampling: 'lttb', animation: false, connectNulls: false })]);
  });

  it('steps booleans on a 0..1 axis', () => {
    const option = buildSparklineLayout('boolean', '#fff', window, []);
    expect(option.yAxis).toMatchObject({ min: 0, max: 1 });
    expect(option.series).toEqual([expect.objectContaining({ step: 'end' })]);
  });

  it('updates slide the window and send data only when it changed', () => {
    expect(buildSparklineUpdate(window, null)).toEqual({ xAxis: { min: window.min, max: window.max } });
    expect(buildSparklineUpdate(window, [[T0, 2]]).series).toEqual([{ id: 'sparkline', type: 'line', data: [[T0, 2]] }]);
  });
});
