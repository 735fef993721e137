/**
 * InfluxStore with its spool against real influxd (issue 13): replay of an earlier run's segments
 * beside live readings (duplicates overwrite), the overflow policy past maxSpoolBytes while influxd
 * is stopped (counters exact, memory bounded), a disk that refuses appends, and close() leaving
 * what InfluxDB did not confirm for the next start.
 */
import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { InfluxStore, type SpoolSettings } from '../../server/store/InfluxStore';
import { nodeSpoolFiles, type SpoolFiles } from '../../server/store/spool/SpoolFiles';
import { StoreCounters } from '../../server/store/StoreCounters';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { waitFor } from '../support/waitFor';

const T0 = Date.now() - 3600_000;
let dirs: string[] = [];
const stores: InfluxStore[] = [];

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'showfloor-spool-it-'));
  dirs.push(dir);
  return dir;
}

describeWithInfluxd('InfluxStore spool', () => {
  let influxd: InfluxdProcess;

  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close(2000);
    if (!influxd.running) await influxd.restart();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    dirs = [];
  });
  afterAll(async () => {
    await influxd?.dispose();
  });

  function makeStore(db: string, spool: SpoolSettings, batchSize = 1000, counters = new StoreCounters()): { store: InfluxStore; counters: StoreCounters } {
    const store = new InfluxStore(
      { url: influxd.url, api: 'v1', token: '', org: '', bucket: db },
      { batchSize, flushIntervalMs: 50, maxBufferLines: 100_000, maxRetryTimeMs: 60_000 },
      counters,
      pino({ level: 'silent' }),
      null,
      null,
      spool,
    );
    stores.push(store);
    return { store, counters };
  }

  const count = async (db: string, where = ''): Promise<number> => {
    const [row] = await influxd.queryRows(`SELECT count("seq") FROM "telemetry" ${where}`, db);
    return typeof row?.count === 'number' ? row.count : 0;
  };
  const reading = (device: string, seq: number) => ({ booth: 'b', device, kind: 'k', ts: T0 + seq, values: { seq } });

  it('replays segments an earlier run left beside live readings; lines InfluxDB already had overwrite themselves', { timeout: 120_000 }, async () => {
    const db = 'replay';
    const firstDir = await tempDir();
    const first = makeStore(db, { dir: firstDir, syncIntervalMs: 5, maxBytes: 64 * 1024 * 1024 }, 5000);
    await first.store.prepare();
    const N = 30_000;
    for (let i = 0; i < N; i++) first.store.write(reading(`r${i % 10}`, i));
    await first.store.durable();
    await waitFor(async () => (await count(db)) === N, { what: 'the first run to store every reading', timeoutMs: 60_000, intervalMs: 200 });
    await waitFor(() => first.store.spoolHealth(Date.now())?.unsentReadings === 0, { what: 'the first run to see every reading confirmed' });
    // What a kill -9 leaves: the active segment, its lines stored but the segment not yet deleted.
    const secondDir = await tempDir();
    await cp(firstDir, secondDir, { recursive: true });
    expect((await readdir(secondDir)).length).toBeGreaterThan(0);

    // Small batches, so the replay takes hundreds of requests and live readings must share them.
    const second = makeStore(db, { dir: secondDir, syncIntervalMs: 5, maxBytes: 64 * 1024 * 1024 }, 100);
    await second.store.prepare();
    const health = second.store.spoolHealth(Date.now());
    expect(health?.replay).toMatchObject({ readingsTotal: N });
    expect(second.counters.replayed).toBe(N);
    const M = 500;
    for (let i = 0; i < M; i++) second.store.write(reading('live', i));
    const seenDuringReplay = await waitFor(
      async () => {
        const live = await count(db, `WHERE "device" = 'live'`);
        const replay = second.store.spoolHealth(Date.now())?.replay;
        return live > 0 && { live, replayLeft: replay?.readingsLeft ?? 0 };
      },
      { what: 'a live reading stored', timeoutMs: 60_000, intervalMs: 20 },
    );
    // Live readings reached InfluxDB while the replay still had readings to send.
    expect(seenDuringReplay.replayLeft).toBeGreaterThan(0);
    await waitFor(() => second.store.spoolHealth(Date.now())?.replay === null && second.store.spoolHealth(Date.now())?.unsentReadings === 0, {
      what: 'the replay to finish',
      timeoutMs: 90_000,
      intervalMs: 100,
    });
    // Every replayed line was sent again, and InfluxDB still holds each reading once.
    expect(await count(db, `WHERE "device" =~ /^r/`)).toBe(N);
    expect(await count(db, `WHERE "device" = 'live'`)).toBe(M);
    expect(second.counters).toMatchObject({ accepted: N + M, written: N + M, dropped: 0 });
    expect(second.store.spoolHealth(Date.now())).toMatchObject({ segments: 1, dropped: { overflow: 0, diskFull: 0, tornTail: 0, lostSegment: 0 } });
  });

  it(
    'past maxSpoolBytes with influxd stopped drops the oldest segments, counted exactly, and keeps the backlog on disk, not in memory',
    { timeout: 120_000 },
    async () => {
      const db = 'overflow';
      const batchSize = 1000;
      const maxBytes = 1024 * 1024;
      const { store, counters } = makeStore(db, { dir: await tempDir(), syncIntervalMs: 5, maxBytes }, batchSize);
      await store.prepare();
      await influxd.stop();
      const N = 60_000; // ~4.5 MB of lines: four times the spool
      let maxInMemory = 0;
      for (let i = 0; i < N; i++) {
        store.write(reading(`o${i % 10}`, i));
        if (i % 2000 === 1999) {
          await store.durable();
          maxInMemory = Math.max(maxInMemory, store.spoolMemoryLines());
        }
      }
      await store.durable();
      const during = store.spoolHealth(Date.now())!;
      expect(during.bytes).toBeLessThanOrEqual(maxBytes);
      expect(during.dropped.overflow).toBeGreaterThan(N / 2);
      expect(during.dropped.overflow + during.unsentReadings).toBe(N);
      expect(during.oldestUnsentAt).not.toBeNull();
      expect(counters.dropped).toBe(during.dropped.overflow);
      // The backlog is on disk: in memory at most the send window (two batches) and one commit's appends.
      expect(maxInMemory).toBeLessThanOrEqual(2 * batchSize + 2000);
      expect(during.unsentReadings).toBeGreaterThan(maxInMemory);

      await influxd.restart();
      await waitFor(() => store.spoolHealth(Date.now())?.unsentReadings === 0, { what: 'the spool to drain', timeoutMs: 60_000, intervalMs: 100 });
      const kept = N - during.dropped.overflow;
      expect(await count(db)).toBe(kept);
      // The newest readings were kept: the oldest kept one follows the last dropped one.
      const [first] = await influxd.queryRows(`SELECT min("seq") FROM "telemetry"`, db);
      expect(first?.min).toBe(during.dropped.overflow);
      expect(counters).toMatchObject({ accepted: N, written: kept, dropped: N - kept });
      expect(counters.pendingLines()).toBe(0);
    },
  );

  it('a disk that refuses appends (ENOSPC) is a counted error; readings go on from memory and spooling resumes', { timeout: 60_000 }, async () => {
    const db = 'diskfull';
    const disk = { full: false };
    const files: SpoolFiles = {
      ...nodeSpoolFiles,
      async open(path, mode) {
        const file = await nodeSpoolFiles.open(path, mode);
        return {
          size: () => file.size(),
          read: (buffer, position) => file.read(buffer, position),
          write: (buffer, position) =>
            disk.full ? Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })) : file.write(buffer, position),
          datasync: () => file.datasync(),
          truncate: (length) => file.truncate(length),
          close: () => file.close(),
        };
      },
    };
    const { store, counters } = makeStore(db, { dir: await tempDir(), syncIntervalMs: 5, maxBytes: 64 * 1024 * 1024, files });
    await store.prepare();
    disk.full = true;
    for (let i = 0; i < 3000; i++) store.write(reading('full', i));
    await store.durable();
    expect(store.spoolHealth(Date.now())).toMatchObject({
      notSpooled: 3000,
      dropped: { diskFull: 0 },
      lastError: 'ENOSPC: no space left on device, write',
      bytes: 0,
    });
    await waitFor(async () => (await count(db)) === 3000, {
      what: 'readings the disk refused to reach InfluxDB from memory',
      timeoutMs: 30_000,
      intervalMs: 100,
    });

    disk.full = false;
    for (let i = 3000; i < 4000; i++) store.write(reading('full', i));
    await store.durable();
    expect(store.spoolHealth(Date.now())).toMatchObject({ notSpooled: 3000, dropped: { diskFull: 0 }, lastError: null });
    await waitFor(async () => (await count(db)) === 4000, { what: 'spooled readings to reach InfluxDB', timeoutMs: 30_000, intervalMs: 100 });
    await waitFor(() => counters.pendingLines() === 0, { what: 'every line confirmed' });
    expect(counters).toMatchObject({ accepted: 4000, written: 4000, dropped: 0 });
  });

  it('a stalled fsync holds an acknowledgement at most max(1 s, 40 sync intervals), counted and shown as a spool error', { timeout: 60_000 }, async () => {
    const disk = { stalled: false, release: () => undefined as void };
    const released = new Promise<void>((resolve) => (disk.release = resolve));
    const files: SpoolFiles = {
      ...nodeSpoolFiles,
      async open(path, mode) {
        const file = await nodeSpoolFiles.open(path, mode);
        return {
          size: () => file.size(),
          read: (buffer, position) => file.read(buffer, position),
          write: (buffer, position) => file.write(buffer, position),
          datasync: async () => {
            if (disk.stalled) await released;
            return file.datasync();
          },
          truncate: (length) => file.truncate(length),
          close: () => file.close(),
        };
      },
    };
    const { store } = makeStore('stalled', { dir: await tempDir(), syncIntervalMs: 5, maxBytes: 64 * 1024 * 1024, files });
    await store.prepare();
    disk.stalled = true;
    store.write(reading('stalled', 1));
    store.write(reading('stalled', 2));
    const acknowledged = { done: false };
    void store.durable().then(() => (acknowledged.done = true));
    // 40 × 5 ms is below the 1 s floor: the wait ends at about 1 s, not never.
    await waitFor(() => acknowledged.done, { what: 'the acknowledgement to go despite the stalled fsync', timeoutMs: 10_000 });
    expect(store.spoolHealth(Date.now())).toMatchObject({
      acknowledgedBeforeDurable: 2,
      lastError: expect.stringMatching(/^disk stalled: fsync has not returned for \d+ s$/) as unknown,
    });
    disk.release();
    await waitFor(() => store.spoolHealth(Date.now())?.lastError === null, { what: 'the error to clear once fsync returns' });
  });

  it('a spool directory the server cannot use stops the start with a clear error', async () => {
    const file = join(await tempDir(), 'not-a-directory');
    await writeFile(file, '');
    const { store } = makeStore('unused', { dir: join(file, 'spool'), syncIntervalMs: 5, maxBytes: 64 * 1024 * 1024 });
    await expect(store.prepare()).rejects.toThrow(/^storage\.spoolDir .*not-a-directory\/spool cannot be used: ENOTDIR/);
  });

  it('close() with influxd away keeps the unconfirmed readings on disk, and the next start stores them', { timeout: 60_000 }, async () => {
    const db = 'closed';
    const dir = await tempDir();
    const first = makeStore(db, { dir, syncIntervalMs: 5, maxBytes: 64 * 1024 * 1024 });
    await first.store.prepare();
    await influxd.stop();
    for (let i = 0; i < 2500; i++) first.store.write(reading('c', i));
    await first.store.close(2000);
    expect(first.counters.dropped).toBe(0);
    expect((await readdir(dir)).length).toBe(1);

    await influxd.restart();
    const second = makeStore(db, { dir, syncIntervalMs: 5, maxBytes: 64 * 1024 * 1024 });
    await second.store.prepare();
    await waitFor(async () => (await count(db)) === 2500, { what: 'the replayed readings', timeoutMs: 30_000, intervalMs: 100 });
    await second.store.close();
    // Everything confirmed: nothing is left to replay.
    expect(await readdir(dir)).toEqual([]);
  });
});
