/**
 * `npm run soak:outage` (issue 13): 50 devices publish QoS 1 readings at 5,000/s in total, each with
 * a per-device `seq`; InfluxDB is stopped for N minutes (default 10) and started again; the run then
 * reports, counted reading by reading against what each device had acknowledged:
 * - acknowledged readings missing from InfluxDB, in total and per device;
 * - the server's peak RSS (the spool is on disk, so RSS should stay flat through the outage);
 * - the spool's peak bytes (from /api/health when the server reports them, else the directory's size);
 * - how long the server took to drain after InfluxDB came back (nothing pending, nothing unsent).
 *
 * Not part of `npm test`: it runs for many minutes. The server is a child process started as
 * `npm start` starts it, with `storage.spoolDir` in a temp directory (`--no-spool` leaves it out).
 * The report goes to stdout and test-artifacts/soak-outage.json.
 */
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Command, InvalidArgumentError } from 'commander';
import { residentBytes } from '../bench/procStats';
import { ShowfloorProcess } from '../bench/showfloorProcess';
import { REPO_ROOT } from '../bench/tsxChild';
import { AckedFleet, influxQuery, tallyDevices } from '../support/ackedFleet';
import { startInfluxd } from '../support/influxd';

interface SoakOptions {
  minutes: number;
  rate: number;
  devices: number;
  leadSeconds: number;
  drainMinutes: number;
  spool: boolean;
}

interface Sample {
  atSeconds: number;
  phase: 'before' | 'outage' | 'draining' | 'settling';
  rssBytes: number | null;
  spoolBytes: number | null;
  pending: number | null;
  dropped: number | null;
  acked: number;
  inFlight: number;
}

const BOOTH = { id: 'soak', name: 'Outage soak', password: 'outage-soak-password' };
const DATABASE = 'outage_soak';
const SAMPLE_EVERY_MS = 1000;
/** Samples kept in the report; the peaks are taken over every sample. */
const REPORTED_SAMPLE_EVERY_S = 10;
const DRAIN_CHECK_MS = 2000;
const DRAIN_STALL_MS = 20_000;

function positive(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError('must be a positive number');
  return value;
}

function parseOptions(argv: string[]): SoakOptions {
  return new Command('soak:outage')
    .option('--minutes <n>', 'how long InfluxDB stays stopped', positive, 10)
    .option('--rate <n>', 'QoS 1 readings per second over the fleet', positive, 5000)
    .option('--devices <n>', 'devices, one MQTT connection each', positive, 50)
    .option('--lead-seconds <n>', 'traffic before InfluxDB is stopped', positive, 20)
    .option('--drain-minutes <n>', 'deadline for the drain after InfluxDB is back', positive, 15)
    .option('--no-spool', 'run without storage.spoolDir (readings wait in memory only)')
    .parse(argv)
    .opts<SoakOptions>();
}

async function directoryBytes(path: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(path, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(full);
    else
      total += await stat(full)
        .then((s) => s.size)
        .catch(() => 0);
  }
  return total;
}

/** What the soak reads of /api/health: the store's counters, and the spool's bytes and unsent readings when the server has a spool. */
interface HealthReading {
  pending: number;
  dropped: number;
  spool: { bytes: number; unsentReadings: number } | null;
}

function numberAt(value: unknown, key: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'number' ? field : undefined;
}

