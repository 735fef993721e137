/**
 * The QR code panel's drawing: the SVG path, rasterised as a browser would fill it, decodes back to
 * the dashboard's URL with a QR decoder (jsQR), and keeps the quiet zone ISO/IEC 18004 asks for.
 */
import jsQR from 'jsqr';
import { create } from 'qrcode';
import { describe, expect, it } from 'vitest';
import { QUIET_ZONE_MODULES, qrMatrix, qrSvgPath } from '../../web/wall/panels/qrCode';

const PIXELS_PER_MODULE = 4;

/** Fills the path's runs (M x y h w v1 h-w z) on white, as RGBA for jsQR. */
function rasterise(path: { viewBox: string; d: string }): { data: Uint8ClampedArray; side: number; dark: (x: number, y: number) => boolean } {
  const modules = Number(path.viewBox.split(' ')[2]);
  const side = modules * PIXELS_PER_MODULE;
  const grid = new Uint8Array(modules * modules);
  for (const run of path.d.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)) {
    const [x, y, w, back] = run.slice(1).map(Number) as [number, number, number, number];
    expect(back).toBe(w);
    for (let i = 0; i < w; i++) grid[y * modules + x + i] = 1;
  }
  // Every command of the path is a run: nothing else is drawn.
  expect(path.d.replace(/M\d+ \d+h\d+v1h-\d+z/g, '')).toBe('');
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  for (let py = 0; py < side; py++)
    for (let px = 0; px < side; px++) {
      if (grid[Math.floor(py / PIXELS_PER_MODULE) * modules + Math.floor(px / PIXELS_PER_MODULE)] !== 1) continue;
      data.fill(0, (py * side + px) * 4, (py * side + px) * 4 + 3);
    }
  return { data, side, dark: (x, y) => grid[y * modules + x] === 1 };
}

describe('QR code panel drawing', () => {
  it.each([
    'https://example.com/',
    'https://shop.example.cn/datasheet?id=42&lang=zh',
    `https://example.com/${'long-path/'.repeat(28)}`,
    'https://例子.测试/产品',
  ])('decodes back to %s', (url) => {
    const { data, side } = rasterise(qrSvgPath(qrMatrix(url)));
    expect(jsQR(data, side, side)?.data).toBe(url);
  });

  it('is the library matrix, inside a light quiet zone of four modules', () => {
    const url = 'https://example.com/booth/42';
    const matrix = qrMatrix(url);
    const reference = create(url, { errorCorrectionLevel: 'M' });
    // ISO/IEC 18004 §5.3: version v has 17 + 4v modules a side.
    expect(matrix.size).toBe(17 + 4 * reference.version);
    for (let row = 0; row < matrix.size; row++)
      for (let column = 0; column < matrix.size; column++) expect(matrix.dark(row, column)).toBe(reference.modules.get(row, column) === 1);

    const path = qrSvgPath(matrix);
    const side = matrix.size + 2 * QUIET_ZONE_MODULES;
    expect(QUIET_ZONE_MODULES).toBe(4);
    expect(path.viewBox).toBe(`0 0 ${side} ${side}`);
    const { dark } = rasterise(path);
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) {
        const inQuietZone = x < 4 || y < 4 || x >= side - 4 || y >= side - 4;
        if (inQuietZone) expect(dark(x, y)).toBe(false);
        else expect(dark(x, y)).toBe(matrix.dark(y - 4, x - 4));
      }
  });
});
