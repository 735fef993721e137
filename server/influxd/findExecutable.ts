import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ExecutableLookup {
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
export function findExecutable({ command, overrideEnvVar, fallbackPaths }: ExecutableLookup, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const override = env[overrideEnvVar];
  if (override !== undefined && override !== '') {
    return isExecutableFile(override) ? override : undefined;
  }
  const pathDirectories = (env.PATH ?? '').split(delimiter).filter(Boolean);
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
