/**
 * How many columns and rows the tile grid uses so every tile is on screen at once (a wall has no
 * one to scroll it) and as large as possible. Charts are timelines, so cells a bit wider than tall
 * read best.
 */
export interface GridShape {
  readonly columns: number;
  readonly rows: number;
}

export const PREFERRED_TILE_ASPECT = 1.4;

export function chooseGridShape(count: number, width: number, height: number, aspect = PREFERRED_TILE_ASPECT): GridShape {
  if (count <= 1 || width <= 0 || height <= 0) return { columns: 1, rows: 1 };
  let best: GridShape = { columns: count, rows: 1 };
  let bestScore = -Infinity;
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    // Side of the largest preferred-aspect tile that fits the cell; empty cells only break ties.
    const score = Math.min(width / columns / aspect, height / rows);
    const emptyCells = columns * rows - count;
    const bestEmpty = best.columns * best.rows - count;
    if (score > bestScore + 0.5 || (Math.abs(score - bestScore) <= 0.5 && emptyCells < bestEmpty)) {
      best = { columns, rows };
      bestScore = score;
    }
  }
  return best;
}

/**
 * Legibility at show-floor distance. The rule, in millimetres on the reference screen, a 55-inch
 * 16:9 panel (1210 × 680 mm; at 1920×1080 one px is 0.63 mm) read from 5 m:
 * - readings (the numbers) have a cap height of at least 16 arcminutes, 23.3 mm: ISO 9241-3's
 *   minimum character height ("shall be 16 minutes of arc"; 20–22 preferred), close to the FAA's
 *   rule of thumb of 1/200 of the viewing distance (25 mm at 5 m);
 * - names, labels, units and badges at least 10 arcminutes, 14.5 mm: at 0.003 rad a field study of
 *   printed displays found over 90 % legibility (Smith, Human Factors 21(6), 1979).
 * Font sizes are the cap heights over CAP_HEIGHT_RATIO, and follow the screen's short side (680 mm
 * on the reference screen in either orientation), so a 4K wall keeps the millimetres; wall.css
 * writes the same numbers as --reading-font and --secondary-font.
 */
export const REFERENCE_SHORT_SIDE_MM = 680;
export const VIEWING_DISTANCE_MM = 5000;
export const READING_CAP_ARCMIN = 16;
export const SECONDARY_CAP_ARCMIN = 10;
/** Cap height over font size, rounded down from the fonts a wall uses (DejaVu Sans 0.73, Noto Sans 0.71). */
export const CAP_HEIGHT_RATIO = 0.7;

export function capHeightMm(arcminutes: number, distanceMm = VIEWING_DISTANCE_MM): number {
  return distanceMm * Math.tan((arcminutes / 60) * (Math.PI / 180));
}

export const READING_CAP_MM = capHeightMm(READING_CAP_ARCMIN); // 23.3
export const SECONDARY_CAP_MM = capHeightMm(SECONDARY_CAP_ARCMIN); // 14.5
export const READING_FONT_MM = 33.3;
export const SECONDARY_FONT_MM = 20.7;

/** Pixels per reference millimetre on a screen of this size: its short side is 680 mm. */
export function pxPerMm(screenWidth: number, screenHeight: number): number {
  return Math.min(screenWidth, screenHeight) / REFERENCE_SHORT_SIDE_MM;
}

export interface TileMinimum {
  readonly width: number;
  readonly height: number;
}

export interface TilePlan extends GridShape {
  /** Tiles on each page (the last may hold fewer); 0 when there is nothing to show. */
  readonly perPage: number;
  readonly pages: number;
}

/**
 * How many tiles fit a page without any going under `minimum`, and the grid for them. When not
 * all fit, the tiles are spread evenly over as few pages as possible instead of shrinking text.
 */
export function planTilePages(count: number, width: number, height: number, minimum: TileMinimum, gap = 0, aspect = PREFERRED_TILE_ASPECT): TilePlan {
  if (count <= 0 || width <= 0 || height <= 0) return { columns: 1, rows: 1, perPage: 0, pages: count > 0 ? 1 : 0 };
  const maxColumns = Math.max(1, Math.floor((width + gap) / (minimum.width + gap)));
  const maxRows = Math.max(1, Math.floor((height + gap) / (minimum.height + gap)));
  const pages = Math.ceil(count / (maxColumns * maxRows));
  const perPage = Math.ceil(count / pages);
  let best: GridShape = { columns: Math.min(perPage, maxColumns), rows: Math.ceil(perPage / Math.min(perPage, maxColumns)) };
  let bestScore = -Infinity;
  for (let columns = 1; columns <= Math.min(perPage, maxColumns); columns++) {
    const rows = Math.ceil(perPage / columns);
    if (rows > maxRows) continue;
    const score = Math.min(width / columns / aspect, height / rows);
    const emptyCells = columns * rows - perPage;
    const bestEmpty = best.columns * best.rows - perPage;
    if (score > bestScore + 0.5 || (Math.abs(score - bestScore) <= 0.5 && emptyCells < bestEmpty)) {
      best = { columns, rows };
      bestScore = score;
    }
  }
  return { ...best, perPage, pages };
}
