import { describe, expect, it } from 'vitest';
import { ConnectionAdmission } from '../../broker/ConnectionAdmission';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('ConnectionAdmission', () => {
  it('admits up to the per-address limit of open connections and frees a place on release', () => {
    const admission = new ConnectionAdmission({ maxConnectionsPerAddress: 2, attemptsPerSecond: 100, attemptBurst: 100, maxTrackedAddresses: 10 });
    const a = admission.admit('10.0.0.1');
    const b = admission.admit('10.0.0.1');
    expect(a.admitted && b.admitted).toBe(true);
    expect(admission.admit('10.0.0.1')).toEqual({ admitted: false, refusal: 'too-many-connections' });
    expect(admission.admit('10.0.0.2').admitted).toBe(true); // another address has its own limit
    if (a.admitted) {
      a.release();
      a.release(); // a second release must not free a second place
    }
    expect(admission.openConnections('10.0.0.1')).toBe(1);
    expect(admission.admit('10.0.0.1').admitted).toBe(true);
    expect(admission.admit('10.0.0.1').admitted).toBe(false);
  });

  it('forgets an address once its last connection closes', () => {
    const admission = new ConnectionAdmission({ maxConnectionsPerAddress: 5, attemptsPerSecond: 100, attemptBurst: 100, maxTrackedAddresses: 10 });
    const a = admission.admit('10.0.0.1');
    if (a.admitted) a.release();
    expect(admission.openConnections('10.0.0.1')).toBe(0);
  });

  it('limits attempts per second, refused or not, and recovers after the window', () => {
    const c = clock();
    const admission = new ConnectionAdmission({ maxConnectionsPerAddress: 1000, attemptsPerSecond: 5, attemptBurst: 5, maxTrackedAddresses: 10, now: c.now });
    const results = Array.from({ length: 50 }, () => admission.admit('10.0.0.1'));
    expect(results.filter((r) => r.admitted)).toHaveLength(5);
    expect(results.filter((r) => !r.admitted && r.refusal === 'connection-rate-limited')).toHaveLength(45);
    c.advance(1000);
    expect(admission.admit('10.0.0.1').admitted).toBe(true);
  });

  it('remembers the attempt rate of at most maxTrackedAddresses addresses', () => {
    const admission = new ConnectionAdmission({ maxConnectionsPerAddress: 1, attemptsPerSecond: 1, attemptBurst: 1, maxTrackedAddresses: 50 });
    for (let i = 0; i < 5000; i++) {
      const admitted = admission.admit(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
      if (admitted.admitted) admitted.release();
    }
    expect(admission.trackedAddresses).toBe(50);
  });
});
