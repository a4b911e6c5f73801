/**
 * Issuances whose execution ended without its own Cleanup and RecordFailure: the state machine's
 * timeout, a StopExecution, an error no Catch caught, a local run that died with its process. Such
 * an execution still holds the certificate's lease, and its TXT values and pending key stay behind.
 *
 * - {@link executionEnded}: Step Functions' "Execution Status Change" event (FAILED, TIMED_OUT,
 *   ABORTED), through an EventBridge rule in AWS and the local starter's `onFinished` locally.
 * - {@link settleEndedIssuance}: what both that event and the sweep do. If the record's lease is
 *   still the execution's, Cleanup runs on the TXT values the lease names (and discards the pending
 *   key), then RecordFailure records the failure, releases the lease and schedules the retry after
 *   the backoff. Anything else (no lease, another issuance's lease, no record) changes nothing, so
 *   an execution that ran its own RecordFailure, or an event delivered twice, is a no-op.
 * - {@link restartAbandoned}: the sweep's and local mode's next step: settle, then start the
 *   certificate again at once under a new name (`restartExecutionName`).
 * - {@link removeLeftovers}: TXT values a failed Cleanup left (`status.leftovers`), removed again.
 * - {@link abandonedIssuances}: the last two as the port the sweep uses.
 */
import { restartExecutionName } from '../certificates/executions.js';
import { leftoversRemoved } from '../certificates/status.js';
import type { CertificateRecord } from '../domain/record.js';
import type { IssuanceLease } from '../domain/status.js';
import { NotFoundError, messageOf } from '../errors.js';
import { updateRecord } from '../inventory/records.js';
import { logger } from '../logger.js';
import type {
  AbandonedIssuances,
  EndedExecution,
  ExecutionDescription,
  ExecutionInput,
  IssuanceStarter,
} from '../ports/executions.js';
import { cleanup } from './cleanup.js';
import type { StepDependencies } from './dependencies.js';
import { recordFailure } from './record-failure.js';

/** What settling an ended issuance reads and writes through: Cleanup's and RecordFailure's ports. */
export type SettleDependencies = Pick<
  StepDependencies,
  'issuers' | 'dns' | 'store' | 'inventory' | 'clock' | 'events' | 'scheduler'
>;

/** The error recorded when the execution itself did not name one. */
const ENDED_ERRORS: Record<ExecutionDescription['status'], string> = {
  TIMED_OUT: 'States.Timeout',
  ABORTED: 'ExecutionAborted',
  FAILED: 'ExecutionFailed',
  MISSING: 'ExecutionLost',
  SUCCEEDED: 'LeaseNotReleased',
  RUNNING: 'ExecutionRunning',
};

function endedMessage(execution: EndedExecution): string {
  const said = execution.cause ? `: ${execution.cause}` : '';
  switch (execution.status) {
    case 'TIMED_OUT':
      return `the issuance ${execution.executionName} ran past the state machine's timeout${said}`;
    case 'ABORTED':
      return `the issuance ${execution.executionName} was stopped before it finished${said}`;
    case 'MISSING':
      return `the issuance ${execution.executionName} ended without a trace (its process died, or it is past Step Functions' retention)`;
    default:
      return `the issuance ${execution.executionName} ended ${execution.status} before its Cleanup and RecordFailure ran${said}`;
  }
}

/** Outcome of {@link settleEndedIssuance}. */
export interface Settled {
  /** False when there was nothing to settle (see the module comment). */
  settled: boolean;
  /** The record after settling (undefined if there is none). */
  record?: CertificateRecord;
  /** The lease that was settled. */
  lease?: IssuanceLease;
}

/**
 * Cleans up after, and records the failure of, the issuance `execution` of certificate `name`, if
 * it still holds the lease. Idempotent. A Cleanup that fails is recorded with the failure: its TXT
 * values become `status.leftovers`, which the sweep removes later.
 */
export async function settleEndedIssuance(
  name: string,
  execution: EndedExecution,
  deps: SettleDependencies,
): Promise<Settled> {
  const record = await deps.inventory.get(name);
  const lease = record?.status.issuance;
  if (!record || !lease || lease.id !== execution.executionName) {
    logger.info('ended execution: nothing to settle', {
      certificate: name,
      executionName: execution.executionName,
      status: execution.status,
      holder: lease?.id,
    });
    return { settled: false, record };
  }
  const state = {
    name,
    issuanceId: lease.id,
    revision: lease.revision,
    generation: lease.generation,
    issuer: lease.issuer,
    ...(lease.presented?.length ? { acme: { challenges: lease.presented } } : {}),
  };
  let cleanupError: { Error: string; Cause: string } | undefined;
  try {
    await cleanup(state, deps);
  } catch (error) {
    cleanupError = { Error: (error as Error).name ?? 'Error', Cause: messageOf(error) };
  }
  const error = { Error: execution.error ?? ENDED_ERRORS[execution.status], Cause: endedMessage(execution) };
  logger.warn('ended execution: settling its issuance', {
    certificate: name,
    executionName: lease.id,
    status: execution.status,
    error: error.Error,
    records: lease.presented?.length ?? 0,
    cleanupFailed: cleanupError !== undefined,
  });
  // RecordFailure writes only while the lease is this issuance's (one conditional write).
  const { acme: _presented, ...failing } = state;
  await recordFailure({ ...failing, error, ...(cleanupError ? { cleanupError } : {}) }, deps);
  return { settled: true, record: await deps.inventory.get(name), lease };
}

