/**
 * RecordFailure: writes why an issuance failed as `Ready=False`, reason `Failed`, with the
 * failing component's message (for ACME, the CA's). An issuance that never got past Prepare
 * (bad input) changes nothing. A failure after the certificate was stored (only cleanup failed)
 * leaves Ready alone and records a warning. As in cert-manager, a failed renewal of a certificate
 * that still matches its spec and has not expired keeps `Ready=True`: only `Issuing` turns False.
 */
import { Reasons, boundMessage, getCondition } from '../domain/status.js';
import { cleanupFailed, failed } from '../certificates/status.js';
import { dueExecutionName } from '../certificates/executions.js';
import { holdsLease } from '../certificates/lease.js';
import { NotFoundError, rateLimitedUntil } from '../errors.js';
import { updateRecord } from '../inventory/records.js';
import { logger } from '../logger.js';
import { recordIssuanceFailure } from '../monitoring/metrics.js';
import type { StepDependencies } from './dependencies.js';
import type { IssuanceState } from './state.js';

export interface FailureInput extends Partial<IssuanceState> {
  error?: { Error: string; Cause: string };
  cleanupError?: { Error: string; Cause: string };
}

export interface FailureOutput extends FailureInput {
  failure: { error: string; message: string };
}

/** The message inside a Catch's `Cause`: Lambda wraps it as JSON `{errorType, errorMessage}`. */
export function causeMessage(cause: string | undefined): string {
  if (!cause) return 'unknown error';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed?.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: the cause is the message itself
  }
  return cause;
}

export async function recordFailure(
  state: FailureInput,
  deps: Pick<StepDependencies, 'inventory' | 'clock' | 'events' | 'scheduler'>,
): Promise<FailureOutput> {
  const caught = state.error ?? state.cleanupError ?? { Error: 'Unknown', Cause: '' };
  const failure = { error: caught.Error, message: causeMessage(caught.Cause) };
  if (!state.name || !state.issuanceId) {
    logger.warn('issuance rejected before it started', { error: failure.error, detail: failure.message });
    return { ...state, failure };
  }
  const name = state.name;
  const issuanceId = state.issuanceId;
  if (state.result) {
    logger.warn('issued, but cleanup failed', { certificate: name, error: failure.error, detail: failure.message });
    const records = (state.acme?.challenges ?? []).map(({ recordName, value, solver }) => ({
      recordName,
      value,
      solver,
    }));
    const left = state.issuer ? { issuanceId, issuer: state.issuer, records } : undefined;
    await quietlyIfGone(
      updateRecord(deps.inventory, deps.clock, name, (record, now) =>
        cleanupFailed(record, failure.message, now, left),
      ),
    );
    return { ...state, failure };
  }
  const holder = { issuanceId, revision: state.revision ?? 0, generation: state.generation };
  if (state.ended === 'superseded') {
    logger.info('superseded issuance ended; no failure counted', { certificate: name, issuanceId });
    return { ...state, failure };
  }
  logger.error('issuance failed', { certificate: name, error: failure.error, detail: failure.message });
  const cleanupFailure = cleanupFailureOf(state);
  const limitedUntil = rateLimitedUntil(failure.message); // the CA's time, for a rate limit too long to wait out
  let fenced = false;
  const updated = await updateRecord(deps.inventory, deps.clock, name, (record, now) => {
    // A re-run after this issuance's failure was written (the lease is released by then) is not fenced.
    fenced = record.status.lastFailedIssuanceId !== issuanceId && !holdsLease(record, holder);
    if (fenced) return undefined;
    return failed(
      record,
      { issuanceId, message: failure.message, retryAt: limitedUntil, ...(cleanupFailure ? { cleanupFailure } : {}) },
      now,
    );
  }).catch((error: unknown) => {
    if (error instanceof NotFoundError) fenced = true;
    else throw error;
  });
  if (fenced || !updated) {
    logger.info('superseded issuance ended; no failure counted', { certificate: name, issuanceId });
    return { ...state, failure, ended: 'superseded' };
  }
  recordIssuanceFailure({
    name,
    reason: failure.error,
    ready: getCondition(updated.status.conditions, 'Ready')?.status === 'True',
  });
  // The certificate's one schedule becomes its retry, after cert-manager's backoff.
  const retryAt = new Date(updated.status.nextAttemptTime ?? deps.clock.now());
  await deps.scheduler.schedule(name, retryAt, dueExecutionName({ name }, retryAt), { name, reason: 'Retrying' });
  await deps.events.publish('Certificate Issuance Failed', {
    name,
    revision: state.revision ?? 0,
    issuer: state.issuer ?? '',
    reason: Reasons.Failed,
    message: boundMessage(failure.message),
  });
  return { ...state, failure };
}

/** A record deleted meanwhile: nothing to record on it. */
async function quietlyIfGone(write: Promise<unknown>): Promise<void> {
  await write.catch((error: unknown) => {
    if (!(error instanceof NotFoundError)) throw error;
  });
}

/**
 * A Cleanup that failed for good after the issuance itself failed: its message (which names the
 * TXT records left behind) is kept as a `CleanupFailed` event, beside the failure it followed.
 */
function cleanupFailureOf(state: FailureInput): string | undefined {
  if (!state.error || !state.cleanupError) return undefined;
  const message = causeMessage(state.cleanupError.Cause);
  logger.error('cleanup failed after the issuance failed', { certificate: state.name, detail: message });
  return message;
}
