/**
 * Alarms in the console: every active and acknowledged alarm, then the recently cleared ones, with
 * severity in colour and in words, who acknowledged it and when, and an Acknowledge button for the
 * active ones. Rows are kept per alarm id, so a poll changes text rather than rebuilding the table
 * (and a focused button keeps its focus).
 */
import { CONSOLE_API, SERVER_ALARM_BOOTH, type Alarm, type AlarmList, type AlarmSeverity, type BulkAckResult } from '../../contract/console';
import { create, setData, setText } from '../shared/dom';
import { KeyedViews } from '../shared/keyedViews';
import { acknowledgePath, acknowledgement, ALARM_STATE_WORDS, unacknowledged } from './alarmText';
import { describeError, type ConsoleApi } from './ConsoleApi';
import { badge, button, heading, testId } from './consoleDom';
import { formatDuration, formatTime, SEVERITY_BADGES } from './format';
import { Poller } from './Poller';
import { deviceHash } from './route';
import type { ServerClock } from './ServerClock';

export const ALARMS_POLL_MS = 2_000;
/** As the server's bound (server/console/consoleApi.ts MAX_BULK_ACK). */
export const MAX_BULK_ACK = 500;

interface AlarmRow {
  readonly element: HTMLTableRowElement;
  readonly severity: ReturnType<typeof badge>;
  readonly device: HTMLAnchorElement;
  readonly message: HTMLElement;
  readonly raised: HTMLElement;
  readonly state: HTMLElement;
  readonly acknowledged: HTMLElement;
  readonly cleared: HTMLElement;
  readonly action: HTMLButtonElement;
}

export class AlarmsPanel {
  private alarms: readonly Alarm[] = [];
  private readonly poller: Poller;
  private readonly rows: KeyedViews<Alarm, AlarmRow>;
  private readonly pending = new Set<string>();
  private readonly status: HTMLElement;
  private readonly error: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly acknowledgeShown: HTMLButtonElement;
  private bulkPending = false;

  constructor(
    host: HTMLElement,
    private readonly api: ConsoleApi,
    private readonly clock: ServerClock,
    /** Told how many alarms wait for someone, and the worst of them, after every poll. */
    private readonly onUnacknowledged: (count: number, worst: AlarmSeverity | null) => void,
  ) {
    const top = create('div', 'view__top', host);
    heading(top, 'h2', 'Alarms');
    // A restart or a power cut takes many devices at once; acknowledging them one by one is not a job.
    this.acknowledgeShown = button(top, 'button--primary', 'Acknowledge all', 'alarms-ack-all');
    this.acknowledgeShown.addEventListener('click', () => void this.acknowledgeAll());
    // Not a live region: "Updated …" every 2 s would keep a screen reader talking. Failures to act are alerts.
    this.status = testId(create('span', 'view__status', top), 'alarms-updated');
    this.error = testId(create('p', 'view__error', host), 'alarms-error');
    this.error.setAttribute('role', 'alert');
    const table = testId(create('table', 'alarms', host), 'alarms-table');
    const headRow = create('tr', '', create('thead', '', table));
    for (const label of ['Severity', 'Device', 'What', 'Raised', 'State', 'Acknowledged', 'Cleared', '']) {
      const th = create('th', '', headRow);
      th.scope = 'col';
      th.textContent = label;
    }
    const body = create('tbody', '', table);
    // A re-raised alarm shares its id with the cleared raise before it; `key` tells them apart.
    this.rows = new KeyedViews(
      body,
      (alarm) => alarm.key ?? alarm.id,
      () => this.createRow(),
    );
    this.empty = testId(create('p', 'view__empty', host), 'alarms-empty');
    body.addEventListener('click', (event) => {
      const id = (event.target as Element).closest<HTMLElement>('[data-ack-id]')?.dataset['ackId'];
      if (id !== undefined) void this.acknowledge(id);
    });
    this.poller = new Poller((signal) => this.fetch(signal), {
      intervalMs: ALARMS_POLL_MS,
      onOutcome: (outcome) => {
        if (outcome.ok) return;
        setData(this.status, 'state', 'error');
        setText(this.status, `Not updated: ${describeError(outcome.error)}; retrying in ${formatDuration(outcome.nextInMs)}`);
      },
    });
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
    this.pending.clear();
  }

  tick(): void {
    this.render();
  }

  private async fetch(signal: AbortSignal): Promise<void> {
    const list = await this.api.getJson<AlarmList>(CONSOLE_API.alarms, signal);
    this.clock.update(list.serverTime);
    this.alarms = list.alarms;
    setData(this.status, 'state', 'ok');
    setText(this.status, `Updated ${formatTime(Date.now())}`);
    this.render();
    const { count, worst } = unacknowledged(list.alarms);
    this.onUnacknowledged(count, worst);
  }

