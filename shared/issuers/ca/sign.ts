/** The `ca` issuer's signing: the CA is the current certificate `certificateName`, read from the store. */
import { splitPemChain } from '../../domain/certificate-info.js';
import { StoreError } from '../../errors.js';
import { signCertificate } from '../x509/sign-certificate.js';
import type { IssuerSigning, SignInput } from '../x509/signer.js';
import type { CaIssuerConfig } from './config.js';

/**
 * Signs with the CA's key; the chain is the new certificate followed by the CA's.
 * @throws StoreError when the CA certificate is not issued yet.
 */
export async function signWithCa(issuer: CaIssuerConfig, input: SignInput): Promise<IssuerSigning> {
  const ca = await input.store.readCurrent(issuer.certificateName);
  if (!ca) {
    throw new StoreError(
      `store: the CA certificate "${issuer.certificateName}" of issuer "${issuer.name}" is not issued yet`,
    );
  }
  const caPem = splitPemChain(ca['tls.crt'])[0] ?? '';
  const signed = await signCertificate({
    spec: input.spec,
    keyPem: input.keyPem,
    signer: { certificatePem: caPem, keyPem: ca['tls.key'] },
    now: input.now,
  });
  return { certificatePem: signed.certificatePem + caPem, caPem };
}
