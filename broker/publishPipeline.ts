/**
 * A device's publish, step by step, in the order the broker applies them: PUBLISH_PIPELINE below.
 * Modelled on Aedes's own lib/handlers/publish.js, which lists its steps (`publishActions`) and
 * runs them in series.
 *
 * Aedes itself, before any of these steps, refuses a publish topic that is empty, holds + or #
 * [MQTT-3.3.2-2] or has too many levels, and closes the connection; ShowfloorBroker only counts
 * those ('invalid-topic'). A will's topic is checked when the client connects (authenticate).
 *
 * Each step is bound to the moment Aedes gives the broker, because what a refusal can do depends
 * on it:
 * - `authorize`: Aedes's authorizePublish hook, before the sender is answered; a step here may
 *   change the packet's topic (the mount). MQTT 3.1.1 has no negative acknowledgement for a
 *   publish, so a refusal here closes the connection; mountTopic therefore marks instead.
 * - `admit`: before the message is retained or forwarded. A refusal drops the message silently: it
 *   reaches no subscriber and no sink, and the device does not retry it (it is still acknowledged).
 *   A step here may also change the packet (drop its retain flag).
 * - `published`: the reading reaches the sink (ingest, the store).
 *
 * When `admit` and `published` run depends on the QoS, because no acknowledgement may leave before
 * the sink has the reading and reports it durable (issue 13; ShowfloorBroker's AcknowledgementHold):
 * - QoS 0, and wills: `admit` is GatedAedes's gate, after Aedes's authorizePublish; `published` is
 *   Aedes's published hook, once the message was retained and forwarded.
 * - QoS 1: Aedes writes PUBACK as soon as authorizePublish calls back and only then publishes, so
 *   `admit` and `published` run inside authorizePublish, right after `authorize`; the PUBACK waits
 *   for the sink's durable(), then Aedes retains and forwards the packet (the gate and the hook
 *   reuse the verdict: ShowfloorBroker.decidedAtAuthorize). Forwarding to MQTT subscribers thus
 *   waits for durability too; the live view, fed by the sink, does not.
 * - QoS 2: as QoS 0, and Aedes's published hook holds its callback, after which Aedes writes
 *   PUBREC, until the sink's durable().
 */
import type { PublishPacket } from 'aedes';
import { ID_PATTERN } from '../contract/device';
import { RAW_MOUNT_SEGMENT } from '../server/adapters/DeviceAdapter';
import { mountName } from './BoothMount';
import type { BoothBudgetRefusal, BrokerRefusal, BrokerSink } from './brokerEvents';
import type { RetainedLedger } from './RetainedLedger';

/** How many device ids one connection may be associated with for presence; a gateway rarely has more. */
export const MAX_DEVICES_PER_CONNECTION = 256;

/** What the broker knows of one authenticated connection; made in authenticate. */
export interface ConnectionState {
  booth: string;
  /** The client id as the device sent it (Aedes registers the connection under sessionKey(booth, clientId)). */
  clientId: string;
  connectionId: number;
  address: string | null;
  willTopic: string | null;
  devices: Set<string>;
  keepaliveTimedOut: boolean;
  /** Set once the close was reported; the state outlives the close so the will publish still finds it. */
  closed: boolean;
  /** limitDeviceRate's key for the device this connection published for last: not rebuilt (and hashed) per reading. */
  rateKey?: { device: string; key: string };
}

/** One publish of an authenticated connection on its way through the steps. */
export interface InFlightPublish {
  packet: PublishPacket;
  clientId: string;
  connection: ConnectionState;
  /** The broker publishing the client's will after the connection was lost. */
  fromWill: boolean;
  /** deviceOf(topic), worked out once for the steps that need it (see publishDevice). */
  device?: { topic: string; id: string | undefined };
}

