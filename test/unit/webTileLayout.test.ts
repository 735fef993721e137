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

describe('the show-floor legibility rule', () => {
  it('is 23.3 mm for readings and 14.5 mm for other text at 5 m, in px per screen', async () => {
    const { READING_CAP_MM, SECONDARY_CAP_MM, READING_FONT_MM, CAP_HEIGHT_RATIO, pxPerMm } = await import('../../web/wall/tileLayout');
    expect(READING_CAP_MM).toBeCloseTo(23.3, 1);
    expect(SECONDARY_CAP_MM).toBeCloseTo(14.5, 1);
    expect(READING_FONT_MM * CAP_HEIGHT_RATIO).toBeGreaterThanOrEqual(READING_CAP_MM);
    // 1 px is 0.63 mm at 1080p on a 55-inch screen, in either orientation; 0.315 mm at 4K.
    expect(1 / pxPerMm(1920, 1080)).toBeCloseTo(0.63, 2);
    expect(pxPerMm(1080, 1920)).toBe(pxPerMm(1920, 1080));
    expect(pxPerMm(3840, 2160)).toBeCloseTo(2 * pxPerMm(1920, 1080));
  });
});

describe('planTilePages', () => {
  it('pages instead of shrinking tiles under the minimum, spreading tiles evenly', async () => {
    const { planTilePages } = await import('../../web/wall/tileLayout');
    const minimum = { width: 600, height: 300 };
    const plan = planTilePages(50, 1920, 940, minimum, 10);
    expect(plan.columns * plan.rows).toBeGreaterThanOrEqual(plan.perPage);
    expect((1920 - (plan.columns - 1) * 10) / plan.columns).toBeGreaterThanOrEqual(600);
    expect((940 - (plan.rows - 1) * 10) / plan.rows).toBeGreaterThanOrEqual(300);
    expect(plan.pages).toBe(Math.ceil(50 / 9));
    expect(plan.perPage * plan.pages).toBeGreaterThanOrEqual(50);
    expect(plan.perPage * (plan.pages - 1)).toBeLessThan(50);
  });

  it('keeps everything on one page when it fits, and has no page for no tiles', async () => {
    const { planTilePages } = await import('../../web/wall/tileLayout');
    expect(planTilePages(4, 1920, 940, { width: 600, height: 300 }, 10)).toMatchObject({ pages: 1, perPage: 4 });
    expect(planTilePages(0, 1920, 940, { width: 600, height: 300 })).toMatchObject({ pages: 0, perPage: 0 });
  });
});
