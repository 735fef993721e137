/**
 * /metrics without a spool (memory mode, no InfluxDB): every showfloor_spool_* figure is 0, as
 * docs/api.md says, replay_done too (there is no replay to be done with), and the replay's totals
 * are gauges named `_found`, never `_total`, which Prometheus keeps for counters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestShowfloor, type TestShowfloor } from '../support/showfloor';

describe('/metrics with the spool off', () => {
  let showfloor: TestShowfloor;
  beforeAll(async () => {
    showfloor = await startTestShowfloor();
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('reports 0 for every spool gauge, replay_done included', async () => {
    const text = await (await fetch(`${showfloor.httpUrl}/metrics`)).text();
    const gauges = new Map<string, number>();
    for (const match of text.matchAll(/^(showfloor_spool_[a-z_]+) (\S+)$/gm)) gauges.set(match[1]!, Number(match[2]));
    expect(gauges.get('showfloor_spool_enabled')).toBe(0);
    expect(gauges.get('showfloor_spool_replay_done')).toBe(0);
    expect(gauges.get('showfloor_spool_replay_readings_found')).toBe(0);
    expect(gauges.get('showfloor_spool_replay_segments_found')).toBe(0);
    expect([...gauges.values()].every((value) => value === 0)).toBe(true);
    // A gauge is never named like a counter.
    for (const match of text.matchAll(/^# TYPE (showfloor_spool_\S+) gauge$/gm)) expect(match[1]).not.toMatch(/_total$/);
  });
});
