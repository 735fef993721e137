/**
 * The MQTT broker devices talk to: Aedes with the booth contract enforced at its hooks
 * (credentials, client ids, wills, ACL, subscription and persistent-session limits) and a device's
 * publish run through the steps of publishPipeline.ts. How devices reach it (TCP, TLS, WebSocket,
 * admission, packet size) is BrokerTransports.ts; what it reports (the sink's events, refusals)
 * and its options are brokerEvents.ts. It hands every device publish and every closed connection
 * to a sink; it knows nothing of what comes after.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import type { Aedes, AedesPublishPacket, AuthenticateError, Client, ConnectPacket, PublishPacket, Subscription } from 'aedes';
import type { BoothCommands } from '../server/adapters/DeviceAdapter';
import { MOUNT_LEVELS, boothOfSessionKey, mountName, sessionKey, unmountTopic } from './BoothMount';
import { BoothPasswordVerifier } from './BoothPasswordVerifier';
import { AcknowledgementHold } from './AcknowledgementHold';
import type { BrokerOptions } from './brokerEvents';
import { BrokerTransports } from './BrokerTransports';
import { GatedAedes } from './GatedAedes';
import { PlaceQuota } from './PlaceQuota';
import { runPublishSteps, type ConnectionState, type InFlightPublish, type PublishMoment, type PublishServices } from './publishPipeline';
import { RetainedLedger } from './RetainedLedger';
import { SessionQueueBound, type OutgoingQueues } from './SessionQueueBound';
import { TokenBucketLimiter } from './TokenBucketLimiter';

/** Devices whose message rate is remembered: well above booths × live.maxDevicesPerBooth at any real show. */
const MAX_TRACKED_DEVICES = 100_000;
/**
 * Longest client id, in bytes. MQTT 3.1.1 only promises 23 and lets a server allow more
 * [MQTT-3.1.3-5]; 128 holds a native `{booth}-{device}` id (64 + 63, ID_PATTERN) and any stock
 * firmware's, as much as AWS IoT and Azure IoT Hub allow a device. A longer id is refused with
 * CONNACK 2 [MQTT-3.1.3-9].
 */
export const MAX_CLIENT_ID_BYTES = 128;

/** Levels of a device's own topic; the mount adds MOUNT_LEVELS in front of a foreign one. */
const MAX_DEVICE_TOPIC_LEVELS = 16;

/** What Aedes keeps of a client beyond its published typings: its subscriptions by (mounted) filter, and its packet parser. */
interface AedesClientInternals {
  subscriptions?: Record<string, { qos: number } | undefined>;
  _parser?: { prependListener(event: 'packet', listener: (packet: { cmd: string; unsubscriptions?: string[] }) => void): void };
}

/**
 * On a publish whose `admit` and `published` steps ran at `authorize` (QoS 0 and 1, see
 * authorizePublish): the verdict, which the gate applies when Aedes publishes the same packet
 * object. A property of the packet rather than a WeakMap entry: two WeakMap operations per reading
 * were a measurable share of the broker's CPU and garbage collection at 20,000 readings/s.
 */
const DECIDED_AT_AUTHORIZE = Symbol('decidedAtAuthorize');
type DecidedPacket = PublishPacket & { [DECIDED_AT_AUTHORIZE]?: boolean };

/** Aedes marks a client closed before it publishes the will on its behalf. */
function isWill(client: Client): boolean {
  return client.closed;
}

function authError(message: string, returnCode: number): AuthenticateError {
  const error = new Error(message) as AuthenticateError;
  error.returnCode = returnCode;
  return error;
}

