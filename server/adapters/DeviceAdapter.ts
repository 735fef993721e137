/**
 * How a stock device's own MQTT layout becomes Showfloor's device model (issue 11). A booth's
 * connection may publish anywhere; what is not already under `booth/{id}/` is mounted at
 * `booth/{id}/raw/…` by the broker (the way EMQX's `mountpoint` works), and ingest hands each such
 * publish to the booth's adapters (`booths[].adapters` and `booths[].topicMaps` in the settings
 * file). An adapter turns one publish into any number of messages of the native contract, which
 * then take exactly the native path: the same validation rules, storage, walls, alarms, presence
 * and console.
 */
import type { DeviceMessage, Rejection } from '../ingest/TelemetryValidator';

/** The families a booth can switch on, plus its generic topic maps. */
export type AdapterName = 'tasmota' | 'shelly' | 'esphome' | 'homeassistant' | 'sparkplug' | 'topic-map';

/** The mount a booth's foreign topics live under: `booth/{id}/raw/` + the topic the device used. */
export const RAW_MOUNT_SEGMENT = 'raw';

/** One publish on a booth's mount, as the device sent it. */
export interface RawPublish {
  booth: string;
  /** The topic the device used, without the mount: e.g. `tele/tasmota_A1B2C3/SENSOR`. */
  topic: string;
  payload: Buffer;
  receivedAt: number;
  /** True when the broker published this as the client's will. */
  fromWill: boolean;
  /** The MQTT client id of the connection that sent it. */
  clientId: string;
}

/**
 * What an adapter made of one publish. `messages` carry ids and metric names that already match
 * the native patterns (contract/device.ts) and values that are finite numbers or booleans; a field
 * the family's own documentation shows to be normal but that is no reading (a Tasmota string, an
 * ESPHome `nan`) is left out with a rejection in `rejections` rather than failing the whole publish.
 */
export interface AdapterResult {
  messages: DeviceMessage[];
  rejections: Rejection[];
}

export interface DeviceAdapter {
  readonly name: AdapterName;
  /** Whether this adapter reads this topic (without the mount); the first adapter that claims a topic decodes it. */
  claims(topic: string): boolean;
  decode(publish: RawPublish): AdapterResult;
  /**
   * The kind of a device of this family before it has announced its model (Tasmota's discovery
   * config, Shelly Gen1's announce): most families send readings before, or without, the publish
   * that names the model, and a reading stored without a kind is tagged `unknown` for good. The
   * router gives it ahead of the device's first message and never over a kind the device announced;
   * an announced model replaces it. Undefined: no family default (topic maps, discovery-driven adapters).
   */
  defaultKind?(device: string): string | undefined;
}

/** What adapters may ask of the broker: a command published into the booth's own mount (e.g. Sparkplug's rebirth request). */
export interface BoothCommands {
  /** `topic` is the device's own (e.g. `spBv1.0/g1/NCMD/edge1`); the broker mounts it under the booth. */
  publishToBooth(booth: string, topic: string, payload: Buffer): void;
}
