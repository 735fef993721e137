/**
 * One rung of the spool step, alone and with CPU figures: where the time goes at one QoS 1 rate
 * (issue 13's 50,000 readings/s goal). Starts influxd and one Showfloor server (spool on or off),
 * runs the step's fleet at `--rate` for `--seconds`, judges the rung as the spool step does, and
 * reports the CPU of the server, influxd and this process (the load generator) over the publishing.
 *
 *   npx tsx test/bench/qos1Profile.ts --rate 40000 --seconds 10 --spool on [--generator raw|mqttjs] [--profile DIR]
 *
 * `--profile DIR` writes V8 CPU profiles (.cpuprofile, open in Chrome DevTools or summarise with
 * test/bench/cpuProfileSummary.ts) of the server (node --cpu-prof) and of this process;
 * `--allocation-profile DIR` a sampling heap profile of the server counting collected objects too
 * (allocationProfilePreload.ts: where it allocates).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { findInfluxdBinary, startLocalInfluxd } from '../../server/influxd/LocalInfluxd';
import { CpuMeter } from './cpuMeter';
import { InfluxHttp } from './influxHttp';
import { descendants, residentBytes } from './procStats';
import { ShowfloorProcess } from './showfloorProcess';
import { openSpoolFleet, spoolGenerator, UNLIMITED_BUDGETS_YAML } from './spoolStep';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '40000' },
    seconds: { type: 'string', default: '10' },
    spool: { type: 'string', default: 'on' },
    generator: { type: 'string', default: 'raw' },
    profile: { type: 'string' },
    'allocation-profile': { type: 'string' },
    /** Extra node flags for the server, comma-separated (e.g. --max-semi-space-size=64). */
    'server-flags': { type: 'string' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const spool = values.spool !== 'off';
const generator = spoolGenerator({ SPOOL_GENERATOR: values.generator });
const profileDir = values.profile ? resolve(values.profile) : undefined;

// The server inherits this process's environment (tsxChild.ts).
if (values['allocation-profile']) process.env.ALLOCATION_PROFILE_DIR = resolve(values['allocation-profile']);
const work = await mkdtemp(join(tmpdir(), 'showfloor-qos1-'));
const influxd = await startLocalInfluxd(join(work, 'influxd'), { binary: findInfluxdBinary() });
const stopAll: (() => Promise<void>)[] = [() => influxd.stop()];
try {
  const influx = new InfluxHttp(influxd.url);
  const database = 'bench_profile';
  await influx.createDatabase(database);
  const booth = { id: 'profile', name: 'profile', password: 'profile-bench-password' };
  const server = await ShowfloorProcess.start({
    booths: [booth],
    influxUrl: influxd.url,
    database,
    directory: work,
    extraYaml: `storage:\n  spoolDir: ${spool ? JSON.stringify(join(work, 'spool')) : 'false'}\n${UNLIMITED_BUDGETS_YAML}`,
    nodeArgs: [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ...(values['allocation-profile'] ? ['--import', './test/bench/allocationProfilePreload.ts'] : []),
      ...(values['server-flags'] ? values['server-flags'].split(',') : []),
    ],
  });
  stopAll.unshift(() => server.stop());
  const influxdPid = descendants(process.pid).find((p) => p.comm === 'influxd')?.pid ?? 0;
  const fleet = await openSpoolFleet(generator, server.mqttUrl, { booth: booth.id, password: booth.password }, 'p', 50);
  const session = profileDir ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const meter = new CpuMeter(() => [
    { label: 'server', pid: server.pid },
    { label: 'influxd', pid: influxdPid },
    { label: `generator (${generator})`, pid: process.pid },
  ]);
  const drainMeter = new CpuMeter(() => [
    { label: 'influxd', pid: influxdPid },
    { label: 'server', pid: server.pid },
  ]);
  meter.begin();
  drainMeter.begin();
  // The server's own view each second: how far storing lags behind accepting.
  const started = Date.now();
  const sampler = setInterval(() => {
    server.health().then(
      (h) =>
        console.log(
          `  t=${((Date.now() - started) / 1000).toFixed(0)} s accepted ${h.counters.accepted} written ${h.counters.written} pending ${h.counters.pending}`,
        ),
      () => undefined,
    );
  }, 2000);
  const run = await fleet.run({ ratePerSecond: rate, durationMs: seconds * 1000 });
  const cpu = meter.end();
  const serverRss = residentBytes(server.pid);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(join(profileDir!, `generator-${generator}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
  await fleet.settle(15_000);
  const deadline = Date.now() + 30_000;
  let stored = 0;
  while (Date.now() < deadline) {
    stored = await influx.countReadings(database, 'seq', 'p', 0, Date.now() + 60_000).catch(() => stored);
    if (stored >= fleet.published) break;
    await delay(250);
  }
  const drained = drainMeter.end();
  clearInterval(sampler);
  const health = (await server.health()) as unknown as { broker: { refusals: unknown }; counters: unknown };
  if (process.env.SERVER_OUTPUT) console.log(server.child.outputLines().join('\n'));
  console.log(`  health: counters ${JSON.stringify(health.counters)} broker refusals ${JSON.stringify(health.broker.refusals)}`);
  await fleet.close();
  const achieved = Math.round((run.published * 1000) / run.durationMs);
  console.log(`generator ${generator}, spool ${spool ? 'on' : 'off'}, offered ${rate}/s for ${seconds} s`);
  console.log(`  achieved ${achieved}/s, skipped ${run.skipped}, published ${fleet.published}, acked ${fleet.acked}, stored ${stored}`);
  // CPU per reading: less sensitive than rates to what else the shared cores run meanwhile.
  const perReading = (percent: number): string => `${((percent * 10_000 * cpu.wallSeconds) / Math.max(1, run.published)).toFixed(1)} µs/reading`;
  for (const p of cpu.processes)
    console.log(`  ${p.label}: ${p.processPercent} % of a core (main thread ${p.mainThreadPercent} %), ${perReading(p.processPercent)}`);
  console.log(`  publishing and storing (${drained.wallSeconds} s): ` + drained.processes.map((p) => `${p.label} ${p.processPercent} %`).join(', '));
  console.log(`  server RSS at the end of publishing: ${serverRss === undefined ? 'n/a' : `${Math.round(serverRss / 1024 / 1024)} MiB`}`);
  console.log(`  machine busy ${cpu.machineBusyPercent} % (others ${cpu.otherBusyPercent} %) over ${cpu.wallSeconds} s`);
} finally {
  for (const stop of stopAll) await stop().catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}
