/**
 * Which rows of a long list are in the DOM: those in view plus a few either side, so a table of
 * thousands of devices costs as many nodes as fit on the screen. Fixed row height makes the
 * window plain arithmetic, with no measuring of rows.
 */
export interface VirtualWindowInput {
  /** Pixels scrolled from the top of the first row. */
  readonly scrollTop: number;
  /** Height of the visible part of the list, px. */
  readonly viewportHeight: number;
  readonly rowHeight: number;
  readonly rowCount: number;
  /** Extra rows rendered above and below, so a quick scroll does not flash empty space. */
  readonly overscan: number;
}

export interface VirtualWindow {
  /** Index of the first rendered row. */
  readonly first: number;
  /** Rows rendered, from `first`. */
  readonly count: number;
  /** Height of the whole list, px: what the scrollbar is sized by. */
  readonly totalHeight: number;
}

export function virtualWindow({ scrollTop, viewportHeight, rowHeight, rowCount, overscan }: VirtualWindowInput): VirtualWindow {
  const totalHeight = rowCount * rowHeight;
  if (rowCount === 0 || rowHeight <= 0) return { first: 0, count: 0, totalHeight: Math.max(0, totalHeight) };
  // A list shortened by a filter may leave scrollTop past its end until the browser clamps it.
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, totalHeight - viewportHeight));
  const firstVisible = Math.floor(top / rowHeight);
  const lastVisible = Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight) - 1;
  const first = Math.max(0, firstVisible - overscan);
  const last = Math.min(rowCount - 1, Math.max(lastVisible, firstVisible) + overscan);
  return { first, count: last - first + 1, totalHeight };
}

/** The scrollTop that brings row `index` fully into view, changing as little as possible. */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const rowTop = index * rowHeight;
  const rowBottom = rowTop + rowHeight;
  if (rowTop < scrollTop) return rowTop;
  if (rowBottom > scrollTop + viewportHeight) return Math.max(0, rowBottom - viewportHeight);
  return scrollTop;
}

/** Where keyboard focus goes from `index`; Page keys move by one screenful. */
export function moveIndex(index: number, key: string, rowCount: number, rowsPerPage: number): number | null {
  if (rowCount === 0) return null;
  const page = Math.max(1, rowsPerPage - 1);
  const target =
    key === 'ArrowDown'
      ? index + 1
      : key === 'ArrowUp'
        ? index - 1
        : key === 'PageDown'
          ? index + page
          : key === 'PageUp'
            ? index - page
            : key === 'Home'
              ? 0
              : key === 'End'
                ? rowCount - 1
                : null;
  return target === null ? null : Math.min(rowCount - 1, Math.max(0, target));
}
