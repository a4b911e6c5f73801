/** Which kinds of names an issuer kind can put in a certificate. */
import { ValidationError } from '../errors.js';
import type { CertificateSpec } from './spec.js';

/**
 * DNS-01 proves control of DNS names only: an ACME issuer rejects IP, URI and e-mail SANs up
 * front, before anything is ordered. CA and self-signed issuers accept them all.
 */
export function checkIdentifiersFor(
  kind: string,
  spec: Pick<CertificateSpec, 'dnsNames' | 'ipAddresses' | 'uris' | 'emailAddresses' | 'commonName'>,
): void {
  if (kind !== 'acme') return;
  if (spec.ipAddresses.length) {
    throw new ValidationError('ipAddresses', 'an ACME issuer cannot validate IP addresses with DNS-01');
  }
  if (spec.uris.length) throw new ValidationError('uris', 'an ACME issuer cannot validate URI SANs');
  if (spec.emailAddresses.length) {
    throw new ValidationError('emailAddresses', 'an ACME issuer cannot validate e-mail addresses');
  }
  if (!spec.dnsNames.length) throw new ValidationError('dnsNames', 'an ACME issuer needs at least one DNS name');
  // The CA validates SANs only; Let's Encrypt refuses a CN that is not one of them.
  if (spec.commonName && !spec.dnsNames.includes(spec.commonName.toLowerCase())) {
    throw new ValidationError('commonName', 'an ACME issuer needs the commonName to be one of the dnsNames');
  }
}
