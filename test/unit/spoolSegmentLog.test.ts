/**
 * The spool's segment log on a real temp directory: group commit and durable(), replay of an
 * earlier run's segments, a torn tail cut at start-up, the disk refusing appends (a file-system
 * seam), the overflow past maxBytes and the bound on appends waiting for a slow fsync.
 */
import { mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SegmentLog, type SegmentLogOptions } from '../../server/store/spool/SegmentLog';
import { nodeSpoolFiles, type SpoolFiles } from '../../server/store/spool/SpoolFiles';
import { decodeRecord, encodeRecord } from '../../server/store/spool/spoolRecord';
import { waitFor } from '../support/waitFor';

const log = pino({ level: 'silent' });
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'showfloor-spool-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function line(i: number): string {
  return `telemetry,booth=a,device=d${i % 7},kind=k seq=${i} ${1_700_000_000_000 + i}`;
}

interface Seen {
  notSpooled: string[];
  overflowed: number;
  damaged: number;
}

/** `memoryRoom`: lines the caller's memory backlog keeps of those not spooled; the rest it refuses. */
async function openLog(
  options: Partial<SegmentLogOptions> = {},
  now = Date.now(),
  memoryRoom = Infinity,
): Promise<{ spool: SegmentLog; seen: Seen; replay: number }> {
  const seen: Seen = { notSpooled: [], overflowed: 0, damaged: 0 };
  const spool = new SegmentLog(
    { dir, syncIntervalMs: 5, maxBytes: 64 * 1024 * 1024, ...options },
    {
      notSpooled: (lines) => {
        const kept = Math.max(0, Math.min(lines.length, memoryRoom - seen.notSpooled.length));
        seen.notSpooled.push(...lines.slice(0, kept));
        return lines.length - kept;
      },
      overflowed: (n) => (seen.overflowed += n),
      damaged: (n) => (seen.damaged += n),
      synced: () => undefined,
    },
    log,
  );
  const replay = await spool.open(now);
  return { spool, seen, replay };
}

async function takeAll(spool: SegmentLog, replay: boolean, maxLines = 1000): Promise<string[]> {
  const lines: string[] = [];
  for (;;) {
    const batch = await spool.take(replay, maxLines);
    if (!batch) return lines;
    lines.push(...batch.lines);
    await spool.confirm(batch);
  }
}

async function segmentFiles(): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('segment-')).sort();
}

describe('spool records', () => {
  it('round-trip, and a flipped byte or a cut record is damage, not data', () => {
    const record = encodeRecord({ acceptedAt: 1234.5, lines: [line(1), line(2)] });
    const decoded = decodeRecord(record, 0);
    expect(decoded.kind).toBe('record');
    if (decoded.kind === 'record') {
      expect(decoded.acceptedAt).toBe(1234.5);
      expect(decoded.lines()).toEqual([line(1), line(2)]);
      expect(decoded.bytes).toBe(record.length);
    }
    const flipped = Buffer.from(record);
    flipped[record.length - 3]! ^= 0x01;
    expect(decodeRecord(flipped, 0)).toEqual({ kind: 'damaged', claimedLines: 2 });
    expect(decodeRecord(record.subarray(0, record.length - 1), 0).kind).toBe('short');
  });
});