export class ShowfloorBroker implements BoothCommands {
  private readonly passwords: BoothPasswordVerifier;
  private readonly boothIds: ReadonlySet<string>;
  /** Clients that sent an empty client id; Aedes has replaced it with a generated one by authenticate. */
  private readonly withEmptyClientId = new WeakSet<Client>();
  private readonly connections = new WeakMap<Client, ConnectionState>();
  /**
   * Wills from CONNECT packets, kept from preConnect until the client is authenticated. The same
   * object is Aedes's `client._will`, which its storeWill step (after authenticate) persists and
   * publishes on a lost connection, so mounting its topic here mounts the will everywhere.
   */
  private readonly wills = new WeakMap<Client, { topic: string }>();
  private nextConnectionId = 1;
  private readonly transports: BrokerTransports;
  /** Topics holding a retained message and their bytes, per booth; bounded by maxRetainedTopicsPerBooth and maxRetainedBytesPerBooth. */
  private readonly retained: RetainedLedger;
  /** What the publish steps use; one object for the broker's lifetime. */
  private readonly publishServices: PublishServices;
  /** Keyed by connection; a connection leaves it when it closes (see authenticate). */
  private readonly subscriptions: PlaceQuota<Client>;
  /** Client ids with a persistent session, per booth; an id leaves when it connects with clean: true. */
  private readonly persistentSessions: PlaceQuota<string>;
  private readonly sessionQueues: SessionQueueBound;
  /**
   * PUBACK and PUBREC wait here for the sink's durable(). A rejection is the store's disk error,
   * which the store counts as lost readings; the device is acknowledged anyway.
   */
  private readonly acknowledgements = new AcknowledgementHold<Client>(() => undefined);

  private constructor(
    readonly aedes: Aedes,
    private readonly options: BrokerOptions,
  ) {
    this.passwords = new BoothPasswordVerifier(options.booths);
    this.boothIds = new Set(options.booths.map((b) => b.id));
    this.transports = new BrokerTransports(aedes, options);
    this.retained = new RetainedLedger({
      maxTopicsPerBooth: options.maxRetainedTopicsPerBooth,
      maxBytesPerBooth: options.budgets.maxRetainedBytesPerBooth,
    });
    this.publishServices = {
      // One second's worth of burst, so a device that batches its readings once a second is not cut.
      deviceMessages: new TokenBucketLimiter({
        ratePerSecond: options.limits.messagesPerSecondPerDevice,
        burst: options.limits.messagesPerSecondPerDevice,
        maxKeys: MAX_TRACKED_DEVICES,
      }),
      // Keyed by authenticated booths only. One second's worth of burst, as for a device.
      boothMessages: new TokenBucketLimiter({
        ratePerSecond: options.budgets.readingsPerSecondPerBooth,
        burst: options.budgets.readingsPerSecondPerBooth,
        maxKeys: Math.max(1, options.booths.length),
      }),
      retained: this.retained,
      sink: options.sink,
      refuse: (refusal, detail) => options.onRefusal?.(refusal, detail),
      refuseBudget: (booth, refusal) => options.onBudgetRefusal?.(booth, refusal),
      outsideMount: new WeakSet(),
    };
    this.subscriptions = new PlaceQuota(options.limits.maxSubscriptionsPerClient);
    this.persistentSessions = new PlaceQuota(options.limits.maxPersistentSessionsPerBooth);
    // Aedes creates its persistence in listen(), before any client can connect; a drop can come
    // thousands of times a second, like rate-limited.
    // Aedes's persistence keys sessions by sessionKey(booth, clientId).
    this.sessionQueues = new SessionQueueBound(options.limits.maxQueuedMessagesPerSession, (key) => {
      const booth = boothOfSessionKey(key);
      const detail = booth !== undefined ? { booth, clientId: key.slice(booth.length + 1) } : { clientId: key };
      this.options.onRefusal?.('session-queue-full', detail);
    });
    this.sessionQueues.bind((aedes as Aedes & { persistence: OutgoingQueues }).persistence);
  }

