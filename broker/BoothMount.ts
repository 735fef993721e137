/**
 * A booth's MQTT namespace as a mount, the way EMQX's `mountpoint` works (issue 11): a booth's
 * connection may use any topic, and the broker maps it into the booth's own part of the broker's
 * topic tree on the way in and back on the way out. A topic already under `booth/{id}/` (today's
 * native contract) stays as it is; any other is mounted at `booth/{id}/raw/` + the topic.
 *
 * Every topic a booth's connection can name therefore lands under `booth/{id}/`, so a booth can
 * neither read nor write another booth's topics: the mapping is on bytes, so `..`, empty levels,
 * a leading `/` or a Unicode look-alike of `booth` are just more levels inside the mount. Two kinds
 * of names are refused rather than mounted, because a device naming them is asking for something
 * outside its mount and should be counted, not silently given an empty corner of its own:
 * - names starting with `$` ([MQTT-4.7.2-1]: `$SYS/…` is the broker's, `$share/…` a shared
 *   subscription across clients);
 * - names whose first level is `booth` but that are not under this booth's own prefix
 *   (`booth/other/…`, `booth/+/…`, `booth/#`);
 * - names that the mount would push past MQTT's 65535 bytes for a topic.
 *
 * Client ids are owned the same way: Aedes registers a connection under `{booth}/{clientId}`
 * (sessionKey), so the same id in two booths is two sessions, and MQTT's takeover of an id
 * [MQTT-3.1.4-2] happens only within one booth. A booth id never holds `/` (ID_PATTERN), so the key
 * names its booth unambiguously.
 */
import { boothTopicPrefix } from '../contract/device';
import { RAW_MOUNT_SEGMENT } from '../server/adapters/DeviceAdapter';

/** Levels the mount adds in front of a device's own topic: `booth`, the booth id, `raw`. */
export const MOUNT_LEVELS = 3;

/** Why a name is not mounted. */
export type MountRefusal = 'reserved-topic' | 'other-booth' | 'too-long';

/** A topic is a UTF-8 string of at most 65535 bytes [MQTT-1.5.3]; the mount must not push a device's topic past it. */
const MAX_TOPIC_BYTES = 65_535;

export type Mounted = { topic: string } | { refused: MountRefusal };

/** `booth/{booth}/raw/`: where a booth's foreign topics live. */
export function rawMountPrefix(booth: string): string {
  return `${boothTopicPrefix(booth)}${RAW_MOUNT_SEGMENT}/`;
}

/**
 * The broker's name for a topic or filter a connection of `booth` used: a publish topic, a will
 * topic, a subscription or unsubscription filter. Wildcards stay wildcards: `#` becomes
 * `booth/{booth}/raw/#`, which can match nothing outside the mount.
 */
export function mountName(booth: string, name: string): Mounted {
  if (name.startsWith(boothTopicPrefix(booth))) return { topic: name };
  if (name.startsWith('$')) return { refused: 'reserved-topic' };
  if (name === 'booth' || name.startsWith('booth/')) return { refused: 'other-booth' };
  const mounted = rawMountPrefix(booth) + name;
  // Only a topic near the limit needs its bytes counted (a UTF-16 unit is at most 3 UTF-8 bytes).
  if (mounted.length * 3 > MAX_TOPIC_BYTES && Buffer.byteLength(mounted) > MAX_TOPIC_BYTES) return { refused: 'too-long' };
  return { topic: mounted };
}

/**
 * The topic a subscriber of `booth` receives for the broker's `topic`: without the mount when
 * mounting it gives `topic` back (so a device sees the topic it subscribed to), as it is for the
 * rest of `booth/{booth}/`, and undefined for anything outside the booth (never delivered).
 */
export function unmountTopic(booth: string, topic: string): string | undefined {
  if (!topic.startsWith(boothTopicPrefix(booth))) return undefined;
  const raw = rawMountPrefix(booth);
  if (!topic.startsWith(raw)) return topic;
  const own = topic.slice(raw.length);
  // `booth/{id}/raw/$SYS/x` published natively would otherwise reach a subscriber as `$SYS/x`.
  const back = mountName(booth, own);
  return 'topic' in back && back.topic === topic && own !== '' ? own : topic;
}

/** The id Aedes registers a connection under: the device's own id, owned by its booth. */
export function sessionKey(booth: string, clientId: string): string {
  return `${booth}/${clientId}`;
}

/** The booth of a sessionKey; undefined for an id that is none (the broker's own). */
export function boothOfSessionKey(key: string): string | undefined {
  const slash = key.indexOf('/');
  return slash > 0 ? key.slice(0, slash) : undefined;
}
