/**
 * The HTTP edge against a hostile browser or client: security headers on every answer, socket.io
 * refusing foreign origins, CORS only for ALLOWED_ORIGINS, the API rate limit, and error answers
 * that echo neither the request nor a stack trace.
 */
import { pino, type Logger } from 'pino';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startShowfloor, type RunningShowfloor } from '../../server/Showfloor';
import { rawGet, tryWebSocket } from '../support/rawHttp';
import { BOOTH_A, getJson, startTestShowfloor, testSettings, tryConnectDevice } from '../support/showfloor';
import type { PublicHealth } from '../support/publicApi';

const FOREIGN_ORIGIN = 'http://evil.example';
const LISTED_ORIGIN = 'https://dashboard.example:8443';
const STACK_TRACE = /\bat .*:\d+:\d+|Error:|node_modules/;

/** Resolves 'connected' or 'refused' for one socket.io handshake over WebSocket. */
async function handshake(httpUrl: string, headers: Record<string, string> = {}): Promise<'connected' | 'refused'> {
  const socket = connectSocket(httpUrl, { transports: ['websocket'], extraHeaders: headers, reconnection: false, timeout: 5000 });
  try {
    return await new Promise((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', () => resolve('refused'));
    });
  } finally {
    socket.close();
  }
}

/** Connects MQTT.js over WebSocket (/mqtt) with an optional Origin header, as a browser page would. */
async function mqttOverWebSocket(httpUrl: string, origin?: string): Promise<'connected' | 'refused'> {
  const wsUrl = `${httpUrl.replace(/^http/, 'ws')}/mqtt`;
  const outcome = await tryConnectDevice(wsUrl, BOOTH_A, { wsOptions: origin === undefined ? {} : { headers: { Origin: origin } } });
  return outcome === 'connected' ? 'connected' : 'refused';
}

function pollingHandshake(httpUrl: string, origin: string): Promise<Response> {
  return fetch(`${httpUrl}/socket.io/?EIO=4&transport=polling`, { headers: { Origin: origin } });
}

