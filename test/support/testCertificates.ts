/**
 * Certificates made at test time with the openssl CLI, for servers on 127.0.0.1: a self-signed
 * one, and a root → intermediate → server chain for testing that tls.caFile completes the chain.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeRequiring, findBinary, type SuiteRequirement } from './requiredBinary';

const run = promisify(execFile);

const opensslRequirement: SuiteRequirement = {
  name: 'openssl',
  lookup: { command: 'openssl', overrideEnvVar: 'OPENSSL_BIN', fallbackPaths: ['/usr/bin/openssl'] },
  installHint: 'install it with `apt-get install openssl`',
};

/** `describe` for suites that make certificates: skipped with a warning without openssl, failing in CI. */
export function describeWithOpenssl(suiteName: string, defineSuite: () => void): void {
  describeRequiring(opensslRequirement, suiteName, defineSuite);
}

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  /** The PEM a client trusts to verify it: the certificate itself, or the chain's root. */
  trustedPem: string;
}

const SERVER_NAMES = 'subjectAltName=DNS:localhost,IP:127.0.0.1';
const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function openssl(args: string[]): Promise<void> {
  await run(findBinary(opensslRequirement.lookup)!, args);
}

export async function selfSignedCertificate(directory: string, name = 'server'): Promise<TestCertificate> {
  const certFile = join(directory, `${name}.pem`);
  const keyFile = join(directory, `${name}.key`);
  await openssl(['req', '-x509', ...KEY, '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=localhost', '-addext', SERVER_NAMES]);
  return { certFile, keyFile, trustedPem: await readFile(certFile, 'utf8') };
}

/** A server certificate signed by an intermediate CA signed by a root; certFile holds the server certificate alone. */
export async function certificateChain(directory: string): Promise<TestCertificate & { intermediateFile: string }> {
  const file = (name: string) => join(directory, `chain-${name}`);
  await openssl(['req', '-x509', ...KEY, '-keyout', file('root.key'), '-out', file('root.pem'), '-days', '2', '-subj', '/CN=Showfloor Test Root']);
  await writeFile(file('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  await writeFile(file('server.ext'), `${SERVER_NAMES}\n`);
  const signed = async (name: string, subject: string, issuer: string, extensions: string) => {
    await openssl(['req', ...KEY, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', subject]);
    await openssl([
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file(`${issuer}.pem`),
      '-CAkey',
      file(`${issuer}.key`),
      '-CAcreateserial',
      '-out',
      file(`${name}.pem`),
      '-days',
      '2',
      '-extfile',
      file(extensions),
    ]);
  };
  await signed('intermediate', '/CN=Showfloor Test Intermediate', 'root', 'ca.ext');
  await signed('server', '/CN=localhost', 'intermediate', 'server.ext');
  return {
    certFile: file('server.pem'),
    keyFile: file('server.key'),
    intermediateFile: file('intermediate.pem'),
    trustedPem: await readFile(file('root.pem'), 'utf8'),
  };
}
