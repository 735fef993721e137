/**
 * How fast the spool takes readings on this machine at a few group-commit intervals (issue 13):
 * `npx tsx test/bench/spoolAppendRate.ts [seconds per run]`. Not a test: it prints figures.
 *
 * - firehose: one producer appends as fast as the event loop lets it (QoS 0 traffic): durable lines/s.
 * - acknowledged: 50 devices, each with 10 QoS 1 messages in flight, each message waiting for
 *   durable() before the next is sent (what a PUBACK held for the spool costs): readings/s and
 *   the mean wait for durability.
 * The spool directory is made under the OS temp dir unless SPOOL_BENCH_DIR says where (use the disk the spool will live on).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { SegmentLog } from '../../server/store/spool/SegmentLog';

const SECONDS = Number(process.argv[2] ?? 3);
const INTERVALS = [5, 25, 50];
const DEVICES = 50;
const IN_FLIGHT = 10;
const log = pino({ level: 'silent' });

function line(i: number): string {
  return `telemetry,booth=booth-a,device=dev-${i % 50},kind=env-sensor temperature=21.5,humidity=40.25,co2=612,seq=${i} ${1_700_000_000_000 + i}`;
}

async function withLog<T>(syncIntervalMs: number, run: (spool: SegmentLog) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(process.env.SPOOL_BENCH_DIR ?? tmpdir(), 'showfloor-spool-bench-'));
  const spool = new SegmentLog(
    { dir, syncIntervalMs, maxBytes: 2 * 1024 ** 3 },
    { notSpooled: () => 0, overflowed: () => undefined, damaged: () => undefined, synced: () => undefined },
    log,
  );
  await spool.open(Date.now());
  try {
    return await run(spool);
  } finally {
    await spool.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function firehose(spool: SegmentLog): Promise<number> {
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 2000; i++) spool.append(line(n++), Date.now());
    await new Promise((resolve) => setImmediate(resolve));
  }
  await spool.durable();
  return n / SECONDS;
}

async function acknowledged(spool: SegmentLog): Promise<{ rate: number; meanWaitMs: number }> {
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  let waited = 0;
  const sender = async () => {
    while (performance.now() < end) {
      const started = performance.now();
      spool.append(line(n++), Date.now());
      await spool.durable();
      waited += performance.now() - started;
    }
  };
  await Promise.all(Array.from({ length: DEVICES * IN_FLIGHT }, sender));
  return { rate: n / SECONDS, meanWaitMs: waited / n };
}

async function main(): Promise<void> {
  process.stdout.write(`spool append rate, ${SECONDS} s per run, line of ${line(123456).length} bytes\n`);
  for (const interval of INTERVALS) {
    const rate = await withLog(interval, firehose);
    const acks = await withLog(interval, acknowledged);
    process.stdout.write(
      `syncIntervalMs ${String(interval).padStart(2)}: firehose ${Math.round(rate).toLocaleString('en')} lines/s; ` +
        `${DEVICES}x${IN_FLIGHT} in flight waiting for durable(): ${Math.round(acks.rate).toLocaleString('en')} readings/s, mean wait ${acks.meanWaitMs.toFixed(1)} ms\n`,
    );
  }
}

void main();
