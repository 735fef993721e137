/**
 * Console API answers for tests: one device's health with every field filled, to override what a
 * test is about. Shared by the unit tests and the console API stub, so both speak the contract's shapes.
 */
import type { Alarm, DeviceHealth } from '../../contract/console';

export const FIXTURE_NOW = Date.UTC(2026, 10, 21, 9, 30, 0);

export function deviceHealth(overrides: Partial<DeviceHealth> = {}): DeviceHealth {
  return {
    booth: 'hall-a',
    device: 'env-01',
    name: 'Hall A climate',
    kind: 'env-sensor',
    firmware: '1.4.2',
    state: 'online',
    stateSince: FIXTURE_NOW - 600_000,
    stateReason: 'connect',
    lastSeen: FIXTURE_NOW - 1_000,
    ratePerSecond: 1,
    expectedIntervalMs: 1_000,
    intervalSource: 'meta',
    rejectedTotal: 0,
    rejected: {},
    lastRejection: null,
    reconnects: 0,
    clientAddress: '10.0.0.5',
    connectedSince: FIXTURE_NOW - 600_000,
    battery: null,
    signal: null,
    adapter: 'native',
    ownTopic: 'booth/hall-a/env-01/telemetry',
    ...overrides,
  };
}

export function alarm(overrides: Partial<Alarm> = {}): Alarm {
  return {
    id: 'co2-high/hall-a/env-01',
    rule: 'co2-high',
    severity: 'critical',
    booth: 'hall-a',
    device: 'env-01',
    metric: 'co2',
    state: 'active',
    message: 'co2 above 1200 ppm for 30 s (1350 ppm)',
    raisedAt: FIXTURE_NOW - 60_000,
    value: 1350,
    acknowledgedBy: null,
    acknowledgedAt: null,
    clearedAt: null,
    ...overrides,
  };
}
