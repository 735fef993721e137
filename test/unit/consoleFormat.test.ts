import { describe, expect, it } from 'vitest';
import type { ServerHealth } from '../../contract/console';
import { acknowledgePath, acknowledgement, unacknowledged } from '../../web/console/alarmText';
import { formatAge, formatBytes, formatCount, formatDuration, formatPower, formatRate, formatShare, formatTime } from '../../web/console/format';
import { healthLevel, healthSummary } from '../../web/console/healthText';
import { alarm, FIXTURE_NOW } from '../support/consoleFixtures';

describe('console formats', () => {
  it('writes durations the way a technician reads them', () => {
    expect(formatDuration(400)).toBe('now');
    expect(formatDuration(-5_000)).toBe('now');
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(5 * 60_000 + 59_000)).toBe('5 min');
    expect(formatDuration(2 * 3_600_000)).toBe('2 h');
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000)).toBe('2 h 5 min');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
    expect(formatDuration(Number.NaN)).toBe('–');
  });

  it('writes ages against the server clock, and "never" without a time', () => {
    expect(formatAge(FIXTURE_NOW - 3_000, FIXTURE_NOW)).toBe('3 s ago');
    expect(formatAge(FIXTURE_NOW, FIXTURE_NOW)).toBe('now');
    expect(formatAge(null, FIXTURE_NOW)).toBe('never');
  });

  it('writes counts, rates, sizes, shares, battery and signal', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatRate(12.345)).toBe('12.3/s');
    expect(formatRate(0)).toBe('0/s');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(150 * 1024 * 1024)).toBe('150 MiB');
    expect(formatShare(0.456)).toBe('45.6 %');
    expect(formatPower(82, -67)).toBe('82 % · -67 dBm');
    expect(formatPower(null, -67)).toBe('-67 dBm');
    expect(formatPower(null, null)).toBe('–');
  });

  it('writes local times, with the date when not today', () => {
    const now = new Date(2026, 10, 21, 12, 0, 0).getTime();
    expect(formatTime(new Date(2026, 10, 21, 9, 5, 7).getTime(), now)).toBe('09:05:07');
    expect(formatTime(new Date(2026, 10, 20, 23, 59, 0).getTime(), now)).toBe('2026-11-20 23:59:00');
    expect(formatTime(null, now)).toBe('–');
  });
});

describe('alarm wording', () => {
  it('says who acknowledged and when', () => {
    const at = new Date(2026, 10, 21, 10, 32, 5).getTime();
    expect(acknowledgement(alarm({ acknowledgedBy: 'Ana', acknowledgedAt: at }), at)).toBe('acknowledged by Ana at 10:32:05');
    expect(acknowledgement(alarm(), at)).toBe('');
  });

  it('counts the alarms nobody has acknowledged, with the worst severity', () => {
    expect(unacknowledged([])).toEqual({ count: 0, worst: null });
    expect(
      unacknowledged([
        alarm({ id: 'a', severity: 'warning' }),
        alarm({ id: 'b', severity: 'critical', state: 'acknowledged' }),
        alarm({ id: 'c', severity: 'info' }),
        alarm({ id: 'd', severity: 'critical', state: 'cleared' }),
      ]),
    ).toEqual({ count: 2, worst: 'warning' });
  });

  it('encodes the alarm id, which contains slashes, in the acknowledge path', () => {
    expect(acknowledgePath('/api/console/alarms', 'co2-high/hall-a/env-01')).toBe('/api/console/alarms/co2-high%2Fhall-a%2Fenv-01/ack');
  });
});

describe('server health summary', () => {
  const health = (influx: Partial<ServerHealth['influx']> = {}, lagP99 = 3, degraded: ServerHealth['degraded'] = []): ServerHealth => ({
    serverTime: FIXTURE_NOW,
    uptimeSeconds: 3600,
    status: degraded.length > 0 ? 'degraded' : 'ok',
    degraded,
    ingest: { readingsPerSecond: 1234, rejectedPerSecond: 0.5, accepted: 1e6, rejected: 30, acknowledgementsHeld: 0 },
    influx: {
      mode: 'v1',
      reachable: true,
      writeLatencyMs: { mean: 12, max: 80 },
      pendingLines: 0,
      bufferFill: 0,
      dropped: 0,
      lastError: null,
      spool: null,
      ...influx,
    },
    walls: { connected: 2, list: [] },
    process: { rssBytes: 2e8, heapUsedBytes: 1e8, eventLoopLagMs: { p50: 1, p99: lagP99, max: 9 } },
    budgets: [],
  });

  it('is calm when InfluxDB keeps up and the loop is free', () => {
    expect(healthLevel(health())).toBe('ok');
    expect(healthSummary(health())).toBe('Ingest 1234/s · InfluxDB ok, 12 ms · lag 3 ms');
  });

  it('warns on a filling buffer or a slow event loop, and alarms on an unreachable InfluxDB', () => {
    expect(healthLevel(health({ bufferFill: 0.6, pendingLines: 360_000 }))).toBe('warn');
    expect(healthSummary(health({ bufferFill: 0.6, pendingLines: 360_000 }))).toContain('360000 lines pending');
    expect(healthLevel(health({}, 250))).toBe('warn');
    expect(healthLevel(health({ reachable: false }))).toBe('bad');
    expect(healthLevel(health({ bufferFill: 0.95 }))).toBe('bad');
    expect(healthLevel(health({ mode: 'memory', reachable: false }))).toBe('ok');
  });

  it("follows the server's own degraded verdict: a slow InfluxDB warns, a storage backlog is an alarm the header leads with", () => {
    const slow = health({}, 3, [{ reason: 'influx-slow', detail: 'mean write round trip 2400 ms over the last minute (threshold 2000 ms)' }]);
    expect(healthLevel(slow)).toBe('warn');
    expect(healthSummary(slow)).toMatch(/^InfluxDB slow: mean write round trip 2400 ms/);
    const behind = health({}, 3, [{ reason: 'storage-backlog', detail: 'oldest reading not yet in InfluxDB is 3 min old (threshold 30 s); 912000 waiting' }]);
    expect(healthLevel(behind)).toBe('bad');
    expect(healthSummary(behind)).toMatch(/^Storage behind: oldest reading not yet in InfluxDB is 3 min old/);
    expect(healthLevel(health({}, 3, [{ reason: 'spool-error', detail: 'ENOSPC: no space left on device' }]))).toBe('bad');
  });
});
