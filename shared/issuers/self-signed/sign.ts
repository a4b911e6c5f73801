/** The `selfSigned` issuer's signing: the certificate is its own CA. */
import { signCertificate } from '../x509/sign-certificate.js';
import type { IssuerSigning, SignInput } from '../x509/signer.js';
import type { SelfSignedIssuerConfig } from './config.js';

export async function signSelfSigned(_issuer: SelfSignedIssuerConfig, input: SignInput): Promise<IssuerSigning> {
  const signed = await signCertificate({ spec: input.spec, keyPem: input.keyPem, signer: 'self', now: input.now });
  return { certificatePem: signed.certificatePem, caPem: signed.certificatePem };
}
