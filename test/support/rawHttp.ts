/**
 * HTTP requests and WebSocket upgrades with headers fetch() will not send (Host) and with a CA
 * for servers whose certificate a test made: node:http(s) and ws, nothing in between.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { WebSocket } from 'ws';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequestOptions {
  headers?: Record<string, string>;
  /** PEM of the CA that signed the server's certificate, for https:// and wss:// URLs. */
  ca?: string | Buffer;
}

export function rawGet(url: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  return rawRequest('GET', url, options);
}

export function rawRequest(method: string, url: string, { headers = {}, ca, body }: RawRequestOptions & { body?: string } = {}): Promise<RawResponse> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, ...(ca ? { ca } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export type UpgradeOutcome = { outcome: 'open' } | { outcome: 'refused'; status: number; body: string } | { outcome: 'closed'; error: string };

/** Opens a WebSocket and reports whether the upgrade succeeded, was answered with an HTTP error, or was cut. */
export function tryWebSocket(url: string, { headers = {}, ca }: RawRequestOptions = {}): Promise<UpgradeOutcome> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, ['mqtt'], { headers, ...(ca ? { ca } : {}) });
    ws.on('open', () => {
      ws.terminate();
      resolve({ outcome: 'open' });
    });
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ outcome: 'refused', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        ws.terminate();
      });
    });
    ws.on('error', (error) => resolve({ outcome: 'closed', error: error.message }));
  });
}
