/**
 * A metric's latest reading as DOM text: value, unit and the ▲ High / ▼ Low badge. Shared by the
 * panels that show a number beside or instead of a chart, so every panel marks alarms alike.
 */
import { create, setData, setText } from '../../shared/dom';
import { formatReading, rangeAlarm } from '../readingFormat';
import type { MetricKind } from '../../shared/metricKind';
import type { DeviceState } from '../WallModel';
import type { WallText } from '../wallText';
import { metricUnit } from './panelText';
import { readsAsWords } from '../../shared/metricDisplay';

export class MetricReadout {
  readonly value: HTMLElement;
  readonly unit: HTMLElement;
  readonly alarm: HTMLElement;
  private readonly alarmArrow: HTMLElement;
  private readonly alarmWord: HTMLElement;

  /** `row` carries data-alarm, so CSS can colour the whole readout. */
  constructor(
    private readonly row: HTMLElement,
    readonly metric: string,
    figureParent: HTMLElement = row,
    alarmParent: HTMLElement = row,
  ) {
    this.alarm = create('span', 'readout-alarm', alarmParent);
    this.alarm.dataset['testid'] = 'panel-alarm';
    // Two parts, so a narrow readout can keep the arrow and drop the word (panels.css).
    this.alarmArrow = create('span', 'readout-alarm__arrow', this.alarm);
    this.alarmWord = create('span', 'readout-alarm__word', this.alarm);
    const figure = create('span', 'readout-figure', figureParent);
    this.value = create('span', 'readout-figure__value', figure);
    this.value.dataset['testid'] = 'panel-value';
    this.value.dataset['metric'] = metric;
    this.unit = create('span', 'readout-figure__unit', figure);
  }

  render(device: DeviceState, text: WallText): void {
    const metric = device.metrics.get(this.metric);
    const latest = metric?.latest;
    const kind: MetricKind = metric?.kind ?? 'number';
    const alarm = kind === 'number' ? rangeAlarm(latest, device.meta.expected, this.metric) : null;
    const display = text.metric(this.metric, device.meta);
    const reading = formatReading(latest, kind, text, display);
    setText(this.value, reading);
    setData(this.value, 'value', latest === undefined ? '' : String(Number(latest)));
    // A mapped word ("Charging") or On/Off is the whole reading; a unit after it would read as part of it.
    const worded = kind === 'boolean' || (latest !== undefined && readsAsWords(display, latest));
    setText(this.unit, worded || latest === undefined ? '' : metricUnit(device, this.metric, text));
    setText(this.alarmArrow, alarm === 'high' ? '▲' : alarm === 'low' ? '▼' : '');
    setText(this.alarmWord, alarm ? text.t(alarm) : '');
    setData(this.row, 'alarm', alarm ?? 'none');
  }
}
