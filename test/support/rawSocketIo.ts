/**
 * A socket.io client spoken by hand over a WebSocket (engine.io protocol 4), for what socket.io-client
 * will not do: connect from a chosen local address, send proxy headers, or stop reading. Resolves once
 * the namespace accepted it; rejects with the HTTP status and body when the handshake is refused.
 */
import WebSocket from 'ws';

export interface RawSocketIoOptions {
  localAddress?: string;
  /** Sent as X-Forwarded-For, as a reverse proxy would pass the client on. */
  forwardedFor?: string;
  /** After connecting it never reads again, like a stuck or hostile client. */
  stopReading?: boolean;
}

export function openRawSocketIo(port: number, options: RawSocketIoOptions = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`, {
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      ...(options.forwardedFor ? { headers: { 'x-forwarded-for': options.forwardedFor } } : {}),
    });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => reject(new Error(`${res.statusCode} ${body}`)));
    });
    ws.on('error', reject);
    ws.on('message', (data) => {
      // A text frame: engine.io's packets over the raw WebSocket.
      const text = (data as Buffer).toString();
      if (text.startsWith('0'))
        ws.send('40'); // engine.io open → socket.io CONNECT to the main namespace
      else if (text.startsWith('40')) {
        if (options.stopReading) ws.pause();
        resolve(ws);
      } else if (text.startsWith('44')) reject(new Error(`connect_error ${text}`));
    });
  });
}
