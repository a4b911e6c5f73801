/**
 * Store: takes the certificate (from the CA's order, or from Sign), checks it against the pending
 * key, and writes key and chain as the new current version of the certificate's secret. Nothing is
 * written unless the pair is complete and matching, so a failed issuance never touches the
 * certificate being served; nor does an issuance whose spec revision was overtaken by a newer one.
 */
import { caFromChain, keyMatchesCertificate, parseCertificate, splitPemChain } from '../domain/certificate-info.js';
import { AcmeError, StoreError, messageOf } from '../errors.js';
import { updateRecord } from '../inventory/records.js';
import { logger } from '../logger.js';
import { orderSession } from './context.js';
import { chooseRenewalTime } from '../certificates/renewal-policy.js';
import { issued } from '../certificates/status.js';
import type { AcmeSession } from '../ports/acme.js';
import type { StepDependencies } from './dependencies.js';
import type { IssuanceState } from './state.js';

export async function store(
  state: IssuanceState,
  deps: Pick<StepDependencies, 'issuers' | 'acme' | 'store' | 'inventory' | 'clock'>,
): Promise<IssuanceState> {
  const { chainPem, caPem, session } = state.signed
    ? { chainPem: state.signed.certificatePem, caPem: state.signed.caPem, session: undefined }
    : await downloadFromCa(state, deps);
  const blocks = splitPemChain(chainPem);
  const leaf = blocks[0];
  if (!leaf) throw new AcmeError(`acme: the CA returned no certificate for "${state.name}"`);

  const keyPem = await deps.store.readPendingKey(state.name, state.issuanceId);
  if (!keyPem) throw new StoreError(`store: the private key of issuance ${state.issuanceId} is missing`);
  if (!keyMatchesCertificate(keyPem, leaf)) {
    throw new StoreError(`store: the certificate from the CA does not match the private key of "${state.name}"`);
  }
  const info = parseCertificate(leaf);
  const issuedRevision = (await deps.inventory.get(state.name))?.status.revision ?? 0;
  if (issuedRevision > state.revision) {
    throw new StoreError(`store: superseded: revision ${issuedRevision} of "${state.name}" is already issued`);
  }
  const { secretArn, versionId } = await deps.store.putCurrent(
    state.name,
    state.issuanceId,
    { 'tls.crt': blocks.join(''), 'tls.key': keyPem, 'ca.crt': caPem },
    {
      'certflow:certificate': state.name,
      'certflow:notAfter': info.notAfter,
      'certflow:serialNumber': info.serialNumber,
      'certflow:issuer': state.issuer,
    },
  );
  const ari = session ? await askRenewalInfo(session, leaf, state.name) : undefined;
  const now = deps.clock.now();
  const renewAt = chooseRenewalTime({
    spec: state.spec,
    notBefore: new Date(info.notBefore),
    notAfter: new Date(info.notAfter),
    renewalInfo: ari,
    now,
  });
  const renewalInfo = ari && {
    certificateId: ari.certificateId,
    url: ari.url,
    windowStart: ari.windowStart.toISOString(),
    windowEnd: ari.windowEnd.toISOString(),
    ...(ari.retryAfterSeconds
      ? { checkAfter: new Date(now.getTime() + ari.retryAfterSeconds * 1000).toISOString() }
      : {}),
    ...(ari.explanationUrl ? { explanationUrl: ari.explanationUrl } : {}),
  };
  await updateRecord(deps.inventory, deps.clock, state.name, (record, now) =>
    issued(
      record,
      {
        notBefore: info.notBefore,
        notAfter: info.notAfter,
        renewalTime: renewAt.toISOString(),
        serialNumber: info.serialNumber,
        secretArn,
        revision: state.revision,
        renewalInfo,
      },
      now,
    ),
  );
  logger.info('certificate stored', {
    certificate: state.name,
    serialNumber: info.serialNumber,
    notAfter: info.notAfter,
    versionId,
  });
  return {
    ...state,
    result: {
      serialNumber: info.serialNumber,
      notBefore: info.notBefore,
      notAfter: info.notAfter,
      secretArn,
      versionId,
      renewalTime: renewAt.toISOString(),
    },
  };
}

/** ACME: the certificate of the (valid) order, with the issuer's preferred chain. */
async function downloadFromCa(
  state: IssuanceState,
  deps: Pick<StepDependencies, 'issuers' | 'acme'>,
): Promise<{ chainPem: string; caPem: string; session: AcmeSession }> {
  const { acme, issuer, session } = await orderSession(deps, state, 'download');
  const order = await session.getOrder(acme.orderUrl);
  if (order.status !== 'valid') throw new AcmeError(`acme: the order of "${state.name}" is ${order.status}, not valid`);
  const chainPem = await session.downloadCertificate(order, issuer.preferredChain);
  // cert-manager writes the top of the chain the CA sent as ca.crt for ACME issuers.
  return { chainPem, caPem: splitPemChain(chainPem).length > 1 ? caFromChain(chainPem) : '', session };
}

/**
 * ARI (RFC 9773): the CA's suggested renewal window for the new certificate. Advice only: if the
 * CA cannot answer, the spec's renewal time stands and the issuance still succeeds.
 */
async function askRenewalInfo(session: AcmeSession, leafPem: string, name: string) {
  try {
    return await session.renewalInfo(leafPem);
  } catch (error) {
    logger.warn('renewal info unavailable; renewing by the spec', { certificate: name, detail: messageOf(error) });
    return undefined;
  }
}
