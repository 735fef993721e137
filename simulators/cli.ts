/**
 * npm run simulate -- --booth demo --password secret [--url mqtt://localhost:1883]
 *   [--devices 8] [--rate 1] [--profiles env-sensor,ev-charger] [--seed 42]
 * npm run simulate -- --booth demo --password secret --devices 6 --profiles tasmota,shelly,esphome,sparkplug,shelly-gen1,tasmota-fulltopic [--period 2]
 *   (stock devices on their own topics and client ids; the booth lists those adapters in showfloor.yaml)
 *
 * Logs connection changes only (never individual messages). SIGINT/SIGTERM stop every device,
 * which publishes `offline`, and exit 0.
 */
import { startSimulatedBooth } from './booth';
import { parseSimulatorCli } from './cliOptions';
import type { DeviceEvent } from './SimulatedDevice';

function log(line: string): void {
  console.log(`${new Date().toISOString()} ${line}`);
}

function describe(event: DeviceEvent): string {
  switch (event.type) {
    case 'connected':
      return `${event.deviceId} ${event.reconnect ? 'reconnected' : 'connected'} as ${event.clientId}`;
    case 'disconnected':
      return `${event.deviceId} disconnected, reconnecting`;
    case 'unreachable':
      return `${event.deviceId} cannot reach the broker (${event.reason}), retrying`;
    case 'refused':
      return `${event.deviceId} refused by the broker (${event.reason}), giving up`;
  }
}

const parsed = parseSimulatorCli(process.argv.slice(2));
if (!parsed.ok) {
  (parsed.exitCode === 0 ? process.stdout : process.stderr).write(parsed.message.endsWith('\n') ? parsed.message : `${parsed.message}\n`);
  process.exit(parsed.exitCode);
}
const options = parsed.options;

let refused = 0;
const booth = startSimulatedBooth({
  ...options,
  onEvent: (event) => {
    log(describe(event));
    if (event.type === 'refused') {
      refused += 1;
      // Nothing left to simulate once the broker has turned every device away (wrong password, usually).
      if (refused === booth.devices.length) void shutdown('every device was refused', 1);
    }
  },
});
log(
  `simulating ${options.devices} device(s) [${options.profiles.slice(0, options.devices).join(', ')}] for booth ${options.booth} ` +
    `at ${options.rate}/s each (stock families every ${options.familyPeriodMs / 1000} s) → ${options.url}${options.seed === undefined ? '' : ` (seed ${options.seed})`}`,
);

let shuttingDown = false;
async function shutdown(why: string, exitCode: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`${why}: stopping devices`);
  await booth.stop();
  log(`stopped; ${booth.sent()} telemetry message(s) sent`);
  process.exit(exitCode);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second Ctrl-C means "now": skip the goodbyes.
    if (shuttingDown) process.exit(130);
    void shutdown(signal, 0);
  });
}
