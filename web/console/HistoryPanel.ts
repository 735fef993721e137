/**
 * The detail view's history: the chosen metrics over 15 min, 1 h, 6 h, 24 h or a custom range,
 * one request per metric with `points` set to the chart's width in pixels, so the server's
 * GROUP BY time() returns about one averaged point per pixel. A newer choice cancels the requests
 * of the one before, so a slow 24 h answer cannot overwrite the 1 h chart asked for after it.
 */
import type { LinePoint } from '../shared/chartOptions';
import { create, setData, setText } from '../shared/dom';
import type { TimeSeriesLine } from '../shared/timeSeriesOptions';
import { ConsoleChart } from './ConsoleChart';
import { describeError, isAbort, type ConsoleApi } from './ConsoleApi';
import { withGaps } from './consoleChartOptions';
import { button, card, testId } from './consoleDom';
import { formatCount, formatTime } from './format';
import {
  customRange,
  describeInterval,
  historyPoints,
  historyUrl,
  presetRange,
  RANGE_PRESETS,
  toDateTimeLocal,
  type HistoryAnswer,
  type RangePreset,
  type TimeRange,
} from './historyRange';

export type RangeChoice = RangePreset | 'custom';

/** A bucket the server left out (no readings) breaks the line; one missing bucket is tolerated. */
const GAP_BUCKETS = 2.5;

export class HistoryPanel {
  readonly element: HTMLElement;
  private readonly chart: ConsoleChart;
  private readonly status: HTMLElement;
  private readonly rangeButtons = new Map<RangeChoice, HTMLButtonElement>();
  private readonly custom: HTMLElement;
  private readonly fromInput: HTMLInputElement;
  private readonly toInput: HTMLInputElement;
  private device: { booth: string; device: string } | null = null;
  private lines: readonly TimeSeriesLine[] = [];
  private choice: RangeChoice = '15m';
  private loading: AbortController | null = null;

  constructor(
    parent: HTMLElement,
    private readonly api: ConsoleApi,
    private readonly now: () => number,
  ) {
    this.element = card(parent, 'History', 'history');
    const controls = create('div', 'history__controls', this.element);
    const group = create('div', 'segmented', controls);
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'Time range');
    for (const preset of RANGE_PRESETS) this.rangeButtons.set(preset.id, button(group, 'segmented__button', preset.label, `range-${preset.id}`));
    this.rangeButtons.set('custom', button(group, 'segmented__button', 'Custom', 'range-custom'));
    for (const [choice, rangeButton] of this.rangeButtons) rangeButton.addEventListener('click', () => this.choose(choice));

    this.custom = create('form', 'history__custom', controls);
    this.custom.hidden = true;
    this.fromInput = dateInput(this.custom, 'From', 'history-from');
    this.toInput = dateInput(this.custom, 'To', 'history-to');
    const apply = button(this.custom, 'button--primary', 'Show', 'history-apply');
    apply.type = 'submit';
    this.custom.addEventListener('submit', (event) => {
      event.preventDefault();
      this.load();
    });

