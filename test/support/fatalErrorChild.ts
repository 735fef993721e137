/**
 * A process with the server's fatal-error policy and a stand-in close(), for
 * test/integration/fatalErrorPolicy.test.ts. FATAL: throw | reject; CLOSE: flushes | hangs.
 */
import { pino } from 'pino';
import { exitOnFatalErrors } from '../../server/processLifecycle';

const log = pino({ level: 'info' });
const hangs = process.env.CLOSE === 'hangs';
exitOnFatalErrors(
  () =>
    new Promise<void>((resolve) => {
      if (hangs) return; // never settles, like a flush to an InfluxDB that does not answer
      setTimeout(() => {
        process.stdout.write('flushed\n');
        resolve();
      }, 50);
    }),
  log,
  { closeTimeoutMs: Number(process.env.CLOSE_TIMEOUT_MS ?? 10_000) },
);
// Something keeps the process alive, as the server's sockets do.
setInterval(() => undefined, 1000);
setTimeout(() => {
  if (process.env.FATAL === 'reject') void Promise.reject(new Error('a promise nobody awaited'));
  else throw new Error('a callback that threw');
}, 10);
