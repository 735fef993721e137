/**
 * The one ECharts instance of a panel: created on the first draw that finds the host with a size
 * (a scene may build its panels before it is shown), merged into afterwards, resized from a
 * throttled ResizeObserver, disposed with the panel.
 *
 * The host's size is read from layout once and kept until the observer reports a change: panels
 * draw after writing their text, and reading clientWidth then makes the browser lay out the page
 * again for every chart of the frame. The observer's first report, and any report of the size the
 * chart already has, is not a resize: ECharts would redraw the whole chart for nothing, and every
 * panel of a scene would do it at once 150 ms after the scene came on stage.
 */
import { init, use, type EChartsCoreOption, type EChartsType } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { chartDraws } from './chartDraws';
import { ResizeWatch } from './ResizeWatch';

use([CanvasRenderer]);

export class PanelChart {
  private chart: EChartsType | null = null;
  private layoutKey: string | null = null;
  private readonly resizeWatch: ResizeWatch;
  /** The host's size as last read from layout; null: read it when next asked. */
  private size: { width: number; height: number } | null = null;
  /** The size the ECharts instance was created or last resized at. */
  private chartSize = '';

  /** `onResize` runs after the chart is resized, for panels whose layout depends on pixel size. */
  constructor(
    readonly host: HTMLElement,
    onResize?: () => void,
  ) {
    this.resizeWatch = new ResizeWatch(host, () => {
      this.size = null;
      const size = this.sizeKey();
      if (this.chart !== null && size === this.chartSize) return;
      this.chartSize = size;
      this.chart?.resize();
      onResize?.();
    });
  }

  get width(): number {
    return this.measure().width;
  }

  get height(): number {
    return this.measure().height;
  }

  private measure(): { width: number; height: number } {
    this.size ??= { width: this.host.clientWidth, height: this.host.clientHeight };
    return this.size;
  }

  private sizeKey(): string {
    const { width, height } = this.measure();
    return `${width}x${height}`;
  }

  /**
   * A new `layoutKey` replaces the whole option (series or axes came or went); the same key merges
   * `update()`, which may return null when nothing changed. Returns false when the host has no size:
   * ECharts would warn and draw nothing, so the caller keeps its work for a later frame.
   */
  draw(layoutKey: string, layout: () => EChartsCoreOption, update: () => EChartsCoreOption | null): boolean {
    if (this.width === 0 || this.height === 0) {
      this.size = null; // collapsed (a scene not yet shown): look again next time
      return false;
    }
    if (this.chart === null) {
      this.chart = init(this.host, undefined, { renderer: 'canvas' });
      this.chartSize = this.sizeKey();
    }
    if (layoutKey !== this.layoutKey) {
      this.chart.setOption(layout(), { notMerge: true });
      this.layoutKey = layoutKey;
      chartDraws.note();
      return true;
    }
    const option = update();
    if (option) {
      this.chart.setOption(option);
      chartDraws.note();
    }
    return true;
  }

  dispose(): void {
    this.resizeWatch.dispose();
    this.chart?.dispose();
    this.chart = null;
    this.layoutKey = null;
    this.size = null;
  }
}
