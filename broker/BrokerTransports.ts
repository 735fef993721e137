/**
 * How devices reach the broker: MQTT over TCP, over TLS and over WebSocket (an upgrade on the HTTP
 * port). Every connection is admitted at the door first (per-address connection limits and attempt
 * rate, ConnectionAdmission), then wrapped in the packet size guard and handed to Aedes. The
 * admission ticket and the client's address are kept per stream, for authenticate to read back.
 */
import type { IncomingMessage } from 'node:http';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Aedes } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import type { BrokerOptions } from './brokerEvents';
import { ConnectionAdmission, type AdmissionTicket } from './ConnectionAdmission';
import { listen } from './listen';
import { GuardedConnection, PacketTooLargeError } from './PacketSizeGuard';
import { refuseUpgrade } from './refuseUpgrade';

/** Client addresses whose connection attempt rate is remembered; a flood of new addresses evicts the oldest. */
const MAX_TRACKED_ADDRESSES = 10_000;

export type TransportOptions = Pick<BrokerOptions, 'maxPacketBytes' | 'limits' | 'budgets' | 'admitsWebSocketOrigin' | 'onRefusal'>;

/** `::ffff:10.0.0.5` and `10.0.0.5` are one host, whether it came in over TCP or WebSocket. */
function clientAddress(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

export class BrokerTransports {
  private readonly admission: ConnectionAdmission;
  /** The address each accepted stream came from, read back when its client authenticates. */
  private readonly streamAddresses = new WeakMap<Duplex, string>();
  /** Each accepted stream's place at the door, moved from its address to its booth when it authenticates. */
  private readonly tickets = new WeakMap<Duplex, AdmissionTicket>();
  private readonly tcpServers: NetServer[] = [];
  private readonly webSockets: WebSocketServer;

  constructor(
    private readonly aedes: Aedes,
    private readonly options: TransportOptions,
  ) {
    this.admission = new ConnectionAdmission({
      maxUnauthenticatedPerAddress: options.limits.maxConnectionsPerAddress,
      attemptsPerSecond: options.limits.connectionAttemptsPerSecond,
      attemptBurst: options.limits.connectionAttemptBurst,
      maxTrackedAddresses: MAX_TRACKED_ADDRESSES,
      maxConnectionsPerBooth: options.budgets.maxConnectionsPerBooth,
    });
    // ws assembles a whole message before the packet size guard sees a byte of it (its default
    // limit is 100 MiB), so a message is bounded here too. An MQTT client sends a packet as one
    // message or several smaller ones, so no legitimate message exceeds the packet limit.
    this.webSockets = new WebSocketServer({ noServer: true, clientTracking: true, maxPayload: options.maxPacketBytes });
  }

  /** The admission ticket of a stream Aedes is handling; undefined for one not accepted here. */
  ticketOf(stream: Duplex): AdmissionTicket | undefined {
    return this.tickets.get(stream);
  }

  /** The client address of a stream Aedes is handling (IPv4-mapped IPv6 unwrapped). */
  addressOf(stream: Duplex): string | undefined {
    return this.streamAddresses.get(stream);
  }

  /** Authenticated connections of `booth` counted against budgets.maxConnectionsPerBooth. */
  boothConnections(booth: string): number {
    return this.admission.connectionsOf(booth);
  }

  /** Listens for MQTT over TCP; resolves with the bound port (useful with port 0). */
  listenTcp(port: number, host: string): Promise<number> {
    return this.listenOn(port, host, (socket) => socket);
  }

  /**
   * Listens for MQTT over TLS. The handshake starts only once the connection is admitted, so a
   * refused client costs no handshake, and Aedes's connect timeout also ends one that never finishes.
   * The packet size guard reads the decrypted stream, as on TCP.
   */
  listenTls(port: number, host: string, secureContext: SecureContext): Promise<number> {
    return this.listenOn(port, host, (socket) => {
      const secure = new TLSSocket(socket, { isServer: true, secureContext });
      let established = false;
      secure.once('secure', () => (established = true));
      // A plain MQTT client on the TLS port, say: the usual mistake when moving a device to TLS.
      secure.once('error', () => {
        if (!established) this.options.onRefusal?.('tls-handshake-failed', {});
      });
      return secure;
    });
  }

  private listenOn(port: number, host: string, wrap: (socket: Socket) => Duplex): Promise<number> {
    const server = createServer((socket) => {
      const ticket = this.admit(socket.remoteAddress, socket);
      if (ticket) {
        socket.once('close', () => ticket.release());
        this.accept(wrap(socket), ticket, undefined, socket.remoteAddress);
      }
    });
    this.tcpServers.push(server);
    return listen(server, port, host);
  }

  /**
   * Serves one WebSocket upgrade request as an MQTT connection; the HTTP server routes upgrades on
   * the MQTT path here, beside socket.io on its own path.
   */
  handleWebSocketUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.options.admitsWebSocketOrigin && !this.options.admitsWebSocketOrigin(req.headers)) {
      this.options.onRefusal?.('origin-not-allowed', {});
      return refuseUpgrade(
        socket,
        403,
        "origin not allowed: MQTT over WebSocket is open to this server's own pages, ALLOWED_ORIGINS and clients that send no Origin",
      );
    }
    // Before the WebSocket handshake, so a refused client costs no more than a refused TCP one.
    const ticket = this.admit(req.socket.remoteAddress, socket);
    if (!ticket) return;
    socket.once('close', () => ticket.release());
    this.webSockets.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', (error: Error & { code?: string }) => {
        if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.options.onRefusal?.('packet-too-large', {});
      });
      const stream = createWebSocketStream(ws);
      this.accept(stream, ticket, req, req.socket.remoteAddress);
    });
  }

  /**
   * Ends the WebSocket connections and stops every listener accepting; resolves once the TCP and
   * TLS listeners' last connection has ended. A net.Server calls back from close() only then, so
   * the caller closes Aedes (which ends the devices' connections) before waiting on this.
   */
  stopAccepting(): Promise<void> {
    for (const ws of this.webSockets.clients) ws.terminate();
    this.webSockets.close();
    return Promise.all(this.tcpServers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))).then(() => undefined);
  }

  /** The connection's ticket, or undefined when it was refused and destroyed. */
  private admit(remoteAddress: string | undefined, socket: Duplex): AdmissionTicket | undefined {
    const admission = this.admission.admit(clientAddress(remoteAddress));
    if (admission.admitted) return admission.ticket;
    socket.destroy();
    this.options.onRefusal?.(admission.refusal, {});
    return undefined;
  }

  private accept(connection: Duplex, ticket: AdmissionTicket, req: IncomingMessage | undefined, remoteAddress: string | undefined): void {
    const guarded = new GuardedConnection(connection, this.options.maxPacketBytes, (error) => {
      this.options.onRefusal?.(error instanceof PacketTooLargeError ? 'packet-too-large' : 'malformed-packet', {});
    });
    const address = clientAddress(remoteAddress);
    if (address !== undefined) this.streamAddresses.set(guarded, address);
    this.tickets.set(guarded, ticket);
    // A guarded connection that is cut emits an error; Aedes reports it as a client error.
    guarded.on('error', () => undefined);
    this.aedes.handle(guarded, req);
  }
}
