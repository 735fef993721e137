/**
 * The one-way path from the broker to the rest of the server: validate each device publish, then
 * hand good readings to the store and the live view, and count bad ones against their device.
 * Observers (the technician console's health tracker and alarm engine) see every message with its
 * verdict and every connection event, after the live view has taken them.
 */
import type { BrokerSink, ConnectionClosed, ConnectionOpened, DevicePublish } from '../../broker/brokerEvents';
import type { Logger } from '../logger';
import type { DeviceDirectory } from '../live/DeviceDirectory';
import type { LiveHub } from '../live/LiveHub';
import { DURABLE_NOW, type InfluxStore } from '../store/InfluxStore';
import type { AdapterRouter } from '../adapters/AdapterRouter';
import type { AdapterName } from '../adapters/DeviceAdapter';
import type { IngestCounters } from './IngestCounters';
import type { DeviceMessage, Rejection, TelemetryValidator } from './TelemetryValidator';

/** What the console side learns from ingest; every method optional, each observer takes what it needs. */
export interface IngestObserver {
  connectionOpened?(event: ConnectionOpened, at: number): void;
  connectionClosed?(event: ConnectionClosed, at: number): void;
  /**
   * Every device publish with the validator's verdict, accepted or not, and the adapter that read
   * it (issue 11): null (or absent) for the native contract topics.
   */
  message?(publish: DevicePublish, verdict: DeviceMessage | Rejection, at: number, adapter?: AdapterName | null): void;
}

export class Ingest implements BrokerSink {
  private readonly observers: IngestObserver[] = [];
  private adapters: AdapterRouter | null = null;

  constructor(
    private readonly validator: TelemetryValidator,
    private readonly directory: DeviceDirectory,
    private readonly hub: LiveHub,
    private readonly store: InfluxStore | null,
    private readonly counters: IngestCounters,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  observe(observer: IngestObserver): void {
    this.observers.push(observer);
  }

  /** Publishes on a booth's mount (`booth/{id}/raw/…`) go to the booth's adapters from now on (issue 11). */
  useAdapters(router: AdapterRouter): void {
    this.adapters = router;
  }

  devicePublish(message: DevicePublish): void {
    const receivedAt = this.now();
    this.counters.received++;
    const routed = this.adapters?.route(message.booth, message.topic, message.payload, receivedAt, message.fromWill, message.clientId);
    if (routed) {
      // Each message an adapter made takes the native path; each field it left out is counted with its adapter.
      for (const verdict of routed.verdicts) {
        // The broker cannot tell which device a raw-mount publish is for; the adapter can (see DevicePublish.attribute).
        if (verdict.device !== null) message.attribute?.(verdict.device);
        if (verdict.kind === 'rejected') this.counters.adapterRejection(verdict.adapter ?? null, verdict.reason);
        this.take(message, verdict, receivedAt);
        for (const observer of this.observers)
          observer.message?.(message, verdict, receivedAt, verdict.kind === 'rejected' ? (verdict.adapter ?? routed.adapter) : routed.adapter);
      }
      return;
    }
    const result = this.validator.validate(message.topic, message.payload, message.booth, receivedAt);
    this.take(message, result, receivedAt);
    for (const observer of this.observers) observer.message?.(message, result, receivedAt, null);
  }

  private take(message: DevicePublish, result: DeviceMessage | Rejection, receivedAt: number): void {
    switch (result.kind) {
      case 'rejected': {
        this.counters.rejection(result.reason);
        this.directory.recordRejection(message.booth, result.device, result.reason, result.detail, receivedAt);
        if (result.device) this.hub.deviceChanged(message.booth, result.device);
        this.log.debug(
          { booth: message.booth, device: result.device, clientId: message.clientId, reason: result.reason, detail: result.detail },
          'message rejected',
        );
        return;
      }
      case 'telemetry': {
        this.counters.accepted++;
        const { record, summaryChanged } = this.directory.recordTelemetry(result.booth, result.device, result.ts, result.values, receivedAt);
        this.store?.write({ booth: result.booth, device: result.device, kind: record.meta.kind, ts: result.ts, values: result.values });
        // The validator's message is a LiveReading already (the hub reads it and keeps nothing of it): no copy per reading.
        this.hub.readingAccepted(result);
        if (summaryChanged) this.hub.deviceChanged(result.booth, result.device);
        return;
      }
      case 'status':
        // Presence is the health tracker's to write (it tells a will from a keepalive timeout); walls hear of it through its changes.
        this.counters.accepted++;
        return;
      case 'meta': {
        this.counters.accepted++;
        this.directory.recordMeta(result.booth, result.device, result.meta);
        this.hub.deviceChanged(result.booth, result.device);
        return;
      }
    }
  }

  /** BrokerSink: every reading written so far is durable (the store's spool); in memory mode at once. */
  durable(): Promise<void> {
    return this.store?.durable() ?? DURABLE_NOW;
  }

  connectionOpened(event: ConnectionOpened): void {
    const at = this.now();
    for (const observer of this.observers) observer.connectionOpened?.(event, at);
  }

  /** Which devices a closed connection takes offline is the health tracker's call: another connection may speak for one now. */
  connectionClosed(event: ConnectionClosed): void {
    const at = this.now();
    for (const observer of this.observers) observer.connectionClosed?.(event, at);
  }
}
