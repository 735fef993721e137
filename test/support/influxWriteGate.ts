/**
 * An HTTP relay in front of a test's influxd that answers writes 503 while `refuseWrites` is set (as
 * a proxy in front of a stopped InfluxDB does) and forwards everything else: a backlog builds in the
 * spool, and an earlier run's replay is held for as long as the test wants, while queries and pings
 * pass (the console's restore reads InfluxDB).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface InfluxWriteGate {
  server: Server;
  url: () => string;
  refuseWrites: boolean;
}

/** Headers of one hop, or that fetch() sets itself from the body it sends. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host', 'accept-encoding']);
/** Answer headers that no longer hold: fetch() has decoded the body. */
const DECODED_HEADERS = new Set([...HOP_HEADERS, 'content-encoding']);

/** Forwards every request to influxd; while `refuseWrites`, answers writes 503 without forwarding them. */
export function influxWriteGate(targetUrl: string): InfluxWriteGate {
  const gate = {
    refuseWrites: false,
    server: createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (gate.refuseWrites && (req.url ?? '').startsWith('/write')) {
          res.writeHead(503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'test: InfluxDB away' }));
          return;
        }
        const forward = async () => {
          const answer = await fetch(`${targetUrl}${req.url ?? '/'}`, {
            method: req.method ?? 'GET',
            headers: Object.fromEntries(
              Object.entries(req.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !HOP_HEADERS.has(entry[0])),
            ),
            ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
          });
          const body = Buffer.from(await answer.arrayBuffer());
          res.writeHead(answer.status, Object.fromEntries([...answer.headers].filter(([name]) => !DECODED_HEADERS.has(name))));
          res.end(body);
        };
        forward().catch(() => res.destroy());
      });
    }),
    url: () => `http://127.0.0.1:${(gate.server.address() as AddressInfo).port}`,
  };
  return gate;
}
