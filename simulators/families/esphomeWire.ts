/**
 * Stock ESPHome's MQTT client on the wire (docs: esphome.io/components/mqtt.html, "Configuration
 * variables", "Birth/Last Will" and "MQTT Component Base Configuration"; source:
 * esphome/components/mqtt/mqtt_client.cpp):
 * - client id `<node name>-<mac>` (the default), topic prefix = the node name, clean session false;
 * - `<prefix>/status` `online` (birth) / `offline` (will), retained;
 * - one plain value per `<prefix>/<component>/<object_id>/state`, retained by default, every update_interval;
 *   `nan` while a sensor has no reading yet (the CO2 sensor's first period).
 */
import { createRandom, type Random } from '../random';
import type { WireFormat, WirePublisher, WireWill } from './FamilyDevice';

export interface EsphomeOptions {
  /** The node name (esphome: name:), also the topic prefix. */
  node: string;
  mac: string;
  seed: string;
}

export class EsphomeWire implements WireFormat {
  readonly clientId: string;
  readonly prefix: string;
  readonly clean = false;
  private readonly random: Random;
  private temperature: number;
  private humidity: number;
  private co2: number;
  private periods = 0;

  constructor(options: EsphomeOptions) {
    if (!/^[a-z0-9-]{1,31}$/.test(options.node))
      throw new RangeError(`an ESPHome node name is lower-case letters, digits and -, got ${JSON.stringify(options.node)}`);
    this.prefix = options.node;
    this.clientId = `${options.node}-${options.mac.toLowerCase()}`;
    this.random = createRandom(options.seed);
    this.temperature = this.random.between(21, 24);
    this.humidity = this.random.between(35, 50);
    this.co2 = this.random.between(500, 700);
  }

  will(): WireWill {
    return { topic: `${this.prefix}/status`, payload: Buffer.from('offline'), retain: true, qos: 1 };
  }

  /** ESPHome's shutdown message is its will's payload (mqtt_client.cpp: on_shutdown). */
  goodbye() {
    return { topic: `${this.prefix}/status`, payload: 'offline', retain: true };
  }

  onConnect(out: WirePublisher): void {
    out.publish(`${this.prefix}/status`, 'online', { retain: true, qos: 1 });
    this.onPeriod(out);
  }

  onPeriod(out: WirePublisher): void {
    this.temperature += 0.05 * this.random.normal();
    this.humidity = Math.min(95, Math.max(10, this.humidity + 0.2 * this.random.normal()));
    this.co2 = Math.max(400, this.co2 + 10 * this.random.normal());
    // sensor: accuracy_decimals (1 for temperature/humidity, 0 for CO2) as ESPHome formats the state.
    out.publish(`${this.prefix}/sensor/temperature/state`, this.temperature.toFixed(1), { retain: true });
    out.publish(`${this.prefix}/sensor/humidity/state`, this.humidity.toFixed(1), { retain: true });
    // The SCD4x reports nothing for its first measurement interval: ESPHome publishes NaN as `nan`.
    out.publish(`${this.prefix}/sensor/co2/state`, this.periods === 0 ? 'nan' : this.co2.toFixed(0), { retain: true });
    out.publish(`${this.prefix}/binary_sensor/door/state`, this.random.between(0, 1) < 0.8 ? 'OFF' : 'ON', { retain: true });
    this.periods += 1;
  }
}
