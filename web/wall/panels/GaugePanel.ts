/**
 * One metric of one device on a dial whose bands show the expected range, with the value in big
 * text under the dial (not inside it, where tick labels and the needle would collide with it).
 * The needle follows every reading: on a dial the needle is the reading.
 */
import { expectedRangeOf } from '../../../contract/device';
import { GaugeChart } from 'echarts/charts';
import { use } from 'echarts/core';
import type { GaugePanelSpec } from '../../../contract/dashboard';
import { create } from '../../shared/dom';
import type { DeviceState } from '../WallModel';
import type { WallText } from '../wallText';
import { readFontFamily } from '../../shared/chartStyle';
import { readWallColors, type WallColors } from './wallColors';
import { buildGaugeLayout, buildGaugeUpdate, gaugeLayoutKey, gaugeScale, type GaugeLook } from './gaugeScale';
import { MetricReadout } from './metricReadout';
import { PanelChart } from '../../shared/PanelChart';
import { deviceMetricTitle, deviceName } from './panelText';
import type { PanelContext } from './PanelView';
import { SingleDevicePanel } from './SingleDevicePanel';

use([GaugeChart]);

/** Chart sizes within this many px share a layout, so a window drag does not rebuild it every frame. */
const SIZE_STEP_PX = 20;

export class GaugePanel extends SingleDevicePanel<GaugePanelSpec> {
  private readonly readout: MetricReadout;
  private readonly chart: PanelChart;
  /** Read from CSS once, and again after a resize (a re-layout is happening anyway), not per reading. */
  private colors: WallColors | null = null;
  private fontFamily: string | null = null;

  constructor(spec: GaugePanelSpec) {
    super(spec, true);
    const host = create('div', 'gauge-panel__chart', this.frame.body);
    host.dataset['testid'] = 'panel-chart';
    const stat = create('div', 'gauge-panel__value', this.frame.body);
    stat.dataset['metric'] = spec.metric;
    this.readout = new MetricReadout(stat, spec.metric);
    this.chart = new PanelChart(host, () => {
      this.colors = null;
    });
  }

  protected defaultTitle(device: DeviceState | undefined, text: WallText): string {
    return deviceMetricTitle(device ? deviceName(device) : this.spec.device, this.spec.metric, text, device?.meta);
  }

  protected renderText(device: DeviceState, context: PanelContext): void {
    this.readout.render(device, context.text);
  }

  protected renderChart(device: DeviceState, context: PanelContext): boolean {
    const metric = device.metrics.get(this.spec.metric);
    const latest = metric?.latest;
    const value = latest === undefined ? null : Number(latest);
    // The panel's own min/max win; else an angle's dial is the compass (0–360), not its expected range plus a margin.
    const axis = context.text.metric(this.spec.metric, device.meta).axis;
    const bounds = this.spec.min !== undefined || this.spec.max !== undefined || !axis ? this.spec : axis;
    const scale = gaugeScale(expectedRangeOf(device.meta, this.spec.metric), bounds, metric ? observedRange(metric.series) : undefined);
    const colors = (this.colors ??= readWallColors(this.element));
    const look: GaugeLook = {
      bands: { low: colors.warn, ok: colors.live, high: colors.bad, neutral: colors.info },
      needle: colors.text,
      label: colors.muted,
      fontFamily: (this.fontFamily ??= readFontFamily(this.element)),
      widthPx: roundToStep(this.chart.width),
      heightPx: roundToStep(this.chart.height),
    };
    return this.chart.draw(
      gaugeLayoutKey(scale, look),
      () => buildGaugeLayout(scale, look, value),
      () => buildGaugeUpdate(value),
    );
  }

  protected disposeChart(): void {
    this.chart.dispose();
  }
}

function roundToStep(px: number): number {
  return Math.round(px / SIZE_STEP_PX) * SIZE_STEP_PX;
}

function observedRange(series: { forEach(visit: (ts: number, value: number) => void): void }): { low: number; high: number } | undefined {
  let low = Infinity;
  let high = -Infinity;
  series.forEach((_, value) => {
    low = Math.min(low, value);
    high = Math.max(high, value);
  });
  return low <= high ? { low, high } : undefined;
}
