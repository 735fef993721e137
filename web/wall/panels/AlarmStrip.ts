/**
 * The strip every scene shows along its edge: what is wrong, in ONE line however much is wrong
 * (issue 12: 28 offline devices made it six rows, a quarter of the screen). Alarms are grouped
 * (alarmGroups.ts: "CO₂ high at 3 devices", "28 devices offline"), the most severe and newest
 * first, booths taking turns at the places; devices are named while the line has room, then
 * counted, and groups that still do not fit become "+N more". With nothing wrong it says so calmly
 * (or hides, when the scene prefers), but only once the wall has devices: before its first data a
 * wall cannot know that all readings are in range. Items are kept per group key and reused, so a
 * steady alarm is not re-created (and its pulse not restarted) every frame.
 */
import { create, setData, setText } from '../../shared/dom';
import { createPartsView, KeyedViews, type KeyedView } from '../../shared/keyedViews';
import { fairShare } from '../fairShare';
import type { PanelContext } from './PanelView';
import { compactGroupText, groupAlarms, groupText, type AlarmGroup } from './alarmGroups';
import { collectRangeAlarms, sortAlarms } from './rangeAlarms';
import type { WallAlarm } from './rangeAlarms';

/** Groups considered for the one line; fitting to the width usually shows fewer. */
export const MAX_ALARMS_SHOWN = 6;

export interface AlarmStripOptions {
  /** Hide the strip entirely while nothing is wrong, instead of saying "All readings in range". */
  readonly hideWhenCalm?: boolean;
}

type AlarmItemView = KeyedView & Record<'text', HTMLElement>;

interface Shown {
  group: AlarmGroup;
  text: string;
}

export class AlarmStrip {
  readonly element: HTMLElement;
  private readonly label: HTMLElement;
  private readonly list: HTMLElement;
  private readonly more: HTMLElement;
  private readonly calm: HTMLElement;
  private readonly items: KeyedViews<Shown, AlarmItemView>;
  /** What was last fitted to which width: fitting measures the page, so only when either changed. */
  private fitted = '';

  constructor(private readonly options: AlarmStripOptions = {}) {
    this.element = create('aside', 'alarm-strip');
    this.element.dataset['testid'] = 'alarm-strip';
    this.element.setAttribute('role', 'status');
    this.label = create('span', 'alarm-strip__label', this.element);
    this.list = create('ol', 'alarm-strip__items', this.element);
    this.items = new KeyedViews(this.list, (shown) => shown.group.key, createItem);
    this.more = create('span', 'alarm-strip__more', this.element);
    this.more.dataset['testid'] = 'alarm-more';
    this.calm = create('span', 'alarm-strip__calm', this.element);
  }

  /** `fromServer`: alarms raised by the server's rules, merged with the range alarms found here. */
  render(context: Pick<PanelContext, 'model' | 'text' | 'serverNow'>, fromServer: readonly WallAlarm[] = []): void {
    const { text, model } = context;
    const found = collectRangeAlarms(model, text, context.serverNow);
    const alarms = fromServer.length > 0 ? sortAlarms([...fromServer, ...found]) : found;
    const all = groupAlarms(alarms);
    const groups = sortGroups(fairShare(all, MAX_ALARMS_SHOWN, (group) => group.booth));
    const total = all.length;
    const calm = alarms.length === 0;
    // Before the first snapshot (or with no device at all) "all in range" would be a claim about nothing.
    const waiting = calm && model.size === 0;

    setData(this.element, 'state', waiting ? 'waiting' : calm ? 'calm' : groups.some((g) => g.severity === 'critical') ? 'critical' : 'warning');
    setData(this.element, 'count', String(alarms.length));
    this.element.hidden = calm && this.options.hideWhenCalm === true;
    setText(this.calm, calm && !waiting ? text.t('noAlarms') : '');
    const label = waiting ? '' : text.t('alarms');

    const named = groups.map((group) => ({ group, text: groupText(group, text, true) }));
    // Everything the fit writes: the total too ("+N more" counts groups ranked below those shown,
    // which can change while the shown ones do not) and the state (calm/waiting empty the list).
    const state = waiting ? 'waiting' : calm ? 'calm' : 'alarms';
    const signature = `${this.list.clientWidth}\n${state}\n${label}\n${total}\n${named.map((s) => `${s.group.key}=${s.text}`).join('\n')}`;
    if (signature === this.fitted) return;
    this.fitted = signature;
    setText(this.label, label);
    setData(this.label, 'short', 'false');
    this.fit(named, total, text);
  }

