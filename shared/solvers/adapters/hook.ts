/**
 * DNS-01 through a Lambda function of the operator's: the serverless counterpart of
 * cert-manager's webhook solver, for any DNS provider certflow does not support natively.
 *
 * ## The contract (version 1)
 *
 * certflow invokes the hook synchronously (`RequestResponse`) with one JSON request per call:
 *
 * ```json
 * {"version":1,"action":"present","records":[{"name":"_acme-challenge.example.com","value":"…"}]}
 * {"version":1,"action":"isPropagated","changeIds":["…"]}
 * {"version":1,"action":"cleanUp","records":[{"name":"_acme-challenge.example.com","value":"…"}]}
 * ```
 *
 * Record names are fully qualified, without a trailing dot. The hook answers:
 *
 * - `present` → `{"changeIds":["…"]}`: whatever it later needs to tell whether the change is
 *   visible; `[]` when there is nothing to wait for (then `isPropagated` is not called).
 * - `isPropagated` → `{"propagated":true}` or `{"propagated":false}` (asked again later).
 * - `cleanUp` → `{}`.
 *
 * What the hook must honour, as the built-in solvers do: `present` adds values next to those
 * already on the name (a wildcard and its apex, or two orders, share one name) and presenting a
 * value twice holds it once; `cleanUp` removes only the given values and is idempotent (removing
 * what is not there succeeds).
 *
 * Errors: the hook throws. An error whose name is `TransientError`, or whose message starts with
 * `transient:`, is retried by the state machine with backoff (so is a hook that timed out);
 * anything else ends the issuance with the hook's message. Extra keys in an answer are ignored;
 * a missing or mistyped one is a terminal error naming the function.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { DnsError, TransientError } from '../../errors.js';
import type { DnsSolver, TxtRecord } from '../../ports/dns.js';
import { translateAwsError } from '../../adapters/aws/aws-errors.js';

/** The version of the request this adapter sends; a hook may refuse versions it does not know. */
export const DNS_HOOK_CONTRACT_VERSION = 1;

/** One request to a DNS hook (see the module's TSDoc for the contract). */
export type DnsHookRequest =
  | { version: typeof DNS_HOOK_CONTRACT_VERSION; action: 'present' | 'cleanUp'; records: TxtRecord[] }
  | { version: typeof DNS_HOOK_CONTRACT_VERSION; action: 'isPropagated'; changeIds: string[] };

export interface LambdaDnsHookSolverOptions {
  client: LambdaClient;
  /** Name, `name:qualifier` or full ARN of the hook function. */
  functionName: string;
}

/**
 * Invoke failures of Lambda's own that pass: the function is being updated or is still
 * starting (VPC ENIs, SnapStart), or Lambda ran out of capacity for it.
 */
const LAMBDA_TRANSIENT = [
  'ResourceConflictException',
  'ResourceNotReadyException',
  'EC2ThrottledException',
  'ENILimitReachedException',
  'SubnetIPAddressLimitReachedException',
  'SnapStartNotReadyException',
  'SnapStartTimeoutException',
];

/** `errorType` the Lambda service reports for a function that ran past its timeout. */
const TIMED_OUT = 'Sandbox.Timedout';

/** {@link DnsSolver} that delegates present / isPropagated / cleanUp to the hook function. */
export class LambdaDnsHookSolver implements DnsSolver {
  private readonly client: LambdaClient;
  private readonly functionName: string;

  constructor(options: LambdaDnsHookSolverOptions) {
    this.client = options.client;
    this.functionName = options.functionName;
  }

  async present(records: TxtRecord[]): Promise<string[]> {
    if (records.length === 0) return [];
    const answer = await this.invoke({
      version: DNS_HOOK_CONTRACT_VERSION,
      action: 'present',
      records: plain(records),
    });
    const changeIds = answer.changeIds;
    if (!Array.isArray(changeIds) || !changeIds.every((id) => typeof id === 'string')) {
      throw this.malformed('present', 'changeIds must be an array of strings');
    }
    return changeIds as string[];
  }

  /** No change ids means the hook had nothing to wait for: no call is needed to know that. */
  async isPropagated(changeIds: string[]): Promise<boolean> {
    if (changeIds.length === 0) return true;
    const answer = await this.invoke({ version: DNS_HOOK_CONTRACT_VERSION, action: 'isPropagated', changeIds });
    if (typeof answer.propagated !== 'boolean') throw this.malformed('isPropagated', 'propagated must be a boolean');
    return answer.propagated;
  }

  async cleanUp(records: TxtRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.invoke({ version: DNS_HOOK_CONTRACT_VERSION, action: 'cleanUp', records: plain(records) });
  }

  /** Invokes the hook and returns its answer, which must be a JSON object. */
  private async invoke(request: DnsHookRequest): Promise<Record<string, unknown>> {
    const { action } = request;
    let result;
    try {
      result = await this.client.send(
        new InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: 'RequestResponse',
          Payload: JSON.stringify(request),
        }),
      );
    } catch (error) {
      throw translateAwsError(
        'dns-hook',
        `invoking "${this.functionName}" (${action})`,
        error,
        DnsError,
        LAMBDA_TRANSIENT,
      );
    }
    const text = Buffer.from(result.Payload ?? []).toString('utf8');
    if (result.FunctionError) throw this.failure(action, result.FunctionError, text);
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw this.malformed(action, `not JSON: ${excerpt(text)}`);
    }
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) {
      throw this.malformed(action, `expected a JSON object, got ${excerpt(text)}`);
    }
    return answer as Record<string, unknown>;
  }

  /** Maps the hook's thrown error (Lambda's `{errorType, errorMessage}`) to retry or stop. */
  private failure(action: string, functionError: string, text: string): TransientError | DnsError {
    let parsed: { errorType?: unknown; errorMessage?: unknown } = {};
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null) parsed = value as typeof parsed;
    } catch {
      // Not every failure carries a JSON body (a crashed runtime); the raw text is still useful.
    }
    const type = typeof parsed.errorType === 'string' ? parsed.errorType : functionError;
    const detail = typeof parsed.errorMessage === 'string' ? parsed.errorMessage : excerpt(text);
    const message = `dns-hook: "${this.functionName}" failed to ${action}: ${type}: ${detail}`;
    const transient = type === 'TransientError' || type === TIMED_OUT || /^transient:/i.test(detail.trimStart());
    return transient ? new TransientError(message) : new DnsError(message);
  }

  private malformed(action: string, why: string): DnsError {
    return new DnsError(`dns-hook: "${this.functionName}" answered ${action} with a malformed result: ${why}`);
  }
}

/** Only the two documented keys go to the hook, whatever else a caller's objects carry. */
function plain(records: TxtRecord[]): TxtRecord[] {
  return records.map(({ name, value }) => ({ name, value }));
}

/** Enough of a bad answer to recognise it in a status message, never a whole payload. */
function excerpt(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine || '(empty)';
}
