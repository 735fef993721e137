/**
 * The server's health for a technician, polled every 5 s: ingest rate, InfluxDB (latency, backlog,
 * buffer fill, drops, last error), walls and their reloads, memory and event-loop lag, and every
 * booth that its budgets held back (what was refused, and its use against each budget). A one-line
 * summary stays in the header whatever view is open.
 */
import { CONSOLE_API, type BoothBudgets, type ServerHealth, type SpoolHealth } from '../../contract/console';
import { create, setData, setText } from '../shared/dom';
import { atBudget, boothLabel, budgetUse, refusalLines } from './budgetText';
import { describeError, type ConsoleApi } from './ConsoleApi';
import { card, factList, heading, renderList, testId } from './consoleDom';
import { formatAge, formatBytes, formatCount, formatDuration, formatMs, formatRate, formatShare, formatTime } from './format';
import { healthLevel, healthSummary } from './healthText';
import { Poller } from './Poller';
import type { ServerClock } from './ServerClock';

export const HEALTH_POLL_MS = 5_000;

type IngestKey = 'readings' | 'rejectedRate' | 'accepted' | 'rejected' | 'held';
type InfluxKey = 'mode' | 'reachable' | 'latency' | 'pending' | 'fill' | 'dropped' | 'lastError';
type SpoolKey = 'state' | 'size' | 'unsent' | 'oldest' | 'replay' | 'dropped' | 'notSpooled' | 'early' | 'lastError';
type WallsKey = 'connected' | 'reloads';
type ProcessKey = 'uptime' | 'rss' | 'heap' | 'lag' | 'serverTime';

export class HealthPanel {
  private readonly poller: Poller;
  private readonly status: HTMLElement;
  private readonly ingest: Record<IngestKey, HTMLElement>;
  private readonly influx: Record<InfluxKey, HTMLElement>;
  private readonly fill: HTMLMeterElement;
  private readonly spool: Record<SpoolKey, HTMLElement>;
  private readonly walls: Record<WallsKey, HTMLElement>;
  private readonly wallList: HTMLElement;
  private readonly process: Record<ProcessKey, HTMLElement>;
  private readonly budgetList: HTMLElement;

  constructor(
    host: HTMLElement,
    private readonly summary: HTMLElement,
    api: ConsoleApi,
    private readonly clock: ServerClock,
  ) {
    const top = create('div', 'view__top', host);
    heading(top, 'h2', 'Server');
    // Not a live region: it changes every 5 s.
    this.status = testId(create('span', 'view__status', top), 'health-updated');
    const grid = create('div', 'cards', host);
    this.ingest = factList<IngestKey>(card(grid, 'Ingest', 'health-ingest'), 'health', [
      ['readings', 'Readings'],
      ['rejectedRate', 'Rejected'],
      ['accepted', 'Accepted since start'],
      ['rejected', 'Rejected since start'],
      ['held', 'QoS 1/2 acks held for the disk'],
    ]);
    const influxCard = card(grid, 'InfluxDB', 'health-influx');
    this.influx = factList<InfluxKey>(influxCard, 'health', [
      ['mode', 'Mode'],
      ['reachable', 'Reachable'],
      ['latency', 'Write latency (mean · max)'],
      ['pending', 'Backlog'],
      ['fill', 'Buffer fill'],
      ['dropped', 'Dropped'],
      ['lastError', 'Last error'],
    ]);
    this.fill = testId(create('meter', 'meter', this.influx.fill.parentElement ?? influxCard), 'health-buffer-meter');
    this.fill.min = 0;
    this.fill.max = 1;
    this.fill.low = 0.5;
    this.fill.high = 0.9;
    this.fill.optimum = 0;
    // What is on disk waiting for InfluxDB (issue 13): the promise that nothing acknowledged is lost, made visible.
    this.spool = factList<SpoolKey>(card(grid, 'Spool', 'health-spool'), 'health', [
      ['state', 'State'],
      ['size', 'On disk (used · limit · segments)'],
      ['unsent', 'Not yet in InfluxDB'],
      ['oldest', 'Oldest unsent reading'],
      ['replay', 'Replay of an earlier run'],
      ['dropped', 'Lost (overflow · disk full · torn tail · lost segment)'],
      // Not lost, but outside the promise: readings the disk did not take, and acknowledgements that did not wait for it.
      ['notSpooled', 'Sent from memory (the disk did not take them)'],
      ['early', 'Acknowledged before on disk (fsync stalled)'],
      ['lastError', 'Last error'],
    ]);
    const wallsCard = card(grid, 'Walls', 'health-walls');
    this.walls = factList<WallsKey>(wallsCard, 'health', [
      ['connected', 'Connected'],
      ['reloads', 'Reloads reported'],
    ]);
    this.wallList = testId(create('ol', 'list list--walls', wallsCard), 'health-wall-list');
    this.process = factList<ProcessKey>(card(grid, 'Process', 'health-process'), 'health', [
      ['uptime', 'Up for'],
      ['rss', 'Memory (RSS)'],
      ['heap', 'JS heap used'],
      ['lag', 'Event-loop lag (p50 · p99 · max)'],
      ['serverTime', 'Server time'],
    ]);
    // Wide: one row per booth that its budgets held back, each refusal in words.
    const budgetsCard = card(grid, 'Booth budgets', 'health-budgets');
    budgetsCard.classList.add('card--wide');
    this.budgetList = testId(create('ol', 'list list--budgets', budgetsCard), 'health-budget-list');
    this.poller = new Poller((signal) => this.fetch(api, signal), {
      intervalMs: HEALTH_POLL_MS,
      onOutcome: (outcome) => {
        if (outcome.ok) return;
        const text = `Not updated: ${describeError(outcome.error)}; retrying in ${formatDuration(outcome.nextInMs)}`;
        setData(this.status, 'state', 'error');
        setText(this.status, text);
        setData(this.summary, 'state', 'bad');
        setText(this.summary, `Server health unknown: ${describeError(outcome.error)}`);
      },
    });
  }

