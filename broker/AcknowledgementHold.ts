/**
 * Holds a connection's QoS 1/2 acknowledgements (PUBACK, PUBREC) until the readings they answer
 * are durable (issue 13), and releases them in the order the publishes arrived: MQTT 3.1.1 makes
 * a server send PUBACK, and PUBREC, in the order it received the PUBLISH packets
 * [MQTT-4.6.0-2] [MQTT-4.6.0-3]. One chain per connection serves both, which is stricter than the
 * spec asks and costs nothing: the durability waits of one connection end in order anyway.
 *
 * Acknowledgements in a row of one connection that wait for the same promise (one group commit of
 * the spool answers every reading appended before it) form one group with one wait: a promise
 * chain per publish was a tenth of the server's CPU at 20,000 QoS 1 readings/s, in allocations.
 *
 * Why this needs no bound of its own: Aedes reads a connection's next socket chunk only once every
 * packet of the current one is done (lib/client.js, `_parsingBatch`), and a held publish is not
 * done. A connection therefore holds at most the publishes of one chunk, and stops being read
 * (TCP pushes back on the device) while they wait.
 */

/** Acknowledgements of one connection that wait for the same durability, released together in order. */
interface Group {
  durable: Promise<void> | null;
  acknowledgements: (() => void)[];
  /** Set once the group's wait is over: an acknowledgement arriving later starts a new group. */
  released: boolean;
  /** Settles once every acknowledgement of the group was released. */
  done: Promise<void>;
}

export class AcknowledgementHold<Key extends object> {
  /** The last group of each connection still waiting; gone with the connection (weak). */
  private readonly tails = new WeakMap<Key, Group>();
  private waiting = 0;

  /** `onDurableFailure`: durability failed (spool disk error); the acknowledgement goes out anyway, the store counts the loss. */
  constructor(private readonly onDurableFailure: (error: unknown) => void) {}

  /** Acknowledgements waiting now, over all connections. */
  get held(): number {
    return this.waiting;
  }

  /**
   * Calls `acknowledge` once `durable` has settled (null: nothing to wait for) and every earlier
   * acknowledgement of `key` was released. A rejected `durable` does not stall the device: a
   * device that never hears back resends, and would block its own queue behind a disk error.
   */
  release(key: Key, durable: Promise<void> | null, acknowledge: () => void): void {
    const tail = this.tails.get(key);
    if (durable === null && tail === undefined) return acknowledge();
    this.waiting++;
    if (tail !== undefined && !tail.released && tail.durable === durable) {
      tail.acknowledgements.push(acknowledge);
      return;
    }
    const waits: Promise<unknown>[] = [];
    if (tail !== undefined) waits.push(tail.done);
    if (durable !== null) waits.push(durable.catch((error: unknown) => this.onDurableFailure(error)));
    const done = (waits.length === 1 ? waits[0]! : Promise.all(waits)).then(() => {
      group.released = true;
      if (this.tails.get(key) === group) this.tails.delete(key);
      this.waiting -= group.acknowledgements.length;
      for (const acknowledgeOne of group.acknowledgements) acknowledgeOne();
    });
    const group: Group = { durable, acknowledgements: [acknowledge], released: false, done };
    this.tails.set(key, group);
  }
}