  static async start(options: BrokerOptions): Promise<ShowfloorBroker> {
    // eslint-disable-next-line prefer-const -- the hooks below close over it before the broker exists
    let self: ShowfloorBroker | undefined;
    const aedes = await GatedAedes.startGated(
      {
        // MQTT 3.1 (protocol 3) only; MQTT 3.1.1 ids are bounded by MAX_CLIENT_ID_BYTES in authenticate.
        maxClientsIdLength: 256,
        // Aedes checks a device's own topic against this before authorizePublish mounts it, and the
        // mounted topic again when it publishes: room for both.
        maxTopicLevels: MAX_DEVICE_TOPIC_LEVELS + MOUNT_LEVELS,
        connectTimeout: 10_000,
        // Aedes answers a keepalive outside the limit with CONNACK 6 (see preConnect) and closes.
        keepaliveLimit: options.limits.keepaliveLimitSeconds,
        maxInflightInbound: options.limits.maxInflightQos2,
        preConnect: (client, packet, callback) => self!.preConnect(client, packet, callback),
        authenticate: (client, username, password, done) => self!.authenticate(client, username, password, done),
        authorizePublish: (client, packet, callback) => self!.authorizePublish(client, packet, callback),
        authorizeSubscribe: (client, subscription, callback) => self!.authorizeSubscribe(client, subscription, callback),
        authorizeForward: (client, packet) => self!.authorizeForward(client, packet),
        // Aedes publishes its own $SYS heartbeat from listen(), before this broker exists; its own
        // messages come with a null client, whatever its typings say.
        published: (packet, client, callback) => (self ? self.published(packet, client, callback) : callback(null)),
      },
      (packet, client) => (packet as DecidedPacket)[DECIDED_AT_AUTHORIZE] ?? self!.publishStage('admit', client, packet),
      // A declined QoS 2 publish gets its PUBREC in its turn, behind the connection's held acknowledgements [MQTT-4.6.0-3].
      (packet, client, done) => (packet.qos === 2 && self ? self.acknowledgements.release(client, null, done) : done()),
    );
    self = new ShowfloorBroker(aedes, options);
    self.watch();
    return self;
  }

  get connectedClients(): number {
    return this.aedes.connectedClients;
  }

  /** QoS 1/2 acknowledgements waiting now for their readings to be durable (issue 13), over all connections. */
  get acknowledgementsHeld(): number {
    return this.acknowledgements.held;
  }

  /** Connections whose subscriptions are being counted; none once they have all closed. */
  get clientsHoldingSubscriptions(): number {
    return this.subscriptions.trackedHolders;
  }

  /** Authenticated connections of `booth` counted against budgets.maxConnectionsPerBooth. */
  boothConnections(booth: string): number {
    return this.transports.boothConnections(booth);
  }

  /** Persistent sessions of `booth` the broker keeps, connected or not. */
  persistentSessionCount(booth: string): number {
    return this.persistentSessions.heldBy(booth);
  }

  /** QoS 1/2 messages stored for the persistent session `clientId` of `booth`. */
  queuedMessagesFor(booth: string, clientId: string): number {
    return this.sessionQueues.queuedFor(sessionKey(booth, clientId));
  }

  /**
   * BoothCommands: publishes `topic` (the device's own, e.g. `spBv1.0/g1/NCMD/edge1`) into the
   * booth's mount, so that booth's subscribers receive it on that topic; QoS 0, not retained, as a
   * command that is stale by the next BIRTH. A name the mount refuses, or an unknown booth, is
   * counted and published nowhere.
   */
  publishToBooth(booth: string, topic: string, payload: Buffer): void {
    const mounted = this.boothIds.has(booth) ? mountName(booth, topic) : { refused: 'other-booth' as const };
    if (!('topic' in mounted) || topic === '' || /[+#\0]/.test(topic)) {
      this.options.onRefusal?.('publish-denied', { booth, topic });
      return;
    }
    // The broker's own publish: no client, so no publish step and no sink (a command is no reading).
    this.aedes.publish({ cmd: 'publish', topic: mounted.topic, payload, qos: 0, retain: false, dup: false }, () => undefined);
  }

  retainedTopicCount(booth: string): number {
    return this.retained.topicCount(booth);
  }

  /** Bytes (topic and payload) of the retained messages the broker keeps for `booth`. */
  retainedBytes(booth: string): number {
    return this.retained.bytes(booth);
  }

  /** Listens for MQTT over TCP; resolves with the bound port (useful with port 0). */
  listenTcp(port: number, host: string): Promise<number> {
    return this.transports.listenTcp(port, host);
  }

  /** Listens for MQTT over TLS; see BrokerTransports.listenTls. */
  listenTls(port: number, host: string, secureContext: SecureContext): Promise<number> {
    return this.transports.listenTls(port, host, secureContext);
  }

  /** Serves one WebSocket upgrade request on the MQTT path as an MQTT connection. */
  handleWebSocketUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.transports.handleWebSocketUpgrade(req, socket, head);
  }

  async close(): Promise<void> {
    // The listeners stop accepting first, Aedes then closes the devices' connections, and only
    // then is there anything to wait for. Waiting first hung shutdown while any device was connected.
    const listenersClosed = this.transports.stopAccepting();
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    await listenersClosed;
  }

