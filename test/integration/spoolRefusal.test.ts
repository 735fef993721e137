/**
 * A partial write (HTTP 400) in spool mode: InfluxDB refuses the lines of devices past its
 * max-values-per-tag; the spool stores the rest, counts each refused line once, confirms the batch
 * and moves on instead of resending it for ever.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InfluxStore } from '../../server/store/InfluxStore';
import { StoreCounters } from '../../server/store/StoreCounters';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { waitFor } from '../support/waitFor';
import { gunzipSync } from 'node:zlib';

const MAX_VALUES_PER_TAG = 5;

/** Forwards to influxd, except writes carrying `device=big`: those get 413, as from a proxy's body limit. */
function bodyLimitProxy(targetUrl: string): { server: Server; url: () => string; refusedWrites: number } {
  const proxy = {
    refusedWrites: 0,
    server: createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
        if (req.url?.startsWith('/write') && text.includes('device=big')) {
          proxy.refusedWrites++;
          res.writeHead(413, { 'content-type': 'text/plain' });
          res.end('Request Entity Too Large');
          return;
        }
        const forward = async () => {
          const answer = await fetch(`${targetUrl}${req.url ?? '/'}`, {
            method: req.method ?? 'GET',
            // The body is sent whole: the client's chunked framing does not carry over.
            headers: Object.fromEntries(
              Object.entries(req.headers).filter(
                (entry): entry is [string, string] =>
                  typeof entry[1] === 'string' && !['transfer-encoding', 'connection', 'host', 'content-length'].includes(entry[0]),
              ),
            ),
            ...(raw.length > 0 ? { body: raw } : {}),
          });
          const body = Buffer.from(await answer.arrayBuffer());
          // fetch has already decoded the body: its encoding and length no longer hold.
          const headers = Object.fromEntries([...answer.headers].filter(([name]) => name !== 'content-encoding' && name !== 'content-length'));
          res.writeHead(answer.status, headers);
          res.end(body);
        };
        forward().catch(() => res.destroy());
      });
    }),
    url: () => `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`,
  };
  return proxy;
}
const DB = 'refused';

describeWithInfluxd('spool and partial writes', () => {
  let influxd: InfluxdProcess;
  let dir: string;

  beforeAll(async () => {
    influxd = await startInfluxd({ dataSettings: { 'max-values-per-tag': MAX_VALUES_PER_TAG } });
    dir = await mkdtemp(join(tmpdir(), 'showfloor-spool-refused-'));
  });
  afterAll(async () => {
    await influxd?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores the lines InfluxDB takes, counts the refused ones once and confirms the batch', { timeout: 60_000 }, async () => {
    const counters = new StoreCounters();
    const store = new InfluxStore(
      { url: influxd.url, api: 'v1', token: '', org: '', bucket: DB },
      { batchSize: 5000, flushIntervalMs: 50, maxBufferLines: 100_000, maxRetryTimeMs: 60_000 },
      counters,
      pino({ level: 'silent' }),
      null,
      null,
      { dir, syncIntervalMs: 5, maxBytes: 64 * 1024 * 1024 },
    );
    try {
      await store.prepare();
      const t0 = Date.now() - 3600_000;
      const devices = 8;
      const perDevice = 50;
      const write = (seq: number, d: number) => store.write({ booth: 'b', device: `d${d}`, kind: 'k', ts: t0 + seq, values: { seq } });
      // influxd 1.6 checks the limit against the series it already has, not within one batch: the
      // first devices are stored first.
      for (let d = 0; d < MAX_VALUES_PER_TAG; d++) write(0, d);
      await waitFor(() => store.spoolHealth(Date.now())?.unsentReadings === 0, { what: 'the first devices stored' });
      for (let seq = 1; seq < perDevice; seq++) for (let d = 0; d < devices; d++) write(seq, d);
      await waitFor(() => store.spoolHealth(Date.now())?.unsentReadings === 0, { what: 'the batch to be settled and confirmed', timeoutMs: 30_000 });
      const refused = (devices - MAX_VALUES_PER_TAG) * (perDevice - 1);
      expect(counters.refused.get('max-values-per-tag')).toBe(refused);
      expect(counters).toMatchObject({ accepted: MAX_VALUES_PER_TAG + devices * (perDevice - 1), written: MAX_VALUES_PER_TAG * perDevice, dropped: refused });
      const [row] = await influxd.queryRows(`SELECT count("seq") FROM "telemetry"`, DB);
      expect(row?.count).toBe(MAX_VALUES_PER_TAG * perDevice);
      expect(store.recentRefusals.length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
  });

  it('counts a batch refused whole (413 from a proxy) as dropped, confirms it, and goes on with the next', { timeout: 60_000 }, async () => {
    const proxy = bodyLimitProxy(influxd.url);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    const db = 'toolarge';
    const counters = new StoreCounters();
    const store = new InfluxStore(
      { url: proxy.url(), api: 'v1', token: '', org: '', bucket: db },
      { batchSize: 5000, flushIntervalMs: 50, maxBufferLines: 100_000, maxRetryTimeMs: 60_000 },
      counters,
      pino({ level: 'silent' }),
      null,
      null,
      { dir: join(dir, 'too-large'), syncIntervalMs: 5, maxBytes: 64 * 1024 * 1024 },
    );
    try {
      await store.prepare();
      const t0 = Date.now() - 3600_000;
      for (let seq = 0; seq < 100; seq++) store.write({ booth: 'b', device: 'big', kind: 'k', ts: t0 + seq, values: { seq } });
      await waitFor(() => store.spoolHealth(Date.now())?.unsentReadings === 0, { what: 'the refused batch to be confirmed', timeoutMs: 30_000 });
      expect(proxy.refusedWrites).toBe(1);
      for (let seq = 0; seq < 50; seq++) store.write({ booth: 'b', device: 'ok', kind: 'k', ts: t0 + seq, values: { seq } });
      await waitFor(() => counters.pendingLines() === 0, { what: 'the next readings stored', timeoutMs: 30_000 });
      expect(counters).toMatchObject({ accepted: 150, written: 50, dropped: 100 });
      expect(counters.refused.get('refused')).toBe(100);
      expect(store.recentRefusals.at(-1)?.detail).toMatch(/^HTTP 413/);
      const [row] = await influxd.queryRows(`SELECT count("seq") FROM "telemetry"`, db);
      expect(row?.count).toBe(50);
    } finally {
      await store.close();
      await new Promise((resolve) => proxy.server.close(resolve));
    }
  });
});