function objectAt(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

async function readHealth(server: ShowfloorProcess): Promise<HealthReading | null> {
  try {
    // Generous: a loaded machine answers late, and a missing sample says less than a late one.
    const response = await fetch(`${server.httpUrl}/api/health`, { signal: AbortSignal.timeout(10_000) });
    const body = (await response.json()) as unknown;
    const counters = objectAt(body, 'counters');
    // Where the spool branch reports it: the influxdb block (issue 13), else a storage block.
    const spool = objectAt(objectAt(body, 'influxdb'), 'spool') ?? objectAt(objectAt(body, 'storage'), 'spool');
    const spoolBytes = numberAt(spool, 'bytes');
    return {
      pending: numberAt(counters, 'pending') ?? 0,
      dropped: numberAt(counters, 'dropped') ?? 0,
      spool: spoolBytes === undefined ? null : { bytes: spoolBytes, unsentReadings: numberAt(spool, 'unsentReadings') ?? 0 },
    };
  } catch {
    return null;
  }
}

const mib = (bytes: number | null): string => (bytes === null ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`);

async function main(): Promise<void> {
  const options = parseOptions(process.argv);
  const influxd = await startInfluxd();
  const directory = await mkdtemp(join(tmpdir(), 'showfloor-outage-soak-'));
  const spoolDir = join(directory, 'spool');
  const cleanups: (() => Promise<void>)[] = [() => influxd.dispose(), () => rm(directory, { recursive: true, force: true })];
  // Ctrl-C or a kill: the server, InfluxDB and the temp directory go too.
  const onSignal = (): void => {
    void (async () => {
      for (const cleanup of cleanups) await cleanup().catch(() => undefined);
      process.exit(130);
    })();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await influxd.createDatabase(DATABASE);
    const server = await ShowfloorProcess.start({
      booths: [BOOTH],
      influxUrl: influxd.url,
      database: DATABASE,
      directory,
      extraYaml: `storage:\n  spoolDir: ${options.spool ? JSON.stringify(spoolDir) : 'false'}\n`,
    });
    cleanups.unshift(() => server.stop());
    const fleet = await AckedFleet.connect(server.mqttUrl, { booth: BOOTH.id, password: BOOTH.password }, 'soak', options.devices);
    cleanups.unshift(() => fleet.close());

    const startedAt = Date.now();
    const samples: Sample[] = [];
    const state: { phase: Sample['phase']; sampling: boolean } = { phase: 'before', sampling: true };
    const sampler = (async () => {
      while (state.sampling) {
        const health = await readHealth(server);
        const spoolBytes = options.spool ? (health?.spool?.bytes ?? (await directoryBytes(spoolDir))) : null;
        samples.push({
          atSeconds: Math.round((Date.now() - startedAt) / 1000),
          phase: state.phase,
          rssBytes: residentBytes(server.pid) ?? null,
          spoolBytes,
          pending: health?.pending ?? null,
          dropped: health?.dropped ?? null,
          acked: fleet.acked,
          inFlight: fleet.inFlight,
        });
        await delay(SAMPLE_EVERY_MS);
      }
    })();

    const stopPublishing = new AbortController();
    const publishing = fleet.run({ ratePerSecond: options.rate, durationMs: Number.POSITIVE_INFINITY, signal: stopPublishing.signal });
    const log = (text: string): void => console.log(`[${Math.round((Date.now() - startedAt) / 1000)} s] ${text}`);

    await delay(options.leadSeconds * 1000);
    log(`stopping InfluxDB for ${options.minutes} min; acknowledged so far ${fleet.acked}`);
    await influxd.stop();
    state.phase = 'outage';
    const outageEndsAt = Date.now() + options.minutes * 60_000;
    while (Date.now() < outageEndsAt) {
      await delay(Math.min(30_000, outageEndsAt - Date.now()));
      const last = samples.at(-1);
      log(
        `outage: acknowledged ${fleet.acked}, pending ${last?.pending}, dropped ${last?.dropped}, RSS ${mib(last?.rssBytes ?? null)}, spool ${mib(last?.spoolBytes ?? null)}`,
      );
    }
    await influxd.restart();
    state.phase = 'draining';
    const backAt = Date.now();
    log('InfluxDB is back; waiting for the server to drain while devices keep publishing');
    // Drained, counted in InfluxDB itself (the server may be too busy to answer /api/health): the
    // gap between what the devices had acknowledged and what InfluxDB holds is down to a couple of
    // seconds of live traffic, or has stopped shrinking for DRAIN_STALL_MS (the rest is lost, not late).
    const query = influxQuery(influxd.url, DATABASE);
    const storedCount = async (): Promise<number | null> => {
      const rows = await query(`SELECT count("seq") FROM "telemetry" WHERE "device" =~ /^soak-/`).catch(() => null);
      const value = rows?.[0]?.[1];
      return typeof value === 'number' ? value : rows === null ? null : 0;
    };
    let drainedAt: number | null = null;
    let smallestGap = Number.POSITIVE_INFINITY;
    // Set at the first real shrink: the store's retries may wait many seconds after a long outage.
    let shrankAt: number | null = null;
    while (Date.now() - backAt < options.drainMinutes * 60_000) {
      await delay(DRAIN_CHECK_MS);
      const acknowledged = fleet.acked;
      const stored = await storedCount();
      if (stored === null) continue;
      const gap = acknowledged - stored;
      if (gap < smallestGap - options.rate) {
        if (smallestGap !== Number.POSITIVE_INFINITY) shrankAt = Date.now();
        smallestGap = gap;
      }
      if (gap <= 2 * options.rate) {
        drainedAt = Date.now();
        break;
      }
      if (shrankAt !== null && Date.now() - shrankAt > DRAIN_STALL_MS) {
        drainedAt = shrankAt;
        log(`the gap stopped shrinking at ${gap} readings: counted as lost, not late`);
        break;
      }
    }
    log(
      drainedAt === null ? `not drained within ${options.drainMinutes} min` : `drained ${((drainedAt - backAt) / 1000).toFixed(0)} s after InfluxDB came back`,
    );
    stopPublishing.abort();
    const run = await publishing;
    state.phase = 'settling';
    await fleet.settle(30_000);
    // Let the store write what is left: until InfluxDB's count has not moved for 10 s (or 4 min).
    let last = -1;
    let still = 0;
    for (let i = 0; i < 120 && still < 5; i++) {
      await delay(2000);
      const stored = await storedCount();
      still = stored !== null && stored === last ? still + 1 : 0;
      last = stored ?? last;
    }
    state.sampling = false;
    await sampler;

    log('counting every acknowledged reading in InfluxDB');
    const tallies = await tallyDevices(query, fleet);
    const lost = tallies.reduce((sum, t) => sum + t.lost, 0);
    const acked = tallies.reduce((sum, t) => sum + t.acked, 0);
    const duplicatePoints = tallies.reduce((sum, t) => sum + (t.points - t.distinctSeqs), 0);
    const peak = (pick: (s: Sample) => number | null, phase?: Sample['phase']): number | null =>
      samples
        .filter((s) => phase === undefined || s.phase === phase)
        .reduce<number | null>((m, s) => (pick(s) === null ? m : Math.max(m ?? 0, pick(s)!)), null);
    const report = {
      options,
      published: run.published,
      acknowledged: acked,
      skippedByDevices: run.skipped,
      lostAcknowledged: lost,
      devicesLosing: tallies.filter((t) => t.lost > 0).length,
      lostPerDevice: Object.fromEntries(tallies.filter((t) => t.lost > 0).map((t) => [t.device, t.lost])),
      duplicatePoints,
      droppedByStore: samples.at(-1)?.dropped ?? null,
      rss: {
        peakBytes: peak((s) => s.rssBytes),
        beforeOutageBytes: peak((s) => s.rssBytes, 'before'),
        peakDuringOutageBytes: peak((s) => s.rssBytes, 'outage'),
      },
      spool: { peakBytes: peak((s) => s.spoolBytes) },
      drainSeconds: drainedAt === null ? null : Math.round((drainedAt - backAt) / 1000),
      samples: samples.filter((s) => s.atSeconds % REPORTED_SAMPLE_EVERY_S === 0),
    };
    const artifacts = join(REPO_ROOT, 'test-artifacts');
    await mkdir(artifacts, { recursive: true });
    const file = join(artifacts, 'soak-outage.json');
    await writeFile(file, JSON.stringify(report, null, 2));
    console.log(
      [
        '',
        `Outage soak: InfluxDB stopped ${options.minutes} min at ${options.rate} QoS 1 readings/s, ${options.devices} devices, spool ${options.spool ? 'on' : 'off'}`,
        `  published ${run.published}, acknowledged ${acked}, skipped by devices at their in-flight bound ${run.skipped}`,
        `  acknowledged readings missing from InfluxDB: ${lost} (${report.devicesLosing} of ${options.devices} devices); duplicate points: ${duplicatePoints}; store dropped: ${report.droppedByStore}`,
        `  server RSS: before the outage ${mib(report.rss.beforeOutageBytes)}, peak during it ${mib(report.rss.peakDuringOutageBytes)}, peak overall ${mib(report.rss.peakBytes)}`,
        `  spool peak: ${mib(report.spool.peakBytes)}`,
        `  drain after InfluxDB returned: ${report.drainSeconds === null ? 'not within the deadline' : `${report.drainSeconds} s`}`,
        `  report: ${file}`,
      ].join('\n'),
    );
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

await main();
