/**
 * Revocation of a certificate's current version at the CA that issued it, and the end of its
 * management: once the CA revoked (or had already revoked), the record and the schedule are
 * deleted here, in the function that did it, so a caller that timed out leaves nothing half done.
 * A CA that refuses deletes nothing: the certificate stays managed and the call can be repeated.
 */
import { splitPemChain } from '../domain/certificate-info.js';
import { type IssuerConfig, findIssuer } from '../issuers/registry.js';
import { AcmeError, NotFoundError, ValidationError } from '../errors.js';
import { deleteLatest, getRecord } from '../inventory/records.js';
import { logger } from '../logger.js';
import type { AcmeGateway } from '../ports/acme.js';
import type { CertificateStore } from '../ports/certificate-store.js';
import type { RenewalScheduler } from '../ports/executions.js';
import type { Inventory } from '../ports/inventory.js';

/** RFC 8555 §6.7: the certificate was already revoked (a repeated call). */
const ALREADY_REVOKED = 'urn:ietf:params:acme:error:alreadyRevoked';

export async function revokeCertificate(
  name: string,
  deps: {
    issuers: readonly IssuerConfig[];
    inventory: Inventory;
    store: CertificateStore;
    acme: AcmeGateway;
    scheduler: Pick<RenewalScheduler, 'cancel'>;
  },
): Promise<void> {
  const record = await getRecord(deps.inventory, name);
  const issuer = findIssuer(deps.issuers, record.spec.issuerRef.name);
  if (!issuer) throw new ValidationError('issuerRef.name', `issuer "${record.spec.issuerRef.name}" is not configured`);
  if (issuer.kind !== 'acme')
    throw new ValidationError('revoke', `issuer kind "${issuer.kind}" has no CA to revoke at`);
  const current = await deps.store.readCurrent(name);
  const leaf = current && splitPemChain(current['tls.crt'])[0];
  if (!leaf) throw new NotFoundError(`store: certificate "${name}" has no issued certificate to revoke`);
  const session = await deps.acme.session(issuer);
  try {
    await session.revoke(leaf);
    logger.info('certificate revoked', { certificate: name, serialNumber: record.status.serialNumber });
  } catch (error) {
    if (!(error instanceof AcmeError && error.problemType === ALREADY_REVOKED)) throw error;
    logger.info('certificate was already revoked', { certificate: name, serialNumber: record.status.serialNumber });
  }
  // Revoked is final: stop managing it even if an issuance step wrote in the meantime.
  await deleteLatest(deps.inventory, name);
  // After the record: a schedule that fires for a deleted certificate finds nothing to do.
  await deps.scheduler.cancel(name);
}
