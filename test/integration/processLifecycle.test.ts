/**
 * `npm start` as an operator meets it: it refuses bad or missing configuration with exit code 1 and
 * a message naming the setting, and on SIGTERM it flushes what it holds to InfluxDB and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import { freePorts } from '../support/ports';
import { BOOTH_A, connectDevice, getJson, testPasswordHash } from '../support/showfloor';
import { waitFor, waitForEvent } from '../support/waitFor';
import type { PublicHealth } from '../support/publicApi';

const MAIN = join(import.meta.dirname, '../../server/main.ts');
// Resolved here because the child runs in a temp directory, where `--import tsx` would not find it.
const TSX = import.meta.resolve('tsx');
let directory: string;

function startMain(env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', TSX, MAIN], {
    cwd: directory,
    env: { PATH: process.env.PATH ?? '', HTTP_HOST: '127.0.0.1', MQTT_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = waitForEvent<[number | null]>(child, 'exit', { timeoutMs: 30_000 }).then(([code]) => code);
  return { child, output: () => output, exited };
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'showfloor-main-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('npm start configuration checks', () => {
  it('refuses to start without booths and says how to add one', async () => {
    const run = startMain({ SHOWFLOOR_CONFIG: join(directory, 'missing.yaml') });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/booths: no booths are configured in .*missing\.yaml \(not found\)/);
    expect(run.output()).toContain('booths:\n  - id: hall-a-12');
  });

  it('stops with exit code 1 naming a bad environment variable', async () => {
    const run = startMain({ HTTP_PORT: 'eighty' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/environment: HTTP_PORT: /);
  });

  it('stops with exit code 1 naming the bad line of the YAML file', async () => {
    const path = join(directory, 'bad.yaml');
    await writeFile(path, 'booths:\n  - id: ok\n    name: OK\n    passwordHash: "scrypt$N=16$AAAA$AAAA"\n');
    const run = startMain({ SHOWFLOOR_CONFIG: path });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('booths[0].passwordHash: must look like scrypt$N=16384,r=8,p=1$<salt base64>$<key base64>');
  });

  it('stops with exit code 1 naming a TLS certificate file it cannot read', async () => {
    const path = join(directory, 'tls.yaml');
    const booth = `booths:\n  - id: ok\n    name: OK\n    passwordHash: ${JSON.stringify(testPasswordHash('a-long-random-secret'))}\n`;
    await writeFile(path, `${booth}tls:\n  certFile: certs/missing-cert.pem\n  keyFile: certs/missing-key.pem\n`);
    const run = startMain({ SHOWFLOOR_CONFIG: path });
    expect(await run.exited).toBe(1);
    // Relative to the YAML file's directory, not the working directory.
    expect(run.output()).toContain(`tls.yaml: tls.certFile: cannot read ${join(directory, 'certs/missing-cert.pem')}: ENOENT`);
  });

  it('refuses a plain password in the YAML file and says how to hash it', async () => {
    const path = join(directory, 'plain.yaml');
    await writeFile(path, 'booths:\n  - id: ok\n    name: OK\n    password: a-long-random-secret\n');
    const run = startMain({ SHOWFLOOR_CONFIG: path });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/booths\[0\]\.password: plain passwords are no longer accepted: run `npm run hash-password`/);
  });
});

describeWithInfluxd('npm start shutdown', () => {
  let influxd: InfluxdProcess;
  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterAll(async () => {
    await influxd?.dispose();
  });

  it('on SIGTERM flushes buffered readings to InfluxDB and exits 0', async () => {
    const path = join(directory, 'showfloor.yaml');
    await writeFile(
      path,
      `booths:\n  - id: ${BOOTH_A.id}\n    name: A\n    passwordHash: "${testPasswordHash(BOOTH_A.password)}"\ninflux:\n  flushIntervalMs: 60000\n`,
    );
    const [httpPort, mqttPort] = (await freePorts(2)) as [number, number];
    const run = startMain({
      SHOWFLOOR_CONFIG: path,
      HTTP_PORT: String(httpPort),
      MQTT_PORT: String(mqttPort),
      INFLUX_URL: influxd.url,
      INFLUX_API: 'v1',
      INFLUX_BUCKET: 'lifecycle',
      LOG_LEVEL: 'info',
    });
    await waitFor(() => run.output().includes('Showfloor is running'), { what: 'the server to start', timeoutMs: 20_000 });
    const device = await connectDevice(`mqtt://127.0.0.1:${mqttPort}`, BOOTH_A);
    const base = Date.now() - 60_000;
    for (let i = 0; i < 500; i++) device.publish('booth/booth-a/flush-01/telemetry', JSON.stringify({ n: i, ts: base + i }), { qos: 1 });
    await waitFor(async () => (await getJson<PublicHealth>(`http://127.0.0.1:${httpPort}/api/health`)).body.counters.accepted === 500, {
      what: '500 readings accepted',
    });
    // With a 60 s flush interval every one of them is still buffered in the server, with the
    // device's presence change (online, connect) that goes to device_status on the same path, and
    // its identity (device_meta: its metrics in first-seen order, written when they change).
    expect((await getJson<PublicHealth>(`http://127.0.0.1:${httpPort}/api/health`)).body.counters.pending).toBe(502);
    device.end(true);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const [row] = await influxd.queryRows(`SELECT count("n") FROM "telemetry" WHERE "device" = 'flush-01'`, 'lifecycle');
    expect(row?.count).toBe(500);
  });
});
