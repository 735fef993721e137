/**
 * The MQTT broker devices talk to: Aedes over TCP, over TLS and over WebSocket (/mqtt on the HTTP
 * port), with the booth contract enforced at the door (credentials, ACL, packet size, connection,
 * message, subscription and persistent-session limits). It hands every device publish and every closed connection to a sink; it knows
 * nothing of what comes after.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { TLSSocket, type SecureContext } from 'node:tls';
import type { Aedes, AuthenticateError, Client, ConnectPacket, PublishPacket, Subscription } from 'aedes';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { ID_PATTERN, boothTopicPrefix } from '../contract/device';
import { BoothPasswordVerifier } from './BoothPasswordVerifier';
import { clientIdOwner, ownsClientId } from './clientIdOwner';
import { ConnectionAdmission, type AdmissionTicket } from './ConnectionAdmission';
import { GatedAedes } from './GatedAedes';
import { listen } from './listen';
import { refuseUpgrade } from './refuseUpgrade';
import { GuardedConnection, PacketTooLargeError } from './PacketSizeGuard';
import { PlaceQuota } from './PlaceQuota';
import { SessionQueueBound, type OutgoingQueues } from './SessionQueueBound';
import { TokenBucketLimiter } from './TokenBucketLimiter';

export interface BoothCredentials {
  id: string;
  /** `scrypt$N=…,r=…,p=…$salt$key`, as written by `npm run hash-password`. */
  passwordHash: string;
}

export interface DevicePublish {
  booth: string;
  topic: string;
  payload: Buffer;
  clientId: string;
  /** Which connection sent it: unique for the broker's lifetime, unlike a client id that a reconnect reuses. */
  connectionId: number;
  /** True when the broker published this as the client's will after the connection was lost. */
  fromWill: boolean;
  /** For a will: whether the broker cut the connection because its keepalive ran out (else it was lost). */
  keepaliveTimedOut: boolean;
}

export type ConnectionCloseReason = 'disconnect' | 'keepalive-timeout' | 'connection-lost';

export interface ConnectionOpened {
  booth: string;
  clientId: string;
  connectionId: number;
  /** The client's address as the broker saw it (IPv4-mapped IPv6 unwrapped); null if unknown. */
  address: string | null;
}

export interface ConnectionClosed {
  booth: string;
  clientId: string;
  connectionId: number;
  /** Devices this connection published for: a gateway may speak for several. */
  devices: string[];
  reason: ConnectionCloseReason;
  /** The topic of the will the broker publishes for this close; null after a clean DISCONNECT or without a will. */
  willTopic: string | null;
}

export interface BrokerSink {
  devicePublish(message: DevicePublish): void;
  /** An authenticated connection was registered; optional so that sinks which only store need not care. */
  connectionOpened?(event: ConnectionOpened): void;
  connectionClosed(event: ConnectionClosed): void;
}

export type BrokerRefusal =
  | 'bad-credentials'
  | 'empty-client-id'
  | 'client-id-outside-booth'
  | 'publish-denied'
  | 'subscribe-denied'
  | 'too-many-subscriptions'
  | 'packet-too-large'
  | 'malformed-packet'
  | 'tls-handshake-failed'
  | 'invalid-topic'
  | 'retain-dropped'
  | 'too-many-connections'
  | 'origin-not-allowed'
  | 'connection-rate-limited'
  | 'rate-limited'
  | 'keepalive-refused'
  | 'too-many-inflight'
  | 'session-queue-full'
  | 'too-many-sessions'
  | 'client-id-too-long'
  | 'invalid-will-topic'
  | 'booth-connections-budget'
  | 'booth-rate-limited';

/** What a booth's own budgets refused; each is also reported as a BrokerRefusal (retained bytes as 'retain-dropped'). */
export type BoothBudgetRefusal = 'booth-connections-budget' | 'booth-rate-limited' | 'retained-bytes-budget';

/** Budgets of one booth as a whole, whatever addresses and devices its connections come from. */
export interface BoothBudgets {
  /** Authenticated connections one booth may hold at once; one more gets CONNACK 5. */
  maxConnectionsPerBooth: number;
  /** Publishes per second of all the booth's devices together (wills aside); the excess is dropped after PUBACK. */
  readingsPerSecondPerBooth: number;
  /** Bytes (topic and payload) of the booth's retained messages; past it the retain flag is dropped. */
  maxRetainedBytesPerBooth: number;
}

