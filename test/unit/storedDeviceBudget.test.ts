import { describe, expect, it } from 'vitest';
import { BudgetRefusals } from '../../server/budgets/BudgetRefusals';
import { StoredDeviceBudget } from '../../server/store/StoredDeviceBudget';

const HOUR = 3600_000;
const T0 = Date.UTC(2026, 11, 3, 12);

function budget(maxDevicesPerBooth = 3, periodMs = 24 * HOUR) {
  const refusals = new BudgetRefusals(['a', 'b']);
  return { refusals, budget: new StoredDeviceBudget(['a', 'b'], { maxDevicesPerBooth, periodMs }, refusals) };
}

describe('StoredDeviceBudget', () => {
  it('admits up to the budget of distinct devices per booth, refuses the next and counts each refusal against the booth', () => {
    const { budget: b, refusals } = budget(3);
    for (const device of ['d1', 'd2', 'd3']) expect(b.admits('a', device, T0)).toBe(true);
    expect(b.admits('a', 'd4', T0)).toBe(false);
    expect(b.admits('a', 'd4', T0 + 1)).toBe(false);
    // Devices within the budget keep being stored.
    expect(b.admits('a', 'd1', T0 + 2)).toBe(true);
    expect(refusals.forBooth('a').get('stored-devices-budget')).toBe(2);
    expect(b.storedDevices('a', T0)).toBe(3);
  });

  it("leaves another booth's budget untouched", () => {
    const { budget: b, refusals } = budget(3);
    for (let i = 0; i < 1000; i++) b.admits('a', `flood-${i}`, T0);
    for (const device of ['x', 'y', 'z']) expect(b.admits('b', device, T0)).toBe(true);
    expect(refusals.forBooth('b').size).toBe(0);
  });

  it('keeps at most the budget in memory, however many fresh ids arrive', () => {
    const { budget: b } = budget(50);
    for (let i = 0; i < 100_000; i++) b.admits('a', `flood-${i}`, T0 + i);
    expect(b.storedDevices('a', T0 + 100_000)).toBe(50);
    // The internal map is what storedDevices reports (expired ones are forgotten first).
    expect((b as unknown as { booths: Map<string, Map<string, number>> }).booths.get('a')!.size).toBe(50);
  });

  it('frees a place once a device has not been written for the period', () => {
    const { budget: b } = budget(2, 24 * HOUR);
    expect(b.admits('a', 'd1', T0)).toBe(true);
    expect(b.admits('a', 'd2', T0 + HOUR)).toBe(true);
    expect(b.admits('a', 'd3', T0 + 23 * HOUR)).toBe(false);
    // d1 was last written 24 h ago: its place goes to d3; d2 is still within its period.
    expect(b.admits('a', 'd3', T0 + 24 * HOUR)).toBe(true);
    expect(b.admits('a', 'd4', T0 + 24 * HOUR)).toBe(false);
  });

  it('counts a device as written when it is written again, so a busy device keeps its place', () => {
    const { budget: b } = budget(2, 24 * HOUR);
    b.admits('a', 'busy', T0);
    b.admits('a', 'quiet', T0 + HOUR);
    b.admits('a', 'busy', T0 + 20 * HOUR);
    // 25 h on: quiet has expired, busy (written 5 h ago) has not.
    expect(b.admits('a', 'new', T0 + 25 * HOUR)).toBe(true);
    expect(b.admits('a', 'busy', T0 + 25 * HOUR)).toBe(true);
    expect(b.admits('a', 'other', T0 + 25 * HOUR)).toBe(false);
  });

  it('counts ids as InfluxDB stores them: two ids that become the same tag value are one device', () => {
    const { budget: b } = budget(1);
    expect(b.admits('a', 'x'.repeat(70), T0)).toBe(true);
    expect(b.admits('a', `${'x'.repeat(64)}-other`, T0)).toBe(true);
  });

  it('refuses an unconfigured booth without remembering it', () => {
    const { budget: b } = budget(3);
    expect(b.admits('nobody', 'd', T0)).toBe(false);
    expect(b.storedDevices('nobody', T0)).toBe(0);
  });

  it('learns devices written before a restart, the most recent ones when there are more than the budget', () => {
    const { budget: b } = budget(2, 24 * HOUR);
    b.learn(
      'a',
      [
        { device: 'oldest', lastWrittenAt: T0 - 3 * HOUR },
        { device: 'newest', lastWrittenAt: T0 - HOUR },
        { device: 'middle', lastWrittenAt: T0 - 2 * HOUR },
        { device: 'expired', lastWrittenAt: T0 - 25 * HOUR },
      ],
      T0,
    );
    expect(b.storedDevices('a', T0)).toBe(2);
    expect(b.admits('a', 'newest', T0)).toBe(true);
    expect(b.admits('a', 'middle', T0)).toBe(true);
    expect(b.admits('a', 'oldest', T0)).toBe(false);
  });
});

describe('StoredDeviceBudget: lines that follow a reading', () => {
  it('refuses without counting again when asked not to count', () => {
    const { budget: b, refusals } = budget(1);
    b.admits('a', 'd1', T0);
    expect(b.admits('a', 'd2', T0, false)).toBe(false);
    expect(refusals.forBooth('a').get('stored-devices-budget')).toBeUndefined();
  });
});