  private preConnect(client: Client, packet: ConnectPacket, callback: (error: Error | null, ok: boolean) => void): void {
    // Refused in authenticate, the first hook whose error Aedes answers with a CONNACK code.
    if (packet.clientId === '') this.withEmptyClientId.add(client);
    if (packet.will) this.wills.set(client, packet.will);
    this.mountUnsubscriptions(client, packet.username);
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
    // An empty id asks the server for one, which only a clean session may [MQTT-3.1.3-6]; Aedes
    // has made up `aedes_<uuid>` by now. Without a clean session it is refused with CONNACK 2
    // [MQTT-3.1.3-8], which Aedes does not do itself.
    if (this.withEmptyClientId.has(client) && !client.clean) {
      this.options.onRefusal?.('empty-client-id', {});
      return done(authError('an empty client id needs a clean session', 2), false);
    }
    if (Buffer.byteLength(client.id) > MAX_CLIENT_ID_BYTES) {
      this.options.onRefusal?.('client-id-too-long', {});
      return done(authError(`a client id is at most ${MAX_CLIENT_ID_BYTES} bytes`, 2), false); // [MQTT-3.1.3-9]
    }
    // The will is published as a PUBLISH, whose topic name must not contain wildcards
    // [MQTT-3.3.2-2], [MQTT-4.7.1-1], nor be empty [MQTT-4.7.3-1]. Aedes checks that for a client's
    // own publishes, not for its will. CONNACK 5: this client may not publish that will.
    const will = this.wills.get(client);
    const willTopic = will?.topic;
    if (willTopic !== undefined && (willTopic === '' || /[+#\0]/.test(willTopic))) {
      this.options.onRefusal?.('invalid-will-topic', { clientId: client.id });
      return done(authError('a will topic must be a topic name: no +, # or NUL, not empty', 5), false);
    }
    const boothName = username !== undefined && this.passwords.has(username) ? { booth: username } : {};
    const refuseCredentials = () => {
      this.options.onRefusal?.('bad-credentials', { clientId: client.id, ...boothName });
      done(authError('bad user name or password', 4), false);
    };
    // Without a user name nothing can be learnt about booth ids, so nothing needs hiding. An
    // unknown user's password is checked as long as a booth's, so the delay does not say whether
    // `username` is a booth.
    if (username === undefined) return refuseCredentials();
    const clientId = client.id;
    this.passwords.verify(username, password ?? Buffer.alloc(0)).then(
      (ok) => {
        if (!ok) return refuseCredentials();
        // The will is published into the booth's mount like any publish; a will naming another
        // booth or a `$` topic is refused with CONNACK 5 (not authorized), before Aedes stores it.
        if (will) {
          const mounted = mountName(username, will.topic);
          if (!('topic' in mounted)) {
            this.options.onRefusal?.('will-denied', { clientId, booth: username, topic: will.topic });
            return done(authError(`a will of booth ${username} may not name ${will.topic}`, 5), false);
          }
          will.topic = mounted.topic;
        }
        // Aedes registers, takes over [MQTT-3.1.4-2], stores sessions and wills by client.id, all
        // after this hook: keyed by booth, the same id in another booth is another session.
        const key = sessionKey(username, clientId);
        // A connection without a ticket was accepted before admission existed: none in practice.
        const ticket = this.transports.ticketOf(client.conn);
        if (ticket && !ticket.authenticated(username, this.isConnected(key))) {
          this.options.onRefusal?.('booth-connections-budget', { clientId, booth: username });
          this.options.onBudgetRefusal?.(username, 'booth-connections-budget');
          // CONNACK 5 as for too many sessions: the broker is fine, this booth may open no more
          // connections until one of its own closes.
          return done(authError(`booth ${username} has ${this.options.budgets.maxConnectionsPerBooth} connections open`, 5), false);
        }
        // Aedes has set `clean` from the CONNECT. A new persistent session past the booth's limit
        // is refused; a session that already exists always reconnects. CONNACK 5 (not authorized)
        // rather than 3 (server unavailable): the broker is fine, this credential may not open more
        // sessions until one ends, and it may still connect with clean: true.
        if (!client.clean && !this.persistentSessions.take(username, clientId)) {
          this.options.onRefusal?.('too-many-sessions', { clientId, booth: username });
          return done(
            authError(
              `booth ${username} has ${this.options.limits.maxPersistentSessionsPerBooth} persistent sessions: reconnect one, or connect with clean: true`,
              5,
            ),
            false,
          );
        }
        client.id = key;
        this.connections.set(client, {
          booth: username,
          clientId,
          connectionId: this.nextConnectionId++,
          address: this.transports.addressOf(client.conn) ?? null,
          willTopic: will?.topic ?? null,
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
    // An error closes the connection: MQTT 3.1.1 has no negative acknowledgement for a publish.
    if (!this.publishStage('authorize', client, packet)) return callback(new Error(`publish to ${packet.topic} is outside the booth`));
    // Aedes writes a QoS 1 PUBACK as soon as this calls back, before it publishes (lib/handlers/
    // publish.js), so this is the last moment to hold it: the reading is admitted and handed to the
    // sink now, and the PUBACK waits for the sink's durable(). Aedes then publishes the same packet
    // object, so the gate and the publish hook find the verdict and do not run the steps again.
    // A will is not acknowledged to anyone, and Aedes calls this hook for wills too.
    // QoS 0 is decided here as well, though nothing waits for it: Aedes calls this hook in arrival
    // order for every packet of a socket chunk, while the published hook comes after async steps
    // (retained store, forwarding), so a QoS 0 state followed by a QoS 1 reading would otherwise
    // reach ingest in the wrong order. QoS 2 stays in the hook: Aedes drops a QoS 2 resend only
    // after this one (incomingGetPacket), and exactly once means ingest must not see it first.
    const connection = this.connections.get(client);
    if (packet.qos === 2 || isWill(client) || !connection) return callback(null);
    // One InFlightPublish for both moments: this runs for every reading (issue 13's rates).
    const publish: InFlightPublish = { packet, clientId: connection.clientId, connection, fromWill: false };
    const admitted = runPublishSteps('admit', publish, this.publishServices) && runPublishSteps('published', publish, this.publishServices);
    (packet as DecidedPacket)[DECIDED_AT_AUTHORIZE] = admitted;
    if (packet.qos === 0) return callback(null);
    // A declined publish reached no sink, so has nothing to wait for; it still waits its turn.
    this.acknowledgements.release(client, admitted ? this.durable() : null, () => callback(null));
  }

  /**
   * Aedes's published hook, after the message was retained and forwarded: the `published` steps
   * (unless they ran at authorize), then for QoS 2 the hold: Aedes writes PUBREC once this calls
   * back. The hook rather than Aedes's `publish` event, which comes after the hook: a hold there
   * would ask durable() before the sink had the reading.
   */
  private published(packet: PublishPacket, client: Client | null, callback: (error?: Error | null) => void): void {
    // The broker's own messages have no client.
    if (client === null || (packet as DecidedPacket)[DECIDED_AT_AUTHORIZE] !== undefined) return callback(null);
    this.publishStage('published', client, packet);
    if (packet.qos !== 2 || isWill(client) || !this.connections.has(client)) return callback(null);
    this.acknowledgements.release(client, this.durable(), () => callback(null));
  }

  private durable(): Promise<void> | null {
    return this.options.sink.durable?.() ?? null;
  }

  /**
   * Runs the publish steps of one moment (publishPipeline.ts) for a client's publish. A client
   * without a connection state was not authenticated here: refused at `authorize`, so no later
   * moment sees it, which is why they let it pass.
   */
  private publishStage(at: PublishMoment, client: Client, packet: PublishPacket): boolean {
    const connection = this.connections.get(client);
    if (!connection) {
      if (at === 'authorize') this.options.onRefusal?.('publish-denied', { clientId: client.id, topic: packet.topic });
      return at !== 'authorize';
    }
    const publish: InFlightPublish = { packet, clientId: connection.clientId, connection, fromWill: isWill(client) };
    return runPublishSteps(at, publish, this.publishServices);
  }

  private authorizeSubscribe(client: Client, subscription: Subscription, callback: (error: Error | null, subscription?: Subscription | null) => void): void {
    const state = this.connections.get(client);
    const mounted = state ? mountName(state.booth, subscription.topic) : undefined;
    if (!state || !mounted || !('topic' in mounted)) {
      this.options.onRefusal?.('subscribe-denied', {
        clientId: state?.clientId ?? client.id,
        ...(state ? { booth: state.booth } : {}),
        topic: subscription.topic,
      });
      return callback(null, null); // SUBACK 0x80 for this filter; the connection stays up
    }
    // Changed in place, not copied: Aedes looks up the retained messages for a new subscription,
    // and stores a persistent session's subscriptions, from the SUBSCRIBE packet's own list
    // (lib/handlers/subscribe.js), which holds this object. A copy would have Aedes look up `#`
    // among every booth's retained messages (authorizeForward would still stop them) and find
    // none of this booth's mounted ones. A restored session's filters are mounted already.
    subscription.topic = mounted.topic;
    // Also called for each subscription of a persistent session restored at connect, so a
    // session cannot bring back more than the limit either.
    if (!this.subscriptions.take(client, subscription.topic)) {
      this.options.onRefusal?.('too-many-subscriptions', { clientId: state.clientId, booth: state.booth, topic: subscription.topic });
      return callback(null, null);
    }
    callback(null, subscription);
  }

  /**
   * Aedes has no hook for UNSUBSCRIBE, so its filters are mounted as the client's packet parser
   * hands the packet on, before Aedes's own listener (registered when the client was made) sees
   * it. The booth is the CONNECT's user name: a packet parsed before authentication finishes is
   * only ever handled if that user name was authenticated.
   */
  private mountUnsubscriptions(client: Client, username: string | undefined): void {
    const parser = (client as Client & AedesClientInternals)._parser;
    if (username === undefined || !parser) return;
    parser.prependListener('packet', (packet) => {
      if (packet.cmd !== 'unsubscribe' || !packet.unsubscriptions) return;
      packet.unsubscriptions = packet.unsubscriptions.map((filter) => {
        const mounted = mountName(username, filter);
        // A refused filter was never subscribed: unsubscribing it as it is finds nothing.
        return 'topic' in mounted ? mounted.topic : filter;
      });
    });
  }

  /**
   * The way out of the mount: a subscriber of a booth receives a mounted topic as the device
   * named it, the rest of its booth as it is, and nothing outside its booth. Every filter a
   * booth's client holds is inside its booth (authorizeSubscribe), so a refusal here means a path
   * around that; it is counted. The packet is changed in place because every packet Aedes hands
   * this hook is already the client's own copy (lib/client.js: per subscription, per retained
   * message, per queued message), and for a persistent session's queue Aedes writes the packet it
   * passed here, not the one returned.
   */
  private authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    const state = this.connections.get(client);
    const topic = state ? unmountTopic(state.booth, packet.topic) : undefined;
    if (!state || topic === undefined) {
      this.options.onRefusal?.('forward-denied', { clientId: state?.clientId ?? client.id, ...(state ? { booth: state.booth } : {}), topic: packet.topic });
      return null;
    }
    if (topic !== packet.topic) {
      // Aedes lowers QoS to an exact subscription's by the delivered topic [MQTT-3.8.4-6]: it
      // would no longer find the mounted filter, so that is done here.
      const granted = (client as Client & AedesClientInternals).subscriptions?.[packet.topic]?.qos;
      if (granted !== undefined && granted > 0 && granted < packet.qos) packet.qos = granted as 1 | 2;
      packet.topic = topic;
    }
    return packet;
  }

  private watch(): void {
    // Emitted once Aedes has registered the client; a takeover closes the older connection first.
    this.aedes.on('client', (client) => {
      const state = this.connections.get(client);
      if (!state) return;
      // A clean connect ends the id's persistent session: Aedes has dropped its subscriptions by
      // now (registerClient comes after cleanSubscriptions) and empties its queue next.
      if (client.clean) this.persistentSessions.release(state.booth, [state.clientId]);
      this.options.sink.connectionOpened?.({ booth: state.booth, clientId: state.clientId, connectionId: state.connectionId, address: state.address });
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
      this.options.onRefusal?.(refusal, { clientId: state?.clientId ?? client.id, ...(state ? { booth: state.booth } : {}) });
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
        clientId: state.clientId,
        connectionId: state.connectionId,
        devices: [...state.devices],
        reason: cleanly ? 'disconnect' : state.keepaliveTimedOut ? 'keepalive-timeout' : 'connection-lost',
        willTopic: cleanly ? null : state.willTopic,
      });
    });
  }
}
