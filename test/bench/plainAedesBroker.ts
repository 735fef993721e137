/**
 * Baseline A's broker, run as its own child process: Aedes as it comes, no auth, no packet guard,
 * no ingest. Whatever the Showfloor broker costs on top of this is Showfloor's own.
 * Usage: tsx test/bench/plainAedesBroker.ts <port>
 */
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('usage: plainAedesBroker.ts <port>\n');
  process.exit(2);
}

const { Aedes } = await import('aedes');
const broker = await Aedes.createBroker();
const server = createServer(broker.handle);
server.listen(port, '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    broker.close(() => process.exit(0));
  });
}
