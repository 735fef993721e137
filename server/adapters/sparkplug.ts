/**
 * Sparkplug B edge nodes (Eclipse Sparkplug 3.0: Topics, Payloads and Operational Behavior
 * chapters) as native devices: node metrics go to device `<edge>`, device metrics to
 * `<edge>_<device>` (both mapped to ID_PATTERN), metric names such as `Inputs/Temperature` to
 * `inputs_temperature`. This adapter plays the part of a (non-primary) Host Application: it learns
 * names, aliases and datatypes from NBIRTH/DBIRTH, checks `seq`, matches `bdSeq` on NDEATH, and asks
 * an edge node to rebirth (NCMD `Node Control/Rebirth`) when its view is out of step — inside the
 * booth's own mount, rate-limited so a broken node cannot make us flood it.
 *
 * Payloads are decoded with the protobuf decoder generated from the Sparkplug B .proto that ships in
 * Eclipse Tahu's `sparkplug-payload` package, rather than its higher-level decodePayload: that
 * helper reads UInt32 only from `long_value` (the spec puts it in `int_value`), throws on some
 * DataSets, and decodes Templates and DataSets into objects we would only throw away.
 */
import sparkplugPayload from 'sparkplug-payload';
import sparkplugProto from 'sparkplug-payload/lib/sparkplugPayloadProto.js';
import { DEFAULT_VALIDATOR_LIMITS, quoteDeviceText } from '../ingest/TelemetryValidator';
import type { NamedTable } from '../../contract/device';
import type { AdapterResult, BoothCommands, DeviceAdapter, RawPublish } from './DeviceAdapter';
import { AdapterOutput, checkTimestamp, cleanMetaText, cleanUnit, type TimestampLimits } from './sparkplugOutput';
import { toDeviceId, toMetricName } from './sparkplugNames';
import { EdgeNodeSession, EdgeNodeTable, type DeviceSession, type MetricDefinition } from './sparkplugSession';
import { datatypeName, isLongLike, longToSafeNumber, readMetricValue, type MetricValueFields } from './sparkplugValues';

const Payload = sparkplugProto.org.eclipse.tahu.protobuf.Payload;
type DecodedPayload = ReturnType<typeof Payload.decode>;
type DecodedMetric = DecodedPayload['metrics'][number];

/** The Sparkplug B topic namespace ([tck-id-topics-namespace-a]: `spBv1.0`). */
export const SPARKPLUG_NAMESPACE = 'spBv1.0';
const REBIRTH_METRIC = 'Node Control/Rebirth';

export interface SparkplugAdapterOptions {
  now?: () => number;
  limits?: TimestampLimits & { maxPayloadBytes: number };
  /** Edge nodes remembered per booth (least recently heard forgotten first). */
  maxEdgeNodes?: number;
  /** Devices per edge node; a DBIRTH past it is refused. */
  maxDevicesPerNode?: number;
  /** Metric definitions (names plus aliases) per edge node, across its devices. */
  maxDefinitionsPerNode?: number;
  /** Metrics read from one payload; the rest are counted, not read (bounds the work per message). */
  maxMetricsPerPayload?: number;
  /** At most one rebirth request per edge node in this many ms. */
  rebirthIntervalMs?: number;
  /** At most this many rebirth requests per minute for the whole booth, however many edge nodes it names. */
  maxRebirthsPerMinute?: number;
}

export interface SparkplugAdapterStats {
  edgeNodes: number;
  rebirthsRequested: number;
  rebirthsSuppressed: number;
}

export interface SparkplugAdapter extends DeviceAdapter {
  stats(): SparkplugAdapterStats;
}

const DEFAULTS = {
  maxEdgeNodes: 64,
  maxDevicesPerNode: 64,
  maxDefinitionsPerNode: 2048,
  maxMetricsPerPayload: 512,
  rebirthIntervalMs: 10_000,
  maxRebirthsPerMinute: 30,
};

type Verb = 'NBIRTH' | 'NDATA' | 'NDEATH' | 'DBIRTH' | 'DDATA' | 'DDEATH';
const NODE_VERBS = new Set<string>(['NBIRTH', 'NDATA', 'NDEATH']);
const DEVICE_VERBS = new Set<string>(['DBIRTH', 'DDATA', 'DDEATH']);

interface ParsedTopic {
  group: string;
  verb: Verb;
  edge: string;
  device: string | null;
}