  private async acknowledge(id: string): Promise<void> {
    if (this.pending.has(id)) return;
    this.pending.add(id);
    this.render();
    try {
      await this.api.post(acknowledgePath(CONSOLE_API.acknowledge, id));
      setText(this.error, '');
      this.poller.refresh();
    } catch (error) {
      setText(this.error, `Could not acknowledge: ${describeError(error)}`);
    } finally {
      this.pending.delete(id);
    }
  }

  /** Every active alarm the table shows now, in one request (at most MAX_BULK_ACK; the rest on the next click). */
  private async acknowledgeAll(): Promise<void> {
    const ids = this.activeIds().slice(0, MAX_BULK_ACK);
    if (this.bulkPending || ids.length === 0) return;
    this.bulkPending = true;
    for (const id of ids) this.pending.add(id);
    this.render();
    try {
      const result = await this.api.postJson<BulkAckResult>(CONSOLE_API.acknowledgeMany, { ids });
      setText(this.error, result.cleared > 0 ? `${result.cleared} had cleared before the acknowledgement.` : '');
      this.poller.refresh();
    } catch (error) {
      setText(this.error, `Could not acknowledge: ${describeError(error)}`);
    } finally {
      this.bulkPending = false;
      for (const id of ids) this.pending.delete(id);
      this.render();
    }
  }

  private activeIds(): string[] {
    return this.alarms.filter((alarm) => alarm.state === 'active').map((alarm) => alarm.id);
  }

  private createRow(): AlarmRow {
    const element = testId(create('tr', 'alarm'), 'alarm-row');
    const cell = (className: string): HTMLElement => create('td', `alarm__${className}`, element);
    const severity = badge(cell('severity'), 'severity');
    const device = testId(create('a', 'alarm__link', cell('device')), 'alarm-device');
    const message = testId(cell('message'), 'alarm-message');
    const raised = cell('raised');
    const state = testId(cell('state'), 'alarm-state');
    const acknowledged = testId(cell('acknowledged'), 'alarm-ack');
    acknowledged.tabIndex = -1;
    const cleared = cell('cleared');
    const action = button(cell('action'), 'button--primary', 'Acknowledge', 'alarm-ack-button');
    return { element, severity, device, message, raised, state, acknowledged, cleared, action };
  }

  private render(): void {
    const now = this.clock.now();
    this.rows.render(this.alarms, (row, alarm) => {
      setData(row.element, 'alarmId', alarm.id);
      setData(row.element, 'state', alarm.state);
      setData(row.element, 'severity', alarm.severity);
      row.severity.set(alarm.severity, SEVERITY_BADGES[alarm.severity]);
      // The server's own alarms (storage behind) are about no device: no link to a device page.
      const serverAlarm = alarm.booth === SERVER_ALARM_BOOTH;
      const href = serverAlarm ? null : deviceHash(alarm.booth, alarm.device);
      if (href === null) row.device.removeAttribute('href');
      else if (row.device.getAttribute('href') !== href) row.device.setAttribute('href', href);
      const subject = serverAlarm ? `Server / ${alarm.device}` : `${alarm.booth} / ${alarm.device}`;
      setText(row.device, subject);
      setText(row.message, alarm.message);
      setText(row.raised, `${formatTime(alarm.raisedAt, now)} (${formatDuration(now - alarm.raisedAt)} ago)`);
      setText(row.state, ALARM_STATE_WORDS[alarm.state]);
      setText(row.acknowledged, acknowledgement(alarm, now) || '–');
      setText(row.cleared, alarm.clearedAt === null ? '–' : formatTime(alarm.clearedAt, now));
      const canAcknowledge = alarm.state === 'active';
      row.action.hidden = !canAcknowledge;
      row.action.disabled = this.pending.has(alarm.id);
      setData(row.action, 'ackId', alarm.id);
      row.action.setAttribute('aria-label', `Acknowledge ${SEVERITY_BADGES[alarm.severity].word.toLowerCase()} alarm on ${subject}`);
      // The button disappears once acknowledged; keep keyboard focus in the row, on what changed.
      if (!canAcknowledge && document.activeElement === row.action) row.acknowledged.focus();
    });
    setText(this.empty, this.alarms.length === 0 ? 'No alarms.' : '');
    const active = this.activeIds().length;
    this.acknowledgeShown.hidden = active < 2;
    this.acknowledgeShown.disabled = this.bulkPending;
    setText(this.acknowledgeShown, `Acknowledge all ${active} active`);
  }
}
