/**
 * `npm run hash-password`: turns a booth (or console) password into the `passwordHash:` line for showfloor.yaml.
 *
 *   npm run hash-password                          # asks twice, without echo
 *   printf %s "$PW" | npm run -s hash-password     # from a pipe or a secret store
 *   npm run hash-password -- 'the password'        # works, but lands in shell history
 */
import { hashPassword } from '../../broker/passwordHash';

/** Devices keep the password in firmware for a whole show; short ones fall to guessing. */
const MIN_PASSWORD_LENGTH = 12;

class UsageError extends Error {}

const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = ['\u007f', '\b'];

/** Reads one line from the terminal without echoing it. */
function readHiddenLine(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let line = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(line);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === CTRL_C || char === CTRL_D) return finish(new UsageError('cancelled'));
        if (BACKSPACE.includes(char)) line = [...line].slice(0, -1).join('');
        else if (char >= ' ') line += char;
      }
    };
    input.on('data', onData);
  });
}

async function readPiped(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk as string;
  // `echo pw |` and files end with a newline that is not part of the password.
  return text.replace(/\r?\n$/, '');
}

async function readPassword(args: string[]): Promise<string> {
  if (args.length > 1) throw new UsageError('give at most one argument (quote a password with spaces), or none to type it');
  if (args.length === 1) {
    process.stderr.write('warning: a password given as an argument is kept in your shell history; run without one to type it\n');
    return args[0]!;
  }
  if (!process.stdin.isTTY) return readPiped();
  const first = await readHiddenLine('Password (booth or console): ');
  if ([...first].length < MIN_PASSWORD_LENGTH) return first; // refused below, no need to ask twice
  const second = await readHiddenLine('Again: ');
  if (first !== second) throw new UsageError('the two passwords differ');
  return first;
}

async function main(): Promise<void> {
  const password = await readPassword(process.argv.slice(2));
  if ([...password].length < MIN_PASSWORD_LENGTH) {
    throw new UsageError(`the password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const hash = await hashPassword(password);
  process.stdout.write(`passwordHash: "${hash}"\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`hash-password: ${(error as Error).message}\n`);
  process.exit(1);
});