/** `spBv1.0/<group>/<verb>/<edge>[/<device>]` ([tck-id-topics-nbirth-topic], [tck-id-topics-dbirth-topic], …); null for topics we do not read. */
function parseTopic(topic: string): ParsedTopic | 'ignored' | 'malformed' {
  const parts = topic.split('/');
  const [, group = '', verb = '', edge = '', device] = parts;
  // STATE (host applications' own birth/death) and NCMD/DCMD (commands to nodes, our rebirths included) carry no readings.
  if (group === 'STATE' || verb === 'NCMD' || verb === 'DCMD') return 'ignored';
  if (group === '' || edge === '') return 'malformed';
  if (NODE_VERBS.has(verb) && parts.length === 4) return { group, verb: verb as Verb, edge, device: null };
  if (DEVICE_VERBS.has(verb) && parts.length === 5 && device) return { group, verb: verb as Verb, edge, device };
  return 'malformed';
}

/** The metric's name when it was on the wire, else ''. */
function nameOf(metric: DecodedMetric): string {
  return has(metric, 'name') && typeof metric.name === 'string' ? metric.name : '';
}

function has(metric: DecodedMetric, field: keyof DecodedMetric): boolean {
  // protobufjs keeps defaults on the prototype: an own property is a field that was on the wire.
  return Object.hasOwn(metric, field);
}

/** One BIRTH or DATA message of an edge node (`device` '') or one of its devices, with where its results go. */
interface SessionMessage {
  session: EdgeNodeSession;
  device: string;
  target: DeviceSession;
  metrics: DecodedMetric[];
  payload: DecodedPayload;
  receivedAt: number;
  out: AdapterOutput;
}

/** A 64-bit alias or bdSeq as a map key; exact for every 64-bit value. */
function longKey(raw: unknown): string | null {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? String(raw) : null;
  if (isLongLike(raw)) {
    const read = longToSafeNumber(raw, false);
    return read.ok ? String(read.value) : `${raw.high >>> 0}:${raw.low >>> 0}`;
  }
  return null;
}

function engUnit(metric: DecodedMetric): string | undefined {
  const set = metric.properties;
  if (!set) return undefined;
  const keys = set.keys ?? [];
  const values = set.values ?? [];
  for (let i = 0; i < keys.length && i < values.length; i++) {
    // `engUnit` is the property Ignition and Tahu examples use for engineering units.
    if (keys[i]?.toLowerCase() !== 'engunit') continue;
    const text = values[i]?.stringValue;
    if (typeof text === 'string' && text.trim() !== '') return cleanUnit(text);
  }
  return undefined;
}