describe('SegmentLog', () => {
  it('makes appends durable together, replays them after a restart oldest first, and deletes confirmed segments', async () => {
    const first = await openLog({ segmentBytes: 64 * 1024 });
    for (let i = 0; i < 3000; i++) {
      first.spool.append(line(i), 1000 + i);
      if (i === 0) expect(first.spool.stats().unsentReadings).toBe(1);
      if (i % 1000 === 999) await first.spool.durable(); // three group commits
    }
    expect(first.spool.stats().bytes).toBeGreaterThan(3000 * 40);
    // Several segments: two commits of 1,000 lines of ~60 bytes do not fit in 64 KiB.
    expect(first.spool.stats().segments).toBeGreaterThan(1);
    await first.spool.close();
    expect((await segmentFiles()).length).toBeGreaterThan(1);

    const second = await openLog({ segmentBytes: 64 * 1024 }, 5000);
    expect(second.replay).toBe(3000);
    expect(second.spool.stats()).toMatchObject({
      unsentReadings: 3000,
      oldestUnsentAt: 1000,
      replay: { readingsLeft: 3000, readingsTotal: 3000, startedAt: 5000 },
      replayFinished: null,
      dropped: { overflow: 0, diskFull: 0, tornTail: 0, lostSegment: 0 },
    });
    const segmentsTotal = second.spool.stats().replay!.segmentsTotal;
    expect(segmentsTotal).toBeGreaterThan(1);
    expect(second.spool.stats().replay!.segmentsLeft).toBe(segmentsTotal);
    const batch = (await second.spool.take(true, 500))!;
    expect(batch.lines.slice(0, 2)).toEqual([line(0), line(1)]);
    await second.spool.confirm(batch);
    expect(second.spool.stats().oldestUnsentAt).toBe(1000 + batch.readings);
    expect(second.spool.stats().replay?.readingsLeft).toBe(3000 - batch.readings);
    const rest = await takeAll(second.spool, true);
    expect([...batch.lines, ...rest]).toEqual(Array.from({ length: 3000 }, (_, i) => line(i)));
    expect(second.spool.stats()).toMatchObject({ unsentReadings: 0, oldestUnsentAt: null, replay: null, segments: 0, bytes: 0 });
    expect(second.spool.stats().replayFinished).toMatchObject({ readingsTotal: 3000, segmentsTotal, startedAt: 5000 });
    expect(await segmentFiles()).toEqual([]);
    await second.spool.close();
  });

  it('durable() does not resolve before the fdatasync that covers the append', async () => {
    const gate: { open: () => void; syncs: number } = { open: () => undefined, syncs: 0 };
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const files: SpoolFiles = {
      ...nodeSpoolFiles,
      async open(path, mode) {
        const file = await nodeSpoolFiles.open(path, mode);
        return {
          ...bindFile(file),
          async datasync() {
            gate.syncs++;
            await released;
            return file.datasync();
          },
        };
      },
    };
    gate.open = release;
    const { spool } = await openLog({ files });
    spool.append(line(1), 1);
    let durable = false;
    const waiting = spool.durable().then(() => (durable = true));
    await waitFor(() => gate.syncs === 1, { what: 'the group commit to reach fdatasync' });
    expect(durable).toBe(false);
    // An append made while that sync runs waits for the next one.
    spool.append(line(2), 2);
    const second = spool.durable();
    expect(durable).toBe(false);
    gate.open();
    await waiting;
    await second;
    expect(gate.syncs).toBe(2);
    await spool.close();
  });

  it('lets a wait for durability go after its deadline when fsync stalls, counted and said, and closes without waiting for ever', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const syncs = { started: 0 };
    const files: SpoolFiles = {
      ...nodeSpoolFiles,
      async open(path, mode) {
        const file = await nodeSpoolFiles.open(path, mode);
        return {
          ...bindFile(file),
          async datasync() {
            syncs.started++;
            await released;
            return file.datasync();
          },
        };
      },
    };
    const { spool, seen } = await openLog({ files });
    for (let i = 0; i < 3; i++) spool.append(line(i), i);
    const acknowledged = { first: false };
    void spool.durable(200).then(() => (acknowledged.first = true));
    await waitFor(() => syncs.started === 1, { what: 'the group commit to stall in fdatasync' });
    await waitFor(() => acknowledged.first, { what: 'the wait to end at its deadline', timeoutMs: 5000 });
    expect(spool.stats()).toMatchObject({
      acknowledgedBeforeDurable: 3,
      lastError: expect.stringMatching(/^disk stalled: fsync has not returned for \d+ s$/) as unknown,
    });
    // Appends behind the stalled sync: their own deadline, each reading counted once.
    spool.append(line(3), 3);
    spool.append(line(4), 4);
    await spool.durable(200);
    await spool.durable(200);
    expect(spool.stats().acknowledgedBeforeDurable).toBe(5);
    // close() gives up on the stalled sync: what was still waiting is handed back, not lost.
    await spool.close(200);
    expect(seen.notSpooled).toEqual([line(3), line(4)]);
    release();
  });

  it('cuts a torn tail at the last good record at start-up, counts it, and appends after it', async () => {
    const first = await openLog();
    for (let i = 0; i < 10; i++) {
      first.spool.append(line(i), i);
      await first.spool.durable(); // one record per append: ten records
    }
    await first.spool.close();
    const [file] = await segmentFiles();
    const path = join(dir, file!);
    const size = (await stat(path)).size;
    await truncate(path, size - 5); // the last record cut mid-way, as by a crash during its write

    const second = await openLog();
    expect(second.replay).toBe(9);
    expect(second.spool.stats().dropped.tornTail).toBe(1);
    const recordBytes = size / 10;
    expect((await stat(path)).size).toBe(recordBytes * 9);
    second.spool.append(line(100), 100);
    await second.spool.durable();
    expect([...(await takeAll(second.spool, true)), ...(await takeAll(second.spool, false))]).toEqual([
      ...Array.from({ length: 9 }, (_, i) => line(i)),
      line(100),
    ]);
    await second.spool.close();
  });

  it('hands lines the disk refuses (ENOSPC) back, counted, and spools again once appends work', async () => {
    const disk = { full: true };
    const files: SpoolFiles = {
      ...nodeSpoolFiles,
      async open(path, mode) {
        const file = await nodeSpoolFiles.open(path, mode);
        return {
          ...bindFile(file),
          async write(buffer, position) {
            if (disk.full) {
              // Part of the write lands, as a real short write would leave it.
              await file.write(buffer.subarray(0, 3), position);
              throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
            }
            return file.write(buffer, position);
          },
        };
      },
    };
    const { spool, seen } = await openLog({ files });
    for (let i = 0; i < 5; i++) spool.append(line(i), i);
    await spool.durable();
    expect(seen.notSpooled).toEqual([0, 1, 2, 3, 4].map(line));
    // Handed to the memory backlog, which kept them: not spooled, not lost.
    expect(spool.stats()).toMatchObject({
      notSpooled: 5,
      dropped: { diskFull: 0 },
      lastError: 'ENOSPC: no space left on device, write',
      bytes: 0,
      unsentReadings: 0,
    });

    disk.full = false;
    spool.append(line(5), 5);
    await spool.durable();
    expect(spool.stats()).toMatchObject({ notSpooled: 5, dropped: { diskFull: 0 }, lastError: null, unsentReadings: 1 });
    expect(await takeAll(spool, false)).toEqual([line(5)]);
    await spool.close();
  });

  it('drops the oldest segments past maxBytes and counts exactly the unsent readings in them', async () => {
    const maxBytes = 1024 * 1024; // segments of 128 KiB (maxBytes / 8)
    const { spool, seen } = await openLog({ maxBytes });
    const total = 40_000; // ~2.6 MB of lines
    for (let i = 0; i < total; i++) {
      spool.append(line(i), i);
      if (i % 1000 === 999) await spool.durable();
    }
    await spool.durable();
    const stats = spool.stats();
    expect(stats.bytes).toBeLessThanOrEqual(maxBytes);
    expect(stats.dropped.overflow).toBeGreaterThan(0);
    expect(seen.overflowed).toBe(stats.dropped.overflow);
    expect(stats.dropped.overflow + stats.unsentReadings).toBe(total);
    // What is left is the newest readings, in order.
    const left = await takeAll(spool, false, 5000);
    expect(left).toEqual(Array.from({ length: stats.unsentReadings }, (_, i) => line(total - stats.unsentReadings + i)));
    await spool.close();
  });

  it('counts a batch in flight from a segment dropped past maxBytes once: not at the drop, but when it is let go', async () => {
    const maxBytes = 1024 * 1024; // segments of 128 KiB (maxBytes / 8)
    const { spool, seen } = await openLog({ maxBytes });
    // Records of 100 lines, so a batch of 100 is one record.
    for (let i = 0; i < 1000; i++) {
      spool.append(line(i), i);
      if (i % 100 === 99) await spool.durable();
    }
    const inFlight = await spool.take(false, 100);
    expect(inFlight?.readings).toBe(100);
    const total = 40_000;
    for (let i = 1000; i < total; i++) {
      spool.append(line(i), i);
      if (i % 1000 === 999) await spool.durable();
    }
    await spool.durable();
    expect(spool.stale(inFlight!)).toBe(true);
    // Its send may still succeed (then it is counted written): it is not in the dropped count yet.
    expect(spool.stats().dropped.overflow + spool.stats().unsentReadings).toBe(total - 100);
    expect(seen.overflowed).toBe(spool.stats().dropped.overflow);
    spool.lostInFlight(inFlight!);
    expect(spool.stats().dropped.overflow + spool.stats().unsentReadings).toBe(total);
    expect(seen.overflowed).toBe(spool.stats().dropped.overflow);
    await spool.close();
  });

  it('counts the unsent readings of a segment that no longer reads back as lost, to the caller too', async () => {
    const { spool, seen } = await openLog();
    for (let i = 0; i < 10; i++) spool.append(line(i), i);
    await spool.durable();
    const [name] = await segmentFiles();
    // Damage the record on disk after it was written and checked.
    const path = join(dir, name!);
    const bytes = await readFile(path);
    bytes[bytes.length - 5]! ^= 0xff;
    await writeFile(path, bytes);
    expect(await spool.take(false, 100)).toBeNull();
    expect(seen.damaged).toBe(10);
    expect(spool.stats()).toMatchObject({ unsentReadings: 0, dropped: { tornTail: 0, lostSegment: 10 } });
    await spool.close();
    expect(await segmentFiles()).toEqual([]);
  });

  it("ends the replay when an earlier run's segment no longer reads back (no confirmation would ever delete it)", async () => {
    const first = await openLog();
    for (let i = 0; i < 10; i++) first.spool.append(line(i), i);
    await first.spool.close();
    // The lost segment is removed as the replay ends: seen through a seam, to wait for that remove to settle.
    const removes = { settled: 0 };
    const files: SpoolFiles = {
      ...nodeSpoolFiles,
      remove: (path) => nodeSpoolFiles.remove(path).finally(() => removes.settled++),
    };
    const second = await openLog({ files }, 7000);
    expect(second.spool.stats().replay).toMatchObject({ readingsLeft: 10, segmentsLeft: 1, segmentsTotal: 1 });
    const [name] = await segmentFiles();
    await rm(join(dir, name!));
    const warn = vi.spyOn(log, 'warn');
    expect(await second.spool.take(true, 100)).toBeNull();
    expect(second.spool.stats()).toMatchObject({
      replay: null,
      replayFinished: { readingsTotal: 10, segmentsTotal: 1, startedAt: 7000 },
      dropped: { lostSegment: 10, tornTail: 0 },
      segments: 0,
    });
    await waitFor(() => removes.settled === 1, { what: "the lost segment's remove to settle" });
    // Counted as lost already: the file someone else deleted is no failure to delete it (ENOENT).
    expect(warn.mock.calls.map((call) => call.at(-1))).not.toContain('spool: could not delete a segment');
    warn.mockRestore();
    await second.spool.close();
  });

  it('counts a segment deleted behind its back as lost instead of failing every read (ENOENT)', async () => {
    const { spool, seen } = await openLog();
    for (let i = 0; i < 10; i++) spool.append(line(i), i);
    await spool.durable();
    const [name] = await segmentFiles();
    await rm(join(dir, name!));
    expect(await spool.take(false, 100)).toBeNull();
    expect(seen.damaged).toBe(10);
    expect(spool.stats()).toMatchObject({ unsentReadings: 0, dropped: { tornTail: 0, lostSegment: 10 } });
    await spool.close();
  });

  it('keeps at most maxPendingBytes of appends in memory while fsync stalls; the rest is handed back', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const syncs = { started: 0 };
    const files: SpoolFiles = {
      ...nodeSpoolFiles,
      async open(path, mode) {
        const file = await nodeSpoolFiles.open(path, mode);
        return {
          ...bindFile(file),
          async datasync() {
            syncs.started++;
            await released;
            return file.datasync();
          },
        };
      },
    };
    const { spool, seen } = await openLog({ files, maxPendingBytes: 10_000 }, Date.now(), 1500);
    spool.append(line(0), 0);
    await waitFor(() => syncs.started === 1, { what: 'the first sync to stall in fdatasync' });
    for (let i = 1; i < 2000; i++) spool.append(line(i), i);
    const buffered = spool.bufferedLines();
    // The stalled sync's one line, and the next sync's lines up to 10,000 bytes.
    expect(buffered).toBeGreaterThan(100);
    expect((buffered - 1) * line(1).length).toBeLessThan(10_000 + 100);
    // Not spooled is not lost: only what the memory backlog refused too (past its 1,500) is, once.
    expect(seen.notSpooled.length).toBe(Math.min(1500, 2000 - buffered));
    expect(spool.stats().notSpooled).toBe(2000 - buffered);
    expect(2000 - buffered).toBeGreaterThan(1500);
    expect(spool.stats().dropped.diskFull).toBe(2000 - buffered - 1500);
    expect(spool.stats().lastError).toMatch(/disk too slow/);
    release();
    await spool.close();
  });
});

/** A SpoolFile's methods bound to it, so a test can replace one of them. */
function bindFile(file: Awaited<ReturnType<SpoolFiles['open']>>): Awaited<ReturnType<SpoolFiles['open']>> {
  return {
    size: () => file.size(),
    read: (buffer, position) => file.read(buffer, position),
    write: (buffer, position) => file.write(buffer, position),
    datasync: () => file.datasync(),
    truncate: (length) => file.truncate(length),
    close: () => file.close(),
  };
}
