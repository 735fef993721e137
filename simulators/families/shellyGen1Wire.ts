/**
 * Stock Shelly Gen1 (Shelly 1PM) on the wire (docs: shelly-api-docs.shelly.cloud/gen1/#mqtt, "MQTT" and
 * "Shelly1/1PM: MQTT"):
 * - device id and default client id `shelly1pm-<deviceid>`, the MAC's last six hex digits upper case;
 * - fixed topics under `shellies/<id>/`, one plain value each: `relay/0` `on`/`off`, `relay/0/power` (W),
 *   `relay/0/energy` (watt-minutes, a counter), `temperature` (°C), `temperature_f`, `overtemperature`
 *   `0`/`1`, `temperature_status` `Normal`/`High`/`Very High` (text), `input/0` `0`/`1`;
 *   published on change and every `mqtt_update_period` (30 s by default);
 * - `shellies/<id>/online` `true` after connecting and `false` as the will, retained (unless the LWT is off:
 *   `lwt: false` plays a device set up without one);
 * - on connecting, and when `announce` arrives on `shellies/command`, `shellies/announce` and
 *   `shellies/<id>/announce` with `{"id","model","mac","ip","new_fw","fw_ver"}`.
 * Shapes follow test/support/adapterFixtures.ts (which cites the same pages).
 */
import { createRandom, type Random } from '../random';
import type { WireFormat, WirePublisher, WireWill } from './FamilyDevice';

export interface ShellyGen1Options {
  /** Twelve hex digits; the device id ends with the last six. */
  mac: string;
  seed: string;
  /** Whether the device's MQTT settings keep the will (default true); false: none, so only the close can take it offline. */
  lwt?: boolean;
}

/** Gen1 firmware's version string (`fw_ver` in the announce). */
const FIRMWARE = '20230913-112003/v1.14.0-gcb84623';

export class ShellyGen1Wire implements WireFormat {
  readonly clientId: string;
  readonly id: string;
  readonly mac: string;
  private readonly random: Random;
  private readonly lwt: boolean;
  private power = 0;
  private energyWattMinutes = 1_234;
  private temperature = 38.5;
  /** Announces sent (on connect and on request). */
  announces = 0;

  constructor(options: ShellyGen1Options) {
    const mac = options.mac.toUpperCase();
    if (!/^[0-9A-F]{12}$/.test(mac)) throw new RangeError(`mac must be twelve hex digits, got ${JSON.stringify(options.mac)}`);
    this.mac = mac;
    this.id = `shelly1pm-${mac.slice(-6)}`;
    this.clientId = this.id;
    this.random = createRandom(options.seed);
    this.lwt = options.lwt ?? true;
  }

  will(): WireWill | undefined {
    return this.lwt ? { topic: `shellies/${this.id}/online`, payload: Buffer.from('false'), retain: true, qos: 0 } : undefined;
  }

  subscriptions(): string[] {
    return ['shellies/command', `shellies/${this.id}/command`, `shellies/${this.id}/relay/0/command`];
  }

  onConnect(out: WirePublisher): void {
    out.publish(`shellies/${this.id}/online`, 'true', { retain: true });
    this.announce(out);
    this.onPeriod(out);
  }

  onPeriod(out: WirePublisher): void {
    this.power = Math.max(0, 45 + 6 * this.random.normal());
    this.energyWattMinutes += Math.round(this.power / 30);
    this.temperature += 0.1 * this.random.normal();
    const celsius = Number(this.temperature.toFixed(2));
    out.publish(`shellies/${this.id}/relay/0`, 'on');
    out.publish(`shellies/${this.id}/relay/0/power`, this.power.toFixed(2));
    out.publish(`shellies/${this.id}/relay/0/energy`, String(this.energyWattMinutes));
    out.publish(`shellies/${this.id}/input/0`, '0');
    out.publish(`shellies/${this.id}/temperature`, String(celsius));
    out.publish(`shellies/${this.id}/temperature_f`, String(Number(((celsius * 9) / 5 + 32).toFixed(2))));
    out.publish(`shellies/${this.id}/overtemperature`, '0');
    out.publish(`shellies/${this.id}/temperature_status`, 'Normal');
  }

  onMessage(out: WirePublisher, topic: string, payload: Buffer): void {
    const command = payload.toString('utf8').trim();
    if ((topic === 'shellies/command' || topic === `shellies/${this.id}/command`) && command === 'announce') this.announce(out);
  }

  private announce(out: WirePublisher): void {
    const body = JSON.stringify({ id: this.id, model: 'SHSW-PM', mac: this.mac, ip: '192.168.1.61', new_fw: false, fw_ver: FIRMWARE });
    out.publish('shellies/announce', body);
    out.publish(`shellies/${this.id}/announce`, body);
    this.announces += 1;
  }
}
