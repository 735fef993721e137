/**
 * The console's alarm for storage falling behind (issue 13: "a console alarm when the oldest unsent
 * reading is older than a threshold"). The header's badge says `degraded` only while a technician
 * looks at it; an alarm stays in the list, is acknowledged by name and is stored, like any other.
 *
 * One rule decides (server/store/StorageHealth.ts, `storage-backlog`: the oldest reading InfluxDB has
 * not confirmed is older than storage.degradedBacklogSeconds, or without a spool the memory buffer
 * is over half full), so the alarm, /api/health, /metrics and the Server tab never disagree. It is
 * raised on the console's one-second tick and cleared once the backlog has stayed under the
 * threshold for STORAGE_BACKLOG_CLEAR_AFTER_MS: a backlog hovering at the threshold would otherwise
 * raise and clear it every second, each a stored row and an entry pushing real history out of the
 * console's cleared list. Technician only: a visitor at a wall can do nothing about InfluxDB.
 */
import type { DegradedReason } from '../../contract/console';
import type { AlarmEngine } from './AlarmEngine';

export const STORAGE_BACKLOG_RULE = 'storage-backlog';
/** What the alarm is about, in the device column of the console's list. */
export const STORAGE_BACKLOG_SUBJECT = 'storage';
/** How long the backlog must stay under the threshold, tick after tick, before the alarm clears. */
export const STORAGE_BACKLOG_CLEAR_AFTER_MS = 10_000;

export class StorageBacklogAlarm {
  constructor(
    private readonly health: { reasons(now: number): DegradedReason[] },
    private readonly alarms: Pick<AlarmEngine, 'raiseServerAlarm' | 'clearServerAlarm'>,
    private readonly clearAfterMs = STORAGE_BACKLOG_CLEAR_AFTER_MS,
  ) {}

  /** Since when every check found the backlog under the threshold; null while it is over. */
  private underSince: number | null = null;

  check(now: number): void {
    const backlog = this.health.reasons(now).find((d) => d.reason === 'storage-backlog');
    if (backlog) {
      this.underSince = null;
      this.alarms.raiseServerAlarm(STORAGE_BACKLOG_RULE, STORAGE_BACKLOG_SUBJECT, 'warning', `Storage behind: ${backlog.detail}`, now);
      return;
    }
    this.underSince ??= now;
    if (now - this.underSince >= this.clearAfterMs) this.alarms.clearServerAlarm(STORAGE_BACKLOG_RULE, STORAGE_BACKLOG_SUBJECT, now);
  }
}
