/** Starting issuances now or later, and revoking: Step Functions, EventBridge Scheduler and a Lambda in AWS. */
import type { CertificateRecord } from '../domain/record.js';
import type { CertificateSpecInput } from '../domain/spec.js';

/** Execution input: a spec to apply, or the name of a certificate already in the inventory. */
export interface ExecutionInput {
  certificate?: CertificateSpecInput;
  name?: string;
  /** Why this issuance runs (cert-manager's reason): first issuance, renewal, spec change… */
  reason?: string;
  /**
   * Set by the Step Functions starter, unique per start request: it makes the input of each start
   * differ, so Step Functions answers `ExecutionAlreadyExists` for any existing execution of the
   * name instead of returning a running one as if just started. Prepare only logs it.
   */
  startRequestId?: string;
}

/** Starts issuance executions (Step Functions StartExecution in AWS). */
export interface IssuanceStarter {
  /**
   * Starts an execution named `executionName`. Idempotent: if an execution of that name exists
   * (running or finished), nothing starts and `started` is false.
   */
  start(executionName: string, input: ExecutionInput): Promise<{ started: boolean; executionId?: string }>;
  /**
   * The execution's state (Step Functions DescribeExecution in AWS): `MISSING` when no execution of
   * that name is known (never started here, past Step Functions' 90-day retention, or a local run
   * that died with its process).
   */
  describe(executionName: string): Promise<ExecutionDescription>;
}

/** Step Functions' execution statuses, and `MISSING` for a name nothing knows. */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'MISSING';

export interface ExecutionDescription {
  status: ExecutionStatus;
  /** For an execution that ended badly: Step Functions' `error` and `cause`, when it has them. */
  error?: string;
  cause?: string;
}

/** One future start per certificate: EventBridge Scheduler in AWS. */
export interface RenewalScheduler {
  /** Creates or replaces the schedule of certificate `name`: start `executionName` with `input` at `at`. */
  schedule(name: string, at: Date, executionName: string, input: ExecutionInput): Promise<void>;
  /** Deletes the schedule of `name`; a missing one is fine. */
  cancel(name: string): Promise<void>;
}

/**
 * Revokes a certificate's current version at its CA (`DELETE …?revoke=true`), then stops managing
 * it: its record and its schedule are deleted (its secret is kept). Safe to call again.
 */
export interface Revoker {
  revoke(name: string): Promise<void>;
}

/** An execution that is over, as DescribeExecution or the status-change event tells it. */
export interface EndedExecution extends ExecutionDescription {
  executionName: string;
}

/**
 * What the sweep does for issuances that ended without their Cleanup (shared/steps/ended-issuance.ts):
 * settle one whose execution is over and start its certificate again, and remove the TXT values a
 * failed Cleanup left on a record.
 */
export interface AbandonedIssuances {
  restart(name: string, execution: EndedExecution): Promise<{ settled: boolean; started: boolean; executionName?: string }>;
  removeLeftovers(record: CertificateRecord): Promise<{ removed: number; failed: number }>;
}
