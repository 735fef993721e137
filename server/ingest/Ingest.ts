/**
 * The one-way path from the broker to the rest of the server: validate each device publish, then
 * hand good readings to the store and the live view, and count bad ones against their device.
 */
import type { BrokerSink, ConnectionClosed, DevicePublish } from '../../broker/ShowfloorBroker';
import type { Logger } from '../logger';
import type { DeviceDirectory } from '../live/DeviceDirectory';
import type { LiveHub } from '../live/LiveHub';
import type { InfluxStore } from '../store/InfluxStore';
import type { IngestCounters } from './IngestCounters';
import type { TelemetryValidator } from './TelemetryValidator';

export class Ingest implements BrokerSink {
  constructor(
    private readonly validator: TelemetryValidator,
    private readonly directory: DeviceDirectory,
    private readonly hub: LiveHub,
    private readonly store: InfluxStore | null,
    private readonly counters: IngestCounters,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  devicePublish(message: DevicePublish): void {
    const receivedAt = this.now();
    this.counters.received++;
    const result = this.validator.validate(message.topic, message.payload, message.booth, receivedAt);
    switch (result.kind) {
      case 'rejected': {
        this.counters.rejection(result.reason);
        this.directory.recordRejection(message.booth, result.device, result.reason, result.detail, receivedAt);
        if (result.device) this.hub.deviceChanged(message.booth, result.device);
        this.log.debug({ booth: message.booth, device: result.device, clientId: message.clientId, reason: result.reason, detail: result.detail }, 'message rejected');
        return;
      }
      case 'telemetry': {
        this.counters.accepted++;
        const { record, cameOnline } = this.directory.recordTelemetry(result.booth, result.device, result.ts, result.values, receivedAt);
        this.store?.write({ booth: result.booth, device: result.device, kind: record.meta.kind, ts: result.ts, values: result.values });
        this.hub.readingAccepted({ booth: result.booth, device: result.device, ts: result.ts, values: result.values });
        if (cameOnline) this.hub.deviceChanged(result.booth, result.device);
        return;
      }
      case 'status': {
        this.counters.accepted++;
        const reason = message.fromWill ? 'will' : 'status';
        if (this.directory.setPresence(result.booth, result.device, result.status, reason, receivedAt)) {
          this.hub.deviceChanged(result.booth, result.device);
        }
        return;
      }
      case 'meta': {
        this.counters.accepted++;
        this.directory.recordMeta(result.booth, result.device, result.meta);
        this.hub.deviceChanged(result.booth, result.device);
        return;
      }
    }
  }

  connectionClosed(event: ConnectionClosed): void {
    const at = this.now();
    for (const device of event.devices) {
      if (this.directory.setPresence(event.booth, device, 'offline', event.reason, at)) {
        this.hub.deviceChanged(event.booth, device);
      }
    }
  }
}
