/** {@link IssuanceStarter} on Step Functions StartExecution. */
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
          input: JSON.stringify(input),
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
