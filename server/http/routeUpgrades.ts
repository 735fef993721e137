/**
 * Dispatches WebSocket upgrades on the web port. socket.io's path is socket.io's: it answers
 * those itself and checks the Origin in its allowRequest. MQTT over WebSocket goes to the
 * broker, which checks the Origin; any other path is closed.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** engine.io claims every URL that starts with this, before any normalisation, and so do we. */
const SOCKET_IO_PREFIX = '/socket.io/';

export function routeUpgrades(
  server: HttpServer | HttpsServer,
  options: { mqttPath: string; mqtt: UpgradeHandler },
): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '/';
    if (url.startsWith(SOCKET_IO_PREFIX)) return;
    if (pathnameOf(url) !== options.mqttPath) return void socket.destroy();
    options.mqtt(req, socket, head);
  });
}

/** undefined for a URL that cannot be parsed: a throw here would escape the event handler. */
function pathnameOf(url: string): string | undefined {
  try {
    return new URL(url, 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}
