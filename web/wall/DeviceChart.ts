/**
 * One ECharts instance for one tile: created once, merged into on every render, disposed with the
 * tile. Only the pieces the wall uses are registered, to keep the bundle small.
 */
import { LineChart } from 'echarts/charts';
import { GridComponent } from 'echarts/components';
import { init, use, type EChartsType } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { readFontFamily } from '../shared/chartStyle';
import { buildChartLayout, buildChartUpdate, chartLayoutKey, type ChartRow, type LinePoint, type TimeWindow } from '../shared/chartOptions';

use([LineChart, GridComponent, CanvasRenderer]);

export class DeviceChart {
  private chart: EChartsType | null = null;
  private layoutKey = '';
  private fontFamily: string | null = null;
  private rem: number | null = null;

  constructor(private readonly host: HTMLElement) {}

  /**
   * `readData` is only called when the data changed or the layout is rebuilt: converting series
   * is the costly part. Returns false when nothing could be drawn, so the caller keeps its data dirty.
   */
  render(rows: readonly ChartRow[], window: TimeWindow, dataChanged: boolean, readData: () => LinePoint[][]): boolean {
    const { clientWidth: width, clientHeight: height } = this.host;
    // A collapsed host would make ECharts warn and draw nothing; the ResizeObserver brings us back.
    if (width === 0 || height === 0) return false;
    this.chart ??= init(this.host, undefined, { renderer: 'canvas' });
    // Canvas text cannot follow the CSS rem, so the chart reads it: labels scale with the screen like the rest.
    // Read once per size, not on every render: every tile redraws each second.
    this.rem ??= parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const rem = this.rem;
    this.fontFamily ??= readFontFamily(this.host);
    const fontSize = axisFontSize(height, rows.length, rem / 16);
    const key = chartLayoutKey(rows, fontSize);
    if (key !== this.layoutKey) {
      this.chart.setOption(buildChartLayout(rows, window, readData(), fontSize, this.fontFamily), { notMerge: true });
      this.layoutKey = key;
    } else {
      this.chart.setOption(buildChartUpdate(rows, window, dataChanged ? readData() : null));
    }
    return true;
  }

  resize(): void {
    this.rem = null; // the screen may have changed shape, and the rem with it
    this.chart?.resize();
  }

  dispose(): void {
    this.chart?.dispose();
    this.chart = null;
    this.layoutKey = '';
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