    this.status = testId(create('p', 'history__status', this.element), 'history-status');
    this.status.setAttribute('role', 'status');
    const host = testId(create('div', 'chart chart--history', this.element), 'history-chart');
    host.setAttribute('role', 'img');
    host.setAttribute('aria-label', 'History chart of the chosen metrics');
    this.chart = new ConsoleChart(host);
    this.markChoice();
  }

  /** A different device: back to the default range, nothing loaded until `setLines`. */
  setDevice(booth: string, device: string): void {
    this.cancel();
    this.device = { booth, device };
    this.lines = [];
    this.choice = '15m';
    this.custom.hidden = true;
    this.markChoice();
    this.report('idle', '');
  }

  /** The metrics to show; reloads when they changed. */
  setLines(lines: readonly TimeSeriesLine[]): void {
    const key = (list: readonly TimeSeriesLine[]): string => JSON.stringify(list);
    if (key(lines) === key(this.lines)) return;
    this.lines = lines;
    this.load();
  }

  choose(choice: RangeChoice): void {
    this.choice = choice;
    this.markChoice();
    if (choice === 'custom') {
      this.custom.hidden = false;
      // Start from the range on screen, so a custom range is usually a small edit of it.
      if (this.fromInput.value === '' || this.toInput.value === '') {
        const now = this.now();
        this.fromInput.value = toDateTimeLocal(now - 3_600_000);
        this.toInput.value = toDateTimeLocal(now);
      }
      this.fromInput.focus();
      return;
    }
    this.custom.hidden = true;
    this.load();
  }

  private markChoice(): void {
    for (const [choice, rangeButton] of this.rangeButtons) rangeButton.setAttribute('aria-pressed', String(choice === this.choice));
    setData(this.chart.host, 'range', this.choice);
  }

  private range(): TimeRange | { error: string } {
    return this.choice === 'custom' ? customRange(this.fromInput.value, this.toInput.value) : presetRange(this.choice, this.now());
  }

  private load(): void {
    this.cancel();
    const device = this.device;
    if (!device) return;
    const range = this.range();
    if ('error' in range) {
      this.report('error', range.error);
      return;
    }
    if (this.lines.length === 0) {
      this.report('idle', 'Choose a metric above to see its history.');
      this.chart.draw([], { min: range.from, max: range.to }, new Map());
      return;
    }
    const points = historyPoints(this.chart.width);
    const controller = new AbortController();
    this.loading = controller;
    const lines = this.lines;
    setData(this.chart.host, 'requestedPoints', String(points));
    this.report('loading', `Loading ${lines.length === 1 ? '1 metric' : `${lines.length} metrics`}…`);
    void Promise.all(
      lines.map((line) => this.api.getJson<HistoryAnswer>(historyUrl(device.booth, device.device, line.metric, range, points), controller.signal)),
    ).then(
      (answers) => {
        if (controller.signal.aborted) return;
        this.loading = null;
        this.show(lines, range, answers);
      },
      (error: unknown) => {
        if (controller.signal.aborted || isAbort(error)) return;
        this.loading = null;
        this.report('error', `History could not be loaded: ${describeError(error)}`);
      },
    );
  }

  private show(lines: readonly TimeSeriesLine[], range: TimeRange, answers: readonly HistoryAnswer[]): void {
    const data = new Map<string, LinePoint[]>();
    let total = 0;
    answers.forEach((answer, index) => {
      const metric = lines[index]?.metric;
      if (metric === undefined) return;
      total += answer.points.length;
      data.set(metric, withGaps(answer.points, answer.intervalMs * GAP_BUCKETS));
    });
    this.chart.draw(lines, { min: range.from, max: range.to }, data);
    const first = answers[0];
    const source = first
      ? `from ${first.source === 'influxdb' ? 'InfluxDB' : 'the live buffers (no InfluxDB)'}, one point per ${describeInterval(first.intervalMs)}`
      : '';
    this.report('ready', `${formatTime(range.from, range.to)} – ${formatTime(range.to)}: ${formatCount(total)} points ${source}`.trim());
  }

  /** The chart's data-state (idle, loading, ready, error) and the line above it that says the same in words. */
  private report(state: 'idle' | 'loading' | 'ready' | 'error', text: string): void {
    setData(this.chart.host, 'state', state);
    setData(this.status, 'state', state);
    setText(this.status, text);
  }

  private cancel(): void {
    this.loading?.abort();
    this.loading = null;
  }

  dispose(): void {
    this.cancel();
    this.chart.dispose();
  }
}

function dateInput(parent: HTMLElement, label: string, id: string): HTMLInputElement {
  const wrapper = create('label', 'field field--inline', parent);
  setText(create('span', 'field__label', wrapper), label);
  const input = testId(create('input', 'field__input', wrapper), id);
  input.type = 'datetime-local';
  input.required = true;
  return input;
}
