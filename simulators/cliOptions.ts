/**
 * Command-line options of `npm run simulate`, parsed and validated without touching the
 * process, so they can be tested without spawning anything.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { ID_PATTERN } from '../contract/device';
import { DEVICE_PREFIX_PATTERN, MAX_DEVICES, isSimulatorKind, type SimulatorKind } from './booth';
import { DEFAULT_FAMILY_PERIOD_MS, FAMILY_KINDS } from './families/registry';
import { PROFILE_KINDS } from './profiles/registry';
import { MAX_RATE_PER_DEVICE } from './TelemetrySchedule';

export interface SimulatorCliOptions {
  url: string;
  booth: string;
  password: string;
  devices: number;
  rate: number;
  profiles: SimulatorKind[];
  /** Telemetry period of stock-family devices in ms (`--period` is given in seconds). */
  familyPeriodMs: number;
  seed?: string;
  /** Put before every native device id, so a second run does not collide with another's ids. */
  prefix?: string;
}

export type CliParseResult =
  | { ok: true; options: SimulatorCliOptions }
  /** Help (exit code 0) or a usage error (exit code 1); `message` is what to print. */
  | { ok: false; exitCode: number; message: string };

const BROKER_PROTOCOLS = ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'tls:', 'ws:', 'wss:'];

function parseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidArgumentError('Expected a broker URL such as mqtt://localhost:1883.');
  }
  if (!BROKER_PROTOCOLS.includes(url.protocol) || url.hostname === '') {
    throw new InvalidArgumentError(`Expected a broker URL such as mqtt://localhost:1883 (protocols: ${BROKER_PROTOCOLS.join(' ')}).`);
  }
  return text;
}

function parseBooth(text: string): string {
  if (!ID_PATTERN.test(text)) {
    throw new InvalidArgumentError('A booth id is 1-64 letters, digits, "-" or "_", starting with a letter or digit.');
  }
  return text;
}

function parsePassword(text: string): string {
  if (text === '') throw new InvalidArgumentError('The password must not be empty.');
  return text;
}

function parseDevices(text: string): number {
  const devices = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(devices) || devices < 1 || devices > MAX_DEVICES) {
    throw new InvalidArgumentError(`Expected a whole number from 1 to ${MAX_DEVICES}.`);
  }
  return devices;
}

function parseRate(text: string): number {
  const rate = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(rate) || rate <= 0 || rate > MAX_RATE_PER_DEVICE) {
    throw new InvalidArgumentError(`Expected a positive number of readings per second per device, at most ${MAX_RATE_PER_DEVICE} (e.g. 1, 0.5, 200).`);
  }
  return rate;
}

const ALL_KINDS = [...PROFILE_KINDS, ...FAMILY_KINDS];

function parseProfiles(text: string): SimulatorKind[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) throw new InvalidArgumentError(`Expected one or more of ${ALL_KINDS.join(', ')}.`);
  const unknown = names.filter((name) => !isSimulatorKind(name));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`Unknown profile ${unknown.join(', ')}; known profiles: ${ALL_KINDS.join(', ')}.`);
  }
  return [...new Set(names)] as SimulatorKind[];
}

function parsePeriod(text: string): number {
  const seconds = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 3600) {
    throw new InvalidArgumentError('Expected seconds between 0.1 and 3600 (Tasmota calls it TelePeriod; stock default 300).');
  }
  return Math.round(seconds * 1000);
}

function parseSeed(text: string): string {
  if (text === '') throw new InvalidArgumentError('The seed must not be empty.');
  return text;
}

function parsePrefix(text: string): string {
  if (!DEVICE_PREFIX_PATTERN.test(text)) {
    throw new InvalidArgumentError('A prefix is 1-32 letters, digits, "-" or "_", starting with a letter or digit (e.g. b-).');
  }
  return text;
}

function simulatorCommand(): Command {
  return new Command('simulate')
    .description('Simulate a booth full of devices publishing telemetry to the Showfloor broker.')
    .addOption(new Option('--url <url>', 'broker URL').default('mqtt://localhost:1883').argParser(parseUrl))
    .addOption(new Option('--booth <id>', 'booth id, also the MQTT username').makeOptionMandatory().argParser(parseBooth))
    .addOption(new Option('--password <password>', 'booth password').makeOptionMandatory().argParser(parsePassword))
    .addOption(new Option('--devices <n>', `number of devices, 1-${MAX_DEVICES}`).default(4).argParser(parseDevices))
    .addOption(new Option('--rate <n>', 'telemetry messages per second per device').default(1).argParser(parseRate))
    .addOption(
      new Option(
        '--profiles <list>',
        `comma-separated device kinds, mixed round-robin: Showfloor's own (${PROFILE_KINDS.join(', ')}) or stock devices on their own topics (${FAMILY_KINDS.join(', ')}; the booth needs those adapters)`,
      )
        .default([...PROFILE_KINDS], PROFILE_KINDS.join(','))
        .argParser(parseProfiles),
    )
    .addOption(
      new Option('--period <seconds>', 'telemetry period of stock-family devices (Tasmota TelePeriod, ESPHome update_interval, …)')
        .default(DEFAULT_FAMILY_PERIOD_MS, String(DEFAULT_FAMILY_PERIOD_MS / 1000))
        .argParser(parsePeriod),
    )
    .addOption(new Option('--seed <seed>', 'make readings reproducible').argParser(parseSeed))
    .addOption(
      new Option('--prefix <text>', 'put before every device id (b- makes b-env-01), so a second run does not collide with the demo').argParser(parsePrefix),
    )
    .allowExcessArguments(false)
    .exitOverride();
}

/** Parses the user's arguments (process.argv.slice(2)). Never prints and never exits. */
export function parseSimulatorCli(args: readonly string[]): CliParseResult {
  const command = simulatorCommand();
  let printed = '';
  command.configureOutput({
    writeOut: (text) => (printed += text),
    writeErr: (text) => (printed += text),
  });
  try {
    command.parse([...args], { from: 'user' });
  } catch (error) {
    const exitCode = typeof (error as { exitCode?: unknown }).exitCode === 'number' ? (error as { exitCode: number }).exitCode : 1;
    return { ok: false, exitCode, message: printed || String(error) };
  }
  const options = command.opts<Omit<SimulatorCliOptions, 'familyPeriodMs'> & { period: number }>();
  return {
    ok: true,
    options: {
      url: options.url,
      booth: options.booth,
      password: options.password,
      devices: options.devices,
      rate: options.rate,
      profiles: options.profiles,
      familyPeriodMs: options.period,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    },
  };
}
