/**
 * The strip every scene shows along its edge: readings outside their expected range, the most
 * severe and newest first, a bounded number of them shared between booths, and "+N more" for the rest. With nothing
 * wrong it says so calmly (or hides, when the scene prefers). Items are kept per alarm key and
 * reused, so a steady alarm is not re-created (and its pulse not restarted) every frame.
 */
import { create, setData, setText } from '../../shared/dom';
import { createPartsView, KeyedViews, type KeyedView } from '../../shared/keyedViews';
import { metricLabel } from './panelText';
import type { PanelContext } from './PanelView';
import { alarmsToShow, collectRangeAlarms, sortAlarms, type WallAlarm } from './rangeAlarms';

export const MAX_ALARMS_SHOWN = 6;

export interface AlarmStripOptions {
  /** Hide the strip entirely while nothing is wrong, instead of saying "All readings in range". */
  readonly hideWhenCalm?: boolean;
}

type AlarmItemView = KeyedView & Record<'device' | 'metric' | 'text', HTMLElement>;

export class AlarmStrip {
  readonly element: HTMLElement;
  private readonly label: HTMLElement;
  private readonly more: HTMLElement;
  private readonly calm: HTMLElement;
  private readonly items: KeyedViews<WallAlarm, AlarmItemView>;

  constructor(private readonly options: AlarmStripOptions = {}) {
    this.element = create('aside', 'alarm-strip');
    this.element.dataset['testid'] = 'alarm-strip';
    this.element.setAttribute('role', 'status');
    this.label = create('span', 'alarm-strip__label', this.element);
    this.items = new KeyedViews(create('ol', 'alarm-strip__items', this.element), (alarm) => alarm.key, createItem);
    this.more = create('span', 'alarm-strip__more', this.element);
    this.more.dataset['testid'] = 'alarm-more';
    this.calm = create('span', 'alarm-strip__calm', this.element);
  }

  /** `fromServer`: alarms raised by the server's rules, merged with the range alarms found here. */
  render(context: Pick<PanelContext, 'model' | 'text' | 'serverNow'>, fromServer: readonly WallAlarm[] = []): void {
    const { text } = context;
    const found = collectRangeAlarms(context.model, text, context.serverNow);
    const alarms = fromServer.length > 0 ? sortAlarms([...fromServer, ...found]) : found;
    const shown = alarmsToShow(alarms, MAX_ALARMS_SHOWN);
    const calm = alarms.length === 0;

    setData(this.element, 'state', calm ? 'calm' : shown.some((a) => a.severity === 'critical') ? 'critical' : 'warning');
    setData(this.element, 'count', String(alarms.length));
    this.element.hidden = calm && this.options.hideWhenCalm === true;
    setText(this.label, text.t('alarms'));
    setText(this.calm, calm ? text.t('noAlarms') : '');
    setText(this.more, alarms.length > shown.length ? text.t('moreAlarms', { n: alarms.length - shown.length }) : '');

    this.items.render(shown, renderItem);
  }

  dispose(): void {
    this.items.clear();
    this.element.remove();
  }
}

function createItem(alarm: WallAlarm): AlarmItemView {
  return createPartsView('li', 'alarm-item', { testid: 'alarm-item', key: alarm.key }, ['device', 'metric', 'text']);
}

function renderItem(item: AlarmItemView, alarm: WallAlarm): void {
  setData(item.element, 'severity', alarm.severity);
  setText(item.device, alarm.deviceName);
  setText(item.metric, alarm.metricLabel ?? (alarm.metric === '' ? '' : metricLabel(alarm.metric)));
  setText(item.text, alarm.text);
}
