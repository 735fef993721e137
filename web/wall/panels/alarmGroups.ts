/**
 * The public strip groups alarms so it stays one line however many there are (issue 12): every
 * alarm of one booth about the same condition of the same metric is one item ("CO₂ high at 3
 * devices", "28 devices offline"). A group of one keeps its alarm's key, so a steady single alarm
 * keeps its element. Acknowledged alarms group apart from the others. Groups are per booth, so a booth flooding alarms is one item and cannot push
 * another booth's alarm off a shared wall (issue 9). A device's condition raised by both the server's
 * rule and the page's range check is shown once, as the server's (which carries the acknowledgement).
 */
import type { WallLanguage } from '../../../contract/dashboard';
import { LANGUAGE_SEPARATOR, type WallText } from '../wallText';
import { alarmSentence, compactBothSentence, type AlarmCondition } from './alarmWords';
import { resolveMetricDisplay } from '../../shared/metricDisplay';
import type { AlarmSeverity, WallAlarm } from './rangeAlarms';

/** Devices named in a group before it says how many instead: more names would not fit one line anyway. */
export const MAX_NAMED_DEVICES = 3;

const NO_METRIC: Readonly<Record<WallLanguage, string>> = { en: '', zh: '' };

export interface AlarmGroup {
  readonly key: string;
  readonly severity: AlarmSeverity;
  readonly booth: string;
  readonly condition: AlarmCondition;
  readonly metric: string;
  /** The metric's label per language, as its first alarm carried it; absent: made from the id. */
  readonly metricLabels?: Readonly<Record<WallLanguage, string>>;
  /** Distinct devices, in strip order (most severe and newest first). */
  readonly deviceNames: readonly string[];
  /** Newest start among its alarms. */
  readonly since: number | undefined;
  /** The one alarm's detail (its value, its age, "acknowledged") when the group has a single device. */
  readonly detail: string;
  /** Every alarm of the group acknowledged (server rules only). */
  readonly acknowledged: boolean;
  readonly alarms: number;
}

/** `alarms` sorted for showing (sortAlarms); groups come out in the order of their first alarm. */
export function groupAlarms(alarms: readonly WallAlarm[]): AlarmGroup[] {
  interface Building {
    first: WallAlarm;
    severity: AlarmSeverity;
    devices: Map<string, string>;
    since: number | undefined;
    acknowledged: boolean;
    alarms: number;
  }
  const groups = new Map<string, Building>();
  const raisedByServer = new Set(alarms.filter((alarm) => !isRangeAlarm(alarm)).map(sameCondition));
  for (const alarm of alarms) {
    // The server's rule already speaks for this device's condition (acknowledged or not): the page's
    // own range check would show the device a second time, in an unacknowledged group beside it.
    if (isRangeAlarm(alarm) && raisedByServer.has(sameCondition(alarm))) continue;
    // Acknowledged alarms are their own group: "being handled" must not hide behind, or speak for, new ones.
    const handled = alarm.acknowledged === true ? ':acknowledged' : '';
    const key = `group:${alarm.booth ?? ''}:${alarm.condition ?? 'alarm'}:${alarm.condition === 'offline' ? '' : alarm.metric}${handled}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { first: alarm, severity: alarm.severity, devices: new Map(), since: alarm.since, acknowledged: true, alarms: 0 }));
    if (alarm.severity === 'critical') group.severity = 'critical';
    if (alarm.since !== undefined && (group.since === undefined || alarm.since > group.since)) group.since = alarm.since;
    group.acknowledged &&= alarm.acknowledged === true;
    group.alarms++;
    const device = alarm.deviceKey ?? alarm.key;
    if (!group.devices.has(device)) group.devices.set(device, alarm.deviceName);
  }
  return [...groups].map(([key, group]) => {
    const single = group.devices.size === 1;
    return {
      // One device: the alarm's own key, so the element (and tests that find it) stay as before grouping.
      key: single ? group.first.key : key,
      severity: group.severity,
      booth: group.first.booth ?? '',
      condition: group.first.condition ?? 'alarm',
      metric: group.first.condition === 'offline' ? '' : group.first.metric,
      ...(group.first.condition !== 'offline' && group.first.metricLabels ? { metricLabels: group.first.metricLabels } : {}),
      deviceNames: [...group.devices.values()],
      since: group.since,
      detail: single ? (group.first.detail ?? '') : '',
      acknowledged: group.acknowledged,
      alarms: group.alarms,
    };
  });
}

/** The page's own range check (rangeAlarms.ts) rather than a server rule. */
function isRangeAlarm(alarm: WallAlarm): boolean {
  return alarm.key.startsWith('range:');
}

/** One device's one condition of one metric, whoever raised it. */
function sameCondition(alarm: WallAlarm): string {
  return `${alarm.deviceKey ?? alarm.key}\n${alarm.metric}\n${alarm.condition ?? 'alarm'}`;
}

/** The group's sentence: devices named (when `named` and few enough) or counted, then its detail. */
export function groupText(group: AlarmGroup, text: WallText, named: boolean): string {
  const count = group.deviceNames.length;
  const names = named && count <= MAX_NAMED_DEVICES ? group.deviceNames : count === 1 ? group.deviceNames : [];
  const metric = group.metric === '' ? NO_METRIC : (group.metricLabels ?? resolveMetricDisplay(group.metric).label);
  const sentence = alarmSentence(text, { condition: group.condition, metric, names, count });
  const parts = [sentence];
  if (group.detail) parts.push(group.detail);
  else if (group.acknowledged && count > 1) parts.push(text.t('acknowledged'));
  return parts.join(LANGUAGE_SEPARATOR);
}

/**
 * The group at its shortest, for a strip whose line has no room left: with both languages, the
 * compact sentence (alarmWords.ts) with a single device still named; with one language, the counted
 * sentence. The detail (value, age) goes; "acknowledged" stays, as it changes what the item means.
 */
export function compactGroupText(group: AlarmGroup, text: WallText): string {
  if (text.languages.length < 2) return groupText(group, text, false);
  const count = group.deviceNames.length;
  const metric = group.metric === '' ? NO_METRIC : (group.metricLabels ?? resolveMetricDisplay(group.metric).label);
  const sentence = compactBothSentence({ condition: group.condition, metric, names: count === 1 ? group.deviceNames : [], count });
  return group.acknowledged ? `${sentence}${LANGUAGE_SEPARATOR}${text.t('acknowledged')}` : sentence;
}
