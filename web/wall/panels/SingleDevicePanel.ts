/**
 * What the panels about one device (time series, stat, gauge) share: finding the device in the
 * model, "Waiting for …" until it appears, the title, the freshness note, and when to spend chart
 * work. Text follows every change at once; charts follow the one-second tick (their window slides
 * then anyway), or every change for panels whose chart is the reading itself.
 */
import type { GaugePanelSpec, StatPanelSpec, TimeSeriesPanelSpec } from '../../../contract/dashboard';
import { assessFreshness } from '../freshness';
import type { RenderWork } from '../RenderLoop';
import type { DeviceState } from '../WallModel';
import type { WallText } from '../wallText';
import { PanelFrame } from './PanelFrame';
import { freshnessNote } from './panelText';
import { LIVE_CHART_INTERVAL_MS, type PanelContext, type PanelView } from './PanelView';

export type SingleDeviceSpec = TimeSeriesPanelSpec | StatPanelSpec | GaugePanelSpec;

export abstract class SingleDevicePanel<S extends SingleDeviceSpec> implements PanelView {
  readonly element: HTMLElement;
  protected readonly frame: PanelFrame;
  private deviceKey: string | null = null;
  private chartPending = true;
  private lastChartAt = -Infinity;
  private chartDataChanged = true;

  constructor(
    protected readonly spec: S,
    /** True for charts that show the latest reading (a needle), false for charts of the window. */
    private readonly chartFollowsEveryChange: boolean,
  ) {
    this.frame = new PanelFrame(spec.kind);
    this.element = this.frame.element;
  }

  render(work: RenderWork, context: PanelContext): boolean {
    const device = context.model.find(this.spec.device, this.spec.booth);
    if (!device) {
      this.showWaiting(context.text);
      return false;
    }
    // First sight, or back after an eviction or a snapshot: everything is redrawn from the model.
    const appeared = device.key !== this.deviceKey;
    if (appeared) {
      this.deviceKey = device.key;
      this.frame.showWaiting(null);
    }
    const changed = appeared || work.membership || work.changed.has(device.key);
    if (changed || work.everyTile) this.renderFrameText(device, context);
    if (changed) this.chartDataChanged = true;
    if (work.everyTile || (changed && this.chartFollowsEveryChange) || appeared) this.chartPending = true;

    if (!this.chartPending) return false;
    const now = performance.now();
    // Throttled, not dropped: the next frame with news, or the tick, draws it.
    if (!work.everyTile && now - this.lastChartAt < LIVE_CHART_INTERVAL_MS) return false;
    if (now >= context.chartDeadline) return true;
    this.lastChartAt = now;
    if (this.renderChart(device, context, this.chartDataChanged)) {
      this.chartPending = false;
      this.chartDataChanged = false;
    }
    // A host without a size is not retried every frame: the next one-second tick tries again.
    return false;
  }

  dispose(): void {
    this.disposeChart();
  }

  /** The title the spec gives, else one built from the device (which may not be known yet). */
  protected abstract defaultTitle(device: DeviceState | undefined, text: WallText): string;

  /** Cheap DOM text: numbers, units, labels. */
  protected abstract renderText(device: DeviceState, context: PanelContext): void;

  /** Returns false when nothing could be drawn (no size yet), so the data stays marked changed. */
  protected abstract renderChart(device: DeviceState, context: PanelContext, dataChanged: boolean): boolean;

  protected abstract disposeChart(): void;

  private renderFrameText(device: DeviceState, context: PanelContext): void {
    const { text, serverNow } = context;
    const freshness = assessFreshness(device, serverNow);
    const age = device.lastSeen === null ? null : serverNow - device.lastSeen;
    this.frame.setTitle(text.localize(this.spec.title) || this.defaultTitle(device, text));
    this.frame.setFreshness(freshness);
    this.frame.setStatus(freshnessNote(freshness, age, text));
    this.renderText(device, context);
  }

  private showWaiting(text: WallText): void {
    this.deviceKey = null;
    this.chartPending = true;
    this.chartDataChanged = true;
    this.frame.setTitle(text.localize(this.spec.title) || this.defaultTitle(undefined, text));
    this.frame.setFreshness(null);
    this.frame.setStatus('');
    this.frame.showWaiting(text.t('waitingForDevice', { device: this.spec.device }));
  }
}
