/**
 * Store: takes the certificate (from the CA's order, or from Sign), checks it against the pending
 * key, and writes key and chain as the new current version of the certificate's secret. Nothing is
 * written unless the pair is complete and matching, so a failed issuance never touches the
 * certificate being served. Fenced: only the issuance that holds the certificate's lease (same
 * record, same spec revision, see certificates/lease.ts) stores; one that was superseded (the spec
 * changed, or the certificate was deleted and perhaps applied again) ends quietly, its key
 * discarded by Cleanup, nothing counted as a failure.
 */
import { caFromChain, keyMatchesCertificate, parseCertificate, splitPemChain } from '../domain/certificate-info.js';
import { AcmeError, NotFoundError, StoreError, messageOf } from '../errors.js';
import { type LeaseHolder, holdsLease } from '../certificates/lease.js';
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
  const holder: LeaseHolder = { issuanceId: state.issuanceId, revision: state.revision, generation: state.generation };
  if (!holdsLease(await deps.inventory.get(state.name), holder)) return superseded(state, 'before storing');
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
  // The record is written only while the lease is still this issuance's (one conditional write).
  let fenced = false;
  await updateRecord(deps.inventory, deps.clock, state.name, (record, now) => {
    fenced = !holdsLease(record, holder);
    if (fenced) return undefined;
    return issued(
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
    );
  }).catch((error: unknown) => {
    if (!(error instanceof NotFoundError)) throw error;
    fenced = true;
  });
  if (fenced) {
    // Superseded in the moment between the check above and this write: the secret's current
    // version is this issuance's until the superseding issuance stores its own (README, Reliability).
    logger.warn('superseded after the certificate was written to the secret', {
      certificate: state.name,
      issuanceId: state.issuanceId,
      versionId,
    });
    return superseded(state, 'after storing');
  }
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

/** Ends an issuance that no longer holds its certificate: quietly, as `superseded`. */
function superseded(state: IssuanceState, when: string): IssuanceState {
  logger.info('issuance superseded: the certificate was changed or deleted meanwhile', {
    certificate: state.name,
    issuanceId: state.issuanceId,
    revision: state.revision,
    when,
  });
  return { ...state, ended: 'superseded' };
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
