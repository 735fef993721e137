import { describe, expect, it } from 'vitest';
import { planStatusGrid, type StatusFonts } from '../../web/wall/panels/statusGridLayout';
import { compactBothSentence } from '../../web/wall/panels/alarmWords';

/** 20 px per character at a 32 px secondary font: a stand-in for canvas metrics. */
const fonts: StatusFonts = { secondary: 32, measureBold: (t) => [...t].length * 20, measureText: (t) => [...t].length * 18 };
const STATES = ['● Online', '▲ Stale', '✖ Offline', '○ No data'];
const names = (n: number) => Array.from({ length: n }, (_, i) => `${['Environment sensor', 'Robot arm', 'EV charger'][i % 3]} ${Math.floor(i / 3) + 1}`);

describe('status grid layout', () => {
  it('pages 200 devices at the minimum cell instead of shrinking: pages × per page covers each device once', () => {
    const plan = planStatusGrid(names(200), STATES, 1880, 800, 10, fonts);
    expect(plan.pages).toBeGreaterThan(1);
    expect(plan.perPage * plan.pages).toBeGreaterThanOrEqual(200);
    expect(plan.perPage * (plan.pages - 1)).toBeLessThan(200);
    expect(plan.columns * plan.rows).toBeGreaterThanOrEqual(plan.perPage);
    // Two lines of 1.2 × 32 px and the padding fit every row.
    expect((800 - (plan.rows - 1) * 10) / plan.rows).toBeGreaterThanOrEqual(2 * 1.2 * 32 + 0.4 * 32);
  });

  it('keeps the part of every name that tells it apart, and no two names read the same', () => {
    const all = names(200);
    const plan = planStatusGrid(all, STATES, 1880, 800, 10, fonts);
    expect(new Set(plan.shownNames).size).toBe(200);
    plan.shownNames.forEach((shown, i) => expect(shown.endsWith((all[i] ?? '').split(' ').pop() ?? '')).toBe(true));
    for (const shown of plan.shownNames) expect(fonts.measureBold(shown)).toBeLessThanOrEqual(plan.textWidth);
  });

  it('makes every cell wide enough for the widest state word', () => {
    const plan = planStatusGrid(names(50), ['Online · 在线', 'No data · 无数据 (long)'], 1880, 800, 10, fonts);
    expect(plan.textWidth).toBeGreaterThanOrEqual(1.2 * 32 + fonts.measureBold('No data · 无数据 (long)'));
  });

  it('shows all on one page when they fit, with the age line when cells are tall', () => {
    const plan = planStatusGrid(names(6), STATES, 1880, 800, 10, fonts);
    expect(plan).toMatchObject({ pages: 1, perPage: 6, ageLine: true });
  });
});

describe('compact both-language alarm sentence', () => {
  it('says the English sentence once and adds only the Chinese condition', () => {
    expect(compactBothSentence({ condition: 'offline', metric: { en: '', zh: '' }, names: [], count: 28 })).toBe('28 offline · 离线');
    expect(compactBothSentence({ condition: 'high', metric: { en: 'CO₂', zh: '二氧化碳' }, names: [], count: 3 })).toBe('CO₂ high at 3 · 二氧化碳偏高');
    expect(compactBothSentence({ condition: 'low', metric: { en: 'Temperature', zh: '温度' }, names: ['Cold room'], count: 1 })).toBe(
      'Temperature low at Cold room · 温度偏低',
    );
  });
});
