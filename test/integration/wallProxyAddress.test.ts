/**
 * Issue 9, walls behind a reverse proxy: the per-address wall limits and the report rate limit
 * count the client's address as express's req.ip finds it (TRUST_PROXY), so walls behind one proxy
 * are not lumped together, while X-Forwarded-For from a peer that is not a trusted proxy is ignored
 * (a client cannot step around the limit by naming its own address).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import type { PublicWallList } from '../support/publicApi';
import { getJson, startTestShowfloor, type TestShowfloor } from '../support/showfloor';
import { openRawSocketIo } from '../support/rawSocketIo';
import { waitFor } from '../support/waitFor';

/** The proxy: only this loopback address is trusted; 127.0.0.2 is an ordinary client. */
const PROXY = '127.0.0.1';
const CLIENT = '127.0.0.2';

describe('socket.io client addresses behind TRUST_PROXY', () => {
  let showfloor: TestShowfloor;
  const open: WebSocket[] = [];

  beforeAll(async () => {
    showfloor = await startTestShowfloor({ env: { TRUST_PROXY: PROXY }, yaml: 'wall:\n  maxConnectionsPerAddress: 2\n  maxConnections: 100\n' });
  });

  afterAll(async () => {
    for (const socket of open) socket.terminate();
    await showfloor?.close();
  });

  it('counts walls behind a trusted proxy by their forwarded address, and ignores the header from an untrusted peer', async () => {
    // Through the trusted proxy: two walls of one client fill that client's limit…
    for (let i = 0; i < 2; i++) open.push(await openRawSocketIo(showfloor.httpPort, { localAddress: PROXY, forwardedFor: '203.0.113.5' }));
    await expect(openRawSocketIo(showfloor.httpPort, { localAddress: PROXY, forwardedFor: '203.0.113.5' })).rejects.toThrow(/maxConnectionsPerAddress/);
    // …but another client behind the same proxy still gets in: the proxy's own address is not what is counted.
    for (let i = 0; i < 2; i++) open.push(await openRawSocketIo(showfloor.httpPort, { localAddress: PROXY, forwardedFor: `203.0.113.${6 + i}` }));

    // An untrusted peer naming a fresh address each time is still counted as itself.
    open.push(await openRawSocketIo(showfloor.httpPort, { localAddress: CLIENT, forwardedFor: '198.51.100.1' }));
    open.push(await openRawSocketIo(showfloor.httpPort, { localAddress: CLIENT, forwardedFor: '198.51.100.2' }));
    await expect(openRawSocketIo(showfloor.httpPort, { localAddress: CLIENT, forwardedFor: '198.51.100.3' })).rejects.toThrow(/maxConnectionsPerAddress/);

    // The technician's list of walls shows the same addresses.
    await waitFor(() => showfloor.state.walls.connectedCount === 6, { what: 'six walls connected' });
    const walls = (await getJson<PublicWallList>(`${showfloor.httpUrl}/api/walls`)).body;
    expect(walls.connected.map((w) => w.address).sort()).toEqual(['127.0.0.2', '127.0.0.2', '203.0.113.5', '203.0.113.5', '203.0.113.6', '203.0.113.7']);
  });
});
