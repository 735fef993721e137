import { describe, expect, it } from 'vitest';
import { moveIndex, scrollToReveal, virtualWindow } from '../../web/console/virtualWindow';

const base = { rowHeight: 36, overscan: 6, viewportHeight: 720 };

describe('virtual window', () => {
  it('renders what is in view plus the overscan, at the top', () => {
    expect(virtualWindow({ ...base, scrollTop: 0, rowCount: 2000 })).toEqual({ first: 0, count: 26, totalHeight: 72_000 });
  });

  it('moves with the scroll position, overscan on both sides', () => {
    // Row 100 starts at 3600 px; 20 rows fit in 720 px.
    expect(virtualWindow({ ...base, scrollTop: 3600, rowCount: 2000 })).toEqual({ first: 94, count: 32, totalHeight: 72_000 });
  });

  it('counts a row cut by the bottom edge as visible', () => {
    const { first, count } = virtualWindow({ ...base, overscan: 0, scrollTop: 18, rowCount: 2000 });
    expect([first, count]).toEqual([0, 21]);
  });

  it('stops at the end of the list, and clamps a scroll position past it', () => {
    expect(virtualWindow({ ...base, scrollTop: 71_280, rowCount: 2000 })).toEqual({ first: 1974, count: 26, totalHeight: 72_000 });
    // A filter shortened the list while scrolled far down.
    expect(virtualWindow({ ...base, scrollTop: 50_000, rowCount: 30 })).toEqual({ first: 4, count: 26, totalHeight: 1080 });
  });

  it('stays bounded by the viewport whatever the list length', () => {
    for (const rowCount of [100, 2000, 100_000]) {
      expect(virtualWindow({ ...base, scrollTop: rowCount * 18, rowCount }).count).toBeLessThanOrEqual(Math.ceil(720 / 36) + 1 + 12);
    }
  });

  it('renders nothing for an empty list or a collapsed viewport beyond the overscan', () => {
    expect(virtualWindow({ ...base, scrollTop: 0, rowCount: 0 })).toEqual({ first: 0, count: 0, totalHeight: 0 });
    expect(virtualWindow({ ...base, viewportHeight: 0, scrollTop: 0, rowCount: 50 }).count).toBe(7);
  });
});

describe('keyboard movement through a virtual list', () => {
  it('moves by one, by a page, and to either end, within bounds', () => {
    expect(moveIndex(5, 'ArrowDown', 100, 20)).toBe(6);
    expect(moveIndex(0, 'ArrowUp', 100, 20)).toBe(0);
    expect(moveIndex(5, 'PageDown', 100, 20)).toBe(24);
    expect(moveIndex(5, 'PageUp', 100, 20)).toBe(0);
    expect(moveIndex(5, 'End', 100, 20)).toBe(99);
    expect(moveIndex(50, 'Home', 100, 20)).toBe(0);
    expect(moveIndex(99, 'ArrowDown', 100, 20)).toBe(99);
  });

  it('ignores other keys and empty lists', () => {
    expect(moveIndex(5, 'Enter', 100, 20)).toBeNull();
    expect(moveIndex(0, 'ArrowDown', 0, 20)).toBeNull();
  });

  it('scrolls only as far as needed to reveal a row', () => {
    expect(scrollToReveal(10, 0, 720, 36)).toBe(0);
    expect(scrollToReveal(25, 0, 720, 36)).toBe(26 * 36 - 720);
    expect(scrollToReveal(3, 720, 720, 36)).toBe(108);
  });
});
