/**
 * How a status grid lays its cells out at the show-floor sizes (tileLayout.ts): every word of a
 * cell at the secondary font, never smaller, and each device's name showing the part that tells it
 * from the others (nameShortening.ts). Cells are as narrow as those names allow; when they still do
 * not all fit, the grid has pages, one per scene slot, like the overview. Pure: widths come from
 * `measure` functions (canvas text metrics in the page, stubs in tests).
 */
import { fitName, sharedPrefixLengths, type MeasureText } from '../nameShortening';
import { planTilePages, type TilePlan } from '../tileLayout';

/** Width to height of a cell: a name over a state line reads best wide. */
export const CELL_ASPECT = 2.6;
/** panels.css .status-cell: padding 0.2em 0.5em at the secondary font, an 8 px state edge on the left. */
const CELL_PADDING_Y_EMS = 0.2;
const CELL_PADDING_X_EMS = 0.5;
const CELL_EDGE_PX = 8;
/** The state's icon box (panels.css .status-cell__state::before). */
const STATE_ICON_EMS = 1.2;
/** wall.css --secondary-line. */
const SECONDARY_LINE = 1.2;
/** Sub-pixel rounding between canvas metrics and layout. */
const SLACK_PX = 2;

export interface StatusFonts {
  /** The secondary font size, px (tileLayout.ts SECONDARY_FONT_MM on this screen). */
  readonly secondary: number;
  /** Bold, as names and state words are. */
  readonly measureBold: MeasureText;
  readonly measureText: MeasureText;
}

export interface StatusGridPlan extends TilePlan {
  /** What each name shows at the planned cell width, by position in `names`. */
  readonly shownNames: readonly string[];
  /** Room for text inside a cell, px. */
  readonly textWidth: number;
  /** True when cells are tall enough for a third line, the age of data that is not current. */
  readonly ageLine: boolean;
}

/**
 * The grid for `names` (one per device, in any order) in a box of `width` × `height`, with every
 * state word in `stateWords` fitting a cell.
 */
export function planStatusGrid(
  names: readonly string[],
  stateWords: readonly string[],
  width: number,
  height: number,
  gap: number,
  fonts: StatusFonts,
): StatusGridPlan {
  const S = fonts.secondary;
  const chromeX = CELL_EDGE_PX + 2 * CELL_PADDING_X_EMS * S + SLACK_PX;
  const chromeY = 2 * CELL_PADDING_Y_EMS * S + SLACK_PX;
  const line = SECONDARY_LINE * S;
  const widestText = Math.max(0, width - chromeX);
  const prefixes = sharedPrefixLengths(names);

  const stateWidth = Math.max(0, ...stateWords.map((word) => STATE_ICON_EMS * S + fonts.measureBold(word)));
  const nameWidth = narrowestDistinctWidth(names, prefixes, widestText, fonts.measureBold);
  const minimum = { width: chromeX + Math.min(widestText, Math.max(stateWidth, nameWidth)), height: chromeY + 2 * line };
  const tiles = planTilePages(names.length, width, height, minimum, gap, CELL_ASPECT);

  const cellWidth = (width - (tiles.columns - 1) * gap) / tiles.columns;
  const cellHeight = (height - (tiles.rows - 1) * gap) / tiles.rows;
  const textWidth = Math.max(0, cellWidth - chromeX);
  let shownNames = fitAll(names, prefixes, textWidth, fonts.measureBold);
  // A wider cell keeps more words, which could in principle make two names alike again: fall back
  // to the fits known to differ.
  if (!allDistinct(names, shownNames)) shownNames = fitAll(names, prefixes, nameWidth, fonts.measureBold);
  return { ...tiles, shownNames, textWidth, ageLine: cellHeight >= chromeY + 3 * line };
}

/**
 * The narrowest text width at which every name shows at least its own part ("…sensor 12" keeps
 * "12") and no two different names read the same, stepping half an em at a time; at most `limit`.
 */
function narrowestDistinctWidth(names: readonly string[], prefixes: readonly number[], limit: number, measure: MeasureText): number {
  let width = 0;
  names.forEach((name, i) => {
    const own = name.slice(prefixes[i] ?? 0);
    width = Math.max(width, Math.min(measure(name), measure(own.length < name.length ? `…${own}` : own)));
  });
  const step = Math.max(1, measure('M') / 2);
  while (width < limit && !allDistinct(names, fitAll(names, prefixes, width, measure))) width += step;
  return Math.min(width, limit);
}

function fitAll(names: readonly string[], prefixes: readonly number[], width: number, measure: MeasureText): string[] {
  return names.map((name, i) => fitName(name, prefixes[i] ?? 0, width, measure));
}

function allDistinct(names: readonly string[], shown: readonly string[]): boolean {
  const seen = new Map<string, string>();
  for (let i = 0; i < names.length; i++) {
    const text = shown[i] ?? '';
    const full = names[i] ?? '';
    const other = seen.get(text);
    if (text === '' || (other !== undefined && other !== full)) return false;
    seen.set(text, full);
  }
  return true;
}