/** What the steps use of the broker; small so that a test can give each step its own. */
export interface PublishServices {
  /** Per-device message budget (token bucket): true while the key has a token to spend. */
  deviceMessages: { take(key: string): boolean };
  /** Per-booth message budget, keyed by booth id. */
  boothMessages: { take(key: string): boolean };
  retained: Pick<RetainedLedger, 'offer'>;
  sink: BrokerSink;
  /** Counts and logs a refusal (BrokerOptions.onRefusal). */
  refuse: (refusal: BrokerRefusal, detail: { clientId?: string; booth?: string; topic?: string }) => void;
  /** Counts a refusal of a booth's own budget against that booth (BrokerOptions.onBudgetRefusal). */
  refuseBudget: (booth: string, refusal: BoothBudgetRefusal) => void;
  /** Publishes mountTopic refused at `authorize`, dropped at `admit`; weak, so a packet leaves with its last use. */
  outsideMount: WeakSet<PublishPacket>;
}

/** True to go on to the next step; false to stop here (what that means depends on the moment). */
export type PublishStep = (publish: InFlightPublish, services: PublishServices) => boolean;

export type PublishMoment = 'authorize' | 'admit' | 'published';

/**
 * The device id of a `booth/{booth}/{device}/…` topic, when it is a valid id. The raw mount
 * (`booth/{booth}/raw/…`) names no device: its publishes are the adapters' to attribute, and
 * limited per client id meanwhile.
 */
export function deviceOf(topic: string): string | undefined {
  // topic.split('/')[2] without the array: this runs for every reading.
  const first = topic.indexOf('/');
  const second = first < 0 ? -1 : topic.indexOf('/', first + 1);
  if (second < 0) return undefined;
  const third = topic.indexOf('/', second + 1);
  const device = third < 0 ? topic.slice(second + 1) : topic.slice(second + 1, third);
  return device !== RAW_MOUNT_SEGMENT && ID_PATTERN.test(device) ? device : undefined;
}

/** deviceOf the publish's topic, once per topic: three steps ask it of every reading. */
function publishDevice(publish: InFlightPublish): string | undefined {
  const topic = publish.packet.topic;
  if (publish.device?.topic !== topic) publish.device = { topic, id: deviceOf(topic) };
  return publish.device.id;
}

function refusalDetail({ clientId, connection, packet }: InFlightPublish): { clientId: string; booth: string; topic: string } {
  return { clientId, booth: connection.booth, topic: packet.topic };
}

/**
 * A connection publishes into its booth's mount (BoothMount.ts): a topic outside `booth/{id}/` is
 * rewritten to `booth/{id}/raw/…` here, before Aedes retains or forwards it (Aedes lets
 * authorizePublish change packet.topic). A name the mount refuses (`$SYS/…`, `booth/other/…`) is
 * counted and marked for `dropOutsideMount`: the connection stays up, because a stock device that
 * publishes one odd topic would otherwise reconnect in a loop.
 */
export const mountTopic: PublishStep = (publish, { refuse, outsideMount }) => {
  const mounted = mountName(publish.connection.booth, publish.packet.topic);
  if ('topic' in mounted) {
    publish.packet.topic = mounted.topic;
    return true;
  }
  refuse('publish-denied', refusalDetail(publish));
  outsideMount.add(publish.packet);
  return true;
};

/** Drops, after its acknowledgement, a publish that mountTopic refused; it reaches no one. */
export const dropOutsideMount: PublishStep = (publish, { outsideMount }) => !outsideMount.has(publish.packet);

/** Publishes per second per device (booth + device id from the topic, else the client id); wills are not limited. */
export const limitDeviceRate: PublishStep = (publish, { deviceMessages, refuse }) => {
  if (publish.fromWill) return true;
  const { booth } = publish.connection;
  const device = publishDevice(publish);
  let key: string;
  if (device === undefined) key = `${booth} ${publish.clientId}`;
  else if (publish.connection.rateKey?.device === device) key = publish.connection.rateKey.key;
  else publish.connection.rateKey = { device, key: (key = `${booth}/${device}`) };
  if (deviceMessages.take(key)) return true;
  refuse('rate-limited', refusalDetail(publish));
  return false;
};

