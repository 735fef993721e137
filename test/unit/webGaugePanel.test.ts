import { describe, expect, it } from 'vitest';
import { buildGaugeLayout, buildGaugeUpdate, fitDial, gaugeScale, niceStep, type GaugeLook } from '../../web/wall/panels/gaugeScale';

describe('gauge scale', () => {
  it('reaches a little beyond the expected range, rounded to readable ticks', () => {
    // 18..26 °C: 20 % margin is 16.4..27.6, ticks of 2.5.
    const scale = gaugeScale({ min: 18, max: 26 });
    expect([scale.min, scale.max, scale.splitNumber]).toEqual([15, 30, 6]);
  });

  it('colours below the range warn, inside ok, above bad, at the range ends', () => {
    const scale = gaugeScale({ min: 18, max: 26 });
    expect(scale.bands).toEqual([
      { to: 0.2, kind: 'low' },
      { to: expect.closeTo(11 / 15, 9) as unknown, kind: 'ok' },
      { to: 1, kind: 'high' },
    ]);
  });

  it('does not take a non-negative quantity below zero', () => {
    const speed = gaugeScale({ min: 0, max: 30 });
    expect([speed.min, speed.max]).toEqual([0, 40]);
    expect(speed.bands.map((b) => b.kind)).toEqual(['ok', 'high']);
    expect(gaugeScale({ min: 20, max: 100 }).min).toBe(0);
  });

  it('extends below zero for ranges that already do', () => {
    const scale = gaugeScale({ min: -10, max: 10 });
    expect(scale.min).toBeLessThan(-10);
    expect(scale.bands[0]).toEqual({ to: expect.any(Number) as unknown, kind: 'low' });
  });

  it('takes spec.min and spec.max as they are, clipping the bands to them', () => {
    const scale = gaugeScale({ min: 18, max: 26 }, { min: 20, max: 30 });
    expect([scale.min, scale.max]).toEqual([20, 30]);
    expect(scale.bands).toEqual([
      { to: expect.closeTo(0.6, 9) as unknown, kind: 'ok' },
      { to: 1, kind: 'high' },
    ]);
    expect(gaugeScale({ min: 18, max: 26 }, { max: 50 }).max).toBe(50);
  });

  it('fills an end the expected range leaves open from what was observed', () => {
    const laps = gaugeScale({ min: 0 }, {}, { low: 3, high: 7 });
    expect([laps.min, laps.max]).toEqual([0, 10]);
    expect(laps.bands).toEqual([{ to: 1, kind: 'ok' }]);
  });

  it('is neutral without an expected range, and survives having nothing to go on', () => {
    expect(gaugeScale(undefined, {}, { low: 40, high: 60 }).bands).toEqual([{ to: 1, kind: 'neutral' }]);
    const blank = gaugeScale(undefined);
    expect(blank.max).toBeGreaterThan(blank.min);
    const flat = gaugeScale(undefined, {}, { low: 5, high: 5 });
    expect(flat.min).toBeLessThan(5);
    expect(flat.max).toBeGreaterThan(5);
  });

  it('ignores a misconfigured range and a misconfigured spec rather than drawing a broken dial', () => {
    expect(gaugeScale({ min: 30, max: 10 }).bands).toEqual([{ to: 1, kind: 'neutral' }]);
    const inverted = gaugeScale({ min: 0, max: 10 }, { min: 50, max: 20 });
    expect(inverted.max).toBeGreaterThan(inverted.min);
  });

  it('picks steps of 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0.7, 1.5, 2.2, 4, 7.2, 22.4, 0].map(niceStep)).toEqual([1, 2, 2.5, 5, 10, 25, 1]);
  });
});

describe('gauge options', () => {
  it('fits the dial into the chart, as large as the narrower side allows', () => {
    const wide = fitDial(1000, 400);
    expect(wide.cy + wide.radius * Math.sin((20 * Math.PI) / 180)).toBeCloseTo(396);
    expect(wide.cx).toBe(500);
    const narrow = fitDial(300, 1000);
    expect(narrow.radius).toBe(146);
    expect(narrow.cy - narrow.radius).toBe(4);
  });

  const look: GaugeLook = {
    bands: { low: '#ffb020', ok: '#3ddc84', high: '#ff5c5c', neutral: '#4cc9f0' },
    needle: '#e8edf5',
    label: '#8b94a7',
    widthPx: 600,
    heightPx: 400,
    fontFamily: 'sans-serif',
  };

  it('paints the bands in the wall colours and never animates the needle', () => {
    const option = buildGaugeLayout(gaugeScale({ min: 18, max: 26 }), look, 21);
    const [series] = option.series as [Record<string, unknown>];
    expect(option.animation).toBe(false);
    expect(series).toMatchObject({ type: 'gauge', min: 15, max: 30, animation: false, detail: { show: false }, data: [{ value: 21 }] });
    expect(series['axisLine']).toMatchObject({
      lineStyle: {
        color: [
          [0.2, '#ffb020'],
          [expect.closeTo(11 / 15, 9), '#3ddc84'],
          [1, '#ff5c5c'],
        ],
      },
    });
  });

  it('draws no needle before the first reading, and hides tick labels on a tiny dial', () => {
    expect(buildGaugeUpdate(null)).toEqual({ series: [{ id: 'gauge', type: 'gauge', data: [] }] });
    const small = buildGaugeLayout(gaugeScale({ min: 0, max: 1 }), { ...look, widthPx: 160, heightPx: 120 }, 0.5);
    expect((small.series as [{ axisLabel: { show: boolean } }])[0].axisLabel.show).toBe(false);
  });
});
