/**
 * `npm run demo`: broker, server, wall and a simulated booth in one process, with nothing to
 * configure. Uses a local influxd (data kept under ./data/influxdb) when one is installed and
 * INFLUX_URL is unset; otherwise runs with in-memory history. `-- --dashboard FILE` shows a
 * dashboard file (examples/dashboard.yaml is written for this booth) instead of automatic scenes.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { hashPassword } from '../../broker/passwordHash';
import { startSimulatedBooth } from '../../simulators/booth';
import { FAMILY_ADAPTER, FAMILY_KINDS } from '../../simulators/families/registry';
import { SettingsError, parseEnv, parseSettingsFile, type Settings } from '../config/settings';
import { createLogger } from '../logger';
import { closeOnSignals } from '../processLifecycle';
import { startShowfloor } from '../Showfloor';
import { findInfluxdBinary, startLocalInfluxd, type LocalInfluxd } from '../influxd/LocalInfluxd';

const DEMO_BOOTH = { id: 'demo', name: 'Showfloor Demo Booth' };
const DEMO_DEVICES = 12;
const DEMO_RATE_PER_DEVICE = 2;
/** One stock device per family (Tasmota, Shelly, ESPHome, Sparkplug B), on its own topics and client id. */
const DEMO_FAMILY_PERIOD_MS = 2000;
const LOCAL_INFLUX_DIRECTORY = 'data/influxdb';
/** The write-ahead spool (issue 13) beside the local InfluxDB's data; none in memory mode (nothing is stored). */
const SPOOL_DIRECTORY = 'data/spool';

async function main(): Promise<void> {
  const { values: options } = parseArgs({ options: { dashboard: { type: 'string' } } });
  const wall = options.dashboard ? `wall:\n  dashboardFile: ${JSON.stringify(resolve(options.dashboard))}\n` : '';
  // The demo speaks up only for problems; the banner below says what a newcomer needs.
  const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn', ...process.env };
  let influxd: LocalInfluxd | undefined;
  if (!env.INFLUX_URL && findInfluxdBinary()) {
    try {
      influxd = await startLocalInfluxd(LOCAL_INFLUX_DIRECTORY);
      Object.assign(env, { INFLUX_URL: influxd.url, INFLUX_API: 'v1', INFLUX_BUCKET: 'showfloor' });
    } catch (error) {
      process.stderr.write(`showfloor demo: could not start the local influxd, continuing in memory: ${(error as Error).message}\n`);
    }
  }
  const password = randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(password);
  // The technician console too, with alarms the simulated booth can trip.
  const consolePassword = randomBytes(12).toString('base64url');
  const technicianConsole =
    `console:\n  passwordHash: ${JSON.stringify(await hashPassword(consolePassword))}\n` +
    'alarms:\n' +
    '  - { id: co2-high, severity: warning, deviceKind: env-sensor, metric: co2, above: 1100, forSeconds: 10, clearAt: 1000 }\n' +
    '  - { id: device-offline, severity: critical, offlineForSeconds: 30 }\n';
  const storage = env.INFLUX_URL ? `storage:\n  spoolDir: ${JSON.stringify(resolve(SPOOL_DIRECTORY))}\n` : '';
  const settings: Settings = {
    env: parseEnv(env),
    file: parseSettingsFile(
      `booths:\n  - id: ${DEMO_BOOTH.id}\n    name: ${JSON.stringify(DEMO_BOOTH.name)}\n    passwordHash: ${JSON.stringify(passwordHash)}\n` +
        // Two profiles share an adapter (shelly-gen1, tasmota-fulltopic), and the settings refuse a family listed twice.
        `    adapters: [${[...new Set(FAMILY_KINDS.map((kind) => FAMILY_ADAPTER[kind]))].join(', ')}]\n${wall}${storage}${technicianConsole}`,
      'demo settings',
    ),
    configPath: null,
  };
  const log = createLogger(settings.env.LOG_LEVEL);
  const showfloor = await startShowfloor(settings, log);
  const booth = startSimulatedBooth({
    url: `mqtt://127.0.0.1:${showfloor.mqttPort}`,
    booth: DEMO_BOOTH.id,
    password,
    devices: DEMO_DEVICES,
    rate: DEMO_RATE_PER_DEVICE,
  });
  const stockDevices = startSimulatedBooth({
    url: `mqtt://127.0.0.1:${showfloor.mqttPort}`,
    booth: DEMO_BOOTH.id,
    password,
    devices: FAMILY_KINDS.length,
    rate: 1,
    profiles: FAMILY_KINDS,
    familyPeriodMs: DEMO_FAMILY_PERIOD_MS,
  });
  await Promise.all([booth.ready(), stockDevices.ready()]);

  const stored = influxd
    ? `InfluxDB 1.x started locally at ${influxd.url} (data in ./${LOCAL_INFLUX_DIRECTORY}, spool in ./${SPOOL_DIRECTORY})`
    : settings.env.INFLUX_URL
      ? `InfluxDB at ${settings.env.INFLUX_URL} (${settings.env.INFLUX_API}), spool in ./${SPOOL_DIRECTORY}`
      : 'in memory only (install influxdb or set INFLUX_URL to keep history)';
  process.stdout.write(
    [
      '',
      '  Showfloor demo is live',
      `  Wall:     http://localhost:${showfloor.httpPort}/`,
      `  Health:   http://localhost:${showfloor.httpPort}/api/health`,
      `  Console:  http://localhost:${showfloor.httpPort}/console/  (any name, password ${consolePassword}; generated for this run)`,
      `  MQTT:     mqtt://localhost:${showfloor.mqttPort}  (WebSocket: ws://localhost:${showfloor.httpPort}/mqtt)`,
      `  Booth:    ${DEMO_BOOTH.id}, password ${password}  (generated for this run)`,
      `  Devices:  ${DEMO_DEVICES} simulated, ${DEMO_RATE_PER_DEVICE} readings/s each`,
      `  Stock:    ${stockDevices.devices.map((device) => device.clientId).join(', ')} (${FAMILY_KINDS.join(', ')} on their own topics, every ${DEMO_FAMILY_PERIOD_MS / 1000} s)`,
      `  Storage:  ${stored}`,
      `  Walls:    ${options.dashboard ? `dashboard file ${resolve(options.dashboard)} (edits are picked up as you save)` : 'automatic scenes (try -- --dashboard examples/dashboard.yaml)'}`,
      '',
      '  Press Ctrl-C to stop (buffered readings are flushed first).',
      '',
    ].join('\n') + '\n',
  );

  closeOnSignals(async () => {
    await Promise.all([booth.stop(), stockDevices.stop()]);
    await showfloor.close();
    await influxd?.stop();
  }, log);
}

main().catch((error: unknown) => {
  const message = error instanceof SettingsError ? `configuration error\n${error.message}` : (error as Error).message;
  process.stderr.write(`showfloor demo: ${message}\n`);
  process.exit(1);
});
