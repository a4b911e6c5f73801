/**
 * The certificate bundle: the three keys of a `kubernetes.io/tls` Secret, as the certificate
 * secret holds them (JSON in Secrets Manager, one file each in the local store and on export).
 */
import { StoreError } from '../errors.js';

/** The three keys of the certificate secret, as in a `kubernetes.io/tls` Secret. */
export interface CertificateBundle {
  'tls.crt': string;
  'tls.key': string;
  'ca.crt': string;
}

/** The bundle's keys, in the order they are written. */
export const BUNDLE_FILES = ['tls.crt', 'tls.key', 'ca.crt'] as const;

/** The bundle as JSON in a fixed key order, so that a retried write sends byte-identical text. */
export function serializeCertificateBundle(bundle: CertificateBundle): string {
  return JSON.stringify({ 'tls.crt': bundle['tls.crt'], 'tls.key': bundle['tls.key'], 'ca.crt': bundle['ca.crt'] });
}

/**
 * Reads a bundle from its JSON (`undefined`: a secret with no string value). Anything else than
 * an object with the three keys as strings fails with a `StoreError` `"<source> is not a
 * certificate bundle"`, where `source` names what was read (e.g. `secretsmanager: secret "x"`).
 * The message never quotes the text: a parser's message could contain part of the key.
 */
export function parseCertificateBundle(json: string | undefined, source: string): CertificateBundle {
  let parsed: unknown;
  try {
    parsed = json === undefined ? undefined : JSON.parse(json);
  } catch {
    // Malformed: reported below without the parser's words.
  }
  const value = parsed as Partial<Record<keyof CertificateBundle, unknown>> | null | undefined;
  if (typeof value !== 'object' || value === null || !BUNDLE_FILES.every((key) => typeof value[key] === 'string')) {
    throw new StoreError(`${source} is not a certificate bundle`);
  }
  return {
    'tls.crt': value['tls.crt'] as string,
    'tls.key': value['tls.key'] as string,
    'ca.crt': value['ca.crt'] as string,
  };
}
