/**
 * The InfluxDB 2.x wire contract, checked against a local HTTP server (no 2.x server can run
 * here), plus v1 paths, line-protocol safety and the write outcome counters.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { InfluxStore, isLoopback, type InfluxTarget } from '../../server/store/InfluxStore';
import { safeTagValue, telemetryLine } from '../../server/store/telemetryLine';
import { StoreCounters } from '../../server/store/StoreCounters';
import { waitFor } from '../support/waitFor';

interface Captured {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const log = pino({ level: 'silent' });
const tuning = { batchSize: 5000, flushIntervalMs: 50, maxBufferLines: 100_000, maxRetryTimeMs: 60_000 };
let server: Server | undefined;

async function fakeInflux(answer: (req: Captured) => number = () => 204): Promise<{ url: string; requests: Captured[] }> {
  const requests: Captured[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
      const captured = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(captured);
      const status = answer(captured);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(status >= 400 ? JSON.stringify({ code: 'invalid', message: 'refused by test' }) : undefined);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, requests };
}

afterEach(async () => {
  // Requests a test left hanging (a server that never answers) must not keep the server open.
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

function store(target: Partial<InfluxTarget> & { url: string }, counters = new StoreCounters(), gzip?: boolean): InfluxStore {
  return new InfluxStore(
    { api: 'v2', token: 'secret-token', org: 'expo org', bucket: 'showfloor', ...target },
    gzip === undefined ? tuning : { ...tuning, gzip },
    counters,
    log,
  );
}

const writes = (requests: Captured[]) => requests.filter((r) => r.method === 'POST' && r.url.includes('write'));

describe('InfluxStore wire contract', () => {
  it('v2: POST /api/v2/write with org, bucket, ms precision, token auth and gzip', async () => {
    const influx = await fakeInflux();
    // gzip is for an InfluxDB elsewhere; the fake one is on loopback, so it is asked for.
    const s = store({ url: influx.url }, new StoreCounters(), true);
    for (let i = 0; i < 100; i++)
      s.write({ booth: 'b1', device: 'env-01', kind: 'env-sensor', ts: 1763700000000 + i, values: { temperature: 20 + i / 10, door: i % 2 === 0 } });
    await s.close();
    const [request] = writes(influx.requests);
    expect(request).toBeDefined();
    const url = new URL(request!.url, 'http://x');
    expect(url.pathname).toBe('/api/v2/write');
    expect(Object.fromEntries(url.searchParams)).toEqual({ org: 'expo org', bucket: 'showfloor', precision: 'ms' });
    expect(request!.headers.authorization).toBe('Token secret-token');
    expect(request!.headers['content-encoding']).toBe('gzip');
    expect(request!.headers['content-type']).toMatch(/^text\/plain/);
    const lines = request!.body.split('\n');
    expect(lines).toHaveLength(100);
    expect(lines[0]).toBe('telemetry,booth=b1,device=env-01,kind=env-sensor temperature=20,door=1 1763700000000');
    expect(lines[1]).toBe('telemetry,booth=b1,device=env-01,kind=env-sensor temperature=20.1,door=0 1763700000001');
  });

  it('does not gzip for an InfluxDB on this machine (loopback), where it would only cost CPU', async () => {
    const influx = await fakeInflux();
    const s = store({ url: influx.url.replace('127.0.0.1', 'localhost') });
    for (let i = 0; i < 100; i++) s.write({ booth: 'b1', device: 'env-01', kind: 'env-sensor', ts: 1763700000000 + i, values: { temperature: 20 } });
    await s.close();
    const [request] = writes(influx.requests);
    expect(request!.headers['content-encoding']).toBeUndefined();
    expect(request!.body.split('\n')).toHaveLength(100);
    expect(isLoopback('http://127.0.0.1:8086')).toBe(true);
    expect(isLoopback('http://[::1]:8086')).toBe(true);
    expect(isLoopback('https://eu-central-1-1.aws.cloud2.influxdata.com')).toBe(false);
    expect(isLoopback('http://10.0.0.5:8086')).toBe(false);
  });

  it('v1: POST /write?db=&rp=&precision=ms for "db/rp"', async () => {
    const influx = await fakeInflux();
    const s = store({ url: influx.url, api: 'v1', bucket: 'expo/two_weeks', token: '' });
    s.write({ booth: 'b1', device: 'd', kind: undefined, ts: 1763700000000, values: { a: 1 } });
    await s.close();
    const url = new URL(writes(influx.requests)[0]!.url, 'http://x');
    expect(url.pathname).toBe('/write');
    expect(Object.fromEntries(url.searchParams)).toEqual({ db: 'expo', rp: 'two_weeks', precision: 'ms' });
    expect(writes(influx.requests)[0]!.body).toBe('telemetry,booth=b1,device=d,kind=unknown a=1 1763700000000');
  });

  it('reads history with InfluxQL on /query with db, rp and epoch=ms', async () => {
    const influx = await fakeInflux(() => 200);
    const s = store({ url: influx.url, api: 'v1', bucket: 'expo/rp1' });
    await s.query('SELECT 1').catch(() => undefined);
    const url = new URL(influx.requests[0]!.url, 'http://x');
    expect(url.pathname).toBe('/query');
    expect(Object.fromEntries(url.searchParams)).toEqual({ db: 'expo', rp: 'rp1', epoch: 'ms', q: 'SELECT 1' });
    await s.close();
  });

  it('counts a refused batch (400) as dropped and a retried one (503) as written once accepted', async () => {
    let fail = 2;
    const influx = await fakeInflux((req) => (req.body.includes('device=refused') ? 400 : fail-- > 0 ? 503 : 204));
    const counters = new StoreCounters();
    const s = store({ url: influx.url }, counters);
    s.write({ booth: 'b1', device: 'refused', kind: 'x', ts: 1763700000000, values: { a: 1 } });
    await waitFor(() => counters.dropped === 1, { what: 'the 400 batch to be dropped', timeoutMs: 5000 });
    s.write({ booth: 'b1', device: 'ok', kind: 'x', ts: 1763700000000, values: { a: 1 } });
    await waitFor(() => counters.written === 1, { what: 'the 503 batch to be retried and written', timeoutMs: 10_000 });
    expect(counters.writeFailures).toBe(3);
    expect(counters.pendingLines()).toBe(0);
    expect(s.lastError).toBeNull();
    await s.close();
  });

  it('holds at most maxBufferLines pending when InfluxDB does not answer, dropping and counting the rest', async () => {
    // A server that accepts requests and never answers: batches stay in flight.
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const counters = new StoreCounters();
    const s = new InfluxStore(
      { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, api: 'v2', token: 't', org: 'o', bucket: 'b' },
      { batchSize: 100, flushIntervalMs: 50, maxBufferLines: 1000, maxRetryTimeMs: 60_000 },
      counters,
      log,
    );
    for (let i = 0; i < 5000; i++) {
      s.write({ booth: 'b1', device: 'd', kind: 'k', ts: 1763700000000 + i, values: { a: i } });
      expect(counters.pendingLines()).toBeLessThanOrEqual(1000);
    }
    expect(counters.pendingLines()).toBe(1000);
    expect(counters.dropped).toBe(4000);
    await s.close(100);
  });

  it('describes itself without credentials', () => {
    const s = store({ url: 'http://user:pass@influx.local:8086/' });
    expect(s.describe()).toEqual({ url: 'http://influx.local:8086', api: 'v2', bucket: 'showfloor' });
    void s.close(10);
  });
});

describe('line-protocol safety', () => {
  it('writes every number as a float InfluxDB parses, booleans as 0/1, and skips what cannot be stored', () => {
    expect(telemetryLine({ booth: 'b', device: 'd', kind: undefined, ts: 5.9, values: { a: 1e21, b: 1e-7, c: -0, d: true, e: false, f: NaN } })).toBe(
      'telemetry,booth=b,device=d,kind=unknown a=1e+21,b=1e-7,c=0,d=1,e=0 5',
    );
    expect(telemetryLine({ booth: 'b', device: 'd', kind: 'k', ts: 1, values: { 'bad key': 1 } })).toBeNull();
  });

  it.each([
    ['a,b', 'a_b'],
    ['a=b', 'a_b'],
    ['a b', 'a_b'],
    ['a\\', 'a_'],
    ['a\nb', 'a_b'],
    ['温度传感器', '_____'],
    ['env-sensor.v2', 'env-sensor.v2'],
    ['', 'unknown'],
  ])('tag value %j becomes %j', (input, output) => {
    expect(safeTagValue(input)).toBe(output);
  });

  it('a hostile device kind cannot break or inject a line', async () => {
    const influx = await fakeInflux();
    const s = store({ url: influx.url });
    s.write({ booth: 'b1', device: 'd', kind: 'x\\,evil=1 field=2\ntelemetry,booth=b2 a=1', ts: 1763700000000, values: { a: 1 } });
    await s.close();
    const body = writes(influx.requests)[0]!.body;
    expect(body.split('\n')).toHaveLength(1);
    expect(body).toMatch(/^telemetry,booth=b1,device=d,kind=[A-Za-z0-9_.-]+ a=1 1763700000000$/);
  });
});
