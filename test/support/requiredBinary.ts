import { findExecutable, type ExecutableLookup } from '../../server/influxd/findExecutable';
import { describe, it } from 'vitest';

/** Absolute path of an executable, or undefined when it is not installed. */
export function findBinary(lookup: ExecutableLookup): string | undefined {
  return findExecutable(lookup);
}

/** CI sets CI=true; '0' and 'false' are treated as unset so a developer can opt out explicitly. */
export function runningInCI(): boolean {
  const value = process.env.CI;
  return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

export interface SuiteRequirement {
  /** What is missing, for messages: 'influxd'. */
  name: string;
  lookup: ExecutableLookup;
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
  const searched = override !== undefined && override !== '' ? `${lookup.overrideEnvVar}=${override}` : `PATH and ${lookup.fallbackPaths.join(', ')}`;
  return `${name} not found (looked in ${searched}); ${installHint}.`;
}
