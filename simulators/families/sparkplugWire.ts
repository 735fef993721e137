/**
 * A Sparkplug B edge node with one device (Eclipse Sparkplug 3.0 spec: Topics, Payloads, Operational
 * Behavior chapters), encoded with Eclipse Tahu's `sparkplug-payload`:
 * - MQTT 3.1.1, clean session, will `spBv1.0/<group>/NDEATH/<edge>` carrying `bdSeq`, one more per connect;
 * - after CONNACK: subscribe to NCMD/DCMD, then NBIRTH (bdSeq, `Node Control/Rebirth`, properties) and
 *   DBIRTH, every metric with its name, alias and datatype, `seq` 0 and 1;
 * - every period NDATA/DDATA by alias only, `seq` + 1 wrapping 255 → 0;
 * - an NCMD `Node Control/Rebirth` = true is answered with a new NBIRTH + DBIRTH (same bdSeq, seq from 0)
 *   ([tck-id-operational-behavior-data-commands-rebirth-action-1..3]).
 */
import sparkplugPayload from 'sparkplug-payload';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload';
import { createRandom, type Random } from '../random';
import type { WireFormat, WirePublisher, WireWill } from './FamilyDevice';

const maybeCodec = sparkplugPayload.get('spBv1.0');
if (!maybeCodec) throw new Error('sparkplug-payload has no spBv1.0 codec');
const codec = maybeCodec;
const encode = (payload: UPayload): Buffer => Buffer.from(codec.encodePayload(payload));

export const REBIRTH_METRIC = 'Node Control/Rebirth';

export interface SparkplugOptions {
  group: string;
  edge: string;
  device: string;
  seed: string;
}

const ALIAS = { cpu: 1, temperature: 10, torque: 11, cycles: 12, fault: 13 } as const;

export class SparkplugWire implements WireFormat {
  readonly clientId: string;
  readonly protocolVersion = 4;
  readonly group: string;
  readonly edge: string;
  readonly device: string;
  private readonly random: Random;
  /** bdSeq of the will sent with the current (or coming) connection; -1 before the first. */
  private bdSeq = -1;
  private seq = 0;
  private births = 0;
  private rebirthRequests = 0;
  private skipBirths = 0;
  private cpu = 0.2;
  private temperature: number;
  private torque = 40;
  private cycles = 0;

  constructor(options: SparkplugOptions) {
    this.group = options.group;
    this.edge = options.edge;
    this.device = options.device;
    this.clientId = options.edge;
    this.random = createRandom(options.seed);
    this.temperature = this.random.between(30, 36);
  }

  /** NBIRTHs sent so far (connects plus answered rebirths). */
  get birthCount(): number {
    return this.births;
  }

  /** NCMD Rebirth requests received so far. */
  get rebirthsRequested(): number {
    return this.rebirthRequests;
  }

  get currentBdSeq(): number {
    return this.bdSeq;
  }

  /** For rehearsal and tests: the next BIRTH is lost on the way, so the host sees DATA without one. */
  dropNextBirth(): void {
    this.skipBirths += 1;
  }

  private topic(type: string, device?: string): string {
    return `spBv1.0/${this.group}/${type}/${this.edge}${device === undefined ? '' : `/${device}`}`;
  }

