/**
 * Issue 13's crash proof: `kill -9` of the server at 2,000 QoS 1 readings/s, then a restart on the
 * same spool directory; every reading whose PUBACK a device received is in InfluxDB exactly once.
 *
 * The server is a child process started as `npm start` starts it (test/bench/showfloorProcess.ts),
 * so SIGKILL takes it down with whatever it held in memory; the devices are 50 MQTT.js
 * connections (test/support/ackedFleet.ts) recording, per device, which `seq` was acknowledged.
 * "Exactly once": each seq has its own timestamp, so a replayed duplicate overwrites its point
 * (same series and instant) and the stored points per device equal the distinct seqs.
 *
 * Without the spool (readings wait in the store's memory until the next flush) this fails: the
 * acknowledged readings of the last flush interval are lost, about 800 at this rate.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ShowfloorProcess, type ShowfloorProcessOptions } from '../bench/showfloorProcess';
import { AckedFleet, influxQuery, tallyDevices, type DeviceTally } from '../support/ackedFleet';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';

const BOOTH = { id: 'crash', name: 'Crash booth', password: 'crash-password-123' };
const DATABASE = 'spool_crash';
const DEVICES = 50;
const RATE = 2000;
/** Acknowledged readings before the kill: a few seconds of traffic, several store flushes. */
const ACKED_BEFORE_KILL = 8000;
/** Lines the store has written to InfluxDB before the kill. */
const WRITTEN_BEFORE_KILL = 4000;
/** After the restart, how long InfluxDB may take to hold every acknowledged reading (replay included). */
const RECOVERY_DEADLINE_MS = 20_000;

describeWithInfluxd('kill -9 of the server at 2,000 QoS 1 readings/s, then a restart on the same spool', () => {
  let influxd: InfluxdProcess | undefined;
  let directory = '';
  const servers: ShowfloorProcess[] = [];
  const fleets: AckedFleet[] = [];

  beforeAll(async () => {
    influxd = await startInfluxd();
    await influxd.createDatabase(DATABASE);
    directory = await mkdtemp(join(tmpdir(), 'showfloor-spool-crash-'));
  });

  afterAll(async () => {
    for (const fleet of fleets) await fleet.close();
    for (const server of servers) await server.stop();
    await influxd?.dispose();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('keeps every acknowledged reading, exactly once per device', { timeout: 90_000 }, async () => {
    const options: ShowfloorProcessOptions = {
      booths: [BOOTH],
      influxUrl: influxd!.url,
      database: DATABASE,
      directory,
      extraYaml: `storage:\n  spoolDir: ${JSON.stringify(join(directory, 'spool'))}\n`,
    };
    const first = await ShowfloorProcess.start(options);
    servers.push(first);
    const fleet = await AckedFleet.connect(first.mqttUrl, { booth: BOOTH.id, password: BOOTH.password }, 'crash', DEVICES);
    fleets.push(fleet);

    const stopPublishing = new AbortController();
    const publishing = fleet.run({ ratePerSecond: RATE, durationMs: 60_000, signal: stopPublishing.signal });
    // Mid-stream: the store is writing to InfluxDB already (a kill before its first write would only
    // prove the easier case), and several seconds of readings were acknowledged.
    const killAt = Date.now() + 30_000;
    const writing = async () => (await first.health(2_000).catch(() => null))?.counters.written ?? 0;
    while ((fleet.acked < ACKED_BEFORE_KILL || (await writing()) < WRITTEN_BEFORE_KILL) && Date.now() < killAt) await delay(100);
    expect(fleet.acked, 'acknowledged before the kill').toBeGreaterThanOrEqual(ACKED_BEFORE_KILL);
    const atKill = (await first.health()).counters;
    process.kill(first.pid, 'SIGKILL');
    await first.child.exited;
    stopPublishing.abort();
    const run = await publishing;
    // No PUBACK can arrive any more: what is acknowledged now is what the server promised to keep.
    const acked = fleet.acked;
    await fleet.close();

    const second = await ShowfloorProcess.start(options);
    servers.push(second);
    const query = influxQuery(influxd!.url, DATABASE);
    const deadline = Date.now() + RECOVERY_DEADLINE_MS;
    let tallies: DeviceTally[] = await tallyDevices(query, fleet);
    while (tallies.some((t) => t.lost > 0) && Date.now() < deadline) {
      await delay(500);
      tallies = await tallyDevices(query, fleet);
    }
    const lost = tallies.reduce((sum, t) => sum + t.lost, 0);
    const devicesLosing = tallies.filter((t) => t.lost > 0).length;
    console.info(
      `spoolCrash: published ${run.published}, acknowledged ${acked} before kill -9 ` +
        `(the server had written ${atKill.written} lines, ${atKill.pending} pending); ` +
        `after the restart ${lost} acknowledged readings missing from InfluxDB (${devicesLosing} of ${DEVICES} devices)`,
    );
    expect(tallies).toHaveLength(DEVICES);
    expect(lost, `acknowledged readings missing from InfluxDB after kill -9 and restart (of ${acked})`).toBe(0);
    for (const tally of tallies) expect(tally.points, `${tally.device}: one point per seq`).toBe(tally.distinctSeqs);
  });
});