/** Step Functions' "Execution Status Change" event, the fields used here. */
export interface ExecutionStatusChange {
  detail: {
    name: string;
    status: string;
    /** The execution's input, as a JSON string (absent when too large to include). */
    input?: string | null;
    error?: string | null;
    cause?: string | null;
  };
}

const ENDED = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/** The certificate an execution's input names (`name`, or the spec's `name`). */
export function certificateOf(input: string | null | undefined): string | undefined {
  if (!input) return undefined;
  try {
    const parsed = JSON.parse(input) as ExecutionInput;
    const name = parsed?.name ?? parsed?.certificate?.name;
    return typeof name === 'string' && name ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Handles one status change: an execution that ended FAILED, TIMED_OUT or ABORTED is settled.
 * An input that names no certificate is logged and left to the sweep, which finds the lease when
 * it expires.
 */
export async function executionEnded(event: ExecutionStatusChange, deps: SettleDependencies): Promise<Settled> {
  const { detail } = event;
  if (!ENDED.has(detail.status)) return { settled: false };
  const name = certificateOf(detail.input);
  if (!name) {
    logger.warn('ended execution names no certificate in its input; the sweep settles it', {
      executionName: detail.name,
      status: detail.status,
    });
    return { settled: false };
  }
  return settleEndedIssuance(
    name,
    {
      executionName: detail.name,
      status: detail.status as EndedExecution['status'],
      ...(detail.error ? { error: detail.error } : {}),
      ...(detail.cause ? { cause: detail.cause } : {}),
    },
    deps,
  );
}

/** Outcome of {@link restartAbandoned}. */
export interface Restarted extends Settled {
  /** The execution started in its place, if one started. */
  executionName?: string;
  started: boolean;
}

/**
 * Settles an issuance whose execution is over but still holds the lease, then starts the
 * certificate again at once, under a name with the attempt number. Nothing starts when there was
 * nothing to settle (another issuance took the lease meanwhile).
 */
export async function restartAbandoned(
  name: string,
  execution: EndedExecution,
  deps: SettleDependencies & { issuance: IssuanceStarter },
): Promise<Restarted> {
  const settled = await settleEndedIssuance(name, execution, deps);
  if (!settled.settled || !settled.record || !settled.lease) return { ...settled, started: false };
  const executionName = restartExecutionName(settled.record, settled.lease);
  const { started } = await deps.issuance.start(executionName, { name, reason: 'Retrying' });
  logger.info('restarted an abandoned issuance', { certificate: name, abandoned: settled.lease.id, executionName, started });
  return { ...settled, executionName, started };
}

/**
 * Removes the TXT values the record keeps as leftovers, through the solvers of the issuer that
 * presented them, and drops the ones removed from the record. Returns how many values were
 * removed; a leftover whose removal fails stays for the next sweep (and is counted in `failed`).
 */
export async function removeLeftovers(
  record: CertificateRecord,
  deps: Pick<SettleDependencies, 'issuers' | 'dns' | 'store' | 'inventory' | 'clock'>,
): Promise<{ removed: number; failed: number }> {
  const done: string[] = [];
  let removed = 0;
  let failed = 0;
  for (const leftover of record.status.leftovers ?? []) {
    try {
      // No issuanceId: the pending key of that issuance is not this step's to discard.
      await cleanup({ name: record.name, issuer: leftover.issuer, acme: { challenges: leftover.records } }, deps);
      done.push(leftover.issuanceId);
      removed += leftover.records.length;
      logger.warn('sweep: removed leftover TXT values', {
        certificate: record.name,
        issuanceId: leftover.issuanceId,
        records: leftover.records.map((r) => r.recordName),
      });
    } catch (error) {
      failed++;
      logger.error('sweep: cannot remove leftover TXT values', {
        certificate: record.name,
        issuanceId: leftover.issuanceId,
        error: messageOf(error),
      });
    }
  }
  if (done.length) {
    await updateRecord(deps.inventory, deps.clock, record.name, (current, now) =>
      leftoversRemoved(current, done, now),
    ).catch((error: unknown) => {
      if (!(error instanceof NotFoundError)) throw error;
    });
  }
  return { removed, failed };
}

/** The sweep's port onto the two above. */
export function abandonedIssuances(
  deps: () => SettleDependencies & { issuance: IssuanceStarter },
): AbandonedIssuances {
  return {
    restart: (name, execution) => restartAbandoned(name, execution, deps()),
    removeLeftovers: (record) => removeLeftovers(record, deps()),
  };
}