  dispose(): void {
    this.items.clear();
    this.element.remove();
  }

  /**
   * One line: the names first; if the line overflows, groups of several devices say how many
   * instead, the last group first; then, with both languages, the compact form (alarmGroups.ts),
   * the last group first, and the label down to its ⚠; if it still does, the groups that fit after the first stay and
   * the others go into "+N more" (the first always stays, and ellipsises at worst). Each step
   * measures the list, which costs a layout: the caller fits only when the text or the width changed.
   */
  private fit(named: Shown[], total: number, text: PanelContext['text']): void {
    const show = (shown: Shown[]) => {
      this.items.render(shown, renderItem);
      const hidden = total - shown.length;
      setText(this.more, hidden > 0 ? text.t('moreAlarms', { n: hidden }) : '');
    };
    const shown = [...named];
    show(shown);
    // The last (least urgent) groups give up their names first, so the first keep theirs if they can.
    for (let i = shown.length - 1; i >= 0 && this.overflows(); i--) {
      const group = shown[i]!.group;
      const counted = groupText(group, text, false);
      if (counted === shown[i]!.text) continue;
      shown[i] = { group, text: counted };
      show(shown);
    }
    // Both languages (a portrait wall's narrow line): the last groups take the compact form first,
    // so a second group fits beside the first instead of going into "+N more".
    for (let i = shown.length - 1; i >= 0 && this.overflows(); i--) {
      const group = shown[i]!.group;
      const compact = compactGroupText(group, text);
      if (compact === shown[i]!.text) continue;
      shown[i] = { group, text: compact };
      show(shown);
    }
    // The word "Alarms" goes before a group does: the ⚠ before it (panels.css) still says what the line is.
    if (this.overflows() && text.languages.length > 1 && named.length > 1) {
      setText(this.label, '');
      setData(this.label, 'short', 'true');
    }
    if (!this.overflows()) return;
    // Still too wide: keep the first, then each next group that still fits, so one long item does
    // not push out shorter ones behind it; the rest are counted in "+N more".
    const kept = shown.slice(0, 1);
    for (const candidate of shown.slice(1)) {
      show([...kept, candidate]);
      if (!this.overflows()) kept.push(candidate);
    }
    show(kept);
  }

  private overflows(): boolean {
    // Not laid out (a test's DOM, a hidden strip): nothing to measure, nothing to trim.
    return this.list.clientWidth > 0 && this.list.scrollWidth > this.list.clientWidth + 1;
  }
}

/** Critical first, then the newest, then by key, so equal groups keep their places. */
function sortGroups(groups: readonly AlarmGroup[]): AlarmGroup[] {
  const rank = (g: AlarmGroup) => (g.severity === 'critical' ? 0 : 1);
  return [...groups].sort((a, b) => rank(a) - rank(b) || (b.since ?? -Infinity) - (a.since ?? -Infinity) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function createItem(shown: Shown): AlarmItemView {
  return createPartsView('li', 'alarm-item', { testid: 'alarm-item', key: shown.group.key }, ['text']);
}

function renderItem(item: AlarmItemView, shown: Shown): void {
  setData(item.element, 'severity', shown.group.severity);
  setData(item.element, 'condition', shown.group.condition);
  setData(item.element, 'devices', String(shown.group.deviceNames.length));
  setText(item.text, shown.text);
}
