/**
 * Publish: announces the new certificate (references only) so the sync Lambda can deliver it, and
 * replaces the certificate's one schedule with its next renewal.
 */
import { dueExecutionName } from '../certificates/executions.js';
import { Reasons } from '../domain/status.js';
import { CertflowError } from '../errors.js';
import { logger } from '../logger.js';
import { recordIssued } from '../monitoring/metrics.js';
import type { StepDependencies } from './dependencies.js';
import type { IssuanceState } from './state.js';

export async function publish(
  state: IssuanceState,
  deps: Pick<StepDependencies, 'events' | 'scheduler' | 'clock'>,
): Promise<IssuanceState> {
  const result = state.result;
  if (!result) throw new CertflowError('publish: nothing was issued');
  await deps.events.publish(state.renewal ? 'Certificate Renewed' : 'Certificate Issued', {
    name: state.name,
    revision: state.revision,
    issuer: state.issuer,
    serialNumber: result.serialNumber,
    notAfter: result.notAfter,
    secretArn: result.secretArn,
  });
  const renewAt = new Date(result.renewalTime);
  await deps.scheduler.schedule(state.name, renewAt, dueExecutionName({ name: state.name }, renewAt), {
    name: state.name,
    reason: Reasons.Renewing,
  });
  logger.info('renewal scheduled', { certificate: state.name, renewalTime: result.renewalTime });
  // The injected clock, like Prepare's `startedAt`: the duration is measured on one clock.
  const now = deps.clock.now();
  recordIssued(
    {
      name: state.name,
      notBefore: result.notBefore,
      notAfter: result.notAfter,
      renewalTime: result.renewalTime,
      ...(state.startedAt ? { durationSeconds: (now.getTime() - Date.parse(state.startedAt)) / 1000 } : {}),
    },
    now,
  );
  return state;
}
