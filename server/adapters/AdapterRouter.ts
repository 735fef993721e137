/**
 * Per booth, the adapters its settings switch on (`booths[].adapters`, `booths[].topicMaps`), and
 * the routing of a publish on the booth's mount (`booth/{id}/raw/<device's own topic>`) to the first
 * of them that claims its topic. What an adapter makes is checked again by the native contract's
 * rules (TelemetryValidator.checkAdapted), and a device's meta, announced piecemeal by most families
 * (a name in one publish, units in another), is merged here so each meta message is complete.
 */
import { MAX_READINGS_PER_MESSAGE, type DeviceMeta, type NamedTable } from '../../contract/device';
import type { AdapterFamily } from '../config/adapterSettings';
import type { BoothConfig } from '../config/settings';
import { DEFAULT_VALIDATOR_LIMITS, type DeviceMessage, type Rejection, type TelemetryValidator } from '../ingest/TelemetryValidator';
import { RAW_MOUNT_SEGMENT, type AdapterName, type BoothCommands, type DeviceAdapter, type RawPublish } from './DeviceAdapter';
import { createHomeAssistantAdapter } from './homeassistant';
import { createSparkplugAdapter } from './sparkplug';
import { EsphomeAdapter } from './esphome';
import { ShellyAdapter } from './shelly';
import { TasmotaAdapter } from './tasmota';
import { TopicMapAdapter } from './topicMap';

export type AdapterFactory = (booth: BoothConfig, commands: BoothCommands) => DeviceAdapter;

/**
 * The families this build can read. `homeassistant` and `sparkplug` are built beside these (issue 11,
 * server/adapters/homeassistant.ts and sparkplug.ts) against the same DeviceAdapter contract:
 * register their factories here when they merge. Until then a booth that lists them is told at start-up.
 */
export const FAMILY_FACTORIES: Partial<Record<AdapterFamily, AdapterFactory>> = {
  tasmota: () => new TasmotaAdapter(),
  shelly: () => new ShellyAdapter(),
  esphome: () => new EsphomeAdapter(),
  homeassistant: (booth) => createHomeAssistantAdapter(booth.id),
  sparkplug: (booth, commands) => createSparkplugAdapter(booth.id, commands),
};

/** One publish on a mount, as adapters decoded it: every verdict takes the native path in Ingest. */
export interface RoutedPublish {
  /** The adapter that claimed the topic; null when none did. */
  adapter: AdapterName | null;
  verdicts: (DeviceMessage | Rejection)[];
}

/** Devices whose merged meta is remembered per booth; past it the least recently announced is forgotten. */
export interface AdapterRouterLimits {
  maxDevicesPerBooth: number;
  maxPayloadBytes: number;
}

/** `booth/{id}/raw/<topic>` → `<topic>`; null for any other topic. */
export function rawTopicOf(booth: string, topic: string): string | null {
  const mount = `booth/${booth}/${RAW_MOUNT_SEGMENT}/`;
  return topic.startsWith(mount) && topic.length > mount.length ? topic.slice(mount.length) : null;
}

export class AdapterRouter {
  private readonly adapters = new Map<string, DeviceAdapter[]>();
  private readonly metas = new Map<string, Map<string, DeviceMeta>>();
  /** Families a booth lists that this build has no factory for, so start-up can say so. */
  readonly unavailable: { booth: string; family: AdapterFamily }[] = [];
  /**
   * The meta the server already holds for a device (the device model's, restored from storage after
   * a restart): where this router remembers none, merging starts from it, so a device's first
   * publish after a restart neither replaces its restored name and units nor gets a default kind
   * over its known one. Absent (unit tests of the router alone): nothing is known.
   */
  private knownMeta: (booth: string, device: string) => DeviceMeta | undefined = () => undefined;

