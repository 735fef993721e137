import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';
import { describeRequiring, findBinary, missingBinaryMessage, type SuiteRequirement } from './requiredBinary';

const chromiumRequirement: SuiteRequirement = {
  name: 'chromium',
  lookup: { command: 'chromium', overrideEnvVar: 'CHROMIUM_BIN', fallbackPaths: ['/usr/bin/chromium'] },
  installHint: 'install it with `apt-get install chromium` (Debian); playwright cannot download browsers here',
};

/**
 * Flags for root in a sandboxed container without network: without the
 * background-networking ones Chromium keeps dialling Google services that this
 * machine refuses, which slows startup and clutters logs.
 */
export const chromiumLaunchArgs: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

/** Path of the Chromium binary (CHROMIUM_BIN, else PATH, else /usr/bin/chromium), or undefined. */
export function chromiumBinary(): string | undefined {
  return findBinary(chromiumRequirement.lookup);
}

export function chromiumAvailable(): boolean {
  return chromiumBinary() !== undefined;
}

/**
 * `describe` for browser suites: skipped with a warning when Chromium is
 * missing on a developer machine, failing when CI is set.
 */
export function describeWithChromium(suiteName: string, defineSuite: () => void): void {
  describeRequiring(chromiumRequirement, suiteName, defineSuite);
}

export interface LaunchChromiumOptions {
  /** Appended to chromiumLaunchArgs, e.g. '--window-size=1920,1080'. */
  extraArgs?: readonly string[];
  /** Default 30 000; a cold start on a loaded 2-core machine can take several seconds. */
  timeoutMs?: number;
}

/** Launches Debian's Chromium headless through playwright-core. Close the returned browser in afterAll. */
export async function launchChromium({ extraArgs = [], timeoutMs = 30_000 }: LaunchChromiumOptions = {}): Promise<Browser> {
  const executablePath = chromiumBinary();
  if (executablePath === undefined) throw new Error(missingBinaryMessage(chromiumRequirement));
  const launchOptions: LaunchOptions = {
    executablePath,
    headless: true,
    args: [...chromiumLaunchArgs, ...extraArgs],
    timeout: timeoutMs,
  };
  return chromium.launch(launchOptions);
}

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const artifactsRoot = resolve(repositoryRoot, 'test-artifacts');

/**
 * Absolute path for a test output such as a screenshot: `test-artifacts/<name>`
 * (gitignored), with its parent directories created so the caller can write
 * straight away. `name` may contain subdirectories but must stay inside.
 */
export function artifactPath(name: string): string {
  const path = resolve(artifactsRoot, name);
  const inside = relative(artifactsRoot, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) {
    throw new Error(`artifact name must be a relative path inside test-artifacts/: ${name}`);
  }
  mkdirSync(dirname(path), { recursive: true });
  return path;
}
