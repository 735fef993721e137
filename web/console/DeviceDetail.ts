/**
 * One device for the technician: state and why, what it is, how it is connected, how much it
 * sends and what is refused, a live chart of its metrics, its history, its last raw payloads, its
 * presence timeline and its rejected messages with reasons. Polled every 2 s while open. Everything
 * the device supplied (names, payloads, samples) is written with textContent.
 */
import { metaAsData, ownValue } from '../../contract/device';
import type { IntervalSource } from '../../contract/presence';
import { CONSOLE_API, type DeviceDetail as Detail, type HealthChange, type RawPayload, type RejectionSample } from '../../contract/console';
import type { LinePoint } from '../shared/chartOptions';
import { create, setData, setText } from '../shared/dom';
import { ApiError, describeError, type ConsoleApi } from './ConsoleApi';
import { ConsoleChart } from './ConsoleChart';
import { chartLines } from './consoleChartOptions';
import { rejectionSummary } from './deviceTableModel';
import { badge, button, card, factList, heading, renderList, testId } from './consoleDom';
import { consoleMetricLabel, formatAge, formatCount, formatDuration, formatMetricValue, formatPower, formatRate, formatTime, STATE_BADGES } from './format';
import { HistoryPanel } from './HistoryPanel';
import { historyUrl, type HistoryAnswer } from './historyRange';
import { LIVE_WINDOW_MS, LiveSeries } from './LiveSeries';
import { Poller } from './Poller';
import { devicePath } from './route';
import type { ServerClock } from './ServerClock';

export const DETAIL_POLL_MS = 2_000;
/** How long the Forget button waits for its confirming second click. */
const FORGET_CONFIRM_MS = 5_000;
/** Metrics charted when a device is opened; more can be switched on, up to MAX_CHARTED. */
/** Where the stale limit shown came from, in words. */
const INTERVAL_SOURCE_TEXT: Readonly<Record<IntervalSource, string>> = { meta: 'from its meta', learned: 'learned', default: 'default, not learned yet' };
const FIRST_CHARTED = 4;
const MAX_CHARTED = 8;

type FactKey = 'kind' | 'firmware' | 'adapter' | 'topic' | 'interval' | 'address' | 'connected' | 'reconnects' | 'lastSeen' | 'rate' | 'rejected' | 'power';

export class DeviceDetail {
  private current: { booth: string; device: string } | null = null;
  private detail: Detail | null = null;
  private readonly poller: Poller;
  private readonly live = new LiveSeries();
  private selected = new Set<string>();
  private chipsKey = '';
  /** Metrics whose live chart was filled from history when they were first charted. */
  private readonly seeded = new Set<string>();
  private seeding: AbortController | null = null;
  private readonly chipValues = new Map<string, HTMLElement>();

  private readonly header: HTMLElement;
  private readonly name: HTMLElement;
  private readonly ids: HTMLElement;
  private readonly state: ReturnType<typeof badge>;
  private readonly since: HTMLElement;
  private readonly updated: HTMLElement;
  private readonly missing: HTMLElement;
  private readonly content: HTMLElement;
  private readonly facts: Record<FactKey, HTMLElement>;
  private readonly chips: HTMLElement;
  private readonly chipNote: HTMLElement;
  private readonly liveChart: ConsoleChart;
  private readonly history: HistoryPanel;
  private readonly payloads: HTMLElement;
  private readonly timeline: HTMLElement;
  private readonly rejections: HTMLElement;
  private readonly forget: HTMLButtonElement;
  /** Until when a second click on Forget forgets; 0 when not armed. */
  private forgetArmedUntil = 0;

