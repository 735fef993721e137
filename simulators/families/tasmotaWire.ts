/**
 * Stock Tasmota on the wire (docs: tasmota.github.io/docs/MQTT/, BME280 and Power-Monitoring pages;
 * source: tasmota/tasmota.ino MQTT_CLIENT_ID "DVES_%06X", tasmota/tasmota_xdrv_driver/xdrv_12_discovery.ino):
 * - client id `DVES_%06X` (the chip id, the MAC's last three bytes), topic `tasmota_%06X`, FullTopic `%prefix%/%topic%/`;
 * - will `tele/<topic>/LWT` `Offline` (retained), birth `Online` on the same topic;
 * - right after connecting, the retained `tasmota/discovery/<MAC>/config` and `…/sensors`;
 * - every TelePeriod, `tele/<topic>/STATE` then `tele/<topic>/SENSOR` (BME280 and ENERGY, `Time` local, no zone).
 * Shapes and key order follow test/support/adapterFixtures.ts (which cites the same pages).
 *
 * With `fullTopic` (docs/MQTT.md "FullTopic": the `FullTopic` command, `%prefix%` and `%topic%` placed
 * anywhere, e.g. `devices/%topic%/%prefix%/`) every `tele`/`stat` topic and the will follow it, and the
 * discovery config's `ft` says so; the discovery topic itself is fixed (`tasmota/discovery/<MAC>/…`).
 * Such a device also sends its discovery config after its first STATE and SENSOR rather than with its birth:
 * the firmware publishes it seconds after connecting (xdrv_12_discovery.ino starts a delay on
 * FUNC_MQTT_INIT) while LWT `Online` comes at once, so a booth must read the layout before the config.
 */
import { createRandom, type Random } from '../random';
import type { WireFormat, WirePublisher, WireWill } from './FamilyDevice';

export interface TasmotaOptions {
  /** Six hex digits of the chip id; the MAC ends with them. */
  chipId: string;
  /** Friendly name (DeviceName), shown on the wall. */
  name: string;
  seed: string;
  /** Tasmota's FullTopic; default `%prefix%/%topic%/`. */
  fullTopic?: string;
}

export const DEFAULT_FULL_TOPIC = '%prefix%/%topic%/';

