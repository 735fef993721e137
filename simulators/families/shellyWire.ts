/**
 * Stock Shelly Gen2 (Plus 1PM) on the wire (docs: shelly-api-docs.shelly.cloud/gen2/ComponentsAndServices/Mqtt,
 * …/Switch "Status", …/General/Notifications "NotifyStatus"):
 * - client id and topic prefix default to the device id `shellyplus1pm-<mac, lower case>`;
 * - `<prefix>/online` `true` after connecting, `false` as the will (retained);
 * - with "status_ntf", the full component status on `<prefix>/status/switch:0`;
 * - `<prefix>/events/rpc` `NotifyStatus` with `ts` in seconds (two decimals) and a partial `switch:0`.
 * Shapes and key order follow test/support/adapterFixtures.ts (which cites the same pages).
 */
import { createRandom, type Random } from '../random';
import type { WireFormat, WirePublisher, WireWill } from './FamilyDevice';

export interface ShellyOptions {
  /** Twelve hex digits, lower case as the device id writes it. */
  mac: string;
  seed: string;
  /** A full status every this many periods (the deltas in between are NotifyStatus). */
  statusEvery?: number;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

export class ShellyWire implements WireFormat {
  readonly clientId: string;
  readonly prefix: string;
  private readonly random: Random;
  private readonly statusEvery: number;
  private periods = 0;
  private apower = 0;
  private voltage = 236.5;
  private total = 12.345;
  private temperature = 41.5;

  constructor(options: ShellyOptions) {
    const mac = options.mac.toLowerCase();
    if (!/^[0-9a-f]{12}$/.test(mac)) throw new RangeError(`mac must be twelve hex digits, got ${JSON.stringify(options.mac)}`);
    this.prefix = `shellyplus1pm-${mac}`;
    this.clientId = this.prefix;
    this.random = createRandom(options.seed);
    this.statusEvery = Math.max(1, options.statusEvery ?? 6);
  }

  will(): WireWill {
    return { topic: `${this.prefix}/online`, payload: Buffer.from('false'), retain: true, qos: 1 };
  }

  subscriptions(): string[] {
    return [`${this.prefix}/rpc`];
  }

  goodbye() {
    return { topic: `${this.prefix}/online`, payload: 'false', retain: true };
  }

  onConnect(out: WirePublisher, now: number): void {
    out.publish(`${this.prefix}/online`, 'true', { retain: true, qos: 1 });
    this.step();
    out.publish(`${this.prefix}/status/switch:0`, this.status(now, 'init'), { qos: 0 });
  }

  onPeriod(out: WirePublisher, now: number): void {
    this.step();
    this.periods += 1;
    if (this.periods % this.statusEvery === 0) {
      out.publish(`${this.prefix}/status/switch:0`, this.status(now, 'timer'));
      return;
    }
    const current = round(this.apower / this.voltage, 3);
    out.publish(
      `${this.prefix}/events/rpc`,
      `{"src":"${this.prefix}","dst":"${this.prefix}/events","method":"NotifyStatus","params":{"ts":${(now / 1000).toFixed(2)},"switch:0":{"id":0,"apower":${round(this.apower, 1)},"current":${current}}}}`,
    );
  }

  private step(): void {
    this.apower = Math.max(0, 60 + 15 * this.random.normal());
    this.voltage = round(236.5 + 0.8 * this.random.normal(), 1);
    this.total += this.apower / 3600 / 10;
    this.temperature = round(41.5 + 0.3 * this.random.normal(), 1);
  }

  /** Switch "Status" example: id, source, output, apower, voltage, current, aenergy, temperature. */
  private status(now: number, source: string): string {
    const minuteTs = Math.floor(now / 60_000) * 60;
    return JSON.stringify({
      id: 0,
      source,
      output: true,
      apower: round(this.apower, 1),
      voltage: this.voltage,
      current: round(this.apower / this.voltage, 3),
      aenergy: { total: round(this.total, 3), by_minute: [0, 0, 0], minute_ts: minuteTs },
      temperature: { tC: this.temperature, tF: round((this.temperature * 9) / 5 + 32, 1) },
    });
  }
}
