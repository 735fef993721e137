/** `npm start`: broker and server for production, configured by environment and YAML. */
import { SettingsError, loadSettings } from './config/settings';
import { createLogger } from './logger';
import { closeOnSignals, exitOnFatalErrors } from './processLifecycle';
import { startShowfloor } from './Showfloor';

async function main(): Promise<void> {
  const settings = await loadSettings();
  if (settings.file.booths.length === 0) {
    const where = settings.configPath ?? `${settings.env.SHOWFLOOR_CONFIG} (not found)`;
    throw new SettingsError(
      `booths: no booths are configured in ${where}. Add one, for example:\n\n` +
        `booths:\n  - id: hall-a-12\n    name: "ACME Sensors"\n    passwordHash: "scrypt$N=16384,r=8,p=1$…$…"   # the line \`npm run hash-password\` prints\n\n` +
        `or set SHOWFLOOR_CONFIG to the path of your file. To try Showfloor without a config, run \`npm run demo\`.`,
    );
  }
  const log = createLogger(settings.env.LOG_LEVEL);
  const running = await startShowfloor(settings, log);
  const close = (): Promise<void> => running.close();
  closeOnSignals(close, log);
  exitOnFatalErrors(close, log);
}

main().catch((error: unknown) => {
  if (error instanceof SettingsError) {
    process.stderr.write(`showfloor: configuration error\n${error.message}\n`);
  } else {
    process.stderr.write(`showfloor: failed to start: ${(error as Error).message}\n`);
  }
  process.exit(1);
});