  constructor(
    booths: readonly BoothConfig[],
    private readonly validator: TelemetryValidator,
    commands: BoothCommands,
    private readonly limits: AdapterRouterLimits = { maxDevicesPerBooth: 500, maxPayloadBytes: DEFAULT_VALIDATOR_LIMITS.maxPayloadBytes },
    factories: Partial<Record<AdapterFamily, AdapterFactory>> = FAMILY_FACTORIES,
  ) {
    for (const booth of booths) {
      const list: DeviceAdapter[] = [];
      for (const family of booth.adapters) {
        const factory = factories[family];
        if (factory) list.push(factory(booth, commands));
        else this.unavailable.push({ booth: booth.id, family });
      }
      if (booth.topicMaps.length > 0) list.push(new TopicMapAdapter(booth.topicMaps));
      this.adapters.set(booth.id, list);
      this.metas.set(booth.id, new Map());
    }
  }

  /** Where the meta a device already has is looked up (see knownMeta). */
  useKnownMeta(lookup: (booth: string, device: string) => DeviceMeta | undefined): void {
    this.knownMeta = lookup;
  }

  /** What is known of a device: what this router merged, else what the server holds. */
  private metaOf(booth: string, device: string): DeviceMeta | undefined {
    return this.metas.get(booth)?.get(device) ?? this.knownMeta(booth, device);
  }

  /** The adapter names a booth reads, in the order they are tried. */
  adapterNames(booth: string): AdapterName[] {
    return (this.adapters.get(booth) ?? []).map((a) => a.name);
  }

  /** Null when `topic` is not on the booth's mount (the native validator takes it). Never throws. */
  route(booth: string, topic: string, payload: Buffer, receivedAt: number, fromWill: boolean, clientId: string): RoutedPublish | null {
    const raw = rawTopicOf(booth, topic);
    if (raw === null) return null;
    const unmapped = (detail: string, adapter: AdapterName | null = null): RoutedPublish => ({
      adapter,
      verdicts: [{ kind: 'rejected', reason: 'unmapped-topic', detail, booth, device: null, ...(adapter ? { adapter } : {}) }],
    });
    const adapter = (this.adapters.get(booth) ?? []).find((candidate) => safeClaims(candidate, raw));
    if (adapter === undefined) {
      return unmapped(`no adapter of this booth (${this.adapterNames(booth).join(', ') || 'none configured'}) reads ${JSON.stringify(raw.slice(0, 80))}`);
    }
    if (payload.length > this.limits.maxPayloadBytes) {
      return {
        adapter: adapter.name,
        verdicts: [
          {
            kind: 'rejected',
            reason: 'payload-too-large',
            detail: `${payload.length} bytes; the limit is ${this.limits.maxPayloadBytes}`,
            booth,
            device: null,
            adapter: adapter.name,
          },
        ],
      };
    }
    const publish: RawPublish = { booth, topic: raw, payload, receivedAt, fromWill, clientId };
    let decoded;
    try {
      decoded = adapter.decode(publish);
    } catch (error) {
      // An adapter is total by contract; if one is not, this publish is lost, not the server.
      return unmapped(`the ${adapter.name} adapter failed on this publish: ${(error as Error).message.slice(0, 80)}`, adapter.name);
    }
    const verdicts: (DeviceMessage | Rejection)[] = [];
    for (const message of this.withDefaultKinds(booth, adapter, decoded.messages)) {
      if (message.booth !== booth) {
        verdicts.push({
          kind: 'rejected',
          reason: 'wrong-booth',
          detail: `the ${adapter.name} adapter named another booth`,
          booth,
          device: null,
          adapter: adapter.name,
        });
        continue;
      }
      const merged = message.kind === 'meta' ? this.mergeMeta(booth, message.device, message.meta) : message;
      if (merged === null) continue;
      const verdict = this.validator.checkAdapted(merged, receivedAt);
      verdicts.push(verdict.kind === 'rejected' ? { ...verdict, adapter: adapter.name } : verdict);
    }
    for (const rejection of decoded.rejections) verdicts.push({ ...rejection, booth, adapter: adapter.name });
    return { adapter: adapter.name, verdicts };
  }

