/** Revocation of a certificate's current version at the CA that issued it. */
import { splitPemChain } from '../domain/certificate-info.js';
import { type IssuerConfig, findIssuer } from '../issuers/registry.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { getRecord } from '../inventory/records.js';
import { logger } from '../logger.js';
import type { AcmeGateway } from '../ports/acme.js';
import type { CertificateStore } from '../ports/certificate-store.js';
import type { Inventory } from '../ports/inventory.js';

export async function revokeCertificate(
  name: string,
  deps: { issuers: readonly IssuerConfig[]; inventory: Inventory; store: CertificateStore; acme: AcmeGateway },
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
  await session.revoke(leaf);
  logger.info('certificate revoked', { certificate: name, serialNumber: record.status.serialNumber });
}