/** Per-client-address and per-device limits; every refusal they cause is reported through onRefusal. */
export interface BrokerLimits {
  /**
   * MQTT connections (TCP and WebSocket together) per client address that have not authenticated
   * yet; once authenticated, a connection counts against its booth's maxConnectionsPerBooth instead.
   */
  maxConnectionsPerAddress: number;
  /** New connections per second per client address, refilled continuously; one that authenticates gives its attempt back… */
  connectionAttemptsPerSecond: number;
  /** …with up to this many at once after a quiet spell. */
  connectionAttemptBurst: number;
  /** Publishes per second per device (booth + device id from the topic); the excess is dropped. */
  messagesPerSecondPerDevice: number;
  /** Longest keepalive a client may ask for, in seconds; keepalive 0 (none) is refused too. 0 turns the check off. */
  keepaliveLimitSeconds: number;
  /** QoS 2 publishes per connection awaiting PUBREL; one more closes the connection. */
  maxInflightQos2: number;
  /** Topic filters one connection may hold at once; past it SUBACK 0x80 for the extra filters. */
  maxSubscriptionsPerClient: number;
  /** QoS 1/2 messages kept for one persistent session (queued offline or unacknowledged); newer ones are dropped. */
  maxQueuedMessagesPerSession: number;
  /** Persistent sessions (`clean: false` client ids) per booth; a CONNECT that would open one more gets CONNACK 5. */
  maxPersistentSessionsPerBooth: number;
}

export interface BrokerOptions {
  booths: readonly BoothCredentials[];
  maxPacketBytes: number;
  /**
   * Retained messages live in broker memory for ever; past this many topics per booth the retain
   * flag is dropped (the message is still delivered), so device ids invented in a loop cannot grow it.
   */
  maxRetainedTopicsPerBooth: number;
  limits: BrokerLimits;
  budgets: BoothBudgets;
  /**
   * Whether a WebSocket upgrade's Origin may open MQTT over WebSocket. Browsers always send one, so
   * this is what stops a page on another site from connecting through a visitor's browser; devices
   * send none. Absent: every origin.
   */
  admitsWebSocketOrigin?: (headers: IncomingHttpHeaders) => boolean;
  sink: BrokerSink;
  /** Called for every refused connection, publish or subscription, so it can be counted and logged. */
  onRefusal?: (refusal: BrokerRefusal, detail: { clientId?: string; booth?: string; topic?: string }) => void;
  /** Called for every refusal of a booth's own budget, against that booth (besides onRefusal). */
  onBudgetRefusal?: (booth: string, refusal: BoothBudgetRefusal) => void;
}

/** How many device ids one connection may be associated with for presence; a gateway rarely has more. */
const MAX_DEVICES_PER_CONNECTION = 256;
/** Client addresses whose connection attempt rate is remembered; a flood of new addresses evicts the oldest. */
const MAX_TRACKED_ADDRESSES = 10_000;
/** Devices whose message rate is remembered: well above booths × live.maxDevicesPerBooth at any real show. */
const MAX_TRACKED_DEVICES = 100_000;
/**
 * Longest client id, in bytes. MQTT 3.1.1 only promises 23 and lets a server allow more
 * [MQTT-3.1.3-5]; ours are `{booth}-{device}…`, and 128 holds a booth id of 64 and a device id of 63
 * (ID_PATTERN), as much as AWS IoT and Azure IoT Hub allow a device. A longer id is refused with
 * CONNACK 2 [MQTT-3.1.3-9].
 */
export const MAX_CLIENT_ID_BYTES = 128;