  constructor(
    private readonly host: HTMLElement,
    private readonly api: ConsoleApi,
    private readonly clock: ServerClock,
  ) {
    const nav = create('nav', 'detail__nav', host);
    const back = testId(create('a', 'detail__back', nav), 'detail-back');
    back.href = '#/devices';
    back.textContent = '← All devices';
    this.updated = testId(create('span', 'detail__updated', nav), 'detail-updated');

    this.header = create('header', 'detail__header', host);
    this.name = testId(heading(this.header, 'h2', ''), 'detail-name');
    this.ids = testId(create('span', 'detail__ids', this.header), 'detail-ids');
    this.state = badge(this.header, 'state');
    testId(this.state.element, 'detail-state');
    this.since = testId(create('span', 'detail__since', this.header), 'detail-since');
    // Forget: for devices from an earlier run or retired ones. Two clicks, since it cannot be undone
    // (the device comes back only by publishing again, as new).
    this.forget = button(this.header, 'button--danger', 'Forget device', 'detail-forget');
    this.forget.addEventListener('click', () => void this.forgetClicked());

    this.missing = testId(create('p', 'detail__missing', host), 'detail-missing');
    this.missing.hidden = true;
    this.content = create('div', 'detail__content', host);

    const factsCard = card(this.content, 'Device', 'detail-facts');
    this.facts = factList<FactKey>(factsCard, 'fact', [
      ['kind', 'Kind'],
      ['firmware', 'Firmware'],
      // Issue 11: the path its last message came through, and the topic as the device sent it.
      ['adapter', 'Adapter'],
      ['topic', 'Its topic'],
      // expectedIntervalMs is the quiet spell allowed before "stale" (3 reporting intervals, at least 5 s).
      ['interval', 'Stale after'],
      ['address', 'Client address'],
      ['connected', 'Connected'],
      ['reconnects', 'Reconnects'],
      ['lastSeen', 'Last seen'],
      ['rate', 'Rate'],
      ['rejected', 'Rejected'],
      ['power', 'Battery · signal'],
    ]);

    const liveCard = card(this.content, 'Live', 'live');
    this.chips = testId(create('div', 'chips', liveCard), 'metric-chips');
    this.chips.setAttribute('role', 'group');
    this.chips.setAttribute('aria-label', 'Metrics to chart');
    this.chipNote = create('p', 'chips__note', liveCard);
    this.chips.addEventListener('click', (event) => {
      const metric = (event.target as Element).closest<HTMLElement>('[data-metric]')?.dataset['metric'];
      if (metric !== undefined) this.toggleMetric(metric);
    });
    const liveHost = testId(create('div', 'chart chart--live', liveCard), 'live-chart');
    liveHost.setAttribute('role', 'img');
    liveHost.setAttribute('aria-label', 'Live chart of the chosen metrics, last 5 minutes');
    this.liveChart = new ConsoleChart(liveHost);

    this.history = new HistoryPanel(this.content, api, () => clock.now());

    const lists = create('div', 'detail__lists', this.content);
    this.payloads = testId(create('ol', 'list list--payloads', card(lists, 'Last raw payloads')), 'detail-payloads');
    this.timeline = testId(create('ol', 'list list--timeline', card(lists, 'Presence timeline')), 'detail-timeline');
    this.rejections = testId(create('ol', 'list list--rejections', card(lists, 'Rejected messages')), 'detail-rejections');

    this.poller = new Poller((signal) => this.fetch(signal), {
      intervalMs: DETAIL_POLL_MS,
      onOutcome: (outcome) => {
        if (!outcome.ok && !(outcome.error instanceof ApiError && outcome.error.status === 404)) {
          setText(this.updated, `Not updated: ${describeError(outcome.error)}; retrying in ${formatDuration(outcome.nextInMs)}`);
          setData(this.updated, 'state', 'error');
        }
      },
    });
  }

  show(booth: string, device: string): void {
    if (this.current?.booth !== booth || this.current.device !== device) {
      this.current = { booth, device };
      this.detail = null;
      this.live.clear();
      this.seeding?.abort();
      this.seeding = new AbortController();
      this.seeded.clear();
      this.selected = new Set();
      this.chipsKey = '';
      this.chips.replaceChildren();
      setData(this.host, 'booth', booth);
      setData(this.host, 'device', device);
      setText(this.name, device);
      setText(this.ids, `${booth} / ${device}`);
      setText(this.since, '');
      setText(this.updated, 'Loading…');
      this.forgetArmedUntil = 0;
      setText(this.forget, 'Forget device');
      this.history.setDevice(booth, device);
      for (const list of [this.payloads, this.timeline, this.rejections]) {
        list.replaceChildren();
        delete list.dataset['signature'];
      }
    }
    this.poller.stop();
    this.poller.start();
  }

  hide(): void {
    this.poller.stop();
  }

  private async forgetClicked(): Promise<void> {
    const target = this.current;
    if (!target) return;
    if (Date.now() > this.forgetArmedUntil) {
      this.forgetArmedUntil = Date.now() + FORGET_CONFIRM_MS;
      setText(this.forget, 'Click again to forget: its tiles and alarms go');
      return;
    }
    this.forgetArmedUntil = 0;
    this.forget.disabled = true;
    try {
      await this.api.post(`${devicePath(CONSOLE_API.deviceDetail, target.booth, target.device)}/forget`);
      this.poller.stop();
      location.hash = '#/devices';
    } catch (error) {
      setText(this.forget, `Could not forget: ${describeError(error)}`);
    } finally {
      this.forget.disabled = false;
    }
  }

