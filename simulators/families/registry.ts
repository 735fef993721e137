/**
 * Stock-device families the simulator can play (`--profiles tasmota,shelly,esphome,sparkplug`), each a
 * WireFormat for FamilyDevice. Identities are derived from the device's number in the booth, so a
 * rehearsal shows the same names every run: the n-th Tasmota is `DVES_A1B2C<n>`, and so on.
 */
import { EsphomeWire } from './esphomeWire';
import type { WireFormat } from './FamilyDevice';
import { ShellyGen1Wire } from './shellyGen1Wire';
import { ShellyWire } from './shellyWire';
import { SparkplugWire } from './sparkplugWire';
import { TasmotaWire } from './tasmotaWire';

/**
 * `shelly` is Gen2 (Plus 1PM); `shelly-gen1` a Gen1 Shelly 1PM on `shellies/<id>/…`; `tasmota-fulltopic` a
 * Tasmota whose FullTopic is `devices/%topic%/%prefix%/` (the tasmota adapter reads it by its shape, then
 * by its discovery config: server/adapters/tasmota.ts customFullTopic).
 */
export const FAMILY_KINDS = ['tasmota', 'shelly', 'esphome', 'sparkplug', 'shelly-gen1', 'tasmota-fulltopic'] as const;
export type FamilyKind = (typeof FAMILY_KINDS)[number];

export function isFamilyKind(kind: string): kind is FamilyKind {
  return (FAMILY_KINDS as readonly string[]).includes(kind);
}

/** The booth adapter each family needs in showfloor.yaml (`booths[].adapters`). */
export const FAMILY_ADAPTER: Record<FamilyKind, string> = {
  tasmota: 'tasmota',
  shelly: 'shelly',
  esphome: 'esphome',
  sparkplug: 'sparkplug',
  'shelly-gen1': 'shelly',
  'tasmota-fulltopic': 'tasmota',
};

/** The custom FullTopic `tasmota-fulltopic` plays: the docs' example of moving %prefix% behind %topic%. */
export const CUSTOM_FULL_TOPIC = 'devices/%topic%/%prefix%/';

/** Default telemetry period: far shorter than the families' own defaults (Tasmota TelePeriod 300 s), so a demo moves. */
export const DEFAULT_FAMILY_PERIOD_MS = 2000;

export interface PlannedFamilyDevice {
  /** The device id Showfloor gives it (from the family's topics, as the adapter maps it). */
  deviceId: string;
  name: string;
  wire: WireFormat;
}

const hex = (value: number, digits: number) => (value % 16 ** digits).toString(16).padStart(digits, '0');

/** The n-th (1-based) device of a family in a booth. */
export function planFamilyDevice(kind: FamilyKind, n: number, seed: string): PlannedFamilyDevice {
  switch (kind) {
    case 'tasmota': {
      const wire = new TasmotaWire({ chipId: hex(0xa1b2c0 + n, 6), name: `Tasmota plug ${n}`, seed });
      return { deviceId: wire.topic.toLowerCase(), name: `Tasmota plug ${n}`, wire };
    }
    case 'shelly': {
      const wire = new ShellyWire({ mac: `a8032ab1${hex(0x2340 + n, 4)}`, seed });
      return { deviceId: wire.prefix, name: wire.prefix, wire };
    }
    case 'esphome': {
      const wire = new EsphomeWire({ node: `expo-esp${n}`, mac: `246f28a1${hex(0x0b00 + n, 4)}`, seed });
      return { deviceId: wire.prefix, name: wire.prefix, wire };
    }
    case 'shelly-gen1': {
      const wire = new ShellyGen1Wire({ mac: `a4cf12b9${hex(0x2900 + n, 4)}`, seed });
      return { deviceId: wire.id.toLowerCase(), name: wire.id, wire };
    }
    case 'tasmota-fulltopic': {
      // Chip ids apart from the plain `tasmota` kind's, so the two never share a client id (a takeover).
      const wire = new TasmotaWire({ chipId: hex(0xf0c0c0 + n, 6), name: `Lab plug ${n}`, seed, fullTopic: CUSTOM_FULL_TOPIC });
      return { deviceId: wire.topic.toLowerCase(), name: `Lab plug ${n}`, wire };
    }
    case 'sparkplug': {
      const wire = new SparkplugWire({ group: 'Showfloor', edge: `edge-${n}`, device: 'Robot', seed });
      return { deviceId: `${wire.edge}_${wire.device}`, name: `${wire.edge}/${wire.device}`, wire };
    }
  }
}
