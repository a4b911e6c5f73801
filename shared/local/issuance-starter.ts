/**
 * {@link IssuanceStarter} for local mode: runs the local state machine in the background. Names
 * are unique like Step Functions execution names, and are remembered in a file so that a
 * restarted local service does not issue a revision twice.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import type { IssuanceStarter } from '../ports/executions.js';
import type { ExecutionInput } from '../ports/executions.js';
import type { ExecutionResult, LocalStateMachine } from './state-machine.js';

export class LocalIssuanceStarter implements IssuanceStarter {
  private readonly names: Set<string>;
  private readonly running = new Set<Promise<void>>();
  readonly results: ExecutionResult[] = [];

  constructor(
    private readonly machine: LocalStateMachine,
    private readonly options: { namesFile?: string; onFinished?: (result: ExecutionResult) => void } = {},
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
    const run: Promise<void> = this.machine.execute(input, executionName).then((result) => {
      this.results.push(result);
      this.options.onFinished?.(result);
    });
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return { started: true, executionId: executionName };
  }

  /** Resolves once no execution is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }
}
