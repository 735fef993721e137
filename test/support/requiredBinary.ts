import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

export interface BinaryLookup {
  /** Command name searched on PATH, e.g. 'influxd'. */
  command: string;
  /**
   * Environment variable that, when set, is the only place looked at. Pointing
   * it at a missing path simulates a machine without the binary.
   */
  overrideEnvVar: string;
  /** Where Debian installs it, in case PATH is minimal (e.g. sudo, cron). */
  fallbackPaths: readonly string[];
}

/** Absolute path of an executable, or undefined when it is not installed. */
export function findBinary({ command, overrideEnvVar, fallbackPaths }: BinaryLookup): string | undefined {
  const override = process.env[overrideEnvVar];
  if (override !== undefined && override !== '') {
    return isExecutableFile(override) ? override : undefined;
  }
  const pathDirectories = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const candidates = [...pathDirectories.map((directory) => join(directory, command)), ...fallbackPaths];
  return candidates.find(isExecutableFile);
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** CI sets CI=true; '0' and 'false' are treated as unset so a developer can opt out explicitly. */
export function runningInCI(): boolean {
  const value = process.env.CI;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

export interface SuiteRequirement {
  /** What is missing, for messages: 'influxd'. */
  name: string;
  lookup: BinaryLookup;
  /** How to get it, for messages. */
  installHint: string;
}

/**
 * `describe` that runs only when the required binary is installed. Without it
 * the suite is skipped with a console warning on a developer machine, but
 * fails in CI: a CI run that silently skips the integration suites would
 * report green while testing nothing.
 */
export function describeRequiring(requirement: SuiteRequirement, suiteName: string, defineSuite: () => void): void {
  if (findBinary(requirement.lookup) !== undefined) {
    describe(suiteName, defineSuite);
    return;
  }
  const message = missingBinaryMessage(requirement);
  if (runningInCI()) {
    describe(suiteName, () => {
      it(`requires ${requirement.name}`, () => {
        throw new Error(`${message} CI is set, so this suite fails instead of being skipped.`);
      });
    });
    return;
  }
  console.warn(`[skipped] "${suiteName}": ${message} Skipping because CI is not set.`);
  describe.skip(`${suiteName} [skipped: ${requirement.name} not installed]`, defineSuite);
}

export function missingBinaryMessage({ name, lookup, installHint }: SuiteRequirement): string {
  const override = process.env[lookup.overrideEnvVar];
  const searched =
    override !== undefined && override !== ''
      ? `${lookup.overrideEnvVar}=${override}`
      : `PATH and ${lookup.fallbackPaths.join(', ')}`;
  return `${name} not found (looked in ${searched}); ${installHint}.`;
}
