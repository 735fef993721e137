/**
 * Prometheus exposition of the same counters /api/health shows. Values are read at scrape time
 * from the objects that own them, so there is one source of truth and no double counting.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { DEGRADED_REASONS } from '../../contract/console';
import type { ServerState } from './ServerState';

export function createMetricsRegistry(state: ServerState): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'showfloor_process_' });
  const counter = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  const counterByReason = (name: string, help: string, read: () => ReadonlyMap<string, number>): void => {
    new Counter({
      name,
      help,
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [reason, count] of read()) this.inc({ reason }, count);
      },
    });
  };
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };

  counter('showfloor_messages_received_total', 'Device publishes received from authenticated clients', () => state.ingest.received);
  counter('showfloor_messages_accepted_total', 'Device publishes that passed validation', () => state.ingest.accepted);
  counterByReason('showfloor_messages_rejected_total', 'Device publishes rejected by validation, by reason', () => state.ingest.rejected);
  new Counter({
    name: 'showfloor_adapter_rejections_total',
    help: "Rejections of publishes on a booth's mount (stock devices, issue 11), by adapter (none: no adapter read the topic) and reason; also in showfloor_messages_rejected_total",
    labelNames: ['adapter', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [adapter, counts] of state.ingest.adapterRejected) for (const [reason, count] of counts) this.inc({ adapter, reason }, count);
    },
  });
  counterByReason('showfloor_mqtt_refusals_total', 'Connections, publishes and subscriptions refused by the broker, by reason', () => state.brokerRefusals);
  new Counter({
    name: 'showfloor_budget_refusals_total',
    help: "What a booth's budgets refused, by booth and reason (docs/operations.md, Budgets)",
    labelNames: ['booth', 'reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [booth, counts] of state.budgetRefusals.entries()) for (const [reason, count] of counts) this.inc({ booth, reason }, count);
    },
  });
  counter('showfloor_influx_lines_written_total', 'Lines InfluxDB acknowledged', () => state.store.written);
  counter('showfloor_influx_lines_dropped_total', 'Lines given up on (retry time or buffer exceeded, or refused by InfluxDB)', () => state.store.dropped);
  counterByReason(
    'showfloor_influx_lines_refused_total',
    'Lines InfluxDB refused (HTTP 400) by its reason; also counted in dropped',
    () => state.store.refused,
  );
  new Gauge({
    name: 'showfloor_stored_devices',
    help: 'Distinct devices each booth wrote to InfluxDB within budgets.storedDevicePeriodHours (budget: budgets.maxStoredDevicesPerBooth)',
    labelNames: ['booth'],
    registers: [registry],
    collect() {
      const now = Date.now();
      for (const { id } of state.booths) this.set({ booth: id }, state.storedDevices.storedDevices(id, now));
    },
  });
  counter('showfloor_influx_write_failures_total', 'Failed write attempts, retried or not', () => state.store.writeFailures);
  gauge('showfloor_influx_pending_lines', 'Lines buffered or waiting for retry', () => state.store.pendingLines());
  gauge('showfloor_influx_reachable', '1 when the last InfluxDB contact succeeded', () => (state.influxReachable() ? 1 : 0));
  // Storage health (issue 13): the same verdict as /api/health, one series per reason so an alert can say which.
  new Gauge({
    name: 'showfloor_storage_degraded',
    help: '1 while storage is degraded for this reason (influx-unreachable, influx-slow, storage-backlog, spool-error), else 0',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      const active = new Set(state.storageHealth.reasons(Date.now()).map((d) => d.reason));
      for (const reason of DEGRADED_REASONS) this.set({ reason }, active.has(reason) ? 1 : 0);
    },
  });
  // The spool (issue 13): every figure of SpoolHealth, so a scrape sees what /api/health and the console's Server tab show.
  const spool = () => state.influx?.spoolHealth(Date.now()) ?? null;
  gauge('showfloor_spool_enabled', '1 when the write-ahead spool is on (storage.spoolDir with InfluxDB), else 0', () => (spool() ? 1 : 0));
  gauge('showfloor_spool_bytes', 'Bytes of the write-ahead spool on disk (0 when it is off)', () => spool()?.bytes ?? 0);
  gauge(
    'showfloor_spool_max_bytes',
    'storage.maxSpoolBytes: past it the oldest segments are dropped, counted as overflow (0 when the spool is off)',
    () => spool()?.maxBytes ?? 0,
  );
  gauge('showfloor_spool_segments', 'Segment files of the write-ahead spool', () => spool()?.segments ?? 0);
  gauge('showfloor_spool_unsent_readings', 'Readings in the spool that InfluxDB has not confirmed', () => spool()?.unsentReadings ?? 0);
  gauge('showfloor_spool_oldest_unsent_age_seconds', 'Age of the oldest reading InfluxDB has not confirmed (0 when none)', () => {
    const oldest = spool()?.oldestUnsentAt ?? null;
    return oldest === null ? 0 : Math.max(0, (Date.now() - oldest) / 1000);
  });
  // Replay: what the start found of an earlier run (while it is sent, and after it ended), and how much is left.
  const replayTotals = () => {
    const health = spool();
    return health?.replay ?? health?.replayFinished ?? null;
  };
  // Gauges named `_found`, not `_total`: Prometheus keeps `_total` for counters, and these go back to 0 after a restart with nothing left.
  gauge(
    'showfloor_spool_replay_readings_found',
    'Readings an earlier run left unsent, found at start-up (0 when none)',
    () => replayTotals()?.readingsTotal ?? 0,
  );
  gauge('showfloor_spool_replay_readings_left', 'Readings of an earlier run still to be replayed to InfluxDB', () => spool()?.replay?.readingsLeft ?? 0);
  gauge(
    'showfloor_spool_replay_segments_found',
    'Segments an earlier run left unsent, found at start-up (0 when none)',
    () => replayTotals()?.segmentsTotal ?? 0,
  );
  gauge('showfloor_spool_replay_segments_left', 'Segments of an earlier run not yet sent to InfluxDB in full', () => spool()?.replay?.segmentsLeft ?? 0);
  // 0 when the spool is off, as every spool gauge: no spool has no replay to be done with.
  gauge(
    'showfloor_spool_replay_done',
    '1 once no earlier run is being replayed (it ended, or the start found none), 0 while it runs or when the spool is off',
    () => {
      const health = spool();
      return health !== null && health.replay === null ? 1 : 0;
    },
  );
  new Counter({
    name: 'showfloor_spool_readings_dropped_total',
    help: 'Readings the spool lost, by reason: overflow (past storage.maxSpoolBytes), disk-full (not spooled, and the memory backlog was full too), torn-tail (cut at start-up after a crash), lost-segment (a segment that no longer reads back: damaged, or deleted by someone else)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      const dropped = spool()?.dropped;
      if (!dropped) return;
      this.inc({ reason: 'overflow' }, dropped.overflow);
      this.inc({ reason: 'disk-full' }, dropped.diskFull);
      this.inc({ reason: 'torn-tail' }, dropped.tornTail);
      this.inc({ reason: 'lost-segment' }, dropped.lostSegment);
    },
  });
  counter(
    'showfloor_spool_not_spooled_readings_total',
    'Readings the disk did not take (full, I/O error, too slow), sent to InfluxDB from memory instead; lost only if also in showfloor_spool_readings_dropped_total{reason="disk-full"}',
    () => spool()?.notSpooled ?? 0,
  );
  counter(
    'showfloor_spool_acknowledged_before_durable_total',
    'QoS 1/2 readings acknowledged to their device before they were on disk, because fsync stalled past the durability deadline (max(1 s, 40 sync intervals))',
    () => spool()?.acknowledgedBeforeDurable ?? 0,
  );
  gauge('showfloor_mqtt_clients', 'Connected MQTT clients', () => state.mqttClients());
  gauge(
    'showfloor_mqtt_acknowledgements_held',
    'QoS 1/2 acknowledgements (PUBACK, PUBREC) held now until their readings are on disk (the spool group commit)',
    () => state.acknowledgementsHeld(),
  );
  gauge('showfloor_wall_clients', 'Connected wall pages', () => state.wallClients());
  counterByReason('showfloor_wall_reloads_total', 'Wall pages that connected after their watchdog reloaded them, by reason', () => state.walls.reloads());
  counterByReason(
    'showfloor_wall_refusals_total',
    'socket.io connections refused by the wall limits, reports ignored past the rate limit, and walls dropped for not reading, by reason',
    () => state.walls.refusals(),
  );
  counter('showfloor_wall_snapshots_truncated_total', 'Wall snapshots that hit wall.maxSnapshotBytes and left points out', () => state.hub.snapshotsTruncated);
  counter(
    'showfloor_wall_snapshot_points_left_out_total',
    'Points of the live window left out of wall snapshots by wall.maxSnapshotBytes',
    () => state.hub.snapshotPointsLeftOut,
  );
  gauge('showfloor_live_devices', 'Devices held in the live view', () => state.directory.size);
  counter('showfloor_live_devices_evicted_total', 'Devices evicted from the live view by the per-booth limit', () => state.directory.evictedDevices);
  counter('showfloor_live_series_dropped_total', 'Readings left out of the live view by the per-device series limit', () => state.directory.droppedSeries);
  counter('showfloor_live_readings_dropped_total', 'Readings left out of a live frame by the per-tick limit', () => state.hub.droppedLiveReadings);
  // The console's figures, where they are cheap to read at scrape time.
  const health = () => state.console.health;
  gauge('showfloor_ingest_readings_per_second', 'Accepted readings per second over the last 10 s', () => health().readingsPerSecond());
  gauge(
    'showfloor_influx_write_latency_mean_ms',
    'Mean InfluxDB write round trip over the last minute, ms (0 before any write)',
    () => state.influx?.writeRoundTrips.summary(Date.now())?.mean ?? 0,
  );
  gauge(
    'showfloor_influx_write_latency_max_ms',
    'Worst InfluxDB write round trip over the last minute, ms (0 before any write)',
    () => state.influx?.writeRoundTrips.summary(Date.now())?.max ?? 0,
  );
  gauge('showfloor_event_loop_lag_p99_ms', 'Event-loop lag, 99th percentile over the current minute, ms', () => health().eventLoopLag().p99);
  counter(
    'showfloor_alarm_raises_refused_total',
    'Alarm raises refused because the limit of open alarms was reached',
    () => state.console.alarms.refusedRaises,
  );
  // The bounds below drop state silently otherwise: a forgotten watch is a breach that will never raise.
  counter(
    'showfloor_alarm_watches_forgotten_total',
    'Threshold watches dropped (least recently used) past the limit',
    () => state.console.alarms.forgottenWatches,
  );
  counter('showfloor_console_sessions_dropped_total', 'Console sessions dropped (oldest first) past the limit', () => state.console.sessions.droppedSessions);
  counter(
    'showfloor_console_devices_evicted_total',
    'Devices the console health tracker evicted past the per-booth limit',
    () => state.console.tracker.evictedDevices,
  );
  new Gauge({
    name: 'showfloor_devices',
    help: 'Devices the console tracks, by presence state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = { online: 0, stale: 0, offline: 0 };
      for (const record of state.console.tracker.records()) counts[record.state]++;
      for (const [presence, count] of Object.entries(counts)) this.set({ state: presence }, count);
    },
  });
  new Gauge({
    name: 'showfloor_alarms_open',
    help: 'Alarms not cleared, by severity and state',
    labelNames: ['severity', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const alarm of state.console.alarms.openAlarms()) this.inc({ severity: alarm.severity, state: alarm.state });
    },
  });
  return registry;
}
