/**
 * One ECharts instance for one tile: created once, merged into on every render, disposed with the
 * tile. Only the pieces the wall uses are registered, to keep the bundle small.
 *
 * Every tile redraws each second, so a redraw is kept cheap: the host's size is read from layout
 * once and again only after a resize (reading it after the frame's text writes would force the
 * browser to lay out the page for every chart), lines are thinned to what the width can show, and
 * a resize to the size the chart already has is not passed on (ECharts redraws everything on one).
 */
import { LineChart } from 'echarts/charts';
import { GridComponent } from 'echarts/components';
import { init, use, type EChartsType } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { readFontFamily } from '../shared/chartStyle';
import { buildChartLayout, buildChartUpdate, chartLayoutKey, type ChartRow, type LinePoint, type TimeWindow } from '../shared/chartOptions';
import { chartDraws } from '../shared/chartDraws';
import { decimateLine } from '../shared/lineDecimation';

use([LineChart, GridComponent, CanvasRenderer]);

export class DeviceChart {
  private chart: EChartsType | null = null;
  private layoutKey = '';
  private fontFamily: string | null = null;
  private rem: number | null = null;
  /** The host's size as last read from layout; null: read it at the next render. */
  private size: { width: number; height: number } | null = null;
  /** The host changed size since the chart last drew: ECharts is told at the next render, not at once. */
  private resizePending = false;

  constructor(private readonly host: HTMLElement) {}

  /**
   * `readData` is only called when the data changed or the layout is rebuilt: converting series
   * is the costly part. Returns false when nothing could be drawn, so the caller keeps its data dirty.
   */
  render(rows: readonly ChartRow[], window: TimeWindow, dataChanged: boolean, readData: () => LinePoint[][]): boolean {
    this.size ??= { width: this.host.clientWidth, height: this.host.clientHeight };
    const { width, height } = this.size;
    // A collapsed host would make ECharts warn and draw nothing; the ResizeObserver brings us back.
    if (width === 0 || height === 0) {
      this.size = null;
      return false;
    }
    if (this.chart === null) {
      this.chart = init(this.host, undefined, { renderer: 'canvas' });
      this.resizePending = false;
    } else if (this.resizePending) {
      // Here, in the frame this chart has to itself, not in the resize: ECharts lays a chart out again
      // on resize(), and a grid changing shape resizes every tile at once (one long frame of all of them).
      this.chart.resize();
      this.resizePending = false;
    }
    // Canvas text cannot follow the CSS rem, so the chart reads it: labels scale with the screen like the rest.
    // Read once per size, not on every render: every tile redraws each second.
    this.rem ??= parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const rem = this.rem;
    this.fontFamily ??= readFontFamily(this.host);
    const fontSize = axisFontSize(height, rows.length, rem / 16);
    const key = chartLayoutKey(rows, fontSize);
    const thinned = (): LinePoint[][] => readData().map((line) => decimateLine(line, window, width) as LinePoint[]);
    if (key !== this.layoutKey) {
      this.chart.setOption(buildChartLayout(rows, window, thinned(), fontSize, this.fontFamily), { notMerge: true });
      this.layoutKey = key;
    } else {
      this.chart.setOption(buildChartUpdate(rows, window, dataChanged ? thinned() : null));
    }
    chartDraws.note();
    return true;
  }

  resize(): void {
    this.rem = null; // the screen may have changed shape, and the rem with it
    const before = this.size;
    this.size = { width: this.host.clientWidth, height: this.host.clientHeight };
    if (this.chart === null || (before !== null && before.width === this.size.width && before.height === this.size.height)) return;
    // The owner queues a render of this chart (TileGrid's onResized), which applies it in its turn.
    this.resizePending = true;
  }

  dispose(): void {
    this.chart?.dispose();
    this.chart = null;
    this.layoutKey = '';
    this.size = null;
    this.resizePending = false;
  }
}

/** Below this row height, px, y-axis labels would overlap their neighbours'. */
const MIN_LABELLED_ROW_HEIGHT = 40;

/**
 * Axis labels are secondary to the readouts, but should still scale with the row they sit in and
 * with the screen (`scale` is the rem over 16 px: 2 on a 4K wall).
 */
function axisFontSize(chartHeight: number, rowCount: number, scale: number): number | null {
  const rowHeight = chartHeight / Math.max(rowCount, 1);
  if (rowHeight < MIN_LABELLED_ROW_HEIGHT * scale) return null;
  return Math.round(Math.min(20 * scale, Math.max(12 * scale, rowHeight * 0.2)));
}
