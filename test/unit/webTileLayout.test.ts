import { describe, expect, it } from 'vitest';
import { chooseGridShape } from '../../web/wall/tileLayout';

// The grid area of a 1920×1080 screen below the header.
const W = 1920;
const H = 980;

describe('chooseGridShape', () => {
  it('always has room for every tile', () => {
    for (let count = 1; count <= 200; count++) {
      const { columns, rows } = chooseGridShape(count, W, H);
      expect(columns * rows).toBeGreaterThanOrEqual(count);
      // No wholly empty row or column: that space would be wasted.
      expect(columns * (rows - 1)).toBeLessThan(count);
    }
  });

  it('picks sensible shapes for a landscape wall', () => {
    expect(chooseGridShape(1, W, H)).toEqual({ columns: 1, rows: 1 });
    expect(chooseGridShape(2, W, H)).toEqual({ columns: 2, rows: 1 });
    expect(chooseGridShape(4, W, H)).toEqual({ columns: 2, rows: 2 });
    expect(chooseGridShape(6, W, H)).toEqual({ columns: 3, rows: 2 });
    expect(chooseGridShape(12, W, H)).toEqual({ columns: 4, rows: 3 });
  });

  it('stacks tiles on a portrait screen', () => {
    expect(chooseGridShape(2, 1080, 1800)).toEqual({ columns: 1, rows: 2 });
  });

  it('copes with no tiles and with an unmeasured grid', () => {
    expect(chooseGridShape(0, W, H)).toEqual({ columns: 1, rows: 1 });
    expect(chooseGridShape(5, 0, 0)).toEqual({ columns: 1, rows: 1 });
  });
});
