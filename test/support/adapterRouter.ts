/** An AdapterRouter for one booth `acme`, built from settings text through the real parser, and a way to feed it fixtures. */
import { AdapterRouter, FAMILY_FACTORIES, type AdapterFactory } from '../../server/adapters/AdapterRouter';
import type { AdapterFamily } from '../../server/config/adapterSettings';
import { parseSettingsFile } from '../../server/config/settings';
import { TelemetryValidator, type DeviceMessage, type Rejection } from '../../server/ingest/TelemetryValidator';
import type { DeviceFixture } from './adapterFixtures';
import { testPasswordHash } from './showfloor';

export const BOOTH = 'acme';

export function routerFor(
  boothYaml: string,
  limits?: { maxDevicesPerBooth: number; maxPayloadBytes: number },
  factories: Partial<Record<AdapterFamily, AdapterFactory>> = FAMILY_FACTORIES,
): AdapterRouter {
  const file = parseSettingsFile(
    `booths:\n  - id: ${BOOTH}\n    name: ACME\n    passwordHash: ${JSON.stringify(testPasswordHash('pw-acme-123'))}\n${boothYaml}`,
    'test.yaml',
  );
  return new AdapterRouter(file.booths, new TelemetryValidator(), { publishToBooth: () => undefined }, limits, factories);
}

export interface Fed {
  adapter: string | null;
  messages: DeviceMessage[];
  rejections: Rejection[];
}

/** What the router makes of `fixture` published on the booth's mount. */
export function feed(router: AdapterRouter, fixture: DeviceFixture | { topic: string; payload: string | Buffer }, receivedAt = Date.now()): Fed {
  const payload = typeof fixture.payload === 'string' ? Buffer.from(fixture.payload) : fixture.payload;
  const routed = router.route(BOOTH, `booth/${BOOTH}/raw/${fixture.topic}`, payload, receivedAt, false, 'DVES_A1B2C3');
  if (routed === null) throw new Error(`${fixture.topic} was not routed`);
  return {
    adapter: routed.adapter,
    messages: routed.verdicts.filter((v): v is DeviceMessage => v.kind !== 'rejected'),
    rejections: routed.verdicts.filter((v): v is Rejection => v.kind === 'rejected'),
  };
}

/** Plain objects for toEqual (null-prototype tables compare by entries anyway, this keeps diffs readable). */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
