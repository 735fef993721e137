import { describe, expect, it } from 'vitest';
import type { BoothBudgets } from '../../contract/console';
import { atBudget, budgetUse, describeRefusal, refusalLines } from '../../web/console/budgetText';

const booth = (overrides: Partial<BoothBudgets> = {}): BoothBudgets => ({
  booth: 'booth-x',
  name: 'Booth X',
  refusals: {},
  series: { used: 10, limit: 5000 },
  liveWindowBytes: { used: 1024, limit: 64 * 1024 * 1024 },
  openAlarms: { used: 0, limit: 500 },
  ...overrides,
});

describe('booth budget refusals in words', () => {
  it('says per booth what each budget refused, largest first, booths in settings order', () => {
    const lines = refusalLines([
      booth({ booth: 'a', name: 'Booth A', refusals: { 'device-evicted': 95, 'series-budget': 1234, 'open-alarms-budget': 0 } }),
      booth({ booth: 'b', name: 'Booth B' }),
      booth({ booth: 'c', name: 'c', refusals: { 'live-window-bytes': 7, 'open-alarms-budget': 12_000 } }),
    ]);
    expect(lines).toEqual([
      { booth: 'a', text: 'Booth A (a): 1,234 readings refused (series budget)' },
      { booth: 'a', text: 'Booth A (a): 95 devices evicted (devices per booth)' },
      { booth: 'c', text: 'c: 12,000 alarm raises refused (open-alarms budget)' },
      { booth: 'c', text: 'c: 7 readings cut from the live window (live-window bytes budget)' },
    ]);
  });

  it('still shows a reason it has no words for, and reasons named like Object.prototype properties are data', () => {
    expect(describeRefusal('something-new', 3)).toBe('3 refused (something-new)');
    expect(describeRefusal('constructor', 1)).toBe('1 refused (constructor)');
    expect(describeRefusal('toString', 2)).toBe('2 refused (toString)');
  });

  it('shows use against each budget, and which booth has one in full use', () => {
    const full = booth({
      series: { used: 5000, limit: 5000 },
      liveWindowBytes: { used: 2 * 1024 * 1024, limit: 64 * 1024 * 1024 },
      openAlarms: { used: 3, limit: 500 },
    });
    expect(budgetUse(full)).toBe('series 5,000 / 5,000 · live window 2 MiB / 64 MiB · open alarms 3 / 500');
    expect(atBudget(full)).toBe(true);
    expect(atBudget(booth())).toBe(false);
  });
});
