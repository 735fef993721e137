/**
 * A TCP relay between a browser and the server whose link a test can cut and restore: a network
 * drop on the wall's side, while the server and its devices carry on.
 */
import { connect, createServer, type Socket } from 'node:net';
import { once } from 'node:events';

export interface TcpProxy {
  readonly port: number;
  readonly url: string;
  /** Drops every open connection and refuses new ones until `restore()`. */
  cut(): void;
  /**
   * Stops forwarding on every open connection without closing anything, as after a power cut or a
   * cable pulled somewhere in between: each side hears nothing more, and a side that gives up and
   * closes is not passed on. Only a keepalive can notice.
   */
  blackHole(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, host = '127.0.0.1'): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  let down = false;
  let silent = false;
  const server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.on('close', () => {
      pairs.delete(pair);
      if (!silent) upstream.destroy();
    });
    upstream.on('close', () => {
      pairs.delete(pair);
      if (!silent) client.destroy();
    });
  });
  server.listen(0, host);
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const dropAll = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    port,
    url: `http://${host}:${port}`,
    cut: () => {
      down = true;
      dropAll();
    },
    restore: () => {
      down = false;
    },
    blackHole: () => {
      silent = true;
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        // Read and discard, so nothing either side sends gets through later either.
        client.on('data', () => undefined);
        upstream.on('data', () => undefined);
      }
    },
    close: async () => {
      dropAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
