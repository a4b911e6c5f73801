/**
 * Sign: the `selfSigned` and `ca` issuers' whole issuance. Makes the key (kept in the temporary
 * secret, as Finalize does), signs the certificate, and hands the public certificate to Store.
 */
import { splitPemChain } from '../domain/certificate-info.js';
import { appendEvent } from '../domain/status.js';
import { StoreError, ValidationError } from '../errors.js';
import { updateRecord } from '../inventory/records.js';
import { logger } from '../logger.js';
import { signCertificate } from '../issuers/sign-certificate.js';
import { issuerOf } from './context.js';
import type { StepDependencies } from './dependencies.js';
import { keyEvent, privateKeyFor } from './private-key.js';
import type { IssuanceState } from './state.js';

export async function sign(
  state: IssuanceState,
  deps: Pick<StepDependencies, 'issuers' | 'store' | 'inventory' | 'clock'>,
): Promise<IssuanceState> {
  const issuer = issuerOf(deps, state);
  if (issuer.kind === 'acme') throw new ValidationError('issuerRef.name', `issuer "${issuer.name}" is an ACME issuer`);
  const { keyPem, reused } = await privateKeyFor(state.spec, deps.store);
  await deps.store.putPendingKey(state.name, state.issuanceId, keyPem);

  let signer: 'self' | { certificatePem: string; keyPem: string } = 'self';
  let caPem = '';
  if (issuer.kind === 'ca') {
    const ca = await deps.store.readCurrent(issuer.certificateName);
    if (!ca) {
      throw new StoreError(
        `store: the CA certificate "${issuer.certificateName}" of issuer "${issuer.name}" is not issued yet`,
      );
    }
    const caLeaf = splitPemChain(ca['tls.crt'])[0] ?? '';
    signer = { certificatePem: caLeaf, keyPem: ca['tls.key'] };
    caPem = caLeaf;
  }
  const signed = await signCertificate({ spec: state.spec, keyPem, signer, now: deps.clock.now() });
  // A self-signed certificate is its own CA; a CA-signed one ships the CA as its chain.
  const certificatePem = issuer.kind === 'ca' ? signed.certificatePem + caPem : signed.certificatePem;
  if (issuer.kind === 'selfSigned') caPem = signed.certificatePem;

  await updateRecord(deps.inventory, deps.clock, state.name, (record, now) => ({
    ...record,
    events: appendEvent(record.events, keyEvent(reused), now),
  }));
  logger.info('certificate signed', { certificate: state.name, issuer: issuer.name, kind: issuer.kind });
  return { ...state, signed: { certificatePem, caPem } };
}
