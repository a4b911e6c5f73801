/**
 * {@link IssuanceStarter} on Step Functions StartExecution.
 *
 * StartExecution is idempotent for Standard workflows: the same name and the same input as a
 * running execution succeeds and returns that execution; a closed one, or another input, gets
 * `ExecutionAlreadyExists` (Step Functions API reference, StartExecution). Each start here carries
 * its own `startRequestId`, so any existing execution of the name answers `ExecutionAlreadyExists`
 * and `started: false` means the same as in local mode: this call started nothing.
 *
 * `describe` builds the execution's ARN from the state machine's
 * (`arn:<partition>:states:<region>:<account>:execution:<state machine name>:<execution name>`,
 * Step Functions API reference, DescribeExecution) so that the caller needs only the name.
 */
import { randomUUID } from 'node:crypto';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { StoreError } from '../../errors.js';
import type { ExecutionDescription, ExecutionStatus, IssuanceStarter } from '../../ports/executions.js';
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

  async describe(executionName: string): Promise<ExecutionDescription> {
    const executionArn = executionArnOf(this.options.stateMachineArn, executionName);
    try {
      const result = await this.options.client.send(new DescribeExecutionCommand({ executionArn }));
      const status = (result.status ?? 'MISSING') as ExecutionStatus;
      return {
        status,
        ...(result.error ? { error: result.error } : {}),
        ...(result.cause ? { cause: result.cause } : {}),
      };
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return { status: 'MISSING' };
      throw translateAwsError('stepfunctions', `describing ${executionName}`, error, StoreError);
    }
  }
}

/** The ARN of execution `name` of the state machine `stateMachineArn`. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  const parts = stateMachineArn.split(':');
  if (parts.length !== 7 || parts[5] !== 'stateMachine') {
    throw new StoreError(`stepfunctions: "${stateMachineArn}" is not a state machine ARN`);
  }
  return [...parts.slice(0, 5), 'execution', parts[6], name].join(':');
}
