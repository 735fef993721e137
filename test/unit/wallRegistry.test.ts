import { describe, expect, it } from 'vitest';
import { WallRegistry } from '../../server/live/WallRegistry';

const arrival = (id: string | null, lastReloadReason?: 'error' | 'frozen') => ({
  report: id === null ? undefined : { id, reloads: 2, ...(lastReloadReason ? { lastReloadReason } : {}) },
  address: '10.0.0.7',
  booths: ['b1'],
});

describe('WallRegistry', () => {
  it('lists connected walls, then departed ones most recent first', () => {
    const registry = new WallRegistry();
    registry.connect('s1', arrival('kiosk-0001'), 1000);
    registry.connect('s2', arrival(null), 2000);
    registry.connect('s3', arrival('kiosk-0003'), 3000);
    registry.disconnect('s1', 4000);
    registry.disconnect('s2', 5000);
    expect(registry.connectedCount).toBe(1);
    expect(registry.list()).toEqual({
      connected: [{ id: 'kiosk-0003', address: '10.0.0.7', connectedAt: 3000, disconnectedAt: null, booths: ['b1'], reloads: 2, lastReloadReason: null }],
      disconnected: [
        { id: null, address: '10.0.0.7', connectedAt: 2000, disconnectedAt: 5000, booths: ['b1'], reloads: 0, lastReloadReason: null },
        { id: 'kiosk-0001', address: '10.0.0.7', connectedAt: 1000, disconnectedAt: 4000, booths: ['b1'], reloads: 2, lastReloadReason: null },
      ],
    });
  });

  it('takes a kiosk off the departed list when it connects again', () => {
    const registry = new WallRegistry();
    registry.connect('s1', arrival('kiosk-0001'));
    registry.disconnect('s1');
    registry.connect('s2', arrival('kiosk-0001'));
    expect(registry.list().disconnected).toEqual([]);
    registry.disconnect('s2');
    registry.disconnect('s2'); // a second disconnect of one socket changes nothing
    expect(registry.list().disconnected).toHaveLength(1);
  });

  it('counts reloads by the reason the page reports on its first connect after one', () => {
    const registry = new WallRegistry();
    registry.connect('s1', arrival('kiosk-0001', 'frozen'));
    registry.connect('s2', arrival('kiosk-0002', 'frozen'));
    registry.connect('s3', arrival('kiosk-0003', 'error'));
    registry.connect('s4', arrival('kiosk-0004'));
    expect(Object.fromEntries(registry.reloads())).toEqual({ frozen: 2, error: 1 });
  });

  it('remembers at most its bound of departed walls, dropping the least recently seen', () => {
    const registry = new WallRegistry(1000);
    for (let i = 0; i < 1500; i++) {
      registry.connect(`s${i}`, arrival(`kiosk-${String(i).padStart(4, '0')}`), i);
      registry.disconnect(`s${i}`, i);
      // kiosk-0000 keeps coming back, so it stays among the most recently seen.
      if (i % 100 === 0) {
        registry.connect(`again${i}`, arrival('kiosk-0000'), i);
        registry.disconnect(`again${i}`, i);
      }
    }
    const departed = registry.list().disconnected;
    expect(departed).toHaveLength(1000);
    expect(departed.some((w) => w.id === 'kiosk-0000')).toBe(true);
    expect(departed.some((w) => w.id === 'kiosk-0001')).toBe(false);
    expect(departed.some((w) => w.id === 'kiosk-1499')).toBe(true);
    expect(departed.at(-1)!.id).toBe('kiosk-0501');
  });

  it('bounds pages that do not report themselves as well', () => {
    const registry = new WallRegistry(10);
    for (let i = 0; i < 50; i++) {
      registry.connect(`s${i}`, arrival(null));
      registry.disconnect(`s${i}`);
    }
    expect(registry.list().disconnected).toHaveLength(10);
  });
});
