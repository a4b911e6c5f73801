/**
 * {@link IssuanceStarter} for local mode: runs the local state machine in the background. Names
 * are unique like Step Functions execution names, and are remembered in a file so that a
 * restarted local service does not issue a revision twice. An execution of a name this process
 * did not run (it died with an earlier process) is described as `MISSING`.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import type { ExecutionDescription, IssuanceStarter } from '../ports/executions.js';
import type { ExecutionInput } from '../ports/executions.js';
import type { ExecutionStatusChange } from '../steps/ended-issuance.js';
import type { ExecutionResult, LocalStateMachine } from './state-machine.js';

export class LocalIssuanceStarter implements IssuanceStarter {
  private readonly names: Set<string>;
  private readonly running = new Map<string, { done: Promise<void>; stop: AbortController }>();
  private readonly ended = new Map<string, ExecutionResult>();
  readonly results: ExecutionResult[] = [];

  constructor(
    private readonly machine: LocalStateMachine,
    private readonly options: {
      namesFile?: string;
      /**
       * Called when an execution ends, before `idle()` resolves; local mode passes Step Functions'
       * "Execution Status Change" on to the execution-ended handler here.
       */
      onFinished?: (result: ExecutionResult) => void | Promise<void>;
    } = {},
  ) {
    let known: string[] = [];
    try {
      if (options.namesFile) known = readFileSync(options.namesFile, 'utf8').split('\n').filter(Boolean);
    } catch {
      // first run: no file yet
    }
    this.names = new Set(known);
  }

  async start(executionName: string, input: ExecutionInput): Promise<{ started: boolean; executionId?: string }> {
    if (this.names.has(executionName)) return { started: false };
    this.names.add(executionName);
    if (this.options.namesFile) appendFileSync(this.options.namesFile, `${executionName}\n`);
    const stop = new AbortController();
    const done: Promise<void> = this.machine
      .execute(input, executionName, { signal: stop.signal })
      .then(async (result) => {
        this.results.push(result);
        this.ended.set(executionName, result);
        await this.options.onFinished?.(result);
      })
      .catch(() => undefined) // onFinished reports its own failures
      .finally(() => this.running.delete(executionName));
    this.running.set(executionName, { done, stop });
    return { started: true, executionId: executionName };
  }

  async describe(executionName: string): Promise<ExecutionDescription> {
    if (this.running.has(executionName)) return { status: 'RUNNING' };
    const result = this.ended.get(executionName);
    if (!result) return { status: 'MISSING' };
    return {
      status: result.status,
      ...(result.error ? { error: result.error } : {}),
      ...(result.cause ? { cause: result.cause } : {}),
    };
  }

  /** Stops a running execution, as Step Functions' StopExecution does; false if none runs. */
  stop(executionName: string): boolean {
    const run = this.running.get(executionName);
    run?.stop.abort();
    return run !== undefined;
  }

  /** Resolves once no execution is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }
}

/** What Step Functions sends EventBridge when an execution ends ("Execution Status Change"). */
export function statusChangeOf(result: ExecutionResult): ExecutionStatusChange {
  return {
    detail: {
      name: result.executionName,
      status: result.status,
      input: result.input === undefined ? null : JSON.stringify(result.input),
      error: result.error ?? null,
      cause: result.cause ?? null,
    },
  };
}
