/**
 * What the broker tells the rest of the server, and what it is told when it starts: the events a
 * sink receives (a device publish, a connection opened or closed), the refusals it reports, and
 * its options and limits. server/ imports these; it needs nothing else of broker/ to consume them.
 */
import type { IncomingHttpHeaders } from 'node:http';

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
  /**
   * Set on a publish whose topic names no device (a stock device's own topic on the booth's raw
   * mount, issue 11): the sink calls it with each device an adapter found in the publish, so the
   * connection's close (ConnectionClosed.devices) takes that device offline even when it has no will.
   */
  attribute?: (device: string) => void;
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
  /**
   * Resolves once every publish handed to devicePublish so far is durable (issue 13: on disk, so a
   * crash cannot lose it). The broker sends no PUBACK (QoS 1) or PUBREC (QoS 2) before it has;
   * a rejection (a disk error) releases the acknowledgement anyway. Absent: nothing to wait for.
   */
  durable?(): Promise<void>;
}

export type BrokerRefusal =
  | 'bad-credentials'
  | 'empty-client-id'
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
  /** A will naming a topic outside the booth's mount (`booth/other/…`, `$…`): CONNACK 5. */
  | 'will-denied'
  /** A message a booth's subscriber was about to receive from outside its booth; never expected (BoothMount.ts). */
  | 'forward-denied'
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
