/**
 * The spool's sender: with two batches in flight, a batch InfluxDB answered first is confirmed only
 * after every batch taken before it (so the confirmed offset still means "InfluxDB has everything
 * before it"), and a failed batch is sent again, never confirmed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { MemoryBacklog } from '../../server/store/spool/MemoryBacklog';
import { SegmentLog } from '../../server/store/spool/SegmentLog';
import { nodeSpoolFiles, type SpoolFiles } from '../../server/store/spool/SpoolFiles';
import { SpoolShipper, type ShipOutcome } from '../../server/store/spool/SpoolShipper';
import { waitFor } from '../support/waitFor';

const log = pino({ level: 'silent' });
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'showfloor-shipper-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Call {
  lines: string[];
  answer: (outcome: ShipOutcome) => void;
}

it('confirms in the order batches were taken, and sends a failed batch again', async () => {
  const spool = new SegmentLog(
    { dir, syncIntervalMs: 5, maxBytes: 64 * 1024 * 1024 },
    { notSpooled: () => 0, overflowed: () => undefined, damaged: () => undefined, synced: () => undefined },
    log,
  );
  await spool.open(Date.now());
  // Three group commits: three records of ten lines, so batches of ten are whole records.
  for (let i = 0; i < 30; i++) {
    spool.append(`m,d=a v=${i} ${i}`, 1000 + i);
    if (i % 10 === 9) await spool.durable();
  }
  const calls: Call[] = [];
  const shipper = new SpoolShipper(
    spool,
    new MemoryBacklog(1000),
    (lines) => new Promise<ShipOutcome>((answer) => calls.push({ lines, answer })),
    { batchSize: 10, flushIntervalMs: 10, minRetryDelayMs: 10, maxRetryDelayMs: 10 },
    log,
  );
  shipper.start();
  await waitFor(() => calls.length === 2, { what: 'two batches in flight' });
  // No third batch while two are out: the send window is bounded.
  expect(shipper.heldLines()).toBe(20);
  const [first, second] = calls as [Call, Call];
  expect(first.lines[0]).toBe('m,d=a v=0 0');
  expect(second.lines[0]).toBe('m,d=a v=10 10');

  second.answer('stored');
  // InfluxDB has the second batch, not the first: nothing is confirmed, and the stored batch still
  // counts against the window until the one before it is confirmed.
  await waitFor(() => calls.length === 2 && shipper.heldLines() === 20, { what: 'the window to stay full' });
  expect(spool.stats()).toMatchObject({ unsentReadings: 30, oldestUnsentAt: 1000 });

  first.answer('unavailable');
  await waitFor(() => calls.length === 3, { what: 'the failed batch sent again' });
  expect(calls[2]!.lines).toEqual(first.lines);
  expect(spool.stats().unsentReadings).toBe(30);

  calls[2]!.answer('stored');
  await waitFor(() => spool.stats().unsentReadings === 10, { what: 'the first two batches confirmed' });
  expect(spool.stats().oldestUnsentAt).toBe(1020);
  await waitFor(() => calls.length === 4, { what: 'the last batch' });
  expect(calls[3]!.lines[0]).toBe('m,d=a v=20 20');
  calls[3]!.answer('stored');
  await waitFor(() => spool.stats().unsentReadings === 0, { what: 'every batch confirmed' });
  expect(shipper.idle()).toBe(true);
  await shipper.stop();
  await spool.close();
});

it('keeps sending after a read of the spool fails (EIO), trying the segment again', async () => {
  const failReads = { left: 2 };
  const files: SpoolFiles = {
    ...nodeSpoolFiles,
    async open(path, mode) {
      if (mode === 'read' && failReads.left > 0) {
        failReads.left--;
        throw Object.assign(new Error('EIO: i/o error, open'), { code: 'EIO' });
      }
      return nodeSpoolFiles.open(path, mode);
    },
  };
  const spool = new SegmentLog(
    { dir, syncIntervalMs: 5, maxBytes: 64 * 1024 * 1024, files },
    { notSpooled: () => 0, overflowed: () => undefined, damaged: () => undefined, synced: () => undefined },
    log,
  );
  await spool.open(Date.now());
  for (let i = 0; i < 10; i++) spool.append(`m,d=a v=${i} ${i}`, 1000 + i);
  await spool.durable();
  const sent: string[] = [];
  const shipper = new SpoolShipper(
    spool,
    new MemoryBacklog(1000),
    (lines) => {
      sent.push(...lines);
      return Promise.resolve('stored');
    },
    { batchSize: 10, flushIntervalMs: 10, minRetryDelayMs: 10, maxRetryDelayMs: 20 },
    log,
  );
  shipper.start();
  await waitFor(() => spool.stats().unsentReadings === 0, { what: 'the batch sent after two failed reads' });
  expect(failReads.left).toBe(0);
  expect(sent).toHaveLength(10);
  await shipper.stop();
  await spool.close();
});

it('backs off per queue: a batch that keeps failing holds back only its own queue', async () => {
  const spool = new SegmentLog(
    { dir, syncIntervalMs: 5, maxBytes: 64 * 1024 * 1024 },
    { notSpooled: () => 0, overflowed: () => undefined, damaged: () => undefined, synced: () => undefined },
    log,
  );
  await spool.open(Date.now());
  const memory = new MemoryBacklog(1000);
  memory.push(['m,d=bad v=1 1'], Date.now() - 1000);
  const sent: string[] = [];
  const shipper = new SpoolShipper(
    spool,
    memory,
    (lines) => {
      if (lines.some((l) => l.includes('d=bad'))) return Promise.resolve('unavailable');
      sent.push(...lines);
      return Promise.resolve('stored');
    },
    // A pause far longer than the test: with one pause for every queue nothing else would be sent.
    { batchSize: 10, flushIntervalMs: 10, minRetryDelayMs: 60_000, maxRetryDelayMs: 60_000 },
    log,
  );
  shipper.start();
  await waitFor(() => memory.size() === 1 && shipper.heldLines() === 1, { what: 'the bad batch to fail and wait' });
  for (let i = 0; i < 10; i++) spool.append(`m,d=a v=${i} ${i}`, Date.now());
  await spool.durable();
  shipper.wake();
  await waitFor(() => sent.length === 10, { what: 'the live readings sent while the memory queue waits' });
  expect(spool.stats().unsentReadings).toBe(0);
  await shipper.stop();
  await spool.close();
});