/** Tasmota's `Time`: local time as YYYY-MM-DDTHH:MM:SS, no zone (SetOption52 0, the default). */
export function tasmotaLocalTime(now: number): string {
  const d = new Date(now);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** `0T00:05:12`: Tasmota's Uptime text (days T hh:mm:ss). */
function uptimeText(seconds: number): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const days = Math.floor(seconds / 86400);
  return `${days}T${two(Math.floor((seconds % 86400) / 3600))}:${two(Math.floor((seconds % 3600) / 60))}:${two(seconds % 60)}`;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

export class TasmotaWire implements WireFormat {
  readonly clientId: string;
  readonly topic: string;
  readonly mac: string;
  private readonly name: string;
  private readonly random: Random;
  private readonly bootAt = Date.now();
  private temperature: number;
  private humidity: number;
  private pressure: number;
  private power = 0;
  private total = 1.234;
  private readonly fullTopic: string;
  private discoveryPending = false;

  constructor(options: TasmotaOptions) {
    const chip = options.chipId.toUpperCase();
    if (!/^[0-9A-F]{6}$/.test(chip)) throw new RangeError(`chipId must be six hex digits, got ${JSON.stringify(options.chipId)}`);
    this.clientId = `DVES_${chip}`;
    this.topic = `tasmota_${chip}`;
    this.mac = `84F3EB${chip}`;
    this.name = options.name;
    this.fullTopic = options.fullTopic ?? DEFAULT_FULL_TOPIC;
    if (!this.fullTopic.includes('%prefix%') || !this.fullTopic.includes('%topic%') || this.fullTopic.length > 100)
      throw new RangeError(`a FullTopic holds %prefix% and %topic% within 100 characters, got ${JSON.stringify(this.fullTopic)}`);
    this.random = createRandom(options.seed);
    this.temperature = this.random.between(20, 23);
    this.humidity = this.random.between(38, 48);
    this.pressure = this.random.between(1008, 1018);
  }

  /** `<FullTopic with %prefix% and %topic% filled in><leaf>`, as Tasmota's GetTopic_P builds it. */
  topicFor(prefix: 'cmnd' | 'stat' | 'tele', leaf: string): string {
    const base = this.fullTopic.replaceAll('%prefix%', prefix).replaceAll('%topic%', this.topic);
    return `${base}${base.endsWith('/') ? '' : '/'}${leaf}`;
  }

  will(): WireWill {
    return { topic: this.topicFor('tele', 'LWT'), payload: Buffer.from('Offline'), retain: true, qos: 1 };
  }

  subscriptions(): string[] {
    return [this.topicFor('cmnd', '#')];
  }

  goodbye() {
    return { topic: this.topicFor('tele', 'LWT'), payload: 'Offline', retain: true };
  }

  onConnect(out: WirePublisher, now: number): void {
    out.publish(this.topicFor('tele', 'LWT'), 'Online', { retain: true, qos: 1 });
    if (this.fullTopic === DEFAULT_FULL_TOPIC) this.discovery(out, now);
    else this.discoveryPending = true;
    this.onPeriod(out, now);
  }

  onPeriod(out: WirePublisher, now: number): void {
    this.step();
    out.publish(this.topicFor('tele', 'STATE'), this.stateJson(now));
    out.publish(this.topicFor('tele', 'SENSOR'), this.sensorJson(now));
    if (this.discoveryPending) {
      this.discoveryPending = false;
      this.discovery(out, now);
    }
  }

  private discovery(out: WirePublisher, now: number): void {
    out.publish(`tasmota/discovery/${this.mac}/config`, this.discoveryConfig(), { retain: true, qos: 1 });
    out.publish(`tasmota/discovery/${this.mac}/sensors`, `{"sn":${this.sensorJson(now)},"ver":1}`, { retain: true, qos: 1 });
  }

  private step(): void {
    this.temperature += 0.05 * this.random.normal();
    this.humidity = Math.min(90, Math.max(20, this.humidity + 0.2 * this.random.normal()));
    this.pressure += 0.05 * this.random.normal();
    this.power = Math.max(0, 40 + 8 * this.random.normal());
    this.total += this.power / 3600 / 1000;
  }

  /** xdrv_12_discovery.ino TasDiscoverMessage, key order as the firmware writes it. */
  private discoveryConfig(): string {
    const hex = this.mac.slice(-6);
    return JSON.stringify({
      ip: '192.168.1.50',
      dn: this.name,
      fn: [this.name, null, null, null, null, null, null, null],
      hn: `tasmota-${hex}-${String(parseInt(hex.slice(-4), 16) & 0xfff).padStart(4, '0')}`,
      mac: this.mac,
      md: 'Sonoff POW R2',
      ty: 0,
      if: 0,
      ofln: 'Offline',
      onln: 'Online',
      state: ['OFF', 'ON', 'TOGGLE', 'HOLD'],
      sw: '13.2.0',
      t: this.topic,
      ft: this.fullTopic,
      tp: ['cmnd', 'stat', 'tele'],
      rl: [1, 0, 0, 0, 0, 0, 0, 0],
      swc: [-1, -1, -1, -1, -1, -1, -1, -1],
      swn: [null, null, null, null, null, null, null, null],
      btn: [0, 0, 0, 0, 0, 0, 0, 0],
      so: { '4': 0, '11': 0, '13': 0, '17': 0, '20': 0, '30': 0, '68': 0, '73': 0, '82': 0, '114': 0, '117': 0 },
      lk: 0,
      lt_st: 0,
      sho: [0, 0, 0, 0],
      ver: 1,
    });
  }

  /** docs/BME280.md and docs/Power-Monitoring.md: sensor objects, then the unit envelope. */
  private sensorJson(now: number): string {
    return JSON.stringify({
      Time: tasmotaLocalTime(now),
      ENERGY: {
        TotalStartTime: '2026-11-01T09:12:40',
        Total: round(this.total, 3),
        Yesterday: 0.321,
        Today: round(this.total - 1.129, 3),
        Power: Math.round(this.power),
        ApparentPower: Math.round(this.power * 1.15),
        ReactivePower: Math.round(this.power * 0.57),
        Factor: 0.87,
        Voltage: Math.round(230 + this.random.normal()),
        Current: round(this.power / 230 / 0.87, 3),
      },
      BME280: {
        Temperature: round(this.temperature, 1),
        Humidity: round(this.humidity, 1),
        DewPoint: round(this.temperature - (100 - this.humidity) / 5, 1),
        Pressure: round(this.pressure, 1),
      },
      PressureUnit: 'hPa',
      TempUnit: 'C',
    });
  }

  /** docs/MQTT.md tele/<topic>/STATE. */
  private stateJson(now: number): string {
    const uptime = Math.max(0, Math.floor((now - this.bootAt) / 1000));
    return JSON.stringify({
      Time: tasmotaLocalTime(now),
      Uptime: uptimeText(uptime),
      UptimeSec: uptime,
      Heap: 26,
      SleepMode: 'Dynamic',
      Sleep: 50,
      LoadAvg: 19,
      MqttCount: 1,
      POWER: 'ON',
      Wifi: { AP: 1, SSId: 'expo', BSSId: 'AA:BB:CC:DD:EE:FF', Channel: 6, Mode: '11n', RSSI: 78, Signal: -61, LinkCount: 1, Downtime: '0T00:00:03' },
    });
  }
}
