/**
 * Holds a connection's QoS 1/2 acknowledgements (PUBACK, PUBREC) until the readings they answer
 * are durable (issue 13), and releases them in the order the publishes arrived: MQTT 3.1.1 makes
 * a server send PUBACK, and PUBREC, in the order it received the PUBLISH packets
 * [MQTT-4.6.0-2] [MQTT-4.6.0-3]. One chain per connection serves both, which is stricter than the
 * spec asks and costs nothing: the durability waits of one connection end in order anyway.
 *
 * Why this needs no bound of its own: Aedes reads a connection's next socket chunk only once every
 * packet of the current one is done (lib/client.js, `_parsingBatch`), and a held publish is not
 * done. A connection therefore holds at most the publishes of one chunk, and stops being read
 * (TCP pushes back on the device) while they wait.
 */
export class AcknowledgementHold<Key extends object> {
  /** The last acknowledgement of each connection still waiting; gone with the connection (weak). */
  private readonly tails = new WeakMap<Key, Promise<void>>();
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
    const waits: Promise<unknown>[] = [];
    if (tail !== undefined) waits.push(tail);
    if (durable !== null) waits.push(durable.catch((error: unknown) => this.onDurableFailure(error)));
    const next = Promise.all(waits).then(() => {
      this.waiting--;
      if (this.tails.get(key) === next) this.tails.delete(key);
      acknowledge();
    });
    this.tails.set(key, next);
  }
}
