/** Which kinds of names an issuer kind can put in a certificate. */
import { ValidationError } from '../errors.js';
import type { CertificateSpec } from './spec.js';

/** RFC 1035 §2.3.4: a name is at most 255 octets on the wire, 253 characters written out. */
const MAX_DNS_NAME = 253;

/** The DNS-01 record of a name (RFC 8555 §8.4); a wildcard's is its base domain's. */
export function challengeRecordName(dnsName: string): string {
  return `_acme-challenge.${dnsName.replace(/^\*\./, '')}`;
}

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
  spec.dnsNames.forEach((name, i) => {
    const record = challengeRecordName(name);
    if (record.length > MAX_DNS_NAME) {
      throw new ValidationError(
        `dnsNames[${i}]`,
        `"${name}" is too long for DNS-01: its challenge record ${record} would have ${record.length} characters, more than DNS allows (${MAX_DNS_NAME})`,
      );
    }
  });
  // The CA validates SANs only; Let's Encrypt refuses a CN that is not one of them.
  if (spec.commonName && !spec.dnsNames.includes(spec.commonName.toLowerCase())) {
    throw new ValidationError('commonName', 'an ACME issuer needs the commonName to be one of the dnsNames');
  }
}