  start(): void {
    this.poller.start();
  }

  stop(): void {
    this.poller.stop();
  }

  private async fetch(api: ConsoleApi, signal: AbortSignal): Promise<void> {
    const health = await api.getJson<ServerHealth>(CONSOLE_API.health, signal);
    this.clock.update(health.serverTime);
    this.render(health);
  }

  private render(health: ServerHealth): void {
    const level = healthLevel(health);
    setData(this.summary, 'state', level);
    setText(this.summary, healthSummary(health));
    setData(this.status, 'state', 'ok');
    setText(this.status, `Updated ${formatTime(Date.now())}`);

    setText(this.ingest.readings, formatRate(health.ingest.readingsPerSecond));
    setText(this.ingest.rejectedRate, formatRate(health.ingest.rejectedPerSecond));
    setText(this.ingest.accepted, formatCount(health.ingest.accepted));
    setText(this.ingest.rejected, formatCount(health.ingest.rejected));
    setText(this.ingest.held, formatCount(health.ingest.acknowledgementsHeld));

    const influx = health.influx;
    setText(this.influx.mode, influx.mode === 'memory' ? 'memory only (INFLUX_URL not set)' : `InfluxDB ${influx.mode}`);
    setText(this.influx.reachable, influx.mode === 'memory' ? '–' : influx.reachable ? 'yes' : 'NO');
    setData(this.influx.reachable, 'level', influx.mode === 'memory' || influx.reachable ? 'ok' : 'bad');
    setText(
      this.influx.latency,
      influx.writeLatencyMs === null ? 'no writes yet' : `${formatMs(influx.writeLatencyMs.mean)} · ${formatMs(influx.writeLatencyMs.max)}`,
    );
    setText(this.influx.pending, `${formatCount(influx.pendingLines)} lines`);
    setText(this.influx.fill, formatShare(influx.bufferFill));
    this.fill.value = Math.min(1, Math.max(0, influx.bufferFill));
    setText(this.influx.dropped, formatCount(influx.dropped));
    setData(this.influx.dropped, 'level', influx.dropped > 0 ? 'bad' : 'ok');
    setText(this.influx.lastError, influx.lastError ?? 'none');
    this.renderSpool(influx.spool, health.serverTime);

    setText(this.walls.connected, formatCount(health.walls.connected));
    setText(this.walls.reloads, formatCount(health.walls.list.reduce((sum, wall) => sum + wall.reloads, 0)));
    const now = this.clock.now();
    renderList(
      this.wallList,
      health.walls.list,
      (wall) => `${wall.id}|${wall.address}|${wall.reloads}|${wall.lastReloadReason}|${wall.connectedAt}`,
      (wall, list) => {
        const item = create('li', 'list__item list__item--row', list);
        setText(create('span', 'list__topic', item), wall.id ?? '(no id)');
        setText(create('span', 'list__reason', item), wall.address);
        setText(create('span', 'list__reason', item), `since ${formatTime(wall.connectedAt, now)}`);
        setText(
          create('span', 'list__reason', item),
          wall.reloads === 0
            ? 'no reloads'
            : `${formatCount(wall.reloads)} ${wall.reloads === 1 ? 'reload' : 'reloads'}, last: ${wall.lastReloadReason ?? 'unknown'}`,
        );
      },
      'No wall connected.',
    );

    const proc = health.process;
    setText(this.process.uptime, formatDuration(health.uptimeSeconds * 1000));
    setText(this.process.rss, formatBytes(proc.rssBytes));
    setText(this.process.heap, formatBytes(proc.heapUsedBytes));
    setText(this.process.lag, `${formatMs(proc.eventLoopLagMs.p50)} · ${formatMs(proc.eventLoopLagMs.p99)} · ${formatMs(proc.eventLoopLagMs.max)}`);
    setText(this.process.serverTime, formatTime(health.serverTime, Date.now()));

    this.renderBudgets(health.budgets ?? []);
  }