  will(): WireWill {
    // [tck-id-payloads-ndeath-bdseq]: the NDEATH carries the bdSeq the following NBIRTH will carry; 0–255.
    this.bdSeq = (this.bdSeq + 1) % 256;
    return {
      topic: this.topic('NDEATH'),
      payload: encode({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'UInt64', value: this.bdSeq }] }),
      retain: false,
      qos: 1,
    };
  }

  subscriptions(): string[] {
    return [this.topic('NCMD'), `${this.topic('DCMD')}/#`];
  }

  /** A clean disconnect sends the NDEATH itself ([tck-id-operational-behavior-edge-node-intentional-offline]). */
  goodbye() {
    return {
      topic: this.topic('NDEATH'),
      payload: encode({ timestamp: Date.now(), metrics: [{ name: 'bdSeq', type: 'UInt64', value: this.bdSeq }] }),
      retain: false,
    };
  }

  onConnect(out: WirePublisher, now: number): void {
    this.birth(out, now);
  }

  onMessage(out: WirePublisher, topic: string, payload: Buffer, now: number): void {
    if (topic !== this.topic('NCMD')) return;
    let metrics: UMetric[];
    try {
      metrics = codec.decodePayload(payload).metrics ?? [];
    } catch {
      return;
    }
    if (metrics.some((metric) => metric.name === REBIRTH_METRIC && metric.value === true)) {
      this.rebirthRequests += 1;
      this.birth(out, now);
    }
  }

  onPeriod(out: WirePublisher, now: number): void {
    this.step();
    out.publish(
      this.topic('NDATA'),
      encode({ timestamp: now, seq: this.nextSeq(), metrics: [{ alias: ALIAS.cpu, type: 'Float', value: this.cpu, timestamp: now }] }),
    );
    out.publish(
      this.topic('DDATA', this.device),
      encode({
        timestamp: now,
        seq: this.nextSeq(),
        metrics: [
          { alias: ALIAS.temperature, type: 'Double', value: this.temperature, timestamp: now },
          { alias: ALIAS.torque, type: 'Double', value: this.torque, timestamp: now },
          { alias: ALIAS.cycles, type: 'Int64', value: this.cycles, timestamp: now },
          { alias: ALIAS.fault, type: 'Boolean', value: false, timestamp: now },
        ],
      }),
    );
  }

  private nextSeq(): number {
    const seq = this.seq;
    this.seq = (this.seq + 1) % 256;
    return seq;
  }

  private step(): void {
    this.cpu = Number(Math.min(1, Math.max(0, this.cpu + 0.02 * this.random.normal())).toFixed(3));
    this.temperature = Number((this.temperature + 0.1 * this.random.normal()).toFixed(2));
    this.torque = Number(Math.max(0, 40 + 25 * this.random.normal()).toFixed(1));
    this.cycles += 1;
  }

  /** NBIRTH then DBIRTH; seq starts again at 0 with each NBIRTH ([tck-id-payloads-nbirth-seq]). */
  private birth(out: WirePublisher, now: number): void {
    this.seq = 0;
    this.births += 1;
    const unit = (text: string) => ({ engUnit: { type: 'String' as const, value: text } });
    const nbirth = encode({
      timestamp: now,
      seq: this.nextSeq(),
      metrics: [
        { name: 'bdSeq', type: 'UInt64', value: this.bdSeq, timestamp: now },
        { name: REBIRTH_METRIC, type: 'Boolean', value: false, timestamp: now },
        { name: 'Properties/Hardware Make', type: 'String', value: 'Showfloor simulator', timestamp: now },
        { name: 'Properties/FW', type: 'String', value: 'edge-3.0.0', timestamp: now },
        { name: 'Node Metrics/CPU Load', alias: ALIAS.cpu, type: 'Float', value: this.cpu, timestamp: now },
      ],
    });
    const dbirth = encode({
      timestamp: now,
      seq: this.nextSeq(),
      metrics: [
        { name: 'Joint1/Temperature', alias: ALIAS.temperature, type: 'Double', value: this.temperature, timestamp: now, properties: unit('°C') },
        { name: 'Torque', alias: ALIAS.torque, type: 'Double', value: this.torque, timestamp: now, properties: unit('N·m') },
        { name: 'Cycle Count', alias: ALIAS.cycles, type: 'Int64', value: this.cycles, timestamp: now },
        { name: 'Fault', alias: ALIAS.fault, type: 'Boolean', value: false, timestamp: now },
      ],
    });
    if (this.skipBirths > 0) {
      // Lost on the way: the seq numbers are spent as if they had been sent.
      this.skipBirths -= 1;
      return;
    }
    out.publish(this.topic('NBIRTH'), nbirth);
    out.publish(this.topic('DBIRTH', this.device), dbirth);
  }
}