/**
 * After the device's own budget: a booth spreading a flood over many device ids is cut here,
 * before routing, so what it costs other booths is the parse and the PUBACK and no more.
 */
export const limitBoothRate: PublishStep = (publish, { boothMessages, refuse, refuseBudget }) => {
  if (publish.fromWill || boothMessages.take(publish.connection.booth)) return true;
  refuse('booth-rate-limited', refusalDetail(publish));
  refuseBudget(publish.connection.booth, 'booth-rate-limited');
  return false;
};

/**
 * Past the booth's retained limits the retain flag is dropped: the message is still delivered, and
 * the retained message it would have replaced stays. Here rather than at `authorize`, so only
 * messages that Aedes goes on to store are counted. Never stops the publish.
 */
export const boundRetained: PublishStep = (publish, { retained, refuse, refuseBudget }) => {
  const { packet, connection } = publish;
  if (!packet.retain) return true;
  const outcome = retained.offer(connection.booth, packet.topic, packet.payload);
  if (outcome === 'kept' || outcome === 'cleared') return true;
  packet.retain = false;
  refuse('retain-dropped', refusalDetail(publish));
  if (outcome === 'over-bytes') refuseBudget(connection.booth, 'retained-bytes-budget');
  return true;
};

/** The devices a connection spoke for, so its close can mark each offline; bounded per connection. */
export const recordDevice: PublishStep = (publish) => {
  const { connection } = publish;
  const device = publishDevice(publish);
  if (device !== undefined && connection.devices.size < MAX_DEVICES_PER_CONNECTION) connection.devices.add(device);
  return true;
};

/** recordDevice's bound for a device the sink attributes to a publish that names none (DevicePublish.attribute). */
function attributeTo(connection: ConnectionState): (device: string) => void {
  return (device) => {
    if (ID_PATTERN.test(device) && (connection.devices.has(device) || connection.devices.size < MAX_DEVICES_PER_CONNECTION)) connection.devices.add(device);
  };
}

export const handToSink: PublishStep = (publish, { sink }) => {
  const { packet, clientId, connection, fromWill } = publish;
  sink.devicePublish({
    booth: connection.booth,
    topic: packet.topic,
    // Aedes hands on the payload as it parsed it from the wire: a Buffer.
    payload: packet.payload as Buffer,
    clientId,
    connectionId: connection.connectionId,
    fromWill,
    keepaliveTimedOut: connection.keepaliveTimedOut,
    // Only where the topic names no device, the connection is still open (its close reports the set) and it has
    // no will: a stock device's will (LWT, NDEATH, availability) says offline for the devices it covers, with the
    // reason `will`, which an earlier offline `connection-lost` from the close would shadow in the timeline.
    ...(!fromWill && connection.willTopic === null && publishDevice(publish) === undefined ? { attribute: attributeTo(connection) } : {}),
  });
  return true;
};

/** The whole publish path of the broker, in order. */
export const PUBLISH_PIPELINE: readonly { at: PublishMoment; step: PublishStep }[] = [
  { at: 'authorize', step: mountTopic },
  { at: 'admit', step: dropOutsideMount },
  { at: 'admit', step: limitDeviceRate },
  { at: 'admit', step: limitBoothRate },
  { at: 'admit', step: boundRetained },
  { at: 'published', step: recordDevice },
  { at: 'published', step: handToSink },
];

/** Runs the steps of one moment in order; false as soon as one stops the publish. */
export function runPublishSteps(
  at: PublishMoment,
  publish: InFlightPublish,
  services: PublishServices,
  pipeline: readonly { at: PublishMoment; step: PublishStep }[] = PUBLISH_PIPELINE,
): boolean {
  for (const entry of pipeline) {
    if (entry.at === at && !entry.step(publish, services)) return false;
  }
  return true;
}