export function createSparkplugAdapter(booth: string, commands: BoothCommands, options: SparkplugAdapterOptions = {}): SparkplugAdapter {
  const now = options.now ?? Date.now;
  const limits = options.limits ?? DEFAULT_VALIDATOR_LIMITS;
  const settings = { ...DEFAULTS, ...options };
  const nodes = new EdgeNodeTable(settings.maxEdgeNodes);
  const codec = sparkplugPayload.get(SPARKPLUG_NAMESPACE);
  const rebirthTimes: number[] = [];
  const stats = { rebirthsRequested: 0, rebirthsSuppressed: 0 };

  /**
   * Operational Behavior chapter, "Sparkplug Host Application" considerations: a host MAY send
   * `Node Control/Rebirth` on out-of-order seq, malformed payloads, DATA before BIRTH or an unknown
   * alias. Rebirth request form: [tck-id-operational-behavior-data-commands-ncmd-rebirth-verb],
   * [-ncmd-rebirth-name], [-ncmd-rebirth-value]; NCMD with a timestamp [tck-id-topics-ncmd-timestamp].
   */
  function requestRebirth(group: string, edge: string, session: EdgeNodeSession | undefined): void {
    const at = now();
    if (session?.lastRebirthAt != null && at - session.lastRebirthAt < settings.rebirthIntervalMs) {
      stats.rebirthsSuppressed++;
      return;
    }
    while (rebirthTimes.length > 0 && (rebirthTimes[0] ?? 0) <= at - 60_000) rebirthTimes.shift();
    if (rebirthTimes.length >= settings.maxRebirthsPerMinute) {
      stats.rebirthsSuppressed++;
      return;
    }
    rebirthTimes.push(at);
    if (session) session.lastRebirthAt = at;
    stats.rebirthsRequested++;
    const payload = codec?.encodePayload({ timestamp: at, metrics: [{ name: REBIRTH_METRIC, type: 'Boolean', value: true }] });
    if (!payload) return;
    try {
      commands.publishToBooth(booth, `${SPARKPLUG_NAMESPACE}/${group}/NCMD/${edge}`, Buffer.from(payload));
    } catch {
      // A broker that cannot take the command must not lose the readings this message carried.
    }
  }

  /** [tck-id-payloads-sequence-num-incrementing]: each message after NBIRTH is seq + 1, 255 wrapping to 0. */
  function checkSeq(session: EdgeNodeSession, payload: DecodedPayload, out: AdapterOutput, device: string): boolean {
    if (!Object.hasOwn(payload, 'seq')) return true;
    const read = longToSafeNumber(payload.seq, false);
    const seq = read.ok ? read.value : -1;
    const expected = session.lastSeq === null ? null : (session.lastSeq + 1) % 256;
    session.lastSeq = seq >= 0 && seq <= 255 ? seq : null;
    if (expected === null || seq === expected) return true;
    out.reject('sequence-gap', device, `seq ${seq} where ${expected} was expected: messages from this edge node were lost or reordered`);
    return false;
  }

  function timestampOf(metric: DecodedMetric, payload: DecodedPayload, receivedAt: number): number | { detail: string } {
    const raw = has(metric, 'timestamp') ? metric.timestamp : Object.hasOwn(payload, 'timestamp') ? payload.timestamp : null;
    if (raw === null) return receivedAt;
    const read = longToSafeNumber(raw, false);
    return read.ok ? read.value : { detail: `timestamp: ${read.detail}` };
  }

  function readInto(out: AdapterOutput, definition: MetricDefinition, metric: DecodedMetric, payload: DecodedPayload, receivedAt: number, label: string): void {
    if (definition.metric === null) return;
    const reading = readMetricValue(metric as MetricValueFields & { isNull?: boolean }, definition.datatype);
    switch (reading.kind) {
      case 'null':
        return;
      case 'not-a-reading':
        out.reject('not-a-reading', definition.deviceId, `${quoteDeviceText(label)} is a ${reading.detail}, not a number: left out`);
        return;
      case 'bad':
        out.reject(reading.detail.includes('2^53') ? 'unsafe-integer' : 'bad-value', definition.deviceId, `${quoteDeviceText(label)}: ${reading.detail}`);
        return;
      case 'value': {
        const ts = timestampOf(metric, payload, receivedAt);
        if (typeof ts !== 'number') {
          out.reject('bad-timestamp', definition.deviceId, `${quoteDeviceText(label)}: ${ts.detail}`);
          return;
        }
        const refused = checkTimestamp(ts, receivedAt, limits);
        if (refused) {
          out.reject(refused.reason, definition.deviceId, `${quoteDeviceText(label)}: ${refused.detail}`);
          return;
        }
        out.reading(definition.deviceId, ts, definition.metric, reading.value);
      }
    }
  }

  /** NBIRTH and DBIRTH: learn every metric's name, alias and datatype ([tck-id-payloads-alias-birth-requirement]), then read its value. */
  function birth(message: SessionMessage, displayName: string): void {
    const { session, device, target, metrics, payload, receivedAt, out } = message;
    const units = Object.create(null) as NamedTable<string>;
    let unitCount = 0;
    for (const metric of metrics) {
      const name = nameOf(metric);
      if (name === '') {
        out.reject('bad-metric-name', target.id, 'a BIRTH metric without a name: every BIRTH metric needs one');
        continue;
      }
      if (session.definitionCount >= settings.maxDefinitionsPerNode) {
        out.reject(
          'adapter-state-full',
          target.id,
          `more than ${settings.maxDefinitionsPerNode} metric definitions for this edge node: the rest are not learnt`,
        );
        continue;
      }
      let mapped: string | null = null;
      // bdSeq and Node Control/* are session bookkeeping and commands, not readings (Topics chapter, NBIRTH).
      if (!(device === '' && (name === 'bdSeq' || name.startsWith('Node Control/')))) {
        mapped = toMetricName(name);
        const claimedBy = target.metricNames.get(mapped);
        if (claimedBy !== undefined && claimedBy !== name) {
          out.reject('bad-metric-name', target.id, `${quoteDeviceText(name)} maps to ${mapped}, already used by ${quoteDeviceText(claimedBy)}: left out`);
          mapped = null;
        } else {
          target.metricNames.set(mapped, name);
        }
      }
      const definition: MetricDefinition = { device, deviceId: target.id, metric: mapped, datatype: metric.datatype ?? 0 };
      session.byName.set(EdgeNodeSession.nameKey(device, name), definition);
      if (has(metric, 'alias')) {
        const alias = longKey(metric.alias);
        if (alias !== null) session.byAlias.set(alias, definition);
      }
      if (mapped !== null) {
        const unit = engUnit(metric);
        if (unit && unitCount < 64) {
          units[mapped] = unit;
          unitCount++;
        }
      }
      readInto(out, definition, metric, payload, receivedAt, name);
    }
    out.first(out.status(target.id, 'online'));
    out.first(out.meta(target.id, unitCount > 0 ? { name: cleanMetaText(displayName), units } : { name: cleanMetaText(displayName) }));
  }

  /** NDATA and DDATA: aliases or names, resolved against the BIRTH ([tck-id-payloads-alias-data-cmd-requirement]). */
  function data(message: SessionMessage): boolean {
    const { session, device, target, metrics, payload, receivedAt, out } = message;
    let unknown = false;
    for (const metric of metrics) {
      let definition: MetricDefinition | undefined;
      let label: string;
      if (has(metric, 'alias')) {
        const alias = longKey(metric.alias);
        definition = alias === null ? undefined : session.byAlias.get(alias);
        label = nameOf(metric) || `alias ${alias ?? '?'}`;
      } else {
        label = nameOf(metric);
        definition = session.byName.get(EdgeNodeSession.nameKey(device, label));
      }
      // Aliases are unique across the edge node ([tck-id-payloads-alias-uniqueness]): one of another device is as unknown as none.
      if (!definition || definition.device !== device) {
        unknown = true;
        out.reject('unknown-alias', target.id, `${quoteDeviceText(label)} was not announced in this ${device === '' ? 'NBIRTH' : 'DBIRTH'}`);
        continue;
      }
      readInto(out, definition, metric, payload, receivedAt, label);
    }
    return unknown;
  }

  function decode(publish: RawPublish): AdapterResult {
    const out = new AdapterOutput(booth);
    if (publish.booth !== booth) {
      out.reject('wrong-booth', null, `a publish of booth ${publish.booth} reached the adapter of booth ${booth}`);
      return out.result();
    }
    const topic = parseTopic(publish.topic);
    if (topic === 'ignored') return out.result();
    if (topic === 'malformed') {
      out.reject('topic-outside-contract', null, `${quoteDeviceText(publish.topic)} is not spBv1.0/<group>/<N|D><BIRTH|DATA|DEATH>/<edge>[/<device>]`);
      return out.result();
    }
    const { group, verb, edge } = topic;
    const device = topic.device ?? '';
    const nodeId = toDeviceId(edge);
    const deviceId = device === '' ? nodeId : toDeviceId(`${edge}_${device}`);
    if (publish.payload.length > limits.maxPayloadBytes) {
      out.reject('payload-too-large', deviceId, `${publish.payload.length} bytes; the limit is ${limits.maxPayloadBytes}`);
      return out.result();
    }
    let payload: DecodedPayload;
    try {
      payload = Payload.decode(publish.payload);
    } catch (error) {
      // Truncated or garbled protobuf, or nesting deep enough to exhaust the stack (RangeError): same answer.
      out.reject('bad-protobuf', deviceId, `not a Sparkplug B payload: ${(error as Error).message.slice(0, 80)}`);
      // [Operational Behavior] a host MAY request a rebirth on malformed payloads; a DEATH needs none.
      if (verb !== 'NDEATH' && verb !== 'DDEATH') requestRebirth(group, edge, nodes.get(group, edge));
      return out.result();
    }
    let metrics = payload.metrics;
    if (metrics.length > settings.maxMetricsPerPayload) {
      out.reject('too-many-fields', deviceId, `${metrics.length} metrics; the first ${settings.maxMetricsPerPayload} are read`);
      metrics = metrics.slice(0, settings.maxMetricsPerPayload);
    }
    const receivedAt = publish.receivedAt;

    if (verb === 'NBIRTH') {
      const session = nodes.getOrCreate(group, edge, nodeId);
      session.reset();
      session.born = true;
      const seq = longToSafeNumber(payload.seq, false);
      // [tck-id-payloads-sequence-num-zero-nbirth]: 0–255; anything else leaves the next message unchecked.
      session.lastSeq = seq.ok && seq.value <= 255 ? seq.value : null;
      const bdSeq = metrics.find((metric) => nameOf(metric) === 'bdSeq');
      // [tck-id-payloads-nbirth-bdseq]: kept to match the NDEATH that ends this session.
      session.bdSeq = bdSeq ? bdSeqKey(bdSeq) : null;
      birth({ session, device: '', target: session.node, metrics, payload, receivedAt, out }, edge);
      return out.result();
    }

    if (verb === 'NDEATH') {
      const session = nodes.get(group, edge);
      if (!session?.born) return out.result();
      const bdSeq = metrics.find((metric) => nameOf(metric) === 'bdSeq');
      const deathSeq = bdSeq ? bdSeqKey(bdSeq) : null;
      // Operational Behavior, session termination: a death whose bdSeq is not the NBIRTH's belongs to an older session (a late will) and MUST be ignored.
      if (session.bdSeq !== null && deathSeq !== session.bdSeq) {
        out.reject('stale-death', nodeId, `NDEATH bdSeq ${deathSeq ?? 'missing'} does not match the NBIRTH's ${session.bdSeq}: ignored`);
        return out.result();
      }
      // An NDEATH implies every device of the node is offline too (Operational Behavior chapter).
      for (const deviceSession of session.devices.values()) out.last(out.status(deviceSession.id, 'offline'));
      out.last(out.status(nodeId, 'offline'));
      nodes.delete(group, edge);
      return out.result();
    }

    const session = nodes.get(group, edge);
    if (!session?.born) {
      out.reject('data-before-birth', deviceId, `${verb} before this edge node's NBIRTH: asking it to rebirth`);
      requestRebirth(group, edge, nodes.getOrCreate(group, edge, nodeId));
      return out.result();
    }
    const inSequence = checkSeq(session, payload, out, deviceId);
    let wantRebirth = !inSequence;

    if (verb === 'NDATA') {
      wantRebirth = data({ session, device: '', target: session.node, metrics, payload, receivedAt, out }) || wantRebirth;
    } else if (verb === 'DBIRTH') {
      if (!session.devices.has(device) && session.devices.size >= settings.maxDevicesPerNode) {
        out.reject('adapter-state-full', deviceId, `more than ${settings.maxDevicesPerNode} devices on this edge node: this DBIRTH is not learnt`);
      } else {
        session.forgetDevice(device);
        const target: DeviceSession = { id: deviceId, metricNames: new Map() };
        session.devices.set(device, target);
        birth({ session, device, target, metrics, payload, receivedAt, out }, `${edge}/${device}`);
      }
    } else {
      const target = session.devices.get(device);
      if (!target) {
        if (verb === 'DDATA') {
          out.reject('data-before-birth', deviceId, `DDATA before this device's DBIRTH: asking the edge node to rebirth`);
          wantRebirth = true;
        }
      } else if (verb === 'DDATA') {
        wantRebirth = data({ session, device, target, metrics, payload, receivedAt, out }) || wantRebirth;
      } else {
        out.last(out.status(target.id, 'offline'));
        session.forgetDevice(device);
      }
    }
    if (wantRebirth) requestRebirth(group, edge, session);
    return out.result();
  }

  return {
    name: 'sparkplug',
    claims: (topic) => topic.startsWith(`${SPARKPLUG_NAMESPACE}/`),
    decode(publish) {
      try {
        return decode(publish);
      } catch (error) {
        // Nothing above is expected to throw; if it does, one publish is refused rather than ingest stopped.
        const out = new AdapterOutput(booth);
        out.reject('bad-protobuf', null, `could not read this Sparkplug message: ${(error as Error).message.slice(0, 80)}`);
        return out.result();
      }
    },
    stats: () => ({ edgeNodes: nodes.size, ...stats }),
  };
}

/** bdSeq is Int64 in 3.0 ([tck-id-message-flow-edge-node-birth-publish-nbirth-payload-bdSeq]) and UInt64 in older nodes: compare the integer, whichever field carries it. */
function bdSeqKey(metric: DecodedMetric): string | null {
  if (metric.longValue !== null && metric.longValue !== undefined) return longKey(metric.longValue);
  if (typeof metric.intValue === 'number') return String(metric.intValue >>> 0);
  return null;
}

export { datatypeName };
