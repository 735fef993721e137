/**
 * TLS built in: MQTT over TLS (mqtts://), and HTTPS on the web port carrying the API, socket.io
 * and MQTT over WebSocket (wss://), with certificates made by openssl at test time. The broker's
 * limits apply to TLS connections as to plain ones, and bad certificate files stop start-up with
 * the setting and the file named.
 */
import { connect as connectTcp } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IClientOptions } from 'mqtt';
import { pino } from 'pino';
import { io as connectSocket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { SettingsError } from '../../server/config/settings';
import { startShowfloor } from '../../server/Showfloor';
import { CONSOLE_PASSWORD, consoleYaml } from '../support/console';
import type { PublicDeviceList, PublicHealth } from '../support/publicApi';
import { rawGet, rawRequest } from '../support/rawHttp';
import { BOOTH_A, connectDevice, startTestShowfloor, testSettings, tryConnectDevice, type TestShowfloor } from '../support/showfloor';
import { certificateChain, describeWithOpenssl, selfSignedCertificate, type TestCertificate } from '../support/testCertificates';
import { waitFor, waitForEvent } from '../support/waitFor';

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'showfloor-tls-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

function tlsYaml({ certFile, keyFile, caFile }: { certFile: string; keyFile: string; caFile?: string }, extra = ''): string {
  const files = { certFile, keyFile, ...(caFile === undefined ? {} : { caFile }) };
  const lines = Object.entries(files).map(([key, path]) => `  ${key}: ${JSON.stringify(path)}\n`);
  return `tls:\n${lines.join('')}${extra}`;
}

/** MQTT_TLS_PORT 0: a free port, as for the others. */
const TLS_ENV = { MQTT_TLS_PORT: '0' };

async function startTls(certificate: TestCertificate, yaml = ''): Promise<TestShowfloor> {
  return startTestShowfloor({ booths: [BOOTH_A], yaml: tlsYaml(certificate) + yaml, env: TLS_ENV });
}

async function healthOver(showfloor: TestShowfloor, ca: string): Promise<PublicHealth> {
  const response = await rawGet(`${showfloor.httpUrl}/api/health`, { ca });
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as PublicHealth;
}

/** A device of booth A trying to connect: 'connected', or what ended the attempt. */
const tryMqtt = (url: string, options: IClientOptions): Promise<string> => tryConnectDevice(url, BOOTH_A, options);

describeWithOpenssl('TLS with a self-signed certificate', () => {
  let certificate: TestCertificate;
  let showfloor: TestShowfloor;
  beforeAll(async () => {
    certificate = await selfSignedCertificate(directory);
    showfloor = await startTls(certificate);
  });
  afterAll(async () => {
    await showfloor?.close();
  });

  it('accepts telemetry over mqtts:// from a device that trusts the certificate', async () => {
    expect(showfloor.mqttTlsPort).toBeGreaterThan(0);
    const device = await connectDevice(`mqtts://127.0.0.1:${showfloor.mqttTlsPort}`, BOOTH_A, { ca: certificate.trustedPem });
    onTestFinished(() => void device.end(true));
    await device.publishAsync('booth/booth-a/tls-01/telemetry', '{"temperature": 21.5}', { qos: 1 });
    const listed = await waitFor(
      async () => {
        const { devices } = JSON.parse((await rawGet(`${showfloor.httpUrl}/api/devices`, { ca: certificate.trustedPem })).body) as PublicDeviceList;
        return devices.find((d) => d.device === 'tls-01');
      },
      { what: 'the device listed in /api/devices' },
    );
    expect(listed.latest.temperature).toBe(21.5);
  });

  it('is refused by a client that does not trust the certificate', async () => {
    expect(await tryMqtt(`mqtts://127.0.0.1:${showfloor.mqttTlsPort}`, {})).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    await expect(rawGet(`${showfloor.httpUrl}/api/health`)).rejects.toThrow(/self-signed certificate/);
  });

  it('serves the API over https:// and reports both MQTT ports', async () => {
    const health = await healthOver(showfloor, certificate.trustedPem);
    expect(health.broker).toMatchObject({ tcpPort: showfloor.mqttPort, tlsPort: showfloor.mqttTlsPort, webSocketPath: '/mqtt' });
  });

  it('serves MQTT over WebSocket as wss:// and the wall stream over https://', async () => {
    const wssUrl = `wss://127.0.0.1:${showfloor.httpPort}/mqtt`;
    const device = await connectDevice(wssUrl, BOOTH_A, { ca: certificate.trustedPem });
    onTestFinished(() => void device.end(true));
    await device.publishAsync('booth/booth-a/wss-01/telemetry', '{"t": 1}', { qos: 1 });
    await waitFor(async () => (await healthOver(showfloor, certificate.trustedPem)).counters.accepted >= 2, { what: 'the wss reading accepted' });
    // The Origin check still holds over TLS.
    expect(await tryMqtt(wssUrl, { ca: certificate.trustedPem, wsOptions: { headers: { Origin: 'https://evil.example' } } })).not.toBe('connected');

    const wall = connectSocket(showfloor.httpUrl, { transports: ['websocket'], ca: certificate.trustedPem, reconnection: false });
    onTestFinished(() => void wall.close());
    await waitForEvent(wall, 'connect');
  });

  it('keeps plain MQTT on MQTT_PORT by default', async () => {
    expect(await tryMqtt(showfloor.mqttUrl, {})).toBe('connected');
  });

  it('counts a plain MQTT client on the TLS port as tls-handshake-failed', async () => {
    const failedHandshakes = async (): Promise<number> => (await healthOver(showfloor, certificate.trustedPem)).broker.refusals['tls-handshake-failed'] ?? 0;
    const before = await failedHandshakes();
    expect(await tryMqtt(`mqtt://127.0.0.1:${showfloor.mqttTlsPort}`, { connectTimeout: 2000 })).not.toBe('connected');
    await waitFor(async () => (await failedHandshakes()) === before + 1, { what: 'the failed handshake counted' });
  });
});

describeWithOpenssl('the console login over HTTPS', () => {
  it('marks the session cookie Secure, so a browser never sends it over plain HTTP', async () => {
    const certificate = await selfSignedCertificate(directory, 'console');
    const showfloor = await startTls(certificate, consoleYaml());
    onTestFinished(() => showfloor.close());
    const login = await rawRequest('POST', `${showfloor.httpUrl}/api/console/login`, {
      ca: certificate.trustedPem,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Mia', password: CONSOLE_PASSWORD }),
    });
    expect(login.status).toBe(204);
    expect(login.headers['set-cookie']?.[0]).toMatch(/^showfloor_console=[^;]+;.*; HttpOnly; Secure; SameSite=Strict$/);
  });
});

describeWithOpenssl('TLS connections and the broker limits', () => {
  let certificate: TestCertificate;
  let showfloor: TestShowfloor;
  beforeAll(async () => {
    certificate = await selfSignedCertificate(directory, 'limits');
    showfloor = await startTls(certificate, 'mqtt:\n  maxConnectionsPerAddress: 2\n  maxPacketBytes: 4096\n');
  });
  afterAll(async () => {
    await showfloor?.close();
  });
  const refusals = async () => (await healthOver(showfloor, certificate.trustedPem)).broker.refusals;

  it('counts TLS connections against the per-address limit and refuses the extra one before the handshake', async () => {
    const tlsUrl = `mqtts://127.0.0.1:${showfloor.mqttTlsPort}`;
    // The limit counts connections that have not authenticated (an authenticated one counts against
    // its booth): one over TLS and one plain that never send CONNECT hold the address's two places.
    const silentTls = tlsConnect({ host: '127.0.0.1', port: showfloor.mqttTlsPort!, ca: certificate.trustedPem, servername: 'localhost' });
    const silentTcp = connectTcp(showfloor.mqttPort, '127.0.0.1');
    onTestFinished(() => {
      silentTls.destroy();
      silentTcp.destroy();
    });
    await Promise.all([waitForEvent(silentTls, 'secureConnect'), waitForEvent(silentTcp, 'connect')]);
    // Cut at accept: the TLS client sees the socket close during its handshake.
    expect(await tryMqtt(tlsUrl, { ca: certificate.trustedPem })).not.toBe('connected');
    expect(await tryMqtt(`wss://127.0.0.1:${showfloor.httpPort}/mqtt`, { ca: certificate.trustedPem })).not.toBe('connected');
    await waitFor(async () => (await refusals())['too-many-connections'] === 2, { what: 'two too-many-connections refusals' });
    expect((await refusals())['tls-handshake-failed']).toBeUndefined();
    // Before the handshake, not after it: a bare TLS client never gets as far as secureConnect.
    const raw = tlsConnect({ host: '127.0.0.1', port: showfloor.mqttTlsPort!, ca: certificate.trustedPem, servername: 'localhost' });
    const outcome = await new Promise<string>((resolve) => {
      raw.once('secureConnect', () => resolve('handshake completed'));
      raw.once('error', () => resolve('closed before the handshake'));
      raw.once('close', () => resolve('closed before the handshake'));
    });
    raw.destroy();
    expect(outcome).toBe('closed before the handshake');
    expect(showfloor.broker.connectedClients).toBe(0);
  });

  it('cuts a TLS connection whose packet is over mqtt.maxPacketBytes', async () => {
    // The server frees the places of the earlier test's connections when it sees them close.
    await waitFor(async () => (await tryMqtt(`mqtts://127.0.0.1:${showfloor.mqttTlsPort}`, { ca: certificate.trustedPem })) === 'connected', {
      what: 'earlier connections gone',
    });
    const device = await connectDevice(`mqtts://127.0.0.1:${showfloor.mqttTlsPort}`, BOOTH_A, { ca: certificate.trustedPem });
    onTestFinished(() => void device.end(true));
    const closed = waitForEvent(device, 'close', { rejectOnError: false });
    device.publish('booth/booth-a/big-01/telemetry', Buffer.alloc(8 * 1024, 0x20));
    await closed;
    await waitFor(async () => (await refusals())['packet-too-large'] === 1, { what: 'the packet-too-large refusal counted' });
  });
});

describeWithOpenssl('TLS with a certificate chain (tls.caFile)', () => {
  let chain: Awaited<ReturnType<typeof certificateChain>>;
  beforeAll(async () => {
    chain = await certificateChain(directory);
  });

  it('sends the intermediate from caFile, so a client that trusts only the root connects', async () => {
    const showfloor = await startTestShowfloor({
      booths: [BOOTH_A],
      yaml: tlsYaml({ certFile: chain.certFile, keyFile: chain.keyFile, caFile: chain.intermediateFile }),
      env: TLS_ENV,
    });
    onTestFinished(() => showfloor.close());
    expect(await tryMqtt(`mqtts://127.0.0.1:${showfloor.mqttTlsPort}`, { ca: chain.trustedPem })).toBe('connected');
    expect((await rawGet(`${showfloor.httpUrl}/api/health`, { ca: chain.trustedPem })).status).toBe(200);
  });

  it('without caFile the same client cannot verify the server', async () => {
    const showfloor = await startTestShowfloor({ booths: [BOOTH_A], yaml: tlsYaml({ certFile: chain.certFile, keyFile: chain.keyFile }), env: TLS_ENV });
    onTestFinished(() => showfloor.close());
    expect(await tryMqtt(`mqtts://127.0.0.1:${showfloor.mqttTlsPort}`, { ca: chain.trustedPem })).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });
});

describeWithOpenssl('TLS with plain MQTT turned off', () => {
  it('listens for MQTT over TLS only, and says so in /api/health', async () => {
    const certificate = await selfSignedCertificate(directory, 'tls-only');
    const settings = testSettings({ booths: [BOOTH_A], yaml: tlsYaml(certificate, '  plainMqtt: false\n'), env: TLS_ENV });
    const showfloor = await startShowfloor(settings, pino({ level: 'silent' }));
    onTestFinished(() => showfloor.close());
    expect(showfloor.mqttPort).toBeNull();
    expect(await tryMqtt(`mqtts://127.0.0.1:${showfloor.mqttTlsPort}`, { ca: certificate.trustedPem })).toBe('connected');
    const health = JSON.parse((await rawGet(`https://127.0.0.1:${showfloor.httpPort}/api/health`, { ca: certificate.trustedPem })).body) as PublicHealth;
    expect(health.broker).toMatchObject({ tcpPort: null, tlsPort: showfloor.mqttTlsPort });
  });
});

describeWithOpenssl('TLS certificate files that cannot be used', () => {
  let good: TestCertificate;
  let other: TestCertificate;
  let notPem: string;
  beforeAll(async () => {
    good = await selfSignedCertificate(directory, 'good');
    other = await selfSignedCertificate(directory, 'other');
    notPem = join(directory, 'not-pem.txt');
    await writeFile(notPem, 'this is not a certificate\n');
  });

  const start = (files: { certFile: string; keyFile: string; caFile?: string }) =>
    startShowfloor(testSettings({ booths: [BOOTH_A], yaml: tlsYaml(files), env: TLS_ENV }), pino({ level: 'silent' }));

  it.each([
    [
      'a missing certFile',
      () => ({ certFile: join(directory, 'missing.pem'), keyFile: good.keyFile }),
      /^test\.yaml: tls\.certFile: cannot read \/.*\/missing\.pem: ENOENT/,
    ],
    [
      'a missing keyFile',
      () => ({ certFile: good.certFile, keyFile: join(directory, 'missing.key') }),
      /^test\.yaml: tls\.keyFile: cannot read \/.*\/missing\.key: ENOENT/,
    ],
    ['a missing caFile', () => ({ ...good, caFile: join(directory, 'missing-ca.pem') }), /^test\.yaml: tls\.caFile: cannot read \/.*\/missing-ca\.pem/],
    ['a directory as certFile', () => ({ certFile: directory, keyFile: good.keyFile }), /^test\.yaml: tls\.certFile: cannot read \/.*: EISDIR/],
    [
      'a certFile that is not PEM',
      () => ({ certFile: notPem, keyFile: good.keyFile }),
      /^test\.yaml: tls\.certFile: \/.*\/not-pem\.txt holds no PEM certificate/,
    ],
    [
      'a keyFile that is not a key',
      () => ({ certFile: good.certFile, keyFile: notPem }),
      /^test\.yaml: tls\.keyFile: \/.*\/not-pem\.txt is not an unencrypted PEM private key/,
    ],
    [
      'a key of another certificate',
      () => ({ certFile: good.certFile, keyFile: other.keyFile }),
      /^test\.yaml: tls\.keyFile: \/.*\/other\.key does not match the certificate in \/.*\/good\.pem/,
    ],
    ['a caFile that is not PEM', () => ({ ...good, caFile: notPem }), /^test\.yaml: tls\.caFile: \/.*\/not-pem\.txt holds no PEM certificate/],
  ])('stops start-up on %s, naming the setting and the file', async (_case, files, message) => {
    const starting = start(files());
    await expect(starting).rejects.toThrow(SettingsError);
    await expect(starting).rejects.toThrow(message);
  });
});

describe('TLS settings in the YAML file', () => {
  it('needs both certFile and keyFile', () => {
    expect(() => testSettings({ yaml: 'tls:\n  certFile: cert.pem\n' })).toThrow(/test\.yaml: tls\.keyFile: required/);
  });
});
