/** Starting issuances now or later, and revoking: Step Functions, EventBridge Scheduler and a Lambda in AWS. */
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
