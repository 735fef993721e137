/**
 * Reads and checks the certificate files named under `tls:` before anything listens, so that a
 * wrong path, a file that is not PEM, or a key of another certificate stops start-up with the
 * setting and the file named, instead of surfacing as a handshake failure on the first device.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import { SettingsError, type TlsSettings } from './settings';

export interface TlsCredentials {
  /** For MQTT over TLS: one context shared by every connection. */
  context: SecureContext;
  /** For the HTTPS server, which builds its own context (it ignores a `secureContext` option without cert and key). */
  pem: SecureContextOptions;
  /** The server certificate, for the start-up log (subject, expiry). */
  certificate: X509Certificate;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** `source` is the YAML file's path, used in messages and to resolve relative paths. */
export async function loadTlsCredentials(tls: TlsSettings, source: string): Promise<TlsCredentials> {
  const settingError = (key: keyof TlsSettings, message: string) => new SettingsError(`${source}: tls.${key}: ${message}`);
  const read = async (key: 'certFile' | 'keyFile' | 'caFile', path: string): Promise<{ path: string; pem: string }> => {
    const absolute = resolve(dirname(source), path);
    try {
      return { path: absolute, pem: await readFile(absolute, 'utf8') };
    } catch (error) {
      throw settingError(key, `cannot read ${absolute}: ${(error as Error).message}`);
    }
  };
  const certificates = (key: 'certFile' | 'caFile', file: { path: string; pem: string }): X509Certificate[] => {
    const blocks = file.pem.match(PEM_CERTIFICATE) ?? [];
    if (blocks.length === 0) throw settingError(key, `${file.path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    return blocks.map((block) => {
      try {
        return new X509Certificate(block);
      } catch (error) {
        throw settingError(key, `${file.path} holds a certificate that cannot be read: ${(error as Error).message}`);
      }
    });
  };

  const certFile = await read('certFile', tls.certFile);
  const keyFile = await read('keyFile', tls.keyFile);
  const caFile = tls.caFile === undefined ? undefined : await read('caFile', tls.caFile);
  const [certificate] = certificates('certFile', certFile) as [X509Certificate, ...X509Certificate[]];
  if (caFile) certificates('caFile', caFile);
  let key: KeyObject;
  try {
    key = createPrivateKey(keyFile.pem);
  } catch (error) {
    throw settingError('keyFile', `${keyFile.path} is not an unencrypted PEM private key: ${(error as Error).message}`);
  }
  if (!certificate.checkPrivateKey(key)) {
    throw settingError('keyFile', `${keyFile.path} does not match the certificate in ${certFile.path}`);
  }
  const pem = { cert: certFile.pem, key: keyFile.pem, ...(caFile ? { ca: caFile.pem } : {}) };
  try {
    return { context: createSecureContext(pem), pem, certificate };
  } catch (error) {
    throw settingError('certFile', `${certFile.path} cannot be used for TLS: ${(error as Error).message}`);
  }
}
