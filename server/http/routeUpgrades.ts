/**
 * Dispatches WebSocket upgrades on the web port. socket.io's path is socket.io's: it answers
 * those itself and checks Host and Origin in its allowRequest. MQTT over WebSocket goes to the
 * broker once the Host is one this server answers to (the broker checks the Origin); any other
 * path is closed.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { refuseUpgrade } from '../../broker/refuseUpgrade';
import type { Logger } from '../logger';
import { MISDIRECTED, type HostPolicy } from './HostPolicy';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** engine.io claims every URL that starts with this, before any normalisation, and so do we. */
const SOCKET_IO_PREFIX = '/socket.io/';

export function routeUpgrades(
  server: HttpServer | HttpsServer,
  options: { hostPolicy: HostPolicy; mqttPath: string; mqtt: UpgradeHandler; log: Logger },
): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = req.url ?? '/';
    if (url.startsWith(SOCKET_IO_PREFIX)) return;
    if (pathnameOf(url) !== options.mqttPath) return void socket.destroy();
    if (!options.hostPolicy.admits(req.headers.host)) {
      options.log.info({ host: req.headers.host, client: req.socket.remoteAddress }, 'WebSocket upgrade refused: Host not in ALLOWED_HOSTS');
      return refuseUpgrade(socket, 421, MISDIRECTED);
    }
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
