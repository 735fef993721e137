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
