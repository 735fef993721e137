/**
 * Alarm wording for the console, pure so it is unit-tested: what state an alarm is in, who
 * acknowledged it and when, and what the Alarms tab's badge counts.
 */
import type { Alarm, AlarmSeverity, AlarmState } from '../../contract/console';
import { formatTime } from './format';

export const ALARM_STATE_WORDS: Readonly<Record<AlarmState, string>> = {
  active: 'Active',
  acknowledged: 'Acknowledged',
  cleared: 'Cleared',
};

/** "acknowledged by Ana at 10:32:05", or '' while nobody has. */
export function acknowledgement(alarm: Pick<Alarm, 'acknowledgedBy' | 'acknowledgedAt'>, now: number): string {
  if (alarm.acknowledgedBy === null) return '';
  return alarm.acknowledgedAt === null
    ? `acknowledged by ${alarm.acknowledgedBy}`
    : `acknowledged by ${alarm.acknowledgedBy} at ${formatTime(alarm.acknowledgedAt, now)}`;
}

const SEVERITY_RANK: Record<AlarmSeverity, number> = { info: 0, warning: 1, critical: 2 };

/** Alarms nobody has acknowledged yet, and the worst severity among them (null when none). */
export function unacknowledged(alarms: readonly Alarm[]): { count: number; worst: AlarmSeverity | null } {
  let count = 0;
  let worst: AlarmSeverity | null = null;
  for (const alarm of alarms) {
    if (alarm.state !== 'active') continue;
    count++;
    if (worst === null || SEVERITY_RANK[alarm.severity] > SEVERITY_RANK[worst]) worst = alarm.severity;
  }
  return { count, worst };
}

/** The POST that acknowledges an alarm: `${base}/{id}/ack`, with the id encoded (it contains '/'). */
export function acknowledgePath(base: string, id: string): string {
  return `${base}/${encodeURIComponent(id)}/ack`;
}