  /** Ages move on between polls. */
  tick(): void {
    if (this.detail) this.renderAges(this.detail);
  }

  private async fetch(signal: AbortSignal): Promise<void> {
    const target = this.current;
    if (!target) return;
    try {
      const detail = await this.api.getJson<Detail>(devicePath(CONSOLE_API.deviceDetail, target.booth, target.device), signal);
      if (this.current !== target) return;
      this.missing.hidden = true;
      this.content.hidden = false;
      this.render(detail);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404 && this.current === target) {
        this.missing.hidden = false;
        this.content.hidden = true;
        setText(this.missing, `This server has no device "${target.device}" in booth "${target.booth}". It appears here once it connects.`);
        setData(this.host, 'state', 'missing');
        setText(this.updated, '');
      }
      throw error;
    }
  }

  private render(detail: Detail): void {
    this.detail = detail;
    setText(this.name, detail.name ?? detail.device);
    setData(this.host, 'state', detail.state);
    this.state.set(detail.state, STATE_BADGES[detail.state]);
    const facts = this.facts;
    setText(facts.kind, detail.kind ?? detail.meta.kind ?? '–');
    setText(facts.firmware, detail.firmware ?? detail.meta.firmware ?? '–');
    setText(facts.adapter, detail.adapter ?? 'not heard from yet');
    setText(facts.topic, detail.ownTopic ?? '–');
    setText(facts.interval, `${formatDuration(detail.expectedIntervalMs)} (${INTERVAL_SOURCE_TEXT[detail.intervalSource]})`);
    setText(facts.address, detail.clientAddress ?? '–');
    setText(facts.reconnects, formatCount(detail.reconnects));
    setText(facts.rate, formatRate(detail.ratePerSecond));
    const reasons = rejectionSummary(detail.rejected, formatCount);
    setText(facts.rejected, detail.rejectedTotal === 0 ? 'none' : `${formatCount(detail.rejectedTotal)}${reasons ? ` (${reasons})` : ''}`);
    setText(facts.power, formatPower(detail.battery, detail.signal));
    this.renderAges(detail);
    setText(this.updated, `Updated ${formatTime(Date.now())}`);
    setData(this.updated, 'state', 'ok');

    if (detail.lastSeen !== null) this.live.add(detail.lastSeen, detail.latest);
    this.renderChips(detail);
    this.renderLive(detail);

    renderList(this.payloads, detail.recentPayloads, (p) => `${p.ts}|${p.topic}|${p.payload}`, buildPayload, 'No payloads received since the server started.');
    renderList(this.timeline, detail.timeline, (c) => `${c.ts}|${c.state}|${c.reason}`, buildChange, 'No presence changes recorded.');
    renderList(this.rejections, detail.rejections, (r) => `${r.ts}|${r.adapter ?? ''}|${r.reason}|${r.sample}`, buildRejection, 'Nothing rejected.');
  }

  private renderAges(detail: Detail): void {
    const now = this.clock.now();
    setText(this.since, `since ${formatTime(detail.stateSince, now)} (${formatDuration(now - detail.stateSince)}) · ${detail.stateReason}`);
    setText(this.facts.lastSeen, detail.lastSeen === null ? 'never' : `${formatAge(detail.lastSeen, now)} (${formatTime(detail.lastSeen, now)})`);
    setText(
      this.facts.connected,
      detail.connectedSince === null ? 'not connected' : `for ${formatDuration(now - detail.connectedSince)} (since ${formatTime(detail.connectedSince, now)})`,
    );
  }

  /**
   * One toggle button per metric, rebuilt only when metrics or units change (so keyboard focus on a
   * chip survives polls); pressed state and latest value are updated in place.
   */
  private renderChips(detail: Detail): void {
    const metrics = this.live.metrics();
    if (this.chipsKey === '' && metrics.length > 0) for (const metric of metrics.slice(0, FIRST_CHARTED)) this.selected.add(metric);
    // Meta as data: display tables are keyed by device-chosen metric ids.
    const meta = metaAsData(detail.meta);
    const key = JSON.stringify([metrics, detail.meta.units ?? {}, detail.meta.display ?? {}]);
    if (key !== this.chipsKey) {
      this.chipsKey = key;
      this.chips.replaceChildren();
      this.chipValues.clear();
      for (const line of chartLines(metrics, (metric) => this.live.kind(metric), detail.meta.units)) {
        const chip = button(this.chips, 'chip', '', 'metric-chip');
        chip.dataset['metric'] = line.metric;
        chip.style.setProperty('--chip-color', line.color);
        create('span', 'chip__swatch', chip).setAttribute('aria-hidden', 'true');
        // The walls' label, with the id that alarm rules and the API use one hover away.
        setText(create('span', 'chip__name', chip), consoleMetricLabel(line.metric, meta));
        chip.title = line.metric;
        if (line.unit !== '') setText(create('span', 'chip__unit', chip), line.unit);
        this.chipValues.set(line.metric, create('span', 'chip__value', chip));
      }
    }
    for (const chip of this.chips.children) {
      const metric = (chip as HTMLElement).dataset['metric'] ?? '';
      chip.setAttribute('aria-pressed', String(this.selected.has(metric)));
      const value = ownValue(detail.latest, metric);
      const text = value === undefined ? '' : formatMetricValue(metric, meta, value);
      const valueElement = this.chipValues.get(metric);
      if (valueElement) setText(valueElement, text);
    }
    setText(
      this.chipNote,
      metrics.length === 0
        ? 'This device has not sent readings since the server started.'
        : `${this.selected.size} of ${metrics.length} metrics charted (up to ${MAX_CHARTED}).`,
    );
    const lines = this.selectedLines(detail);
    this.history.setLines(lines);
    this.seedLive(lines);
  }

  /**
   * A live chart that starts empty says nothing for its first minutes: each metric, when first
   * charted, is filled with the last LIVE_WINDOW_MS from history (one point per poll interval),
   * and polls carry it on from there.
   */
  private seedLive(lines: readonly { metric: string }[]): void {
    const target = this.current;
    const signal = this.seeding?.signal;
    if (!target || !signal) return;
    const now = this.clock.now();
    const range = { from: now - LIVE_WINDOW_MS, to: now };
    for (const { metric } of lines) {
      if (this.seeded.has(metric)) continue;
      this.seeded.add(metric);
      const url = historyUrl(target.booth, target.device, metric, range, Math.round(LIVE_WINDOW_MS / DETAIL_POLL_MS));
      this.api.getJson<HistoryAnswer>(url, signal).then(
        (answer) => {
          if (this.current !== target || !this.detail) return;
          for (const [ts, value] of answer.points) this.live.add(ts, { [metric]: value });
          this.renderLive(this.detail);
        },
        // Without it the chart still fills from the polls.
        () => this.seeded.delete(metric),
      );
    }
  }

  private toggleMetric(metric: string): void {
    if (this.selected.has(metric)) this.selected.delete(metric);
    else if (this.selected.size < MAX_CHARTED) this.selected.add(metric);
    if (!this.detail) return;
    this.renderChips(this.detail);
    this.renderLive(this.detail);
  }

  private selectedLines(detail: Detail): ReturnType<typeof chartLines> {
    const all = chartLines(this.live.metrics(), (metric) => this.live.kind(metric), detail.meta.units);
    return all.filter((line) => this.selected.has(line.metric));
  }

  private renderLive(detail: Detail): void {
    const now = this.clock.now();
    const window = { min: now - LIVE_WINDOW_MS, max: now };
    const gapMs = Math.max(3 * DETAIL_POLL_MS, 3 * detail.expectedIntervalMs);
    const lines = this.selectedLines(detail);
    const data = new Map<string, LinePoint[]>(lines.map((line) => [line.metric, this.live.points(line.metric, window.min, gapMs)]));
    this.liveChart.draw(lines, window, data);
  }
}

function buildPayload(payload: RawPayload, list: HTMLElement): void {
  const item = create('li', 'list__item', list);
  setText(create('time', 'list__time', item), formatTime(payload.ts));
  setText(create('span', 'list__topic', item), payload.topic);
  setText(create('pre', 'list__payload', item), payload.payload);
}

function buildChange(change: HealthChange, list: HTMLElement): void {
  const item = create('li', 'list__item list__item--row', list);
  setText(create('time', 'list__time', item), formatTime(change.ts));
  badge(item, 'state').set(change.state, STATE_BADGES[change.state]);
  setText(create('span', 'list__reason', item), change.reason);
}

function buildRejection(rejection: RejectionSample, list: HTMLElement): void {
  const item = create('li', 'list__item', list);
  setText(create('time', 'list__time', item), formatTime(rejection.ts));
  // The path that refused it beside the reason: a Sparkplug sequence-gap is not a native not-json.
  if (rejection.adapter !== undefined) setText(create('span', 'list__adapter', item), rejection.adapter);
  setText(create('span', 'list__reason list__reason--bad', item), rejection.reason);
  setText(create('pre', 'list__payload', item), rejection.sample);
}
