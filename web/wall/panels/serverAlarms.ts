/**
 * Alarms raised by the server's rules (config `alarms:`), as items of the wall's alarm strip beside
 * the range alarms the page finds itself. The server sends the whole list for the wall's booths on
 * every change; the page keeps only what it can show.
 */
import type { WallAlarmNotice } from '../../../contract/console';
import { fairShare } from '../fairShare';
import type { WallModel } from '../WallModel';
import { LANGUAGE_SEPARATOR, type WallText } from '../wallText';
import { deviceName } from './panelText';
import type { DeviceState } from '../WallModel';
import type { AlarmCondition } from './alarmWords';
import type { WallAlarm } from './rangeAlarms';

/** A Map: the notice came over the wire, and 'constructor' must not find Object's. */
const CONDITIONS: ReadonlyMap<unknown, AlarmCondition> = new Map<unknown, AlarmCondition>([
  ['above', 'high'],
  ['below', 'low'],
  ['offline', 'offline'],
]);

/** A wall shows six; the rest are counted. Anything past this is not worth holding. */
export const MAX_SERVER_ALARMS = 200;

export function serverAlarmItems(notices: readonly WallAlarmNotice[], model: Pick<WallModel, 'find'>, text: WallText): WallAlarm[] {
  // Shared per booth: a booth raising thousands of alarms must not hide another booth's one.
  return fairShare(notices, MAX_SERVER_ALARMS, (notice) => notice.booth).map((notice) => {
    const device = model.find(notice.device, notice.booth);
    const parts = [serverAlarmWords(notice, device, text)];
    const acknowledged = notice.state === 'acknowledged';
    if (acknowledged) parts.push(text.t('acknowledged'));
    return {
      key: `server:${notice.id}@${notice.raisedAt}`,
      // The strip has two levels; an info rule still deserves a place on it.
      severity: notice.severity === 'critical' ? 'critical' : 'warning',
      booth: notice.booth,
      deviceName: device ? deviceName(device) : notice.device,
      metric: notice.metric ?? '',
      ...(notice.metric !== null ? { metricLabels: text.metric(notice.metric, device?.meta).label } : {}),
      text: parts.join(LANGUAGE_SEPARATOR),
      since: notice.raisedAt,
      condition: CONDITIONS.get(notice.condition) ?? 'alarm',
      deviceKey: `${notice.booth}/${notice.device}`,
      // The rule's message is the server's English ("co2 above 1200 ppm for 30 s"): the sentence
      // says it in the wall's languages; only the acknowledgement is added.
      detail: acknowledged ? text.t('acknowledged') : '',
      acknowledged,
    };
  });
}

/**
 * What an alarm from the server says on the wall. The server words its message in English for
 * technicians ("co2 above 1200 ppm for 30 s"); a wall in another language builds its words from the
 * structured fields instead: offline, or the reading with its unit beside the metric's label.
 */
export function serverAlarmWords(
  notice: Pick<WallAlarmNotice, 'metric' | 'message' | 'value'>,
  device: Pick<DeviceState, 'meta'> | undefined,
  text: WallText,
): string {
  if (text.mode === 'en') return notice.message;
  if (notice.metric === null) return text.t('offline');
  if (notice.value === null) return '';
  const display = text.metric(notice.metric, device?.meta);
  return [text.metricValue(display, notice.value), text.metricUnit(notice.metric, device?.meta)].filter(Boolean).join(' ');
}