  /**
   * `messages` with the family's default kind (DeviceAdapter.defaultKind) given to each device that
   * has a reading here but no kind yet, neither known nor announced in this publish: into the
   * device's meta message of this publish where it has one, else in one of its own ahead of the
   * reading. So the reading's row is never stored as kind `unknown`.
   */
  private withDefaultKinds(booth: string, adapter: DeviceAdapter, messages: DeviceMessage[]): DeviceMessage[] {
    if (!adapter.defaultKind) return messages;
    const needing = new Set<string>();
    for (const message of messages) {
      if (message.kind === 'telemetry' && this.metaOf(booth, message.device)?.kind === undefined) needing.add(message.device);
    }
    for (const message of messages) if (message.kind === 'meta' && message.meta.kind !== undefined) needing.delete(message.device);
    if (needing.size === 0) return messages;
    const out: DeviceMessage[] = [];
    for (const message of messages) {
      if (needing.has(message.device)) {
        needing.delete(message.device);
        let kind: string | undefined;
        try {
          kind = adapter.defaultKind(message.device);
        } catch {
          kind = undefined; // an adapter is total by contract; a kind is not worth losing the reading over
        }
        if (kind !== undefined && message.kind === 'meta') {
          out.push({ ...message, meta: { ...message.meta, kind } });
          continue;
        }
        if (kind !== undefined) out.push({ kind: 'meta', booth, device: message.device, meta: { kind } });
      }
      out.push(message);
    }
    return out;
  }

  /** The device's meta with `partial` merged in, or null when nothing changed (no message needed). */
  private mergeMeta(booth: string, device: string, partial: DeviceMeta): { kind: 'meta'; booth: string; device: string; meta: DeviceMeta } | null {
    const known = this.metas.get(booth);
    if (!known) return null;
    const remembered = known.get(device);
    const before = remembered ?? this.knownMeta(booth, device);
    const meta: DeviceMeta = { ...before };
    let changed = before === undefined;
    for (const key of ['name', 'kind', 'firmware'] as const) {
      const value = partial[key];
      if (value !== undefined && value !== meta[key]) {
        meta[key] = value;
        changed = true;
      }
    }
    if (partial.units) {
      // Most publishes repeat the units already known: look before copying.
      const known = meta.units;
      const fresh = Object.entries(partial.units).filter(([metric, unit]) => known === undefined || !Object.hasOwn(known, metric) || known[metric] !== unit);
      if (fresh.length > 0) {
        const units = Object.assign(Object.create(null) as NamedTable<string>, known);
        let count = Object.keys(units).length;
        for (const [metric, unit] of fresh) {
          // The native meta holds at most as many units as a message holds readings.
          if (!Object.hasOwn(units, metric) && count >= MAX_READINGS_PER_MESSAGE) continue;
          if (!Object.hasOwn(units, metric)) count++;
          units[metric] = unit;
          changed = true;
        }
        meta.units = units;
      }
    }
    if (!changed) {
      // Taken from the model: remembered here from now on, as if this router had merged it.
      if (remembered === undefined) this.remember(known, device, meta);
      return null;
    }
    this.remember(known, device, meta);
    return { kind: 'meta', booth, device, meta };
  }

  private remember(known: Map<string, DeviceMeta>, device: string, meta: DeviceMeta): void {
    known.delete(device);
    known.set(device, meta);
    if (known.size > this.limits.maxDevicesPerBooth) known.delete(known.keys().next().value!);
  }

  /** For tests: devices whose meta is remembered for `booth`. */
  rememberedDevices(booth: string): number {
    return this.metas.get(booth)?.size ?? 0;
  }
}

function safeClaims(adapter: DeviceAdapter, topic: string): boolean {
  try {
    return adapter.claims(topic);
  } catch {
    return false;
  }
}
