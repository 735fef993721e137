import { freePorts } from '../../server/net/freePorts';

// One implementation for the demo and the tests; server code cannot import from test/.
export { freePorts };

/**
 * Asks the kernel for a port that is free on `host` right now. The port is
 * released before returning, so another process could in theory take it
 * before the caller binds; callers that spawn servers should retry on
 * EADDRINUSE rather than assume the port is theirs.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await freePorts(1, host);
  return port!;
}
