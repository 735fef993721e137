/** The bounds on what anonymous socket.io clients can make the server hold or count. */
import { describe, expect, it } from 'vitest';
import { WallAdmission } from '../../server/live/WallAdmission';
import { WallRegistry } from '../../server/live/WallRegistry';

describe('WallAdmission', () => {
  it('admits up to the limit per address and in total, and again once one closes', () => {
    const admission = new WallAdmission({ maxConnections: 4, maxConnectionsPerAddress: 2 });
    expect(admission.opened('10.0.0.1')).toBeNull();
    expect(admission.opened('10.0.0.1')).toBeNull();
    expect(admission.refusal('10.0.0.1')).toBe('address-connection-limit');
    expect(admission.opened('10.0.0.1')).toBe('address-connection-limit'); // refused after all: not counted as open
    expect(admission.opened('10.0.0.2')).toBeNull();
    expect(admission.opened('10.0.0.3')).toBeNull();
    expect(admission.refusal('10.0.0.4')).toBe('connection-limit');
    admission.closed('10.0.0.1');
    expect(admission.open).toBe(3);
    expect(admission.refusal('10.0.0.1')).toBeNull();
    expect(admission.refusal('10.0.0.4')).toBeNull();
  });
});

describe('WallRegistry bounds', () => {
  const arrival = (id: string, reloads: number) => ({ report: { id, reloads, lastReloadReason: 'error' as const }, address: '10.0.0.7', booths: ['b1'] });

  it('keeps connected and remembered walls together within maxKnownWalls, forgetting the longest gone', () => {
    const registry = new WallRegistry(5);
    for (let i = 0; i < 3; i++) registry.connect(`live${i}`, arrival(`kiosk-live-${i}`, 0));
    for (let i = 0; i < 20; i++) {
      registry.connect(`s${i}`, arrival(`kiosk-gone-${String(i).padStart(2, '0')}`, 0));
      registry.disconnect(`s${i}`);
    }
    const { connected, disconnected } = registry.list();
    expect(connected).toHaveLength(3);
    expect(disconnected.map((w) => w.id)).toEqual(['kiosk-gone-19', 'kiosk-gone-18']);
  });

  it('counts a reload only when the kiosk reports more reloads than it did before', () => {
    const registry = new WallRegistry();
    registry.connect('s1', arrival('kiosk-0001', 3));
    registry.disconnect('s1');
    registry.connect('s2', arrival('kiosk-0001', 3)); // the same report replayed
    registry.connect('s3', arrival('kiosk-0001', 3)); // a second tab of it
    registry.disconnect('s2');
    registry.connect('s4', arrival('kiosk-0001', 4)); // a real new reload
    expect(registry.reloads().get('error')).toBe(2);
  });
});
