/**
 * {@link IssuanceStarter} on Step Functions StartExecution.
 *
 * StartExecution is idempotent for Standard workflows: the same name and the same input as a
 * running execution succeeds and returns that execution; a closed one, or another input, gets
 * `ExecutionAlreadyExists` (Step Functions API reference, StartExecution). Each start here carries
 * its own `startRequestId`, so any existing execution of the name answers `ExecutionAlreadyExists`
 * and `started: false` means the same as in local mode: this call started nothing.
 */
import { randomUUID } from 'node:crypto';
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { StoreError } from '../../errors.js';
import type { IssuanceStarter } from '../../ports/executions.js';
import type { ExecutionInput } from '../../ports/executions.js';
import { translateAwsError } from './aws-errors.js';

export class StepFunctionsIssuanceStarter implements IssuanceStarter {
  constructor(private readonly options: { client: SFNClient; stateMachineArn: string }) {}

  async start(executionName: string, input: ExecutionInput): Promise<{ started: boolean; executionId?: string }> {
    try {
      const result = await this.options.client.send(
        new StartExecutionCommand({
          stateMachineArn: this.options.stateMachineArn,
          name: executionName,
          input: JSON.stringify({ ...input, startRequestId: randomUUID() }),
        }),
      );
      return { started: true, executionId: result.executionArn };
    } catch (error) {
      // A Standard execution name is unique for 90 days: its existence is the idempotency we want.
      if (error instanceof ExecutionAlreadyExists) return { started: false };
      throw translateAwsError('stepfunctions', `starting ${executionName}`, error, StoreError);
    }
  }
}
