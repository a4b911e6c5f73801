/** Publish: announces the new certificate (references only) so the sync Lambda can deliver it. */
import { Reasons } from '../../domain/status.js';
import { CertflowError } from '../../errors.js';
import type { Dependencies } from '../ports.js';
import type { IssuanceState } from '../state.js';

export async function publish(state: IssuanceState, deps: Pick<Dependencies, 'events'>): Promise<IssuanceState> {
  const result = state.result;
  if (!result) throw new CertflowError('publish: nothing was issued');
  await deps.events.publish(state.reason === Reasons.Renewing ? 'Certificate Renewed' : 'Certificate Issued', {
    name: state.name,
    revision: state.revision,
    issuer: state.issuer,
    serialNumber: result.serialNumber,
    notAfter: result.notAfter,
    secretArn: result.secretArn,
  });
  return state;
}