/** `::ffff:10.0.0.5` and `10.0.0.5` are one host, whether it came in over TCP or WebSocket. */
function clientAddress(address: string | undefined): string | undefined {
  return address?.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/** The device id of a `booth/{booth}/{device}/…` topic, when it is a valid id. */
function deviceOf(topic: string): string | undefined {
  const device = topic.split('/')[2];
  return device !== undefined && ID_PATTERN.test(device) ? device : undefined;
}

/** Aedes marks a client closed before it publishes the will on its behalf. */
function isWill(client: Client): boolean {
  return client.closed;
}

interface ConnectionState {
  booth: string;
  connectionId: number;
  address: string | null;
  willTopic: string | null;
  devices: Set<string>;
  keepaliveTimedOut: boolean;
  /** Set once the close was reported; the state outlives the close so the will publish still finds it. */
  closed: boolean;
}

interface RetainedOfBooth {
  /** Bytes of each retained topic's message (topic and payload). */
  topics: Map<string, number>;
  bytes: number;
}

function authError(message: string, returnCode: number): AuthenticateError {
  const error = new Error(message) as AuthenticateError;
  error.returnCode = returnCode;
  return error;
}

export class ShowfloorBroker {
  private readonly passwords: BoothPasswordVerifier;
  private readonly boothIds: ReadonlySet<string>;
  /** Clients that sent an empty client id; Aedes has replaced it with a generated one by authenticate. */
  private readonly withEmptyClientId = new WeakSet<Client>();
  private readonly connections = new WeakMap<Client, ConnectionState>();
  /** The address each accepted stream came from, read back when its client authenticates. */
  private readonly streamAddresses = new WeakMap<Duplex, string>();
  /** Each accepted stream's place at the door, moved from its address to its booth when it authenticates. */
  private readonly tickets = new WeakMap<Duplex, AdmissionTicket>();
  /** Will topics from CONNECT packets, kept from preConnect until the client is authenticated. */
  private readonly willTopics = new WeakMap<Client, string>();
  private nextConnectionId = 1;
  /** Topics holding a retained message and their bytes, per booth; bounded by maxRetainedTopicsPerBooth and maxRetainedBytesPerBooth. */
  private readonly retained = new Map<string, RetainedOfBooth>();
  private readonly tcpServers: NetServer[] = [];
  private readonly webSockets: WebSocketServer;
  private readonly admission: ConnectionAdmission;
  private readonly deviceMessages: TokenBucketLimiter;
  private readonly boothMessages: TokenBucketLimiter;
  /** Keyed by connection; a connection leaves it when it closes (see authenticate). */
  private readonly subscriptions: PlaceQuota<Client>;
  /** Client ids with a persistent session, per booth; an id leaves when it connects with clean: true. */
  private readonly persistentSessions: PlaceQuota<string>;
  private readonly sessionQueues: SessionQueueBound;

  private constructor(
    readonly aedes: Aedes,
    private readonly options: BrokerOptions,
  ) {
    this.passwords = new BoothPasswordVerifier(options.booths);
    this.boothIds = new Set(options.booths.map((b) => b.id));
    this.admission = new ConnectionAdmission({
      maxUnauthenticatedPerAddress: options.limits.maxConnectionsPerAddress,
      attemptsPerSecond: options.limits.connectionAttemptsPerSecond,
      attemptBurst: options.limits.connectionAttemptBurst,
      maxTrackedAddresses: MAX_TRACKED_ADDRESSES,
      maxConnectionsPerBooth: options.budgets.maxConnectionsPerBooth,
    });
    // One second's worth of burst, so a device that batches its readings once a second is not cut.
    this.deviceMessages = new TokenBucketLimiter({
      ratePerSecond: options.limits.messagesPerSecondPerDevice,
      burst: options.limits.messagesPerSecondPerDevice,
      maxKeys: MAX_TRACKED_DEVICES,
    });
    // Keyed by authenticated booths only. One second's worth of burst, as for a device.
    this.boothMessages = new TokenBucketLimiter({
      ratePerSecond: options.budgets.readingsPerSecondPerBooth,
      burst: options.budgets.readingsPerSecondPerBooth,
      maxKeys: Math.max(1, options.booths.length),
    });
    this.subscriptions = new PlaceQuota(options.limits.maxSubscriptionsPerClient);
    this.persistentSessions = new PlaceQuota(options.limits.maxPersistentSessionsPerBooth);
    // Aedes creates its persistence in listen(), before any client can connect; a drop can come
    // thousands of times a second, like rate-limited.
    this.sessionQueues = new SessionQueueBound(options.limits.maxQueuedMessagesPerSession, (clientId) => {
      const booth = clientIdOwner(clientId, this.boothIds);
      this.options.onRefusal?.('session-queue-full', { clientId, ...(booth !== undefined ? { booth } : {}) });
    });
    this.sessionQueues.bind((aedes as Aedes & { persistence: OutgoingQueues }).persistence);
    // ws assembles a whole message before the packet size guard sees a byte of it (its default
    // limit is 100 MiB), so a message is bounded here too. An MQTT client sends a packet as one
    // message or several smaller ones, so no legitimate message exceeds the packet limit.
    this.webSockets = new WebSocketServer({ noServer: true, clientTracking: true, maxPayload: options.maxPacketBytes });
  }

  static async start(options: BrokerOptions): Promise<ShowfloorBroker> {
    // eslint-disable-next-line prefer-const -- the hooks below close over it before the broker exists
    let self: ShowfloorBroker | undefined;
    const aedes = await GatedAedes.startGated(
      {
        // MQTT 3.1.1 allows longer ids; ours are `{booth}-{device}-{suffix}`.
        maxClientsIdLength: 256,
        maxTopicLevels: 16,
        connectTimeout: 10_000,
        // Aedes answers a keepalive outside the limit with CONNACK 6 (see preConnect) and closes.
        keepaliveLimit: options.limits.keepaliveLimitSeconds,
        maxInflightInbound: options.limits.maxInflightQos2,
        preConnect: (client, packet, callback) => self!.preConnect(client, packet, callback),
        authenticate: (client, username, password, done) => self!.authenticate(client, username, password, done),
        authorizePublish: (client, packet, callback) => self!.authorizePublish(client, packet, callback),
        authorizeSubscribe: (client, subscription, callback) => self!.authorizeSubscribe(client, subscription, callback),
      },
      (packet, client) => self!.admitPublish(packet, client),
    );
    self = new ShowfloorBroker(aedes, options);
    self.watch();
    return self;
  }

  get connectedClients(): number {
    return this.aedes.connectedClients;
  }

  /** Connections whose subscriptions are being counted; none once they have all closed. */
  get clientsHoldingSubscriptions(): number {
    return this.subscriptions.trackedHolders;
  }

  /** Authenticated connections of `booth` counted against budgets.maxConnectionsPerBooth. */
  boothConnections(booth: string): number {
    return this.admission.connectionsOf(booth);
  }

  /** Persistent sessions of `booth` the broker keeps, connected or not. */
  persistentSessionCount(booth: string): number {
    return this.persistentSessions.heldBy(booth);
  }

  /** QoS 1/2 messages stored for the persistent session `clientId`. */
  queuedMessagesFor(clientId: string): number {
    return this.sessionQueues.queuedFor(clientId);
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

  async close(): Promise<void> {
    for (const ws of this.webSockets.clients) ws.terminate();
    this.webSockets.close();
    // A net.Server calls back from close() only once its last connection has ended, so the
    // listeners stop accepting first, Aedes then closes the devices' connections, and only then
    // is there anything to wait for. Waiting first hung shutdown while any device was connected.
    const listenersClosed = Promise.all(this.tcpServers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await listenersClosed;
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

  private preConnect(client: Client, packet: ConnectPacket, callback: (error: Error | null, ok: boolean) => void): void {
    // Refused in authenticate, the first hook whose error Aedes answers with a CONNACK code.
    if (packet.clientId === '') this.withEmptyClientId.add(client);
    if (packet.will) this.willTopics.set(client, packet.will.topic);
    // Aedes itself answers CONNACK 6 for this right after preConnect; it is only counted here.
    const keepaliveLimit = this.options.limits.keepaliveLimitSeconds;
    if (keepaliveLimit > 0 && (!packet.keepalive || packet.keepalive > keepaliveLimit)) {
      this.options.onRefusal?.('keepalive-refused', { clientId: packet.clientId });
    }
    callback(null, true);
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    done: (error: AuthenticateError | null, ok: boolean | null) => void,
  ): void {
    // Aedes would make up `aedes_<uuid>`, an id bound to no booth.
    if (this.withEmptyClientId.has(client)) {
      this.options.onRefusal?.('empty-client-id', {});
      return done(authError('a client id is required: {boothId}-{deviceId}', 2), false);
    }
    if (Buffer.byteLength(client.id) > MAX_CLIENT_ID_BYTES) {
      this.options.onRefusal?.('client-id-too-long', {});
      return done(authError(`a client id is at most ${MAX_CLIENT_ID_BYTES} bytes`, 2), false); // [MQTT-3.1.3-9]
    }
    // The will is published as a PUBLISH, whose topic name must not contain wildcards
    // [MQTT-3.3.2-2], [MQTT-4.7.1-1], nor be empty [MQTT-4.7.3-1]. Aedes checks that for a client's
    // own publishes, not for its will. CONNACK 5: this client may not publish that will.
    const willTopic = this.willTopics.get(client);
    if (willTopic !== undefined && (willTopic === '' || /[+#\0]/.test(willTopic))) {
      this.options.onRefusal?.('invalid-will-topic', { clientId: client.id });
      return done(authError('a will topic must be a topic name: no +, # or NUL, not empty', 5), false);
    }
    const boothName = username !== undefined && this.passwords.has(username) ? { booth: username } : {};
    const refuseCredentials = () => {
      this.options.onRefusal?.('bad-credentials', { clientId: client.id, ...boothName });
      done(authError('bad user name or password', 4), false);
    };
    // Without a user name nothing can be learnt about booth ids, so nothing needs hiding.
    if (username === undefined) return refuseCredentials();
    // Checked before the password because it is cheap, and before Aedes registers the client,
    // which is where a connection with the same id would be taken over. Asked of booths and
    // strangers alike, and an unknown user's password is checked as long as a booth's, so neither
    // the answer nor its delay says whether `username` is a booth.
    if (!ownsClientId(client.id, username, this.boothIds)) {
      this.options.onRefusal?.('client-id-outside-booth', { clientId: client.id, ...boothName });
      return done(authError(`client ids of booth ${username} start with "${username}-"`, 2), false);
    }
    this.passwords.verify(username, password ?? Buffer.alloc(0)).then(
      (ok) => {
        if (!ok) return refuseCredentials();
        // A connection without a ticket was accepted before admission existed: none in practice.
        const ticket = this.tickets.get(client.conn);
        if (ticket && !ticket.authenticated(username, this.isConnected(client.id))) {
          this.options.onRefusal?.('booth-connections-budget', { clientId: client.id, booth: username });
          this.options.onBudgetRefusal?.(username, 'booth-connections-budget');
          // CONNACK 5 as for too many sessions: the broker is fine, this booth may open no more
          // connections until one of its own closes.
          return done(authError(`booth ${username} has ${this.options.budgets.maxConnectionsPerBooth} connections open`, 5), false);
        }
        // Aedes has set `clean` from the CONNECT. A new persistent session past the booth's limit
        // is refused; a session that already exists always reconnects. CONNACK 5 (not authorized)
        // rather than 3 (server unavailable): the broker is fine, this credential may not open more
        // sessions until one ends, and it may still connect with clean: true.
        if (!client.clean && !this.persistentSessions.take(username, client.id)) {
          this.options.onRefusal?.('too-many-sessions', { clientId: client.id, booth: username });
          return done(
            authError(
              `booth ${username} has ${this.options.limits.maxPersistentSessionsPerBooth} persistent sessions: reconnect one, or connect with clean: true`,
              5,
            ),
            false,
          );
        }
        this.connections.set(client, {
          booth: username,
          connectionId: this.nextConnectionId++,
          address: this.streamAddresses.get(client.conn) ?? null,
          willTopic: this.willTopics.get(client) ?? null,
          devices: new Set(),
          keepaliveTimedOut: false,
          closed: false,
        });
        // The connection's close, not Aedes's clientDisconnect: a connection lost while a persistent
        // session's subscriptions are restored is never registered, so it is never reported.
        client.conn.once('close', () => this.subscriptions.forget(client));
        done(null, true);
      },
      () => done(authError('could not verify the password', 3), false), // CONNACK 3: server unavailable
    );
  }

  /** Whether a connection with this client id is registered now: a new one with the id takes it over. */
  private isConnected(clientId: string): boolean {
    // Aedes's registry of clients by id (a null-prototype object); not in its published typings.
    return (this.aedes as Aedes & { clients: Record<string, Client | undefined> }).clients[clientId] !== undefined;
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void): void {
    if (client === null) return callback(null); // the broker's own messages
    const state = this.connections.get(client);
    if (!state || !packet.topic.startsWith(boothTopicPrefix(state.booth))) {
      this.options.onRefusal?.('publish-denied', { clientId: client.id, ...(state ? { booth: state.booth } : {}), topic: packet.topic });
      // An error closes the connection: MQTT 3.1.1 has no negative acknowledgement for a publish.
      return callback(new Error(`publish to ${packet.topic} is outside the booth`));
    }
    callback(null);
  }

  /**
   * Called by GatedAedes for an authorized publish after Aedes has acknowledged it and before it
   * is retained or forwarded: a publish over the device's message budget reaches no subscriber
   * and no sink, and the device does not retry it. Wills are not limited. The retained-topic
   * count is kept here, not in authorizePublish, so it only counts messages that Aedes stores.
   */
  private admitPublish(packet: PublishPacket, client: Client): boolean {
    const state = this.connections.get(client);
    if (!state) return true; // authorizePublish lets no such client publish
    if (!isWill(client) && !(this.withinMessageRate(state, packet, client) && this.withinBoothRate(state, packet, client))) return false;
    if (packet.retain) this.limitRetained(state.booth, client.id, packet);
    return true;
  }

  private withinMessageRate(state: ConnectionState, packet: PublishPacket, client: Client): boolean {
    const device = deviceOf(packet.topic);
    const rateKey = device !== undefined ? `${state.booth}/${device}` : `${state.booth} ${client.id}`;
    if (this.deviceMessages.take(rateKey)) return true;
    this.options.onRefusal?.('rate-limited', { clientId: client.id, booth: state.booth, topic: packet.topic });
    return false;
  }

  /**
   * After the device's own budget: a booth spreading a flood over many device ids is cut here,
   * before routing, so what it costs other booths is the parse and the PUBACK and no more.
   */
  private withinBoothRate(state: ConnectionState, packet: PublishPacket, client: Client): boolean {
    if (this.boothMessages.take(state.booth)) return true;
    this.options.onRefusal?.('booth-rate-limited', { clientId: client.id, booth: state.booth, topic: packet.topic });
    this.options.onBudgetRefusal?.(state.booth, 'booth-rate-limited');
    return false;
  }

  retainedTopicCount(booth: string): number {
    return this.retained.get(booth)?.topics.size ?? 0;
  }

  /** Bytes (topic and payload) of the retained messages the broker keeps for `booth`. */
  retainedBytes(booth: string): number {
    return this.retained.get(booth)?.bytes ?? 0;
  }

  /**
   * Only status and meta are retained by contract, and only up to the per-booth limits of topics and
   * bytes. Past a limit the retain flag is dropped, so the message is still delivered and the retained
   * message it would have replaced stays, with its bytes.
   */
  private limitRetained(booth: string, clientId: string, packet: { topic: string; payload: string | Buffer; retain: boolean }): void {
    let retained = this.retained.get(booth);
    if (!retained) this.retained.set(booth, (retained = { topics: new Map(), bytes: 0 }));
    const parts = packet.topic.split('/');
    const retainable = parts.length === 4 && ID_PATTERN.test(parts[2] ?? '') && (parts[3] === 'status' || parts[3] === 'meta');
    const held = retained.topics.get(packet.topic);
    if (retainable && packet.payload.length === 0) {
      // An empty retained message clears the topic and gives its bytes back.
      if (held !== undefined) {
        retained.topics.delete(packet.topic);
        retained.bytes -= held;
      }
      return;
    }
    const bytes = Buffer.byteLength(packet.topic) + Buffer.byteLength(packet.payload);
    const fitsTopics = held !== undefined || retained.topics.size < this.options.maxRetainedTopicsPerBooth;
    const fitsBytes = retained.bytes - (held ?? 0) + bytes <= this.options.budgets.maxRetainedBytesPerBooth;
    if (retainable && fitsTopics && fitsBytes) {
      retained.topics.set(packet.topic, bytes);
      retained.bytes += bytes - (held ?? 0);
      return;
    }
    packet.retain = false;
    this.options.onRefusal?.('retain-dropped', { clientId, booth, topic: packet.topic });
    if (retainable && fitsTopics) this.options.onBudgetRefusal?.(booth, 'retained-bytes-budget');
  }

  private authorizeSubscribe(client: Client, subscription: Subscription, callback: (error: Error | null, subscription?: Subscription | null) => void): void {
    const state = this.connections.get(client);
    if (!state || !subscription.topic.startsWith(boothTopicPrefix(state.booth))) {
      this.options.onRefusal?.('subscribe-denied', { clientId: client.id, ...(state ? { booth: state.booth } : {}), topic: subscription.topic });
      return callback(null, null); // SUBACK 0x80 for this filter; the connection stays up
    }
    // Also called for each subscription of a persistent session restored at connect, so a
    // session cannot bring back more than the limit either.
    if (!this.subscriptions.take(client, subscription.topic)) {
      this.options.onRefusal?.('too-many-subscriptions', { clientId: client.id, booth: state.booth, topic: subscription.topic });
      return callback(null, null);
    }
    callback(null, subscription);
  }

  private watch(): void {
    this.aedes.on('publish', (packet, client) => {
      if (!client) return;
      const state = this.connections.get(client);
      if (!state) return;
      const device = deviceOf(packet.topic);
      if (device !== undefined && state.devices.size < MAX_DEVICES_PER_CONNECTION) state.devices.add(device);
      this.options.sink.devicePublish({
        booth: state.booth,
        topic: packet.topic,
        payload: packet.payload as Buffer,
        clientId: client.id,
        connectionId: state.connectionId,
        fromWill: isWill(client),
        keepaliveTimedOut: state.keepaliveTimedOut,
      });
    });
    // Emitted once Aedes has registered the client; a takeover closes the older connection first.
    this.aedes.on('client', (client) => {
      const state = this.connections.get(client);
      if (!state) return;
      // A clean connect ends the id's persistent session: Aedes has dropped its subscriptions by
      // now (registerClient comes after cleanSubscriptions) and empties its queue next.
      if (client.clean) this.persistentSessions.release(state.booth, [client.id]);
      this.options.sink.connectionOpened?.({ booth: state.booth, clientId: client.id, connectionId: state.connectionId, address: state.address });
    });
    // Aedes refuses wildcard, empty and too-deep publish topics itself and closes the connection;
    // the error is the only trace, so it is counted here.
    this.aedes.on('clientError', (client, error) => {
      const refusal = /is not allowed in PUBLISH|too many levels/.test(error.message)
        ? 'invalid-topic'
        : error.message.startsWith('maxInflightInbound exceeded')
          ? 'too-many-inflight'
          : undefined;
      if (!refusal) return;
      const state = this.connections.get(client);
      this.options.onRefusal?.(refusal, { clientId: client.id, ...(state ? { booth: state.booth } : {}) });
    });
    this.aedes.on('unsubscribe', (filters, client) => this.subscriptions.release(client, filters));
    this.aedes.on('keepaliveTimeout', (client) => {
      const state = this.connections.get(client);
      if (state) state.keepaliveTimedOut = true;
    });
    this.aedes.on('clientDisconnect', (client) => {
      const state = this.connections.get(client);
      if (!state || state.closed) return;
      // Not deleted: Aedes may publish the will after this event, and the will must still reach the sink.
      state.closed = true;
      const cleanly = (client as Client & { _disconnected?: boolean })._disconnected === true;
      this.options.sink.connectionClosed({
        booth: state.booth,
        clientId: client.id,
        connectionId: state.connectionId,
        devices: [...state.devices],
        reason: cleanly ? 'disconnect' : state.keepaliveTimedOut ? 'keepalive-timeout' : 'connection-lost',
        willTopic: cleanly ? null : state.willTopic,
      });
    });
  }
}