  private renderSpool(spool: SpoolHealth | null, serverNow: number): void {
    const facts = this.spool;
    if (!spool) {
      setText(facts.state, 'off: readings wait in memory only (storage.spoolDir unset)');
      setData(facts.state, 'level', 'warn');
      for (const key of ['size', 'unsent', 'oldest', 'replay', 'dropped', 'notSpooled', 'early', 'lastError'] as const) setText(facts[key], '–');
      return;
    }
    setText(
      facts.state,
      spool.lastError === null ? `on, ${spool.dir} (fsync every ${formatMs(spool.syncIntervalMs)})` : 'FAILING: readings kept in memory only',
    );
    setData(facts.state, 'level', spool.lastError === null ? 'ok' : 'bad');
    setText(facts.size, `${formatBytes(spool.bytes)} · ${formatBytes(spool.maxBytes)} · ${formatCount(spool.segments)}`);
    setText(facts.unsent, `${formatCount(spool.unsentReadings)} readings`);
    setText(facts.oldest, spool.oldestUnsentAt === null ? 'none: InfluxDB has everything' : formatAge(spool.oldestUnsentAt, serverNow));
    setText(facts.replay, replayWords(spool, serverNow));
    setData(facts.replay, 'level', spool.replay === null ? 'ok' : 'warn');
    const { overflow, diskFull, tornTail, lostSegment } = spool.dropped;
    setText(facts.dropped, [overflow, diskFull, tornTail, lostSegment].map(formatCount).join(' · '));
    setData(facts.dropped, 'level', overflow + diskFull + tornTail + lostSegment > 0 ? 'bad' : 'ok');
    setText(facts.notSpooled, `${formatCount(spool.notSpooled)} readings`);
    setData(facts.notSpooled, 'level', spool.notSpooled > 0 ? 'warn' : 'ok');
    setText(facts.early, `${formatCount(spool.acknowledgedBeforeDurable)} readings`);
    setData(facts.early, 'level', spool.acknowledgedBeforeDurable > 0 ? 'warn' : 'ok');
    setText(facts.lastError, spool.lastError ?? 'none');
  }

  /** Only booths with something refused or a budget in full use: with hundreds of booths, the rest is noise. */
  private renderBudgets(budgets: readonly BoothBudgets[]): void {
    const held = budgets.filter((booth) => atBudget(booth) || Object.values(booth.refusals).some((count) => count > 0));
    renderList(
      this.budgetList,
      held,
      (booth) => `${booth.booth}|${JSON.stringify(booth.refusals)}|${budgetUse(booth)}`,
      (booth, list) => {
        const item = create('li', 'list__item', list);
        setData(item, 'booth', booth.booth);
        testId(item, 'health-budget-booth');
        setText(create('span', 'list__topic', item), boothLabel(booth));
        setText(create('span', 'list__reason', item), budgetUse(booth));
        for (const line of refusalLines([booth])) {
          const refusal = testId(create('span', 'list__reason list__reason--bad', item), 'health-budget-refusal');
          setText(refusal, line.text);
        }
      },
      'No booth has reached a budget.',
    );
  }
}

/** "1,200 of 5,000 readings sent (2 of 3 segments), since 10:02:11", or how it ended (with readings lost), or that there was none. */
export function replayWords(spool: SpoolHealth, serverNow: number): string {
  const { replay, replayFinished } = spool;
  if (replay !== null) {
    const readings = `${formatCount(replay.readingsTotal - replay.readingsLeft)} of ${formatCount(replay.readingsTotal)} readings`;
    const segments = `${formatCount(replay.segmentsTotal - replay.segmentsLeft)} of ${formatCount(replay.segmentsTotal)} segments`;
    return `${readings} sent (${segments}), since ${formatTime(replay.startedAt, serverNow)}`;
  }
  if (replayFinished !== null) {
    // 'ended', not 'sent': a segment that no longer read back is counted in the totals but its readings
    // were lost, not sent; those are shown apart (dropped.lostSegment, this run's count).
    const took = replayFinished.finishedAt - replayFinished.startedAt;
    const found = `${formatCount(replayFinished.readingsTotal)} readings of ${formatCount(replayFinished.segmentsTotal)} segments`;
    const lost = spool.dropped.lostSegment > 0 ? `; ${formatCount(spool.dropped.lostSegment)} readings lost with unreadable segments` : '';
    return `ended: ${found} in ${took < 1000 ? 'under 1 s' : formatDuration(took)}${lost}`;
  }
  return 'none: the start found nothing left unsent';
}
