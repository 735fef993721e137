/**
 * One ECharts instance per chart element (the wall's PanelChart: created on the first draw with a
 * size, merged into afterwards, resized from a throttled ResizeObserver). Data attributes say what
 * was drawn, for tests and for anyone inspecting the page: data-points, data-series, data-drawn.
 */
import { LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { use } from 'echarts/core';
import type { LinePoint, TimeWindow } from '../shared/chartOptions';
import { setData } from '../shared/dom';
import { readFontFamily } from '../shared/chartStyle';
import { PanelChart } from '../shared/PanelChart';
import { buildTimeSeriesUpdate, linesOf, type TimeSeriesLine } from '../shared/timeSeriesOptions';
import { buildConsoleChart, consoleChartKey, countPoints, groupLinesByUnit } from './consoleChartOptions';

use([LineChart, GridComponent, TooltipComponent]);

interface Drawing {
  readonly lines: readonly TimeSeriesLine[];
  readonly window: TimeWindow;
  readonly data: ReadonlyMap<string, LinePoint[]>;
}

export class ConsoleChart {
  private readonly chart: PanelChart;
  private last: Drawing | null = null;

  constructor(readonly host: HTMLElement) {
    this.chart = new PanelChart(host, () => this.redraw());
  }

  get width(): number {
    return this.host.clientWidth;
  }

  /** `data` maps each line's metric to its points. */
  draw(lines: readonly TimeSeriesLine[], window: TimeWindow, data: ReadonlyMap<string, LinePoint[]>): void {
    this.last = { lines, window, data };
    // Rows are sized in pixels; more rows need a taller chart (CSS reads --chart-rows).
    this.host.style.setProperty('--chart-rows', String(Math.max(1, groupLinesByUnit(lines).length)));
    this.redraw();
  }

  private redraw(): void {
    if (!this.last) return;
    const { lines, window, data } = this.last;
    const groups = groupLinesByUnit(lines);
    // The options take one entry per line in group order, which is not the order lines came in.
    const ordered = linesOf(groups).map(({ line }) => data.get(line.metric) ?? []);
    const height = this.host.clientHeight;
    const fontFamily = readFontFamily(this.host);
    const drawn = this.chart.draw(
      consoleChartKey(groups, height, fontFamily),
      () => buildConsoleChart(groups, window, ordered, height, fontFamily),
      () => buildTimeSeriesUpdate(groups, window, ordered),
    );
    setData(this.host, 'drawn', String(drawn));
    setData(this.host, 'series', String(lines.length));
    setData(this.host, 'points', String(countPoints(ordered)));
  }

  dispose(): void {
    this.chart.dispose();
    this.last = null;
  }
}
