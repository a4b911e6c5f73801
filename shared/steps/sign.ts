/**
 * Sign: the whole issuance of the issuers that sign at once (`selfSigned`, `ca`). Makes the key
 * (kept in the temporary secret, as Finalize does), has the issuer sign the certificate, and hands
 * the public certificate to Store.
 */
import { appendEvent } from '../domain/status.js';
import { ValidationError } from '../errors.js';
import { updateRecord } from '../inventory/records.js';
import { logger } from '../logger.js';
import { signWith, signsAtOnce } from '../issuers/signing.js';
import { issuerOf } from './context.js';
import type { StepDependencies } from './dependencies.js';
import { keyEvent, privateKeyFor } from './private-key.js';
import type { IssuanceState } from './state.js';

export async function sign(
  state: IssuanceState,
  deps: Pick<StepDependencies, 'issuers' | 'store' | 'inventory' | 'clock'>,
): Promise<IssuanceState> {
  const issuer = issuerOf(deps, state);
  if (!signsAtOnce(issuer)) {
    throw new ValidationError('issuerRef.name', `issuer "${issuer.name}" is an ACME issuer`);
  }
  const { keyPem, reused } = await privateKeyFor(state.spec, deps.store);
  await deps.store.putPendingKey(state.name, state.issuanceId, keyPem);

  const signed = await signWith(issuer, { spec: state.spec, keyPem, now: deps.clock.now(), store: deps.store });

  await updateRecord(deps.inventory, deps.clock, state.name, (record, now) => ({
    ...record,
    events: appendEvent(record.events, keyEvent(reused), now),
  }));
  logger.info('certificate signed', { certificate: state.name, issuer: issuer.name, kind: issuer.kind });
  return { ...state, signed };
}
