import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecutionAlreadyExists, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { StepFunctionsIssuanceStarter } from '../../shared/adapters/aws/step-functions-issuance-starter.js';

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
