/**
 * One number over a period ("kWh charged today"), computed by the server (GET /api/kpi) from the
 * dashboard file's definition of this panel, coloured by its thresholds. Asked for again every
 * KPI_REFRESH_MS; the server's cache answers every wall from one query.
 */
import { KPI_REFRESH_MS, type KpiAnswer, type KpiPanelSpec } from '../../../contract/dashboard';
import { create, setData, setText } from '../../shared/dom';
import type { RenderWork } from '../RenderLoop';
import { formatKpi, KPI_LIVE_NOTE, KPI_PERIOD_TEXT, KPI_UNAVAILABLE, kpiTone } from './kpiFormat';
import { PanelFrame } from './PanelFrame';
import type { PanelPlace } from './createPanel';
import type { PanelContext, PanelView } from './PanelView';

export class KpiPanel implements PanelView {
  readonly element: HTMLElement;
  private readonly frame: PanelFrame;
  private readonly figure: HTMLElement;
  private readonly value: HTMLElement;
  private readonly unit: HTMLElement;
  private readonly period: HTMLElement;
  private answer: KpiAnswer | null = null;
  private failed = false;
  private booths = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The load in flight (or whose timer is waiting). A new booth set starts a new load: the one before
   * is aborted and, should its answer arrive anyway, ignored, so its timer cannot start a second
   * polling loop that nothing clears.
   */
  private loading: AbortController | null = null;
  private disposed = false;
  private started = false;

  constructor(
    private readonly spec: KpiPanelSpec,
    private readonly place: PanelPlace,
    private readonly host: { requestRender(): void },
  ) {
    this.frame = new PanelFrame(spec.kind);
    this.element = this.frame.element;
    this.figure = create('div', 'kpi-panel__figure', this.frame.body);
    this.figure.dataset['testid'] = 'kpi-figure';
    this.value = create('span', 'kpi-panel__value', this.figure);
    this.value.dataset['testid'] = 'kpi-value';
    this.unit = create('span', 'kpi-panel__unit', this.figure);
    this.period = create('p', 'kpi-panel__period', this.frame.body);
  }

  render(_work: RenderWork, context: PanelContext): boolean {
    const { text } = context;
    const booths = context.model.booths.map((b) => b.id).join(',');
    if (!this.started || booths !== this.booths) {
      this.started = true;
      this.booths = booths;
      this.restart();
    }
    this.frame.setTitle(text.localize(this.spec.title) || this.spec.metric);
    const value = this.answer?.value ?? null;
    setText(
      this.value,
      formatKpi(value, this.spec.decimals, text.locale, (n) => text.number(n)),
    );
    setText(this.unit, value === null ? '' : (this.spec.unit ?? ''));
    setData(this.figure, 'tone', kpiTone(value, this.spec.thresholds) ?? 'none');
    const notes = [text.localize(KPI_PERIOD_TEXT[this.spec.period])];
    if (this.answer?.source === 'live') notes.push(text.localize(KPI_LIVE_NOTE));
    setText(this.period, notes.join(' · '));
    this.frame.setStatus(this.failed ? text.localize(KPI_UNAVAILABLE) : '');
    return false;
  }

  dispose(): void {
    this.disposed = true;
    this.loading?.abort();
    this.loading = null;
    clearTimeout(this.timer);
  }

  /** Stops the loop running (its fetch and its timer) and starts one for the present booth set. */
  private restart(): void {
    this.loading?.abort();
    clearTimeout(this.timer);
    const loading = new AbortController();
    this.loading = loading;
    void this.load(loading);
  }

  private async load(loading: AbortController): Promise<void> {
    const query = new URLSearchParams({ scene: this.place.sceneId, panel: String(this.place.index) });
    if (this.booths !== '') query.set('booth', this.booths);
    const current = () => !this.disposed && this.loading === loading && !loading.signal.aborted;
    try {
      const response = await fetch(`/api/kpi?${query.toString()}`, { signal: loading.signal, cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const body: unknown = await response.json();
      // A late answer for a booth set the wall no longer shows: neither its number nor its timer.
      if (!current()) return;
      this.answer = isKpiAnswer(body) ? body : null;
      this.failed = this.answer === null;
    } catch {
      if (!current()) return;
      // The last good number stays up, with a note: a blank would read as zero from across the hall.
      this.failed = true;
    }
    this.host.requestRender();
    this.timer = setTimeout(() => {
      if (current()) void this.load(loading);
    }, KPI_REFRESH_MS);
  }
}

function isKpiAnswer(value: unknown): value is KpiAnswer {
  if (typeof value !== 'object' || value === null) return false;
  const answer = value as Record<string, unknown>;
  return (answer['value'] === null || typeof answer['value'] === 'number') && (answer['source'] === 'influxdb' || answer['source'] === 'live');
}
