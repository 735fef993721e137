/**
 * The retained messages the broker keeps, counted per booth: how many topics and how many bytes.
 * Aedes keeps retained messages in memory for ever, so this is what bounds them. Only status and
 * meta are retained by the device contract, and only up to the booth's limits of topics
 * and bytes.
 */
import { ID_PATTERN } from '../contract/device';
import { RAW_MOUNT_SEGMENT } from '../server/adapters/DeviceAdapter';

export interface RetainedLimits {
  maxTopicsPerBooth: number;
  maxBytesPerBooth: number;
}

/**
 * What became of a retained publish: `kept` (stored, or replacing the topic's message), `cleared`
 * (an empty message removed the topic), or why it may not be retained: a topic the contract does
 * not retain, the booth's topic limit, or its byte budget.
 */
export type RetainedOutcome = 'kept' | 'cleared' | 'not-retainable' | 'over-topics' | 'over-bytes';

interface RetainedOfBooth {
  /** Bytes of each retained topic's message (topic and payload). */
  topics: Map<string, number>;
  bytes: number;
}

/** `booth/{booth}/{device}/status` and `…/meta`: the topics a device may retain. */
/**
 * A native device's status and meta, and anything on the raw mount (`booth/{id}/raw/…`): stock
 * devices announce themselves with retained messages (a Tasmota or Home Assistant discovery
 * config, a retained LWT), and those are held to the same per-booth budgets.
 */
function isRetainable(topic: string): boolean {
  const parts = topic.split('/');
  if (parts.length >= 4 && parts[2] === RAW_MOUNT_SEGMENT) return true;
  return parts.length === 4 && ID_PATTERN.test(parts[2] ?? '') && (parts[3] === 'status' || parts[3] === 'meta');
}

export class RetainedLedger {
  /** Keyed by authenticated booth ids only, so it holds at most one entry per configured booth. */
  private readonly booths = new Map<string, RetainedOfBooth>();

  constructor(private readonly limits: RetainedLimits) {}

  topicCount(booth: string): number {
    return this.booths.get(booth)?.topics.size ?? 0;
  }

  /** Bytes (topic and payload) of the retained messages kept for `booth`. */
  bytes(booth: string): number {
    return this.booths.get(booth)?.bytes ?? 0;
  }

  /**
   * Records a retained publish if it fits and says what became of it. A message that does not fit
   * leaves the retained message it would have replaced in place, with its bytes.
   */
  offer(booth: string, topic: string, payload: string | Buffer): RetainedOutcome {
    let retained = this.booths.get(booth);
    if (!retained) this.booths.set(booth, (retained = { topics: new Map(), bytes: 0 }));
    const retainable = isRetainable(topic);
    const held = retained.topics.get(topic);
    if (retainable && payload.length === 0) {
      // An empty retained message clears the topic and gives its bytes back [MQTT-3.3.1-10].
      if (held !== undefined) {
        retained.topics.delete(topic);
        retained.bytes -= held;
      }
      return 'cleared';
    }
    const bytes = Buffer.byteLength(topic) + Buffer.byteLength(payload);
    if (!retainable) return 'not-retainable';
    // Replacing a held topic takes no new place.
    if (held === undefined && retained.topics.size >= this.limits.maxTopicsPerBooth) return 'over-topics';
    if (retained.bytes - (held ?? 0) + bytes > this.limits.maxBytesPerBooth) return 'over-bytes';
    retained.topics.set(topic, bytes);
    retained.bytes += bytes - (held ?? 0);
    return 'kept';
  }
}