describe('HTTP security edge', () => {
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;

  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A] });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('sends the security headers with the wall page and the API', async () => {
    for (const path of ['/', '/console', '/api/health']) {
      const response = await fetch(`${showfloor.httpUrl}${path}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).not.toContain('unsafe-inline');
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), path).toBe('DENY');
      expect(response.headers.get('x-powered-by'), path).toBeNull();
    }
  });

  it('refuses a socket.io handshake from a foreign origin', async () => {
    expect(await handshake(showfloor.httpUrl, { Origin: FOREIGN_ORIGIN })).toBe('refused');
    const polling = await pollingHandshake(showfloor.httpUrl, FOREIGN_ORIGIN);
    expect(polling.status).toBe(403);
    expect(polling.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('accepts a socket.io handshake without an Origin or from the same origin', async () => {
    expect(await handshake(showfloor.httpUrl)).toBe('connected');
    expect(await handshake(showfloor.httpUrl, { Origin: showfloor.httpUrl })).toBe('connected');
  });

  it('sends no CORS headers to a foreign origin', async () => {
    const response = await fetch(`${showfloor.httpUrl}/api/devices`, { headers: { Origin: FOREIGN_ORIGIN } });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers an overlong URL with 414', async () => {
    const response = await fetch(`${showfloor.httpUrl}/api/health?pad=${'a'.repeat(5000)}`);
    expect(response.status).toBe(414);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/URL too long/) as unknown });
  });

  it.each(['/%E0%A4%A', '/api/%E0%A4%A', '/assets/%ff'])('answers the malformed URL %s with 400 and no stack trace', async (path) => {
    const response = await fetch(`${showfloor.httpUrl}${path}`);
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(body).not.toMatch(STACK_TRACE);
    expect(body).not.toContain('%E0');
    expect(JSON.parse(body)).toEqual({ error: expect.stringMatching(/malformed URL/) as unknown });
  });

  it.each(['/no-such-page-<b>x</b>', '/api/no-such-endpoint-<b>x</b>'])('answers the unknown path %s with a 404 that does not echo it', async (path) => {
    const response = await fetch(`${showfloor.httpUrl}${path}`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await response.text();
    expect(body).not.toContain('no-such');
    expect(body).not.toContain('<b>');
    expect(body).not.toMatch(STACK_TRACE);
  });
});

describe('HTTP security edge with ALLOWED_ORIGINS', () => {
  let showfloor: RunningShowfloor;
  let httpUrl: string;

  beforeAll(async () => {
    const settings = testSettings({ booths: [BOOTH_A] });
    showfloor = await startShowfloor({ ...settings, env: { ...settings.env, ALLOWED_ORIGINS: [LISTED_ORIGIN] } }, pino({ level: 'silent' }));
    httpUrl = `http://127.0.0.1:${showfloor.httpPort}`;
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('admits the listed origin to socket.io and the API, with CORS headers for it alone', async () => {
    expect(await handshake(httpUrl, { Origin: LISTED_ORIGIN })).toBe('connected');
    const polling = await pollingHandshake(httpUrl, LISTED_ORIGIN);
    expect(polling.status).toBe(200);
    expect(polling.headers.get('access-control-allow-origin')).toBe(LISTED_ORIGIN);

    const api = await fetch(`${httpUrl}/api/health`, { headers: { Origin: LISTED_ORIGIN } });
    expect(api.headers.get('access-control-allow-origin')).toBe(LISTED_ORIGIN);
    expect(api.headers.get('vary')).toMatch(/Origin/);
  });

  it('still refuses every other origin', async () => {
    expect(await handshake(httpUrl, { Origin: FOREIGN_ORIGIN })).toBe('refused');
    expect((await pollingHandshake(httpUrl, FOREIGN_ORIGIN)).status).toBe(403);
    const api = await fetch(`${httpUrl}/api/health`, { headers: { Origin: FOREIGN_ORIGIN } });
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('API rate limit', () => {
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;

  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], yaml: 'http:\n  rateLimitPerMinute: 5\n' });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('answers 429 with a JSON error past the per-minute limit, shared by /api and /metrics', async () => {
    const statuses: number[] = [];
    for (const path of ['/api/health', '/api/devices', '/metrics', '/api/health', '/api/health']) {
      statuses.push((await fetch(`${showfloor.httpUrl}${path}`)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    const limited = await fetch(`${showfloor.httpUrl}/api/health`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.json()).toEqual({ error: expect.stringMatching(/too many requests: at most 5 per minute/) as unknown });
    expect((await fetch(`${showfloor.httpUrl}/metrics`)).status).toBe(429);
  });

  it('does not count or limit the wall page', async () => {
    expect((await fetch(`${showfloor.httpUrl}/`)).status).not.toBe(429);
    expect(await handshake(showfloor.httpUrl)).toBe('connected');
  });
});

describe('MQTT over WebSocket and the Origin header', () => {
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;

  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], env: { ALLOWED_ORIGINS: LISTED_ORIGIN } });
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('refuses an upgrade from a foreign origin with 403 and counts it', async () => {
    expect(await mqttOverWebSocket(showfloor.httpUrl, FOREIGN_ORIGIN)).toBe('refused');
    const raw = await tryWebSocket(`ws://127.0.0.1:${showfloor.httpPort}/mqtt`, { headers: { Origin: 'null' } });
    expect(raw).toMatchObject({ outcome: 'refused', status: 403 });
    expect(JSON.parse((raw as { body: string }).body)).toEqual({ error: expect.stringMatching(/^origin not allowed/) as unknown });

    const health = (await getJson<PublicHealth>(`${showfloor.httpUrl}/api/health`)).body;
    expect(health.broker.refusals['origin-not-allowed']).toBe(2);
    const metrics = await (await fetch(`${showfloor.httpUrl}/metrics`)).text();
    expect(metrics).toContain('showfloor_mqtt_refusals_total{reason="origin-not-allowed"} 2');
    // Refused before admission: it took no connection place and never reached Aedes.
    expect(showfloor.broker.connectedClients).toBe(0);
  });

  it('admits devices that send no Origin, pages of this server, and ALLOWED_ORIGINS', async () => {
    expect(await mqttOverWebSocket(showfloor.httpUrl)).toBe('connected');
    expect(await mqttOverWebSocket(showfloor.httpUrl, showfloor.httpUrl)).toBe('connected');
    expect(await mqttOverWebSocket(showfloor.httpUrl, LISTED_ORIGIN)).toBe('connected');
  });
});

describe('ALLOWED_HOSTS', () => {
  let showfloor: Awaited<ReturnType<typeof startTestShowfloor>>;
  let ownHost: string;
  const EVIL_HOST = 'rebound.evil.example';

  beforeAll(async () => {
    showfloor = await startTestShowfloor({ booths: [BOOTH_A], env: { ALLOWED_HOSTS: '127.0.0.1,wall.example:8443' } });
    ownHost = `127.0.0.1:${showfloor.httpPort}`;
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('answers requests for the listed names', async () => {
    expect((await rawGet(`${showfloor.httpUrl}/api/health`, { headers: { Host: ownHost } })).status).toBe(200);
    expect((await rawGet(`${showfloor.httpUrl}/api/health`, { headers: { Host: 'wall.example:8443' } })).status).toBe(200);
    expect(await handshake(showfloor.httpUrl)).toBe('connected');
    expect(await mqttOverWebSocket(showfloor.httpUrl)).toBe('connected');
  });

  it.each(['/', '/api/health', '/api/devices', '/metrics', '/no-such-page'])(
    'answers %s for another name with 421 and a JSON error that does not echo it',
    async (path) => {
      for (const host of [EVIL_HOST, 'wall.example:9999']) {
        const response = await rawGet(`${showfloor.httpUrl}${path}`, { headers: { Host: host } });
        expect(response.status).toBe(421);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(JSON.parse(response.body)).toEqual({ error: expect.stringMatching(/^misdirected request/) as unknown });
        expect(response.body).not.toContain('evil');
      }
    },
  );

  it('refuses a rebound page even from its own origin: socket.io, MQTT over WebSocket, and the API', async () => {
    const rebound = { Host: EVIL_HOST, Origin: `http://${EVIL_HOST}` };
    const polling = await rawGet(`${showfloor.httpUrl}/socket.io/?EIO=4&transport=polling`, { headers: rebound });
    expect(polling.status).toBe(403);
    expect(JSON.parse(polling.body)).toMatchObject({ message: expect.stringMatching(/^misdirected request/) as unknown });
    const socketIo = await tryWebSocket(`ws://127.0.0.1:${showfloor.httpPort}/socket.io/?EIO=4&transport=websocket`, { headers: rebound });
    expect(socketIo.outcome).toBe('refused');
    const mqttUpgrade = await tryWebSocket(`ws://127.0.0.1:${showfloor.httpPort}/mqtt`, { headers: rebound });
    expect(mqttUpgrade).toMatchObject({ outcome: 'refused', status: 421 });
    expect(JSON.parse((mqttUpgrade as { body: string }).body)).toEqual({ error: expect.stringMatching(/^misdirected request/) as unknown });
    expect((await rawGet(`${showfloor.httpUrl}/api/devices`, { headers: rebound })).status).toBe(421);
    expect(showfloor.broker.connectedClients).toBe(0);
  });
});

describe('TRUST_PROXY', () => {
  type LogLine = { msg: string; client?: string };
  /** A logger that keeps its lines, to see which client address the server names. */
  function recordingLogger(): { log: Logger; lines: LogLine[] } {
    const lines: LogLine[] = [];
    return { log: pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) }), lines };
  }
  const asClient = (address: string) => ({ headers: { 'X-Forwarded-For': address } });

  it('counts the API rate limit and logs by the address the trusted proxy forwarded', async () => {
    const { log, lines } = recordingLogger();
    const showfloor = await startTestShowfloor({ booths: [BOOTH_A], yaml: 'http:\n  rateLimitPerMinute: 2\n', env: { TRUST_PROXY: 'loopback' }, log });
    try {
      const statuses = [];
      for (const client of ['203.0.113.7', '203.0.113.7', '203.0.113.7', '203.0.113.8']) {
        statuses.push((await fetch(`${showfloor.httpUrl}/api/health`, asClient(client))).status);
      }
      expect(statuses).toEqual([200, 200, 429, 200]);
      const limited = lines.filter((line) => line.msg === 'API rate limit reached');
      expect(limited.map((line) => line.client)).toEqual(['203.0.113.7']);
    } finally {
      await showfloor.close();
    }
  });

  it('ignores X-Forwarded-For by default, so a client cannot choose its address', async () => {
    const { log, lines } = recordingLogger();
    const showfloor = await startTestShowfloor({ booths: [BOOTH_A], yaml: 'http:\n  rateLimitPerMinute: 2\n', log });
    try {
      const statuses = [];
      for (const client of ['203.0.113.7', '203.0.113.8', '203.0.113.9']) {
        statuses.push((await fetch(`${showfloor.httpUrl}/api/health`, asClient(client))).status);
      }
      expect(statuses).toEqual([200, 200, 429]);
      const limited = lines.filter((line) => line.msg === 'API rate limit reached');
      expect(limited.map((line) => line.client)).toEqual(['127.0.0.1']);
    } finally {
      await showfloor.close();
    }
  });

  it('trusts only the listed proxies: a hop from elsewhere is the client', async () => {
    const showfloor = await startTestShowfloor({ booths: [BOOTH_A], yaml: 'http:\n  rateLimitPerMinute: 1\n', env: { TRUST_PROXY: '10.9.9.9' } });
    try {
      expect((await fetch(`${showfloor.httpUrl}/api/health`, asClient('203.0.113.7'))).status).toBe(200);
      expect((await fetch(`${showfloor.httpUrl}/api/health`, asClient('203.0.113.8'))).status).toBe(429);
    } finally {
      await showfloor.close();
    }
  });
});
