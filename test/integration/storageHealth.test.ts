/**
 * A slow InfluxDB is visible (issue 13): with every write held for 1 s (a stalled disk, a remote
 * server over hall Wi-Fi), /api/health used to stay `ok` while only `pending` moved. Now the same
 * verdict shows in /api/health (with its reason), in the console's server view and in /metrics, and
 * turns back to `ok` once InfluxDB answers quickly again. Real influxd behind an HTTP relay that the
 * test slows down.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONSOLE_API, type ServerHealth } from '../../contract/console';
import { ConsoleClient, consoleYaml } from '../support/console';
import { describeWithInfluxd, startInfluxd, type InfluxdProcess } from '../support/influxd';
import type { PublicHealth } from '../support/publicApi';
import { BOOTH_A, connectDevice, getJson, startTestShowfloor, type TestShowfloor } from '../support/showfloor';
import { waitFor } from '../support/waitFor';

const STALL_MS = 1_000;

/** Forwards every request to influxd, holding each answer `delayMs` first: InfluxDB stalling per request. */
function slowRelay(targetUrl: string): { server: Server; url: () => string; delayMs: number } {
  const relay = {
    delayMs: 0,
    server: createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const forward = async () => {
          const answer = await fetch(`${targetUrl}${req.url ?? '/'}`, {
            method: req.method ?? 'GET',
            headers: Object.fromEntries(Object.entries(req.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
            ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
          });
          const body = Buffer.from(await answer.arrayBuffer());
          // The stall under test: InfluxDB takes this long to answer.
          if (relay.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, relay.delayMs));
          res.writeHead(answer.status, Object.fromEntries(answer.headers));
          res.end(body);
        };
        forward().catch(() => res.destroy());
      });
    }),
    url: () => `http://127.0.0.1:${(relay.server.address() as AddressInfo).port}`,
  };
  return relay;
}

describeWithInfluxd('storage health', () => {
  let influxd: InfluxdProcess;
  let relay: ReturnType<typeof slowRelay>;
  let showfloor: TestShowfloor;
  let device: MqttClient;
  let timer: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    influxd = await startInfluxd();
    relay = slowRelay(influxd.url);
    await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
    showfloor = await startTestShowfloor({
      influxUrl: relay.url(),
      database: 'health',
      yaml: `${consoleYaml()}influx:\n  flushIntervalMs: 200\nstorage:\n  degradedWriteRoundTripMs: 800\n`,
    });
    device = await connectDevice(showfloor.mqttUrl, BOOTH_A);
    let seq = 0;
    timer = setInterval(() => device.publish('booth/booth-a/env-1/telemetry', JSON.stringify({ seq: seq++ })), 50);
  });

  afterAll(async () => {
    clearInterval(timer);
    device?.end(true);
    await showfloor?.close();
    await new Promise((resolve) => relay?.server.close(resolve));
    relay?.server.closeAllConnections();
    await influxd?.dispose();
  });

  const health = async () => (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body;

  it(
    'turns degraded with its reason when every write stalls for 1 s, everywhere at once, and back to ok when InfluxDB recovers',
    { timeout: 90_000 },
    async () => {
      await waitFor(async () => (await health()).status === 'ok', { what: 'a healthy start', timeoutMs: 20_000, intervalMs: 200 });

      relay.delayMs = STALL_MS;
      const degraded = await waitFor(
        async () => {
          const body = await health();
          return body.status === 'degraded' && body;
        },
        { what: '/api/health to say degraded', timeoutMs: 30_000, intervalMs: 250 },
      );
      expect(degraded.degraded).toEqual([
        { reason: 'influx-slow', detail: expect.stringMatching(/^mean write round trip \d+ ms over the last 10 s \(threshold 800 ms\)$/) as unknown },
      ]);
      // InfluxDB is still reachable: only slow. The old rule (reachable or not) said ok here.
      expect(degraded.influxdb.reachable).toBe(true);

      const technician = new ConsoleClient(showfloor.httpUrl);
      expect((await technician.login()).status).toBe(204);
      const server = (await technician.get<ServerHealth>(CONSOLE_API.health)).body;
      expect(server.status).toBe('degraded');
      expect(server.degraded.map((d) => d.reason)).toEqual(['influx-slow']);
      const metrics = await (await fetch(`${showfloor.httpUrl}/metrics`)).text();
      expect(metrics).toMatch(/^showfloor_storage_degraded\{reason="influx-slow"\} 1$/m);
      expect(metrics).toMatch(/^showfloor_storage_degraded\{reason="storage-backlog"\} 0$/m);

      relay.delayMs = 0;
      const recovered = await waitFor(
        async () => {
          const body = await health();
          return body.status === 'ok' && body;
        },
        { what: '/api/health back to ok', timeoutMs: 40_000, intervalMs: 250 },
      );
      expect(recovered.degraded).toEqual([]);
      expect((await fetch(`${showfloor.httpUrl}/metrics`).then((r) => r.text())).match(/^showfloor_storage_degraded\{reason="influx-slow"\} (\d)$/m)?.[1]).toBe(
        '0',
      );
    },
  );
});
