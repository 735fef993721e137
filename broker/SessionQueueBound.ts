/**
 * A bound on the QoS 1/2 messages Aedes's persistence keeps for each persistent session
 * (`clean: false`): those queued while the session is offline and those sent and not yet
 * acknowledged. Past the bound a new message is not stored for that session and `onDrop` is called.
 *
 * Why the persistence and not a hook: Aedes queues a QoS 1/2 publish for every persistent
 * subscriber (`outgoingEnqueueCombi`) before any hook that sees subscribers runs, and the default
 * in-memory persistence keeps each queue in a private field whose length nobody can read. So the
 * four methods that add to, update and take from a queue are wrapped on the instance Aedes created,
 * and the count per client id mirrors the queue: +1 for each message enqueued, -1 for each that
 * `outgoingClearMessageId` returns (PUBACK, PUBCOMP, a clean session emptying its queue). Nothing
 * else adds to or removes from those queues.
 *
 * The newest message is the one dropped, as mosquitto's max_queued_messages does: it costs nothing
 * to refuse, and removing an older one would reach into the persistence's private queue, where a
 * message already sent is waiting for its acknowledgement under its packet id. A device that must
 * see the latest state reads the retained status and meta topics.
 */

interface QueueSub {
  clientId: string;
}
interface QueueClient {
  id: string;
}

/** The part of an Aedes persistence this wraps; Aedes calls each without a callback and awaits it. */
export interface OutgoingQueues {
  outgoingEnqueue(sub: QueueSub, packet: unknown): Promise<void>;
  outgoingEnqueueCombi(subs: QueueSub[], packet: unknown): Promise<void>;
  outgoingUpdate(client: QueueClient, packet: unknown): Promise<void>;
  outgoingClearMessageId(client: QueueClient, packet: unknown): Promise<unknown>;
}

export class SessionQueueBound {
  /** Only client ids with at least one stored message are kept. */
  private readonly queued = new Map<string, number>();

  constructor(
    private readonly maxPerSession: number,
    private readonly onDrop: (clientId: string) => void,
  ) {}

  queuedFor(clientId: string): number {
    return this.queued.get(clientId) ?? 0;
  }

  /** Client ids with at least one stored message. */
  get trackedSessions(): number {
    return this.queued.size;
  }

  /** Wraps `persistence`'s outgoing-queue methods in place; returns it. */
  bind<P extends OutgoingQueues>(persistence: P): P {
    const enqueue = persistence.outgoingEnqueue.bind(persistence);
    const enqueueCombi = persistence.outgoingEnqueueCombi.bind(persistence);
    const update = persistence.outgoingUpdate.bind(persistence);
    const clear = persistence.outgoingClearMessageId.bind(persistence);

    persistence.outgoingEnqueue = (sub, packet) => this.enqueued([sub], (admitted) => enqueue(admitted[0]!, packet));
    persistence.outgoingEnqueueCombi = (subs, packet) => this.enqueued(subs, (admitted) => enqueueCombi(admitted, packet));
    // A message that was not stored is still delivered to a connected client, as Aedes does for a
    // clean session; the memory persistence would answer "no such packet", and Aedes would close
    // the connection for it. The same holds for the PUBREL of such a QoS 2 message.
    persistence.outgoingUpdate = (client, packet) =>
      update(client, packet).catch((error: unknown) => {
        if (!(error instanceof Error && error.message === 'no such packet')) throw error;
      });
    persistence.outgoingClearMessageId = async (client, packet) => {
      // Nothing stored: skip the memory persistence, which would keep an empty queue for the id for ever.
      if (!this.queued.has(client.id)) return undefined;
      const cleared = await clear(client, packet);
      if (cleared !== undefined) this.release(client.id);
      return cleared;
    };
    return persistence;
  }

  private async enqueued(subs: QueueSub[], store: (admitted: QueueSub[]) => Promise<void>): Promise<void> {
    const admitted = subs.filter((sub) => this.take(sub.clientId));
    if (admitted.length === 0) return;
    try {
      await store(admitted);
    } catch (error) {
      for (const sub of admitted) this.release(sub.clientId);
      throw error;
    }
  }

  private take(clientId: string): boolean {
    const count = this.queued.get(clientId) ?? 0;
    if (count >= this.maxPerSession) {
      this.onDrop(clientId);
      return false;
    }
    this.queued.set(clientId, count + 1);
    return true;
  }

  private release(clientId: string): void {
    const count = this.queued.get(clientId) ?? 0;
    if (count <= 1) this.queued.delete(clientId);
    else this.queued.set(clientId, count - 1);
  }
}
