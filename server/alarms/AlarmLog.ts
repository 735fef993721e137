/**
 * Alarm transitions in InfluxDB (measurement `alarm_events`), so a restart keeps open and
 * acknowledged alarms: every transition is one point carrying the whole alarm, and at start the
 * newest point of each alarm id (within a week) says where it was left.
 */
import type { Alarm, AlarmSeverity, AlarmState } from '../../contract/console';
import { quoteIdentifier } from '../store/historyQuery';
import type { InfluxStore } from '../store/InfluxStore';
import { safeTagValue, stringFieldValue } from '../store/telemetryLine';
import type { AlarmChange } from './AlarmEngine';
import { alarmId } from './AlarmEngine';

export const ALARM_MEASUREMENT = 'alarm_events';
/** How far back a restart looks for alarms; an alarm untouched for longer is not brought back. */
export const ALARM_RESTORE_WINDOW_MS = 7 * 24 * 3600_000;

const STATES: ReadonlySet<string> = new Set<AlarmState>(['active', 'acknowledged', 'cleared']);
const SEVERITIES: ReadonlySet<string> = new Set<AlarmSeverity>(['info', 'warning', 'critical']);

/** Tags rule, booth, device (one series per alarm id); every other property a field, numbers as floats. */
export function alarmEventLine({ alarm, at }: AlarmChange): string {
  const fields = [
    `state=${stringFieldValue(alarm.state)}`,
    `severity=${stringFieldValue(alarm.severity)}`,
    `message=${stringFieldValue(alarm.message)}`,
    `raisedAt=${alarm.raisedAt}`,
  ];
  if (alarm.metric !== null) fields.push(`metric=${stringFieldValue(alarm.metric)}`);
  if (alarm.value !== null && Number.isFinite(alarm.value)) fields.push(`value=${alarm.value}`);
  if (alarm.acknowledgedBy !== null) fields.push(`acknowledgedBy=${stringFieldValue(alarm.acknowledgedBy)}`);
  if (alarm.acknowledgedAt !== null) fields.push(`acknowledgedAt=${alarm.acknowledgedAt}`);
  if (alarm.clearedAt !== null) fields.push(`clearedAt=${alarm.clearedAt}`);
  return `${ALARM_MEASUREMENT},rule=${safeTagValue(alarm.rule)},booth=${safeTagValue(alarm.booth)},device=${safeTagValue(alarm.device)} ${fields.join(',')} ${Math.floor(at)}`;
}

function stored(row: Record<string, unknown>, tags: Record<string, string>): Alarm | null {
  const { rule, booth, device } = tags;
  const { state, severity, message, raisedAt } = row;
  if (!rule || !booth || !device) return null;
  if (typeof state !== 'string' || !STATES.has(state) || typeof severity !== 'string' || !SEVERITIES.has(severity)) return null;
  if (typeof message !== 'string' || typeof raisedAt !== 'number') return null;
  const numberOrNull = (value: unknown) => (typeof value === 'number' ? value : null);
  const id = alarmId(rule, booth, device);
  return {
    id,
    key: `${id}@${raisedAt}`,
    rule,
    severity: severity as AlarmSeverity,
    booth,
    device,
    metric: typeof row.metric === 'string' ? row.metric : null,
    state: state as AlarmState,
    message,
    raisedAt,
    value: numberOrNull(row.value),
    acknowledgedBy: typeof row.acknowledgedBy === 'string' ? row.acknowledgedBy : null,
    acknowledgedAt: numberOrNull(row.acknowledgedAt),
    clearedAt: numberOrNull(row.clearedAt),
  };
}

export class AlarmLog {
  constructor(private readonly store: InfluxStore | null) {}

  record(change: AlarmChange): void {
    this.store?.writeLine(alarmEventLine(change));
  }

  /** The latest state of every alarm touched within the restore window; empty without InfluxDB. */
  async latest(now = Date.now()): Promise<Alarm[]> {
    if (!this.store) return [];
    const result = await this.store.query(
      `SELECT * FROM ${quoteIdentifier(ALARM_MEASUREMENT)} WHERE time >= ${Math.floor(now - ALARM_RESTORE_WINDOW_MS)}ms` +
        ` GROUP BY "rule", "booth", "device" ORDER BY time DESC LIMIT 1`,
    );
    const alarms: Alarm[] = [];
    for (const series of result.series ?? []) {
      const values = series.values[0];
      if (!values) continue;
      const row = Object.fromEntries(series.columns.map((column, i) => [column, values[i]]));
      const alarm = stored(row, series.tags ?? {});
      if (alarm) alarms.push(alarm);
    }
    return alarms;
  }
}
