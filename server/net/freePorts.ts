import { createServer, type Server } from 'node:net';

/**
 * Several distinct ports that are free on `host` right now. All listeners are
 * held open until every port is known, because closing one before asking for
 * the next lets the kernel hand out the same number twice. The ports are
 * released before returning, so another process can still take one before the
 * caller binds it; callers that spawn servers should retry on EADDRINUSE.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let index = 0; index < count; index++) {
      const server = createServer();
      servers.push(server);
      ports.push(await listenOnEphemeralPort(server, host));
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => closeServer(server)));
  }
}

function listenOnEphemeralPort(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error(`unexpected listen address ${String(address)} on ${host}`));
        return;
      }
      resolve(address.port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => server.close(() => resolve()));
}
