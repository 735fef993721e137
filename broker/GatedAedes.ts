/**
 * Aedes with one more decision before a client's publish enters the broker: a gate that may
 * decline it after the sender has been answered and before anyone else sees it.
 *
 * Why not a hook: MQTT 3.1.1 has no negative acknowledgement for a publish, so an error from
 * `authorizePublish` closes the connection; every later hook (`published`, the `publish` event,
 * `authorizeForward` per subscriber) runs after the message was retained, queued for offline
 * sessions and forwarded. Aedes's PUBLISH handler (lib/handlers/publish.js) acknowledges a QoS 1
 * publish and then calls `broker.publish(packet, client, done)`; for QoS 2 it stores the packet,
 * calls `broker.publish` and sends PUBREC when `done` is called. Declining there keeps every
 * protocol obligation to the sender and delivers to nobody, and a declined message costs no
 * routing, which matters most during the floods it is meant for.
 *
 * ShowfloorBroker's gate runs the `admit` steps of publishPipeline.ts, or for QoS 1 applies the
 * verdict they gave in authorizePublish: with the acknowledgement held until the reading is
 * durable (issue 13), a QoS 1 publish is decided before its PUBACK, and only forwarded after it.
 */
import { Aedes, type AedesOptions, type Client, type PublishPacket } from 'aedes';

type Done = (error?: Error) => void;
/** The form Aedes itself calls; the published typings only declare `publish(packet, done)`. */
type ClientPublish = (this: Aedes, packet: PublishPacket, client: Client | null, done?: Done) => void;

/** True to let the publish through; false to drop it silently (it is acknowledged all the same). */
export type PublishGate = (packet: PublishPacket, client: Client) => boolean;

/** Finishes a declined publish (Aedes then answers the sender); by default at once. */
export type DeclinedPublish = (packet: PublishPacket, client: Client, done: () => void) => void;

export class GatedAedes extends Aedes {
  constructor(
    options: AedesOptions,
    private readonly admits: PublishGate,
    private readonly declined: DeclinedPublish = (_packet, _client, done) => done(),
  ) {
    super(options);
  }

  /** `Aedes.createBroker` for this class: construct, then start persistence and heartbeats. */
  static async startGated(options: AedesOptions, admits: PublishGate, declined?: DeclinedPublish): Promise<GatedAedes> {
    const aedes = new GatedAedes(options, admits, declined);
    await aedes.listen();
    return aedes;
  }

  override publish(packet: PublishPacket, clientOrDone: Client | null | Done, done?: Done): void {
    const client = typeof clientOrDone === 'function' ? null : clientOrDone;
    const callback = typeof clientOrDone === 'function' ? clientOrDone : done;
    // Broker-internal messages ($SYS) have no client and are not gated.
    if (client && !this.admits(packet, client)) {
      this.declined(packet, client, () => callback?.());
      return;
    }
    (Aedes.prototype.publish as unknown as ClientPublish).call(this, packet, client, callback);
  }
}
