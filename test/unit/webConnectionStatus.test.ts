import { describe, expect, it } from 'vitest';
import {
  describeConnection,
  initialConnectionState,
  nextConnectionState,
  OFFLINE_AFTER_MS,
  type ConnectionEvent,
  type ConnectionState,
} from '../../web/wall/connectionStatus';

// Built from local-time parts so the expected "HH:MM" holds in any time zone.
const T0 = new Date(2025, 4, 20, 14, 5, 30).getTime();

function run(events: ConnectionEvent[]): ConnectionState {
  return events.reduce(nextConnectionState, initialConnectionState(T0));
}

describe('connection status', () => {
  it('starts as connecting and becomes live on connect', () => {
    expect(describeConnection(initialConnectionState(T0), T0).level).toBe('connecting');
    const view = describeConnection(run([{ type: 'connect', at: T0 + 100 }]), T0 + 100);
    expect(view).toEqual({ level: 'live', text: 'Live', detail: '' });
  });

  it('shows a short drop as reconnecting, with the attempt count', () => {
    const state = run([
      { type: 'connect', at: T0 },
      { type: 'disconnect', at: T0 + 1000, willReconnect: true },
      { type: 'reconnect_attempt', at: T0 + 2000, attempt: 2 },
    ]);
    expect(describeConnection(state, T0 + 3000)).toEqual({ level: 'reconnecting', text: 'Reconnecting…', detail: 'attempt 2' });
  });

  it('turns offline, dated from the drop, when the link stays down', () => {
    const state = run([
      { type: 'connect', at: T0 },
      { type: 'disconnect', at: T0, willReconnect: true },
      { type: 'reconnect_attempt', at: T0 + 1000, attempt: 1 },
      { type: 'connect_error', at: T0 + 1500, willReconnect: true, message: 'xhr poll error' },
      { type: 'reconnect_attempt', at: T0 + 120_000, attempt: 7 },
    ]);
    const view = describeConnection(state, T0 + OFFLINE_AFTER_MS + 120_000);
    expect(view.level).toBe('offline');
    expect(view.text).toBe('Offline since 14:05');
    expect(view.detail).toBe('retrying (attempt 7)');
  });

  it('is offline at once when the server refuses the page', () => {
    const state = run([{ type: 'connect_error', at: T0, willReconnect: false, message: 'unknown booth: nope' }]);
    expect(describeConnection(state, T0)).toEqual({ level: 'offline', text: 'Offline since 14:05', detail: 'unknown booth: nope' });
  });

  it('is offline at once when the server disconnects the page on purpose', () => {
    const state = run([
      { type: 'connect', at: T0 },
      { type: 'disconnect', at: T0 + 10, willReconnect: false },
    ]);
    expect(describeConnection(state, T0 + 10).level).toBe('offline');
  });

  it('a page that never connected stays "connecting" until the grace period runs out', () => {
    const state = run([{ type: 'connect_error', at: T0 + 100, willReconnect: true, message: 'xhr poll error' }]);
    expect(describeConnection(state, T0 + 1000).level).toBe('connecting');
    expect(describeConnection(state, T0 + OFFLINE_AFTER_MS).level).toBe('offline');
  });

  it('goes back to live and forgets the outage on reconnect', () => {
    const state = run([
      { type: 'connect', at: T0 },
      { type: 'disconnect', at: T0, willReconnect: true },
      { type: 'connect', at: T0 + 60_000 },
      { type: 'disconnect', at: T0 + 120_000, willReconnect: true },
    ]);
    expect(state.downSince).toBe(T0 + 120_000);
    expect(state.attempt).toBe(0);
  });
});
