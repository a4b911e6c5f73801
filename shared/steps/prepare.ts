/**
 * Prepare: turns the execution input into an issuance. A spec in the input is validated and
 * applied to the inventory first; a name is looked up. Marks the certificate `Issuing`.
 */
import { checkIdentifiersFor } from '../domain/identifiers.js';
import { admitSpec, requireIssuer } from '../certificates/admission.js';
import { Reasons } from '../domain/status.js';
import { issuing } from '../certificates/status.js';
import { ValidationError } from '../errors.js';
import { applySpec, getRecord, updateRecord } from '../inventory/records.js';
import { logger } from '../logger.js';
import type { StepDependencies } from './dependencies.js';
import { decideLease } from '../certificates/lease.js';
import type { IssuanceLease } from '../domain/status.js';
import type { BusyState, IssuanceState, PrepareInput } from './state.js';

export async function prepare(
  event: PrepareInput,
  deps: Pick<StepDependencies, 'issuers' | 'inventory' | 'clock'>,
): Promise<IssuanceState | BusyState> {
  const { input, executionName } = event;
  if (!executionName) throw new ValidationError('executionName', 'is required');
  // The same admission as the API's apply: a spec given here is refused with the same words.
  const admitted = input.certificate ? admitSpec(input.certificate, deps.issuers) : undefined;
  const spec = admitted?.spec;
  const name = spec?.name ?? input.name;
  if (!name) throw new ValidationError('name', 'is required (or give a certificate spec)');

  const issuer =
    admitted?.issuer ?? requireIssuer(deps.issuers, (await getRecord(deps.inventory, name)).spec.issuerRef.name);

  const record = spec
    ? (await applySpec(deps.inventory, deps.clock, spec)).record
    : await getRecord(deps.inventory, name);
  if (!spec) checkIdentifiersFor(issuer.kind, record.spec);

  const renewing = Boolean(record.status.secretArn);
  const reason = input.reason ?? (renewing ? Reasons.Renewing : Reasons.Issuing);
  const message = renewing ? `Renewing certificate (${reason})` : 'Issuing certificate as Secret does not exist';
  // One conditional write takes the lease: of two starts racing, one issues and the other ends
  // here, before the CA is asked anything. A re-run Prepare (same execution) writes nothing.
  let busy: IssuanceLease | undefined;
  const updated = await updateRecord(deps.inventory, deps.clock, name, (current, now) => {
    const decision = decideLease(current, executionName, now);
    busy = decision.kind === 'busy' ? decision.holder : undefined;
    if (busy) return undefined;
    return issuing(current, { issuanceId: executionName, issuer: issuer.name, reason, message }, now);
  });
  const holder = busy as IssuanceLease | undefined;
  if (holder) {
    logger.info('issuance not started: another issuance of this revision is running', {
      certificate: name,
      holder: holder.id,
      revision: holder.revision,
    });
    return { name, ended: 'busy', holder: holder.id };
  }
  logger.info('issuance prepared', {
    certificate: name,
    revision: updated.revision,
    issuer: issuer.name,
    reason,
    ...(input.startRequestId ? { startRequestId: input.startRequestId } : {}),
  });
  return {
    name,
    revision: updated.revision,
    issuanceId: executionName,
    generation: updated.createdAt,
    startedAt: deps.clock.now().toISOString(),
    issuer: issuer.name,
    issuerKind: issuer.kind,
    reason,
    renewal: renewing,
    ...(record.status.renewalInfo ? { replaces: record.status.renewalInfo.certificateId } : {}),
    spec: updated.spec,
  };
}
