import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidArn,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  StepFunctionsIssuanceStarter,
  executionArnOf,
} from '../../shared/adapters/aws/step-functions-issuance-starter.js';

/**
 * StartExecution as the Step Functions API reference describes it for Standard workflows: the
 * same name and input as a running execution returns that execution; a closed one, or another
 * input, is `ExecutionAlreadyExists`.
 */
class StepFunctionsRules {
  readonly executions = new Map<string, { input: string; running: boolean; arn: string }>();
  readonly inputs: unknown[] = [];
  async send(command: StartExecutionCommand) {
    assert.ok(command instanceof StartExecutionCommand);
    const { name, input } = command.input as { name: string; input: string };
    this.inputs.push(JSON.parse(input));
    const existing = this.executions.get(name);
    if (existing) {
      if (existing.running && existing.input === input) return { executionArn: existing.arn, startDate: new Date(0) };
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${existing.arn}'`, $metadata: {} });
    }
    const arn = `arn:aws:states:eu-west-1:111122223333:execution:certflow:${name}`;
    this.executions.set(name, { input, running: true, arn });
    return { executionArn: arn, startDate: new Date() };
  }
}

function starter() {
  const rules = new StepFunctionsRules();
  const client = rules as unknown as SFNClient;
  return { rules, starter: new StepFunctionsIssuanceStarter({ client, stateMachineArn: 'arn:sm' }) };
}

describe('Adapter: StepFunctionsIssuanceStarter', () => {
  it('starts an execution with the input and a start request id of its own', async () => {
    const { rules, starter: s } = starter();
    const out = await s.start('web-r1-x', { name: 'web', reason: 'Issuing' });
    assert.deepEqual(out, {
      started: true,
      executionId: 'arn:aws:states:eu-west-1:111122223333:execution:certflow:web-r1-x',
    });
    const [input] = rules.inputs as { name: string; reason: string; startRequestId: string }[];
    assert.equal(input!.name, 'web');
    assert.equal(input!.reason, 'Issuing');
    assert.match(input!.startRequestId, /^[0-9a-f-]{36}$/);
  });

  it('reports started: false for a second start of a running execution with the same input (as local mode does)', async () => {
    const { rules, starter: s } = starter();
    assert.equal((await s.start('web-due-1', { name: 'web', reason: 'Renewing' })).started, true);
    const again = await s.start('web-due-1', { name: 'web', reason: 'Renewing' });
    assert.deepEqual(again, { started: false });
    assert.equal(rules.executions.size, 1);
  });

  it('reports started: false for a closed execution of that name', async () => {
    const { rules, starter: s } = starter();
    await s.start('web-r1-x', { name: 'web' });
    rules.executions.get('web-r1-x')!.running = false;
    assert.deepEqual(await s.start('web-r1-x', { name: 'web' }), { started: false });
  });
});

const STATE_MACHINE = 'arn:aws:states:eu-west-1:111122223333:stateMachine:certflow-issuance';

/**
 * DescribeExecution as the API reference describes it: the execution by its ARN, or
 * `ExecutionDoesNotExist`. `failWith` answers every call with that error instead.
 */
class DescribeRules {
  readonly executions = new Map<string, Partial<DescribeExecutionCommandOutput>>();
  readonly asked: string[] = [];
  failWith: Error | undefined;
  async send(command: DescribeExecutionCommand) {
    assert.ok(command instanceof DescribeExecutionCommand);
    const arn = command.input.executionArn!;
    this.asked.push(arn);
    if (this.failWith) throw this.failWith;
    const found = this.executions.get(arn);
    if (!found) throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${arn}'`, $metadata: {} });
    return { executionArn: arn, startDate: new Date(0), ...found };
  }
}

function describer(stateMachineArn = STATE_MACHINE) {
  const rules = new DescribeRules();
  return {
    rules,
    starter: new StepFunctionsIssuanceStarter({ client: rules as unknown as SFNClient, stateMachineArn }),
  };
}

describe('Adapter: StepFunctionsIssuanceStarter.describe', () => {
  const arn = 'arn:aws:states:eu-west-1:111122223333:execution:certflow-issuance:web-r1-x';

  it('asks for the execution by the ARN built from the state machine’s, and passes its status on', async () => {
    const { rules, starter: s } = describer();
    rules.executions.set(arn, { status: 'RUNNING' });
    assert.deepEqual(await s.describe('web-r1-x'), { status: 'RUNNING' });
    assert.deepEqual(rules.asked, [arn]);
  });

  for (const status of ['FAILED', 'TIMED_OUT', 'ABORTED'] as const) {
    it(`passes ${status} on with its error and cause`, async () => {
      const { rules, starter: s } = describer();
      rules.executions.set(arn, { status, error: 'States.Timeout', cause: 'past TimeoutSeconds' });
      assert.deepEqual(await s.describe('web-r1-x'), { status, error: 'States.Timeout', cause: 'past TimeoutSeconds' });
    });
  }

  it('leaves out an error and cause Step Functions does not give', async () => {
    const { rules, starter: s } = describer();
    rules.executions.set(arn, { status: 'SUCCEEDED' });
    const out = await s.describe('web-r1-x');
    assert.deepEqual(out, { status: 'SUCCEEDED' });
    assert.ok(!('error' in out) && !('cause' in out));
  });

  it('describes an execution Step Functions does not know as MISSING', async () => {
    const { starter: s } = describer();
    assert.deepEqual(await s.describe('web-r1-gone'), { status: 'MISSING' });
  });

  it('translates other errors: throttling is transient, the rest terminal, naming the execution', async () => {
    const { rules, starter: s } = describer();
    rules.failWith = Object.assign(new Error('Rate exceeded'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    await assert.rejects(s.describe('web-r1-x'), {
      name: 'TransientError',
      message: 'stepfunctions: describing web-r1-x failed: ThrottlingException: Rate exceeded',
    });
    rules.failWith = new InvalidArn({ message: 'Invalid Arn', $metadata: {} });
    await assert.rejects(s.describe('web-r1-x'), {
      name: 'StoreError',
      message: 'stepfunctions: describing web-r1-x failed: InvalidArn: Invalid Arn',
    });
  });

  it('refuses a state machine ARN it cannot build an execution ARN from, naming it', async () => {
    const { rules, starter: s } = describer('arn:sm');
    await assert.rejects(s.describe('web-r1-x'), {
      name: 'StoreError',
      message: /"arn:sm" is not a state machine ARN/,
    });
    assert.deepEqual(rules.asked, [], 'Step Functions is not asked');
  });
});

describe('Function: executionArnOf', () => {
  it('builds the execution ARN in the state machine’s partition, region and account', () => {
    assert.equal(
      executionArnOf(STATE_MACHINE, 'web-r1-x'),
      'arn:aws:states:eu-west-1:111122223333:execution:certflow-issuance:web-r1-x',
    );
    assert.equal(
      executionArnOf('arn:aws-cn:states:cn-north-1:111122223333:stateMachine:certflow', 'web-retry1-abc'),
      'arn:aws-cn:states:cn-north-1:111122223333:execution:certflow:web-retry1-abc',
    );
  });

  for (const arn of [
    'arn:sm',
    'arn:aws:states:eu-west-1:111122223333:activity:certflow',
    'arn:aws:states:eu-west-1:111122223333:execution:certflow:web-r1-x',
    '',
  ]) {
    it(`refuses ${JSON.stringify(arn)}, naming it`, () => {
      assert.throws(() => executionArnOf(arn, 'web-r1-x'), {
        name: 'StoreError',
        message: `stepfunctions: "${arn}" is not a state machine ARN`,
      });
    });
  }
});
