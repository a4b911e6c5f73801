/** What an issuer that signs at once is given, and what it gives back. */
import type { CertificateSpec } from '../../domain/spec.js';
import type { CertificateStore } from '../../ports/certificate-store.js';

/** What a signing issuer is given: the spec, the new certificate's key, and the store (for a CA). */
export interface SignInput {
  spec: CertificateSpec;
  keyPem: string;
  now: Date;
  store: Pick<CertificateStore, 'readCurrent'>;
}

/** The signed certificate with its chain, and the CA to trust for it (`ca.crt`). Public data. */
export interface IssuerSigning {
  certificatePem: string;
  caPem: string;
}
