/**
 * A QR code as an SVG path, made in the page from the dashboard's URL by the `qrcode` library's
 * encoder (ISO/IEC 18004): no image service sees what a booth links to, and nothing is fetched.
 */
import { create } from 'qrcode';

/**
 * ISO/IEC 18004:2015 §9.1: a light margin four modules wide round the symbol, without which phones
 * often fail to find the code; it is part of the drawing, so no theme or panel edge can eat it.
 */
export const QUIET_ZONE_MODULES = 4;

export interface QrMatrix {
  /** Modules per side, without the quiet zone. */
  size: number;
  /** Row-major, 1 = dark. */
  dark: (row: number, column: number) => boolean;
}

/**
 * Error correction M (15 % of the code may be lost): a booth URL stays a small version with big
 * modules, and a smudge or a glare spot on the screen still scans.
 */
export function qrMatrix(url: string): QrMatrix {
  const modules = create(url, { errorCorrectionLevel: 'M' }).modules;
  return { size: modules.size, dark: (row, column) => modules.get(row, column) === 1 };
}

/** One `d` for every dark module, as horizontal runs, in a viewBox that includes the quiet zone. */
export function qrSvgPath(matrix: QrMatrix): { viewBox: string; d: string } {
  const side = matrix.size + 2 * QUIET_ZONE_MODULES;
  const parts: string[] = [];
  for (let row = 0; row < matrix.size; row++) {
    let column = 0;
    while (column < matrix.size) {
      if (!matrix.dark(row, column)) {
        column++;
        continue;
      }
      const start = column;
      while (column < matrix.size && matrix.dark(row, column)) column++;
      parts.push(`M${start + QUIET_ZONE_MODULES} ${row + QUIET_ZONE_MODULES}h${column - start}v1h${start - column}z`);
    }
  }
  return { viewBox: `0 0 ${side} ${side}`, d: parts.join('') };
}
