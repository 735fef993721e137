/**
 * The one ECharts instance of a panel: created on the first draw that finds the host with a size
 * (a scene may build its panels before it is shown), merged into afterwards, resized from a
 * throttled ResizeObserver, disposed with the panel.
 */
import { init, use, type EChartsCoreOption, type EChartsType } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { ResizeWatch } from './ResizeWatch';

use([CanvasRenderer]);

export class PanelChart {
  private chart: EChartsType | null = null;
  private layoutKey: string | null = null;
  private readonly resizeWatch: ResizeWatch;

  /** `onResize` runs after the chart is resized, for panels whose layout depends on pixel size. */
  constructor(
    readonly host: HTMLElement,
    onResize?: () => void,
  ) {
    this.resizeWatch = new ResizeWatch(host, () => {
      this.chart?.resize();
      onResize?.();
    });
  }

  get width(): number {
    return this.host.clientWidth;
  }

  get height(): number {
    return this.host.clientHeight;
  }

  /**
   * A new `layoutKey` replaces the whole option (series or axes came or went); the same key merges
   * `update()`, which may return null when nothing changed. Returns false when the host has no size:
   * ECharts would warn and draw nothing, so the caller keeps its work for a later frame.
   */
  draw(layoutKey: string, layout: () => EChartsCoreOption, update: () => EChartsCoreOption | null): boolean {
    if (this.width === 0 || this.height === 0) return false;
    this.chart ??= init(this.host, undefined, { renderer: 'canvas' });
    if (layoutKey !== this.layoutKey) {
      this.chart.setOption(layout(), { notMerge: true });
      this.layoutKey = layoutKey;
      return true;
    }
    const option = update();
    if (option) this.chart.setOption(option);
    return true;
  }

  dispose(): void {
    this.resizeWatch.dispose();
    this.chart?.dispose();
    this.chart = null;
    this.layoutKey = null;
  }
}
